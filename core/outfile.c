/*
 * outfile.c - output files that are never half-written, never readable by
 * others and never written through a planted link: each is created 0600
 * under a fresh temporary name in its own directory (O_CREAT | O_EXCL,
 * so nothing already there, a link included, is opened), written, fsynced and
 * renamed over the final name.  rename() replaces a symlink at the final
 * name rather than following it, and a crash or a full disk leaves the
 * previous file whole beside, at worst, a stray temporary.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "liia_core.h"

/* The directory part of path ("." for a bare name), freshly allocated. */
static char *dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    char *d = strdup(dirname(copy));
    free(copy);
    return d;
}

static int io_fail(liia_error *e, const char *path, const char *what, int err)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    if (err == ENOSPC || err == EFBIG || err == EDQUOT)
        liia_error_fix(e, "free space in the output folder (or raise the "
                          "file size limit) and run the command again");
    else
        liia_error_fix(e, "check that the output folder exists and that you "
                          "can write to it");
    return liia_fail(e, err == ENOMEM ? LIIA_E_NOMEM : LIIA_E_IO, "%s: %s",
                     what, strerror(err));
}

/* ".<name>.XXXXXX.tmp" beside path: hidden, never a final name.  mkstemps
 * creates it O_CREAT | O_EXCL, which never follows a link. */
static int create_temp(liia_outfile *o, liia_error *e)
{
    const char *slash = strrchr(o->path, '/');
    size_t dirlen = slash ? (size_t)(slash - o->path) + 1 : 0;
    size_t n = strlen(o->path) + 16;
    if (!(o->tmp = malloc(n)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    snprintf(o->tmp, n, "%.*s.%s.XXXXXX.tmp", (int)dirlen, o->path,
             o->path + dirlen);
    if ((o->fd = mkstemps(o->tmp, 4)) < 0) {
        int err = errno;
        free(o->tmp);
        o->tmp = NULL; /* nothing was created: nothing to remove */
        return io_fail(e, o->path, "cannot create the output file", err);
    }
    /* The umask may have narrowed 0600; it must not widen it either. */
    if (fchmod(o->fd, 0600))
        return io_fail(e, o->path, "cannot set the output file's mode", errno);
    return 0;
}

int liia_outfile_open(liia_outfile *o, const char *path, liia_error *e)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (!(o->path = strdup(path)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (create_temp(o, e)) {
        liia_outfile_abort(o);
        return -1;
    }
    return 0;
}

FILE *liia_outfile_stream(liia_outfile *o, liia_error *e)
{
    if (!o->fp && !(o->fp = fdopen(o->fd, "w")))
        io_fail(e, o->path, "cannot open the output file", errno);
    return o->fp;
}

int liia_outfile_write(liia_outfile *o, const void *p, size_t n, liia_error *e)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(o->fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (!o->err)
                o->err = k < 0 ? errno : EIO;
            return io_fail(e, o->path, "cannot write", o->err);
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The directory entry of the rename made durable: best effort, as some
 * file systems cannot fsync a directory. */
static void sync_dir(const char *path)
{
    char *d = dir_of(path);
    int fd = d ? open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        if (fsync(fd)) {
            /* nothing to undo: the file itself is synced and renamed */
        }
        close(fd);
    }
    free(d);
}

/* A writer that opened the temporary by name (libxlsxwriter, cairo) must
 * have written the file this process created, not something swapped in. */
static int still_ours(const liia_outfile *o)
{
    struct stat mine, named;
    return fstat(o->fd, &mine) == 0 && lstat(o->tmp, &named) == 0 &&
           S_ISREG(named.st_mode) && mine.st_dev == named.st_dev &&
           mine.st_ino == named.st_ino;
}

int liia_outfile_commit(liia_outfile *o, liia_error *e)
{
    int err = o->err;
    if (!err && o->fp && fflush(o->fp))
        err = errno;
    if (!err && fsync(o->fd))
        err = errno;
    if (!err && !still_ours(o))
        err = EEXIST;
    int closed = o->fp ? fclose(o->fp) : close(o->fd);
    o->fp = NULL;
    o->fd = -1;
    if (!err && closed)
        err = errno;
    if (!err && rename(o->tmp, o->path))
        err = errno;
    if (err) {
        io_fail(e, o->path, err == EEXIST
                                ? "the temporary output file was replaced"
                                : "cannot write the output file",
                err);
        liia_outfile_abort(o);
        return -1;
    }
    sync_dir(o->path);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    o->fd = -1;
    return 0;
}

void liia_outfile_abort(liia_outfile *o)
{
    if (o->fp)
        fclose(o->fp);
    else if (o->fd >= 0)
        close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    o->fd = -1;
}

int liia_outfile_finish(liia_outfile *o, int rc, liia_error *e)
{
    if (rc) {
        /* The writer's error names the temporary; the user knows the
         * final name. */
        if (o->tmp && !strcmp(e->file, o->tmp))
            liia_strlcpy(e->file, o->path, sizeof e->file);
        liia_outfile_abort(o);
        return -1;
    }
    return liia_outfile_commit(o, e);
}
