/* ingest_outcome.c - the line under "accepted as version N" when the new
 * version replaced one: which quarter, what it replaced and which values
 * moved (engine/changes.c), so a file sent for the wrong quarter cannot
 * silently replace a published one. */
#include "cli.h"
#include "liia_engine.h"

void cli_print_replacement(sqlite3 *db, long long submission_id)
{
    liia_buf text, printable;
    liia_error e;
    liia_error_clear(&e);
    liia_buf_init(&text);
    liia_buf_init(&printable);
    if (liia_engine_describe_replacement(db, submission_id, &text, &e) == 0 && text.len)
        printf("  %s\n", cli_printable(&printable, text.data));
    else if (text.len == 0 && e.message[0])
        fprintf(stderr, "liia-bench: warning: cannot say what the new version replaced: "
                        "%s\n", e.message);
    liia_buf_free(&text);
    liia_buf_free(&printable);
}
