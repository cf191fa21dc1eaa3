/* Without libFuzzer: feed every file in the given directories (the seed
 * corpus and the crashes kept as regressions) to the fuzz target once. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "liia_core.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int replay_file(const char *path)
{
    char *data;
    size_t len;
    liia_error e;
    liia_error_clear(&e);
    if (liia_read_file(path, &data, &len, &e)) {
        liia_error_print(stderr, &e);
        return -1;
    }
    LLVMFuzzerTestOneInput((const unsigned char *)data, len);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "cannot open corpus %s\n", argv[i]);
            return 1;
        }
        struct dirent *ent;
        while ((ent = readdir(d))) {
            if (ent->d_name[0] == '.')
                continue;
            char *path = liia_path_join(argv[i], ent->d_name);
            int rc = path ? replay_file(path) : -1;
            free(path);
            if (rc) {
                closedir(d);
                return 1;
            }
            files++;
        }
        closedir(d);
    }
    fprintf(stderr, "replayed %d inputs\n", files);
    return files ? 0 : 1;
}
