/* progress.c - a single updating line on stderr, only for a person. */
#include <unistd.h>

#include "liia_core.h"

void liia_progress_start(liia_progress *p, const char *label, long total)
{
    p->enabled = isatty(STDERR_FILENO);
    p->label = label;
    p->total = total;
    p->done = 0;
}

void liia_progress_step(liia_progress *p, const char *item)
{
    p->done++;
    if (!p->enabled)
        return;
    fprintf(stderr, "\r\033[K%s %ld/%ld %s", p->label, p->done, p->total,
            item ? item : "");
    fflush(stderr);
}

void liia_progress_end(liia_progress *p)
{
    if (p->enabled && p->done)
        fputs("\r\033[K", stderr);
}
