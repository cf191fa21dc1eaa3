/*
 * sample_ssda903.c - `liia-bench sample --ssda903`: deterministic synthetic
 * SSDA903 header/episodes/uasc files for a few authorities, at any size.
 * Children enter and leave care, move placements, change legal status;
 * some are UASC; a few rule breaches are planted on purpose and listed in
 * <LA>_<period>_planted.csv so tests and demos know what to expect.
 * Nothing here is real: ids, dates and postcodes are drawn from a seeded
 * generator (same seed, same files).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sample.h"

static const char usage[] =
    "usage: liia-bench sample --ssda903 --out DIR [--seed N] [--children N]\n"
    "                         [--period P] [--la LA,LA,...]\n"
    "\n"
    "Writes synthetic SSDA903 tables per authority: DIR/<LA>_<period>_header.csv,\n"
    "_episodes.csv, _uasc.csv and _planted.csv (the rule breaches planted on\n"
    "purpose: table, line, DfE rule).  Same seed, same files.\n"
    "\n"
    "  --out DIR       output directory (created if missing)\n"
    "  --seed N        generator seed (default 1)\n"
    "  --children N    children per authority, 1 to 10000000 (about 3.5 episodes\n"
    "                  each; default:\n"
    "                  sized so the children looked after at the period end\n"
    "                  match the authority's 0-17 population at London's rate)\n"
    "  --period P      quarter end the extract runs to (default 2025-03-31)\n"
    "  --la LIST       short codes, comma separated (default CAM,HAC,SOU)\n";

/* London's looked-after rate, per 10,000 children aged 0-17: the middle of
 * the quarterly sample's range for cla_at_end (35-68), near the rate DfE
 * publishes for London.  Of the children this generator writes, about 45%
 * are still looked after at the period end (measured over 4,000 children),
 * so an authority gets pop * rate / 10,000 / 0.45 children. */
static const double london_cla_rate = 52, open_share = 0.45;

/* splitmix64: small, fast, and the same everywhere. */
struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static long pick(struct rng *r, long n)
{
    return (long)(next(r) % (uint64_t)n);
}

/* Days since 1970-01-01 <-> civil date (Howard Hinnant's algorithms). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil(long z, char out[11], int iso)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    char tmp[32];
    if (iso)
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(tmp, sizeof tmp, "%02d/%02d/%04d", d, m, y);
    liia_strlcpy(out, tmp, 11);
}

struct gen {
    struct rng r;
    FILE *header, *episodes, *uasc, *planted;
    liia_outfile out[4]; /* under each stream: 0600 temporary, renamed */
    long header_line, episode_line, uasc_line;
    long period_end, year_start;
    int fy_end;
    const char *la;
};

static const char *const ethnic[] = {"WBRI", "WOTH", "MWBC", "MOTH", "AOTH",
                                     "BAFR", "BCRB", "BOTH", "CHNE", "OOTH"};
static const char *const outward[] = {"N1", "N7", "E8", "SE5", "SW9", "NW1", "W12",
                                      "CR0", "EN1", "HA0", "IG1", "UB3", "TW3"};
static const char *const ceased[] = {"E11", "E12", "E4A", "E3", "E13", "E41", "E8"};
static const char *const moves[] = {"CARPL", "ALLEG", "STAND", "CHILD", "LAREQ", "OTHER"};

/* Draws are made one statement at a time, never two in one call's
 * arguments (whose order C leaves open: gcc and clang differ), last letter
 * first as the files were first drawn. */
static void postcode(struct gen *g, char *out, size_t n)
{
    char c2 = (char)('A' + pick(&g->r, 26)), c1 = (char)('A' + pick(&g->r, 26));
    long digit = pick(&g->r, 10);
    snprintf(out, n, "%s %ld%c%c", outward[pick(&g->r, 13)], digit, c1, c2);
}

/* A placement consistent with the DfE rules (provider matches type). */
static void placement(struct gen *g, const char **place, const char **prov)
{
    long x = pick(&g->r, 100);
    static const char *const foster[] = {"U1", "U2", "U3", "U4", "U5", "U6"};
    if (x < 64) {
        *place = foster[pick(&g->r, 6)];
        *prov = pick(&g->r, 2) ? "PR1" : "PR4";
    } else if (x < 78) {
        *place = "K2";
        *prov = pick(&g->r, 2) ? "PR1" : "PR4";
    } else if (x < 81) {
        *place = "K1";
        *prov = "PR1";
    } else if (x < 91) {
        *place = "R1";
        *prov = "PR1";
    } else {
        *place = "P1";
        *prov = "PR0";
    }
}

static void plant(struct gen *g, const char *table, long line, const char *rule)
{
    fprintf(g->planted, "%s,%ld,%s\n", table, line, rule);
}

/* One episode as drawn, held until the child's last episode is known:
 * the reason for a placement change is drawn with the new placement but
 * DfE records it on the episode that ends (rule 225), and a period of care
 * is cut at the 18th birthday (rule 359) after the draws are made, so each
 * child consumes the generator exactly as before and the header rows (which
 * `sample --cin --link` copies) do not move. */
struct episode {
    long decom, dec;          /* days; dec < 0: open at the period end */
    const char *rne, *ls, *place, *prov, *rec, *move, *reason;
    char pl[16];
};

#define MAX_EPISODES 4

/* The episodes drawn for a child: a period of care starting at `start`,
 * moving placement now and then, ending (or still open at the period end). */
static long draw_episodes(struct gen *g, const char *ls, long dob_day, long start,
                          struct episode *ep)
{
    long n = 1 + pick(&g->r, MAX_EPISODES), day = start, k;
    for (k = 0; k < n; k++) {
        struct episode *x = &ep[k];
        placement(g, &x->place, &x->prov);
        if (!strcmp(ls, "V2") && !strcmp(x->place, "P1"))
            x->place = "U3", x->prov = "PR1";   /* 378: no P1 under V2 */
        long len = 20 + pick(&g->r, 500);
        int last = k == n - 1, open = day + len > g->period_end;
        postcode(g, x->pl, sizeof x->pl);
        x->decom = day;
        x->dec = open ? -1 : day + len;
        x->ls = ls;
        x->rne = k == 0 ? "S" : "P";
        /* Adoption codes only for children (386: not at 18 or over). */
        int adult = day + len - dob_day > 17 * 365;
        x->rec = open ? "" : !last ? "X1"
               : ceased[adult ? 3 + pick(&g->r, 4) : pick(&g->r, 7)];
        x->move = k ? moves[pick(&g->r, 6)] : "";
        x->reason = "";
        if (open || last)
            return k + 1;
        day += len;
    }
    return k;
}

/* The day of the 18th birthday (29 February: 1 March). */
static long eighteenth(long dob_day)
{
    char d[11];
    civil(dob_day, d, 1);
    int y = atoi(d), m = atoi(d + 5), dd = atoi(d + 8);
    return m == 2 && dd == 29 ? days_from_civil(y + 18, 3, 1)
                              : days_from_civil(y + 18, m, dd);
}

/* A change of placement (RNE P, U) must show in the placement, provider or
 * postcode (435, 436), and postcodes are stored as sectors: the same
 * placement drawn twice in one sector moves to the next sector. */
static void distinct_placement(const struct episode *a, struct episode *b)
{
    size_t sp = strcspn(b->pl, " ");
    if (strcmp(a->place, b->place) || strcmp(a->prov, b->prov) ||
        strncmp(a->pl, b->pl, sp + 2) || !b->pl[sp])
        return;
    b->pl[sp + 1] = (char)('0' + (b->pl[sp + 1] - '0' + 1) % 10);
}

/* Makes the drawn episodes consistent with the DfE rules; returns how many
 * are written.  Care ends at 18 (359: nobody over 18 is still looked after
 * unless in a community home under V2): staying with foster carers (E17)
 * or moving to independent living (E5).  A child adopted (E11, E12) was
 * placed for adoption under a placement order (390, 408: A6 with LS E1; a
 * new legal status and placement, so RNE U, 436).  The reason for each
 * placement change goes on the episode that ended (225). */
static long settle_episodes(const struct gen *g, long dob_day, struct episode *ep, long n)
{
    long bday = eighteenth(dob_day);
    for (long k = 0; k < n; k++) {
        struct episode *x = &ep[k];
        if (x->dec < 0 ? bday <= g->period_end : x->dec >= bday) {
            x->dec = bday;
            x->rec = x->place[0] == 'U' ? "E17" : "E5";
            n = k + 1;
            break;
        }
    }
    struct episode *last = &ep[n - 1];
    if (!strcmp(last->rec, "E11") || !strcmp(last->rec, "E12")) {
        last->place = "A6", last->prov = "PR1", last->ls = "E1";
        last->rne = n > 1 ? "U" : "S";
    }
    for (long k = 0; k + 1 < n; k++) {
        ep[k].reason = ep[k + 1].move;
        distinct_placement(&ep[k], &ep[k + 1]);
    }
    return n;
}

/* Writes a child's episodes; `breach` plants 147 (a two-digit year in the
 * first DEC: the cell is stored blank, so 142 and 433 follow when another
 * episode comes after it) or 146 (a bad placement code). */
static void write_episodes(struct gen *g, const char *child, long dob_day, long start,
                           long breach)
{
    struct episode ep[MAX_EPISODES];
    const char *ls = pick(&g->r, 10) < 7 ? "C2" : pick(&g->r, 2) ? "C1" : "V2";
    const char *cin = (const char *[]){"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"}[pick(&g->r, 8)];
    char home[16], d1[11], d2[11] = "";
    postcode(g, home, sizeof home);
    long n = settle_episodes(g, dob_day, ep, draw_episodes(g, ls, dob_day, start, ep));
    for (long k = 0; k < n; k++) {
        const struct episode *x = &ep[k];
        civil(x->decom, d1, 0);
        d2[0] = '\0';
        if (x->dec >= 0)
            civil(x->dec, d2, 0);
        g->episode_line++;
        /* A DEC stored blank leaves a child of 18 looked after (359): 147
         * is planted on children under 18 at the period end only. */
        int bad_dec = breach == 1 && k == 0 && x->dec >= 0 &&
                      eighteenth(dob_day) > g->period_end;
        int bad_place = breach == 2 && k == 0;
        if (bad_dec) {   /* 147: a two-digit year */
            d2[6] = d2[8], d2[7] = d2[9], d2[8] = '\0';
            plant(g, "episodes", g->episode_line, "147");
            if (n > 1) {
                plant(g, "episodes", g->episode_line, "142");
                plant(g, "episodes", g->episode_line + 1, "433");
            }
        }
        if (bad_place)   /* a placement stored blank is no adoption placement */
            plant(g, "episodes", g->episode_line, "146");
        if (bad_place && !strcmp(x->place, "A6"))
            plant(g, "episodes", g->episode_line, "390");
        fprintf(g->episodes, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", child, d1, x->rne,
                x->ls, cin, bad_place ? "Q1" : x->place, bad_place ? "PR1" : x->prov, d2,
                x->rec, x->reason, home, x->pl, !strcmp(x->place, "K2") ? "SC123456" : "");
    }
}

static void write_child(struct gen *g, long i)
{
    char child[24], dob[11], mc[11] = "";
    snprintf(child, sizeof child, "%ld", 100000 + i * 7 + pick(&g->r, 7));
    /* About one child in six looked after in London is an unaccompanied
     * asylum-seeker (one in five here), most arriving at 14-16. */
    int uasc = pick(&g->r, 100) < 20;
    long years = uasc ? 14 + pick(&g->r, 3) : pick(&g->r, 17);   /* age at entry */
    long age_days = 365 * years + pick(&g->r, 365);
    long start = g->year_start - 3 * 365 + pick(&g->r, g->period_end - g->year_start + 3 * 365);
    long dob_day = start - age_days;
    civil(dob_day, dob, 0);
    int girl = (int)pick(&g->r, 2);
    const char *sex = g->fy_end >= 2025 ? (girl ? "F" : "M") : (girl ? "2" : "1");
    long breach = i % 50 == 7 ? 1 + (i / 50) % 4 : 0;
    g->header_line++;
    char upn[16];
    long check = pick(&g->r, 10);   /* before the digits: see postcode() */
    snprintf(upn, sizeof upn, "A%011ld%ld", (long)(next(&g->r) % 100000000000ULL), check);
    if (breach == 3) {
        sex = "3";
        plant(g, "header", g->header_line, "101");
    }
    if (breach == 4) {
        liia_strlcpy(upn, "BAD", sizeof upn);
        plant(g, "header", g->header_line, "168");
    }
    int mother = girl && start - dob_day > 16 * 365 && pick(&g->r, 20) == 0;
    if (mother)
        civil(start - pick(&g->r, 300), mc, 0);
    fprintf(g->header, "%s,%s,%s,%s,%s,%s,%s\n", child, sex, dob,
            ethnic[pick(&g->r, 10)], upn, girl ? (mother ? "1" : "0") : "", mc);
    write_episodes(g, child, dob_day, start, breach);
    if (uasc) {
        char duc[11] = "";
        if (pick(&g->r, 3) == 0)
            civil(dob_day + 18 * 365, duc, 0);
        g->uasc_line++;
        if (breach == 3)   /* the uasc row repeats the header's SEX */
            plant(g, "uasc", g->uasc_line, "101");
        fprintf(g->uasc, "%s,%s,%s,%s\n", child, sex, dob, duc);
    }
}

/* Reading the reference CSVs: the authority's GSS code by short code, then
 * its 0-17 population for the mid-year before the financial year ends (the
 * last estimate given when that year is missing). */
struct ref_lookup {
    const char *key;        /* short code, then GSS code */
    char gss[10];
    char want_col[16];      /* mid_2024 */
    long col;               /* population column, -1 until the header */
    double population;
};

static int authority_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct ref_lookup *l = ctx;
    (void)e;
    if (rec->record_no > 1 && rec->nfields > 3 && !strcasecmp(rec->fields[3], l->key)) {
        liia_strlcpy(l->gss, rec->fields[0], sizeof l->gss);
        return 1;
    }
    return 0;
}

static int population_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct ref_lookup *l = ctx;
    (void)e;
    if (rec->record_no == 1) {
        l->col = (long)rec->nfields - 1;
        for (size_t i = 1; i < rec->nfields; i++)
            if (!strcmp(rec->fields[i], l->want_col))
                l->col = (long)i;
        return 0;
    }
    if (l->col > 0 && (size_t)l->col < rec->nfields && !strcmp(rec->fields[0], l->gss)) {
        l->population = atof(rec->fields[l->col]);
        return 1;
    }
    return 0;
}

static int read_ref(const char *name, liia_csv_cb cb, struct ref_lookup *l, liia_error *e)
{
    char *dir = liia_path_join(liia_schema_dir(), "reference");
    char *path = dir ? liia_path_join(dir, name) : NULL;
    int rc = path ? liia_csv_read_file(path, 0, cb, l, NULL, e)
                  : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    free(path);
    free(dir);
    return rc;
}

/* The default size of an authority's extract (see london_cla_rate). */
static int default_children(const char *la, const char *period, long *children,
                            liia_error *e)
{
    struct ref_lookup l = {.key = la, .col = -1};
    snprintf(l.want_col, sizeof l.want_col, "mid_%d", liia_period_fy_end_year(period) - 1);
    if (read_ref("authorities.csv", authority_row, &l, e) ||
        (l.gss[0] && read_ref("population_0_17.csv", population_row, &l, e)))
        return -1;
    if (!l.gss[0] || l.population <= 0) {
        liia_error_set_value(e, la, strlen(la));
        liia_error_fix(e, "use the short codes in schemas/reference/authorities.csv, "
                          "e.g. CAM,HAC,SOU");
        return liia_fail(e, LIIA_E_USAGE, "'%s' is not a London authority with a "
                         "0-17 population", la);
    }
    *children = (long)(l.population * london_cla_rate / 10000 / open_share + 0.5);
    if (*children < 1)
        *children = 1;
    return 0;
}

/* Through liia_outfile (o): a 0600 temporary renamed into place by
 * close_all, so a link planted at the name is replaced, never followed. */
static FILE *open_out(liia_outfile *o, const char *dir, const char *la, const char *period,
                      const char *what, const char *cols)
{
    char path[1024];
    liia_error e;
    liia_error_clear(&e);
    snprintf(path, sizeof path, "%s/%s_%s_%s.csv", dir, la, period, what);
    FILE *f = NULL;
    if (liia_outfile_open(o, path, &e) == 0 && !(f = liia_outfile_stream(o, &e)))
        liia_outfile_abort(o);
    if (f)
        fputs(cols, f);
    else
        fprintf(stderr, "liia-bench sample: cannot write %s: %s\n", path, e.message);
    return f;
}

/* Commits every file when ok, else removes them all. */
static int close_all(struct gen *g, int ok)
{
    int bad = 0;
    FILE *fs[] = {g->header, g->episodes, g->uasc, g->planted};
    for (size_t i = 0; i < 4; i++) {
        liia_error e;
        liia_error_clear(&e);
        if (fs[i] && ok && liia_outfile_commit(&g->out[i], &e))
            bad = 1;
        else if (fs[i] && !ok)
            liia_outfile_abort(&g->out[i]);
    }
    return bad;
}

static int one_authority(const char *dir, const char *la, const char *period,
                         unsigned long seed, long children, long la_index)
{
    struct gen g = {.r = {seed * 1000003ULL + (uint64_t)la_index}, .la = la};
    g.fy_end = liia_period_fy_end_year(period);
    g.year_start = days_from_civil(g.fy_end - 1, 4, 1);
    g.period_end = days_from_civil(atoi(period), atoi(period + 5), atoi(period + 8));
    g.header = open_out(&g.out[0], dir, la, period, "header", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n");
    g.episodes = open_out(&g.out[1], dir, la, period, "episodes",
                          "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
                          "REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n");
    g.uasc = open_out(&g.out[2], dir, la, period, "uasc", "CHILD,SEX,DOB,DUC\n");
    g.planted = open_out(&g.out[3], dir, la, period, "planted", "table,line,rule\n");
    g.header_line = g.episode_line = g.uasc_line = 1;
    if (!g.header || !g.episodes || !g.uasc || !g.planted) {
        close_all(&g, 0);
        return LIIA_EXIT_RUNTIME;
    }
    for (long i = 0; i < children; i++)
        write_child(&g, i);
    if (close_all(&g, 1)) {
        fprintf(stderr, "liia-bench sample: cannot finish writing %s files\n", la);
        return LIIA_EXIT_RUNTIME;
    }
    printf("%s %s: %ld children, %ld episodes, %ld UASC\n", la, period, children,
           g.episode_line - 1, g.uasc_line - 1);
    return LIIA_EXIT_OK;
}

/* Ten million children (about 35 million episodes, 3 GB of CSV) is far
 * past any authority or test; beyond it a typo fills the disk. */
#define MAX_CHILDREN 10000000

int sample_ssda903_main(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)ctx;
    static const struct option opts[] = {
        {"ssda903", no_argument, NULL, 'S'}, {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'}, {"children", required_argument, NULL, 'n'},
        {"period", required_argument, NULL, 'p'}, {"la", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *period_in = "2025-03-31";
    char las[256] = "CAM,HAC,SOU", *end;
    unsigned long seed = 1;
    long children = 0; /* 0: each authority's own size */
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'S': break;
        case 'o': out = optarg; break;
        case 's': seed = strtoul(optarg, &end, 10);
                  if (*end) return cli_usage_error("sample", "--seed needs a number");
                  break;
        case 'n': children = strtol(optarg, &end, 10);
                  if (*end || children < 1 || children > MAX_CHILDREN)
                      return cli_usage_error("sample", "--children needs a whole number "
                                             "from 1 to %d, not '%s'", MAX_CHILDREN, optarg);
                  break;
        case 'p': period_in = optarg; break;
        case 'l': liia_strlcpy(las, optarg, sizeof las); break;
        case 'h': fputs(usage, stdout); return LIIA_EXIT_OK;
        default: return cli_usage_error("sample", "unknown option");
        }
    }
    if (!out)
        return cli_usage_error("sample", "--out DIR is required");
    char period[11];
    liia_error e;
    liia_error_clear(&e);
    if (liia_period_parse(period_in, period, &e))
        return cli_fail(&e);
    if (mkdir(out, 0755) && errno != EEXIST) {
        fprintf(stderr, "liia-bench sample: cannot create %s: %s\n", out, strerror(errno));
        return LIIA_EXIT_RUNTIME;
    }
    long k = 0;
    int rc = LIIA_EXIT_OK;
    for (char *save = NULL, *la = strtok_r(las, ",", &save); la && rc == LIIA_EXIT_OK;
         la = strtok_r(NULL, ",", &save)) {
        long n = children;
        if (!n && default_children(la, period, &n, &e))
            return cli_fail(&e);
        rc = one_authority(out, la, period, seed, n, k++);
    }
    return rc;
}
