/*
 * test_outfile.c - safe output files: 0600 whatever the umask, a planted link at the final name replaced and its target left
 * alone, a failed write leaving the previous file whole and no temporary.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "liia_core.h"
#include "unit.h"

static char dir[512];

static char *at(const char *name)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static char *slurp(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* Files in dir whose name starts with a dot: temporaries left behind. */
static int temporaries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += de->d_name[0] == '.' && strcmp(de->d_name, ".") &&
             strcmp(de->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static void write_text(const char *path, const char *text, int rc_in)
{
    liia_error e;
    liia_error_clear(&e);
    liia_outfile o;
    CHECK_INT(liia_outfile_open(&o, path, &e), 0);
    FILE *f = liia_outfile_stream(&o, &e);
    CHECK(f != NULL);
    fputs(text, f);
    CHECK_INT(liia_outfile_finish(&o, rc_in, &e), rc_in ? -1 : 0);
}

static void test_mode_under_umask_000(void)
{
    mode_t old = umask(0);
    write_text(at("a.csv"), "new\n", 0);
    struct stat sb;
    CHECK_INT(stat(at("a.csv"), &sb), 0);
    CHECK_INT((int)(sb.st_mode & 0777), 0600);
    CHECK_STR(slurp(at("a.csv")), "new\n");
    umask(old);
    CHECK_INT(temporaries(), 0);
}

static void test_planted_link_not_followed(void)
{
    put(at("victim"), "precious\n");
    char target[1024];
    snprintf(target, sizeof target, "%s", at("victim"));
    CHECK_INT(symlink(target, at("b.xlsx")), 0);
    write_text(at("b.xlsx"), "report\n", 0);
    CHECK_STR(slurp(at("victim")), "precious\n");
    struct stat sb;
    CHECK_INT(lstat(at("b.xlsx"), &sb), 0);
    CHECK(S_ISREG(sb.st_mode));
    CHECK_STR(slurp(at("b.xlsx")), "report\n");
}

static void test_failure_keeps_previous(void)
{
    put(at("c.pdf"), "previous run\n");
    write_text(at("c.pdf"), "half", -1);
    CHECK_STR(slurp(at("c.pdf")), "previous run\n");
    CHECK_INT(temporaries(), 0);
    /* A writer's error naming the temporary is put on the final name. */
    liia_error e;
    liia_error_clear(&e);
    liia_outfile o;
    CHECK_INT(liia_outfile_open(&o, at("d.svg"), &e), 0);
    liia_strlcpy(e.file, o.tmp, sizeof e.file);
    CHECK_INT(liia_outfile_finish(&o, -1, &e), -1);
    CHECK_STR(e.file, at("d.svg"));
    CHECK(access(at("d.svg"), F_OK) != 0);
}

static void test_swapped_temporary_refused(void)
{
    liia_error e;
    liia_error_clear(&e);
    liia_outfile o;
    CHECK_INT(liia_outfile_open(&o, at("e.png"), &e), 0);
    /* Someone replaces the temporary by name between create and write. */
    CHECK_INT(unlink(o.tmp), 0);
    put(o.tmp, "not ours\n");
    CHECK_INT(liia_outfile_commit(&o, &e), -1);
    CHECK(e.status == LIIA_E_IO);
    CHECK(access(at("e.png"), F_OK) != 0);
}

static void test_missing_folder(void)
{
    liia_error e;
    liia_error_clear(&e);
    liia_outfile o;
    CHECK_INT(liia_outfile_open(&o, at("nope/f.csv"), &e), -1);
    CHECK(e.status == LIIA_E_IO);
    CHECK(strstr(e.message, "No such file") != NULL);
    liia_outfile_abort(&o); /* safe after a failed open */
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/outfile", SCRATCH_DIR);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd))
        return 1;
    test_mode_under_umask_000();
    test_planted_link_not_followed();
    test_failure_keeps_previous();
    test_swapped_temporary_refused();
    test_missing_folder();
    return unit_result("outfile");
}
