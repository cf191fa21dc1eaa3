/* cmd_key.c - `liia-bench key fingerprint [FILE]`: which key a file holds,
 * in the same terms as the wrong-key error, without opening a store. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: liia-bench [--db PATH] key fingerprint [FILE]\n"
    "\n"
    "Prints the fingerprint of a platform key file (default: $LIIA_KEY_FILE,\n"
    "else the store's PATH.key) and the file's name.  The fingerprint is what\n"
    "the store records and what the wrong-key error quotes the start of\n"
    "(\"its fingerprint begins ...\"); record it beside the key's backup\n"
    "(docs/operations.md).  It does not reveal the key; the file's sha256sum\n"
    "is a different value.  Reads no store and changes nothing.\n"
    "\n"
    "  -h, --help   this text\n";

int cmd_key(int argc, char **argv, const struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if (argc < 2 || strcmp(argv[1], "fingerprint"))
        return cli_usage_error("key", "say 'key fingerprint [FILE]'");
    if (argc > 3 || (argc == 3 && argv[2][0] == '-'))
        return cli_usage_error("key", "name at most one key file");
    liia_error e;
    liia_error_clear(&e);
    char *path = argc == 3 ? strdup(argv[2]) : liia_key_path_for(ctx->db_path);
    char fp[LIIA_KEY_FINGERPRINT_HEX + 1];
    int rc = path ? liia_key_file_fingerprint(path, fp, &e)
                  : liia_fail(&e, LIIA_E_NOMEM, "out of memory");
    if (!rc)
        printf("%s  %s\n", fp, path);
    free(path);
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
