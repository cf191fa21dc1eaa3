/*
 * sample_ssda903.c - `liia-bench sample --ssda903`: deterministic synthetic
 * SSDA903 returns (every table) for a few authorities, at any size, for
 * one collection year or two in a row.  Children enter and leave care,
 * move placements, change legal status, go missing, are reviewed, adopted
 * or leave care; some are UASC; a few rule breaches are planted on purpose
 * and listed in <LA>_<period>_planted.csv so tests and demos know what to
 * expect.
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
    "                         [--period P] [--la LA,LA,...] [--previous-year LA,...]\n"
    "\n"
    "Writes a synthetic SSDA903 return per authority, every table of it:\n"
    "DIR/<LA>_<period>_header.csv, _episodes.csv, _uasc.csv, _reviews.csv,\n"
    "_oc2.csv, _oc3.csv, _ad1.csv, _placed_adoption.csv, _prev_perm.csv,\n"
    "_missing.csv, _social_worker.csv (from 2023-24), and _planted.csv (the\n"
    "rule breaches planted on purpose: table, line, DfE rule).  Same seed,\n"
    "same files.\n"
    "\n"
    "  --out DIR       output directory (created if missing)\n"
    "  --seed N        generator seed (default 1)\n"
    "  --children N    children drawn per authority, 1 to 10000000: those in\n"
    "                  care or leaving it in the year are written (about 1\n"
    "                  episode per child drawn); default: sized so the\n"
    "                  children looked after at the period end match the\n"
    "                  authority's 0-17 population at London's rate\n"
    "  --period P      quarter end the extract runs to (default 2025-03-31)\n"
    "  --la LIST       short codes, comma separated (default CAM,HAC,SOU)\n"
    "  --previous-year LIST  these authorities also get the return of the year\n"
    "                  before, the same children a year earlier (default: CAM\n"
    "                  when --la is not given, else none)\n";

/* London's looked-after rate, per 10,000 children aged 0-17: the middle of
 * the quarterly sample's range for cla_at_end (35-68), near the rate DfE
 * publishes for London.  Of the children this generator draws, about 45%
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

/* The tables of the return, in the order they are written; each is the file
 * DIR/<LA>_<period>_<name>.csv.  The last, planted, is this generator's own. */
enum { T_HEADER, T_EPISODES, T_UASC, T_REVIEWS, T_OC2, T_OC3, T_AD1, T_PLACED, T_PERM,
       T_MISSING, T_SW, T_PLANTED, NT };

static const struct {
    const char *name, *cols;
} tables[NT] = {
    {"header", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"},
    {"episodes", "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
                 "REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"},
    {"uasc", "CHILD,SEX,DOB,DUC\n"},
    {"reviews", "CHILD,DOB,REVIEW,REVIEW_CODE\n"},
    {"oc2", "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,"
            "TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,"
            "INTERVENTION_OFFERED\n"},
    {"oc3", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"},
    {"ad1", "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"},
    {"placed_adoption", "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n"},
    {"prev_perm", "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\n"},
    {"missing", "CHILD,DOB,MISSING,MIS_START,MIS_END\n"},
    {"social_worker", "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"},
    {"planted", "table,line,rule\n"},
};

/* One collection year's extract: what DfE asks of it is the children
 * looked after at some time in the year (their episodes open in it) and the
 * care leavers of the year (OC3).  Days are days since 1970-01-01. */
struct year {
    FILE *f[NT];
    liia_outfile out[NT]; /* under each stream: 0600 temporary, renamed */
    long line[NT];        /* the last line written */
    long start, end;      /* 1 April, the extract's last day */
    long children;        /* header rows written */
    int fy_end, planting; /* planting: the breaches go in this year only */
    char period[11];
};

struct gen {
    struct rng r;
    uint64_t seed; /* of each child's own streams (child_rng) */
    struct year y[2];
    int ny;        /* y[0] the previous year when 2, else the only one */
    long la_index;
    const char *la;
};

static const char *const ethnic[] = {"WBRI", "WOTH", "MWBC", "MOTH", "AOTH",
                                     "BAFR", "BCRB", "BOTH", "CHNE", "OOTH"};
static const char *const outward[] = {"N1", "N7", "E8", "SE5", "SW9", "NW1", "W12",
                                      "CR0", "EN1", "HA0", "IG1", "UB3", "TW3"};
static const char *const ceased[] = {"E11", "E12", "E4A", "E3", "E13", "E41", "E8"};
static const char *const moves[] = {"CARPL", "ALLEG", "STAND", "CHILD", "LAREQ", "OTHER"};

/* The current year: the one --period names. */
static struct year *current(struct gen *g)
{
    return &g->y[g->ny - 1];
}

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

/* Lists a finding the extract gives on purpose: at the table's line
 * written last, or `ahead` lines after it. */
static void plant(struct year *y, int table, long ahead, const char *rule)
{
    fprintf(y->f[T_PLANTED], "%s,%ld,%s\n", tables[table].name, y->line[table] + ahead, rule);
}

/* One episode as drawn, held until the child's last episode is known:
 * the reason for a placement change is drawn with the new placement but
 * DfE records it on the episode that ends (rule 225), and a period of care
 * is cut at the 18th birthday (rule 359) after the draws are made. */
struct episode {
    long decom, dec;          /* days; dec < 0: open at the period end */
    const char *rne, *ls, *place, *prov, *rec, *move, *reason;
    char pl[16];
};

#define MAX_EPISODES 4

/* A child as drawn: everything the tables of every year are written from,
 * so two years' extracts tell one story (last year's open episode is this
 * year's first).  The tables after uasc draw from the child's own streams
 * (child_rng), which leaves the main stream, and so the header, episodes
 * and uasc rows, as they were drawn before those tables existed. */
struct child {
    long index, dob_day, breach, n;
    int girl, uasc, in_previous;
    char id[24], dob[11], upn[16], mc[11], duc[11], home[16];
    const char *ethnic, *mother, *cin;
    struct episode ep[MAX_EPISODES];
};

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
        int last = k == n - 1, open = day + len > current(g)->end;
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

/* The day of the birthday at `years` (29 February: 1 March). */
static long birthday(long dob_day, int years)
{
    char d[11];
    civil(dob_day, d, 1);
    int y = atoi(d), m = atoi(d + 5), dd = atoi(d + 8);
    return m == 2 && dd == 29 ? days_from_civil(y + years, 3, 1)
                              : days_from_civil(y + years, m, dd);
}

static long eighteenth(long dob_day)
{
    return birthday(dob_day, 18);
}

/* Age in whole years on `day`. */
static int age_on(long dob_day, long day)
{
    char b[11], d[11];
    civil(dob_day, b, 1);
    civil(day, d, 1);
    int age = atoi(d) - atoi(b);
    return strcmp(d + 5, b + 5) < 0 ? age - 1 : age;
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
 * there are.  Care ends at 18 (359: nobody over 18 is still looked after
 * unless in a community home under V2): staying with foster carers (E17)
 * or moving to independent living (E5).  A child adopted (E11, E12) was
 * placed for adoption under a placement order (390, 408: A6 with LS E1; a
 * new legal status and placement, so RNE U, 436).  The reason for each
 * placement change goes on the episode that ended (225). */
static long settle_episodes(struct gen *g, long dob_day, struct episode *ep, long n)
{
    long bday = eighteenth(dob_day);
    for (long k = 0; k < n; k++) {
        struct episode *x = &ep[k];
        if (x->dec < 0 ? bday <= current(g)->end : x->dec >= bday) {
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

/* Draws a child (the main stream, in the order the files were first drawn). */
static void draw_child(struct gen *g, long i, struct child *c)
{
    struct year *y = current(g);
    memset(c, 0, sizeof *c);
    c->index = i;
    snprintf(c->id, sizeof c->id, "%ld", 100000 + i * 7 + pick(&g->r, 7));
    /* About one child in six looked after in London is an unaccompanied
     * asylum-seeker (one in five here), most arriving at 14-16. */
    c->uasc = pick(&g->r, 100) < 20;
    long years = c->uasc ? 14 + pick(&g->r, 3) : pick(&g->r, 17);   /* age at entry */
    long age_days = 365 * years + pick(&g->r, 365);
    long start = y->start - 3 * 365 + pick(&g->r, y->end - y->start + 3 * 365);
    c->dob_day = start - age_days;
    civil(c->dob_day, c->dob, 0);
    c->girl = (int)pick(&g->r, 2);
    long check = pick(&g->r, 10);   /* before the digits: see postcode() */
    snprintf(c->upn, sizeof c->upn, "A%011ld%ld", (long)(next(&g->r) % 100000000000ULL), check);
    int mother = c->girl && start - c->dob_day > 16 * 365 && pick(&g->r, 20) == 0;
    if (mother)
        civil(start - pick(&g->r, 300), c->mc, 0);
    c->mother = c->girl ? (mother ? "1" : "0") : "";
    c->ethnic = ethnic[pick(&g->r, 10)];
    const char *ls = pick(&g->r, 10) < 7 ? "C2" : pick(&g->r, 2) ? "C1" : "V2";
    c->cin = (const char *[]){"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"}[pick(&g->r, 8)];
    postcode(g, c->home, sizeof c->home);
    c->n = settle_episodes(g, c->dob_day, c->ep, draw_episodes(g, ls, c->dob_day, start, c->ep));
    /* UASC status ceases at 18 unless it ceased before: DfE's 205B reads
     * last year's DUC as the 18th birthday (29 February: 28th), so every
     * child's is.  The draw that once chose which children had one stays,
     * so the children drawn after are as before. */
    if (c->uasc) {
        (void)pick(&g->r, 3);
        civil(birthday(c->dob_day, 18) - (!strncmp(c->dob, "29/02/", 6)), c->duc, 0);
    }
}

/* The child's own stream for one table: the same draws in every year. */
static struct rng child_rng(const struct gen *g, const struct child *c, uint64_t table)
{
    struct rng r = {g->seed ^ ((uint64_t)c->index * 0xD1B54A32D192ED03ULL) ^ (table << 56)};
    next(&r);
    return r;
}

/* The period of care's first and last day (-1: open at the period end). */
static long care_start(const struct child *c)
{
    return c->ep[0].decom;
}

static long care_end(const struct child *c)
{
    return c->ep[c->n - 1].dec;
}

/* An episode is in year y's extract when it is open at some time in the
 * year (DfE); its DEC is written when it falls within the extract. */
static int in_year(const struct year *y, const struct episode *x)
{
    return x->decom <= y->end && (x->dec < 0 || x->dec >= y->start);
}

static int ends_in(const struct year *y, long dec)
{
    return dec >= 0 && dec <= y->end;
}

/* A care leaver of the year (OC3): left care at 18 after at least 13 weeks
 * looked after since the 14th birthday (a relevant child, 1001), reported
 * at the 19th birthday in the year.  At 17 and 18 DfE asks only of some
 * (1007, 1016); at 20 and 21 the care would lie before last year's
 * return, which the previous-year rules 1002 and 1001 read for the child's
 * episodes.  A young mother among them has no MOTHER this year (628;
 * DfE's 207 reads only children with an episode this year) and last
 * year's MC_DOB (624). */
static int oc3_due(const struct year *y, const struct child *c)
{
    long end = care_end(c), b19 = birthday(c->dob_day, 19);
    if (end < 0 || end != eighteenth(c->dob_day) || b19 < y->start || b19 > y->end)
        return 0;
    /* The 13 weeks must show in last year's return (1001 reads only the
     * two years'): from the first episode open in it, after the 14th
     * birthday. */
    long last_start = days_from_civil(y->fy_end - 2, 4, 1), from = care_end(c);
    for (long k = c->n - 1; k >= 0 && (c->ep[k].dec < 0 || c->ep[k].dec >= last_start); k--)
        from = c->ep[k].decom;
    if (from < birthday(c->dob_day, 14))
        from = birthday(c->dob_day, 14);
    return end - from >= 91;
}

/* ",dd/mm/yyyy", or "," when the date is not given (an end to come). */
static void date_cell(FILE *f, long day)
{
    char d[11] = "";
    if (day >= 0)
        civil(day, d, 0);
    fprintf(f, ",%s", d);
}

/* Writes the child's episodes of year y; `breach` plants 147 (a two-digit
 * year in the first DEC: the cell is stored blank, so 142 and 433 follow
 * when another episode comes after it, and when none does the child reads
 * as looked after for 12 months without an OC2 row, 191) or 146 (a bad
 * placement code, provider PR1: on last year's open episode, 503D and
 * 503E follow). */
static void write_episodes(struct year *y, const struct child *c)
{
    char d1[11], d2[11];
    int first = 1;
    for (long k = 0; k < c->n; k++) {
        const struct episode *x = &c->ep[k];
        if (!in_year(y, x))
            continue;
        int ends = ends_in(y, x->dec);
        civil(x->decom, d1, 0);
        d2[0] = '\0';
        if (ends)
            civil(x->dec, d2, 0);
        y->line[T_EPISODES]++;
        /* A DEC stored blank leaves a child of 18 looked after (359), and
         * an adopted child not adopted (602): 147 is planted on children
         * under 18 at the period end, not on an adoption, only. */
        int bad_dec = y->planting && c->breach == 1 && first && ends &&
                      eighteenth(c->dob_day) > y->end && strcmp(x->place, "A6");
        int bad_place = y->planting && c->breach == 2 && first && strcmp(x->place, "A6");
        if (bad_dec) {   /* 147: a two-digit year */
            d2[6] = d2[8], d2[7] = d2[9], d2[8] = '\0';
            plant(y, T_EPISODES, 0, "147");
            if (k + 1 < c->n) {
                plant(y, T_EPISODES, 0, "142");
                plant(y, T_EPISODES, 1, "433");
            } else if (care_start(c) <= y->start) {
                /* care read as still open: 12 months at 31 March, no OC2 */
                plant(y, T_EPISODES, 0, "191");
            }
        }
        if (bad_place)
            plant(y, T_EPISODES, 0, "146");
        if (bad_place && x->decom < y->start && c->in_previous) {
            /* last year's open episode, now with another placement */
            plant(y, T_EPISODES, 0, "503D");
            if (strcmp(x->prov, "PR1"))
                plant(y, T_EPISODES, 0, "503E");
        }
        fprintf(y->f[T_EPISODES], "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", c->id, d1,
                x->rne, x->ls, c->cin, bad_place ? "Q1" : x->place,
                bad_place ? "PR1" : x->prov, d2, ends ? x->rec : "",
                ends ? x->reason : "", c->home, x->pl,
                !strcmp(x->place, "K2") ? "SC123456" : "");
        first = 0;
    }
}

/* The header row (and the uasc row) of year y.  SEX is coded 1/2 up to
 * 2023-24 and M/F from 2024-25.  A care leaver not looked after in the
 * year has no MOTHER (628) and no uasc row (1014); a young mother's
 * MC_DOB stays as last year's (624). */
static void write_header(struct year *y, struct child *c, int looked_after)
{
    const char *sex = y->fy_end >= 2025 ? (c->girl ? "F" : "M") : (c->girl ? "2" : "1");
    const char *upn = c->upn;
    y->line[T_HEADER]++;
    y->children++;
    if (y->planting && c->breach == 3) {
        sex = "3";
        plant(y, T_HEADER, 0, "101");
        if (c->in_previous)   /* last year's SEX differs */
            plant(y, T_HEADER, 0, "202");
    }
    if (y->planting && c->breach == 4) {
        upn = "BAD";
        plant(y, T_HEADER, 0, "168");
    }
    fprintf(y->f[T_HEADER], "%s,%s,%s,%s,%s,%s,%s\n", c->id, sex, c->dob, c->ethnic, upn,
            looked_after ? c->mother : "", c->mc);
    if (!looked_after || !c->uasc)
        return;
    y->line[T_UASC]++;
    if (y->planting && c->breach == 3)   /* the uasc row repeats the header's SEX */
        plant(y, T_UASC, 0, "101");
    fprintf(y->f[T_UASC], "%s,%s,%s,%s\n", c->id, sex, c->dob, c->duc);
}

/* Statutory reviews: 20 working days after care starts, three months
 * later, then every six months, while looked after.  PN0 is the code for a
 * child under 4 (440, 441); older children mostly take part in person. */
static void write_reviews(struct gen *g, struct year *y, const struct child *c)
{
    static const char *const code[] = {"PN1", "PN1", "PN1", "PN1", "PN2", "PN2",
                                       "PN3", "PN4", "PN5", "PN6", "PN7", "PN1"};
    struct rng r = child_rng(g, c, T_REVIEWS);
    long end = care_end(c), day = care_start(c) + 20 + pick(&r, 8);
    for (int k = 0; day <= y->end && (end < 0 || day < end); k++) {
        const char *pn = code[pick(&r, 12)];
        if (day >= y->start) {
            y->line[T_REVIEWS]++;
            fprintf(y->f[T_REVIEWS], "%s,%s", c->id, c->dob);
            date_cell(y->f[T_REVIEWS], day);
            fprintf(y->f[T_REVIEWS], ",%s\n", age_on(c->dob_day, day) < 4 ? "PN0" : pn);
        }
        day += k == 0 ? 85 + pick(&r, 6) : 170 + pick(&r, 12);
    }
}

/* OC2, for a child looked after continuously for 12 months at 31 March:
 * SDQ score from 4 to 16 (186, 188, 189), convictions from 10 (542, 543),
 * the health check under 5 (545, 546), the other health items always
 * (191, 547), an intervention only for a substance misuse problem (158,
 * 159, 192, 193).  Ages at the year's end are at the extract's (31 March
 * for DfE's return; the rules read a quarter's extract so too). */
static void write_oc2(struct gen *g, struct year *y, const struct child *c)
{
    struct rng r = child_rng(g, c, T_OC2);
    int at_start = age_on(c->dob_day, y->start), at_end = age_on(c->dob_day, y->end);
    char sdq[4] = "";
    if (at_start < 17 && at_end >= 4)
        snprintf(sdq, sizeof sdq, "%ld", 4 + pick(&r, 20) + pick(&r, 12));
    const char *conv = at_end < 10 ? "" : pick(&r, 100) < 4 ? "1" : "0";
    const char *check = at_end >= 5 ? "" : pick(&r, 100) < 92 ? "1" : "0";
    const char *imm = pick(&r, 100) < 88 ? "1" : "0", *teeth = pick(&r, 100) < 85 ? "1" : "0";
    const char *assess = pick(&r, 100) < 90 ? "1" : "0";
    int misuse = at_end >= 10 && pick(&r, 100) < 8;
    const char *got = misuse ? (pick(&r, 100) < 60 ? "1" : "0") : "";
    const char *offered = misuse && !strcmp(got, "0") ? (pick(&r, 2) ? "1" : "0") : "";
    y->line[T_OC2]++;
    fprintf(y->f[T_OC2], "%s,%s,%s,,%s,%s,%s,%s,%s,%s,%s,%s\n", c->id, c->dob, sdq, conv,
            check, imm, teeth, assess, misuse ? "1" : "0", got, offered);
}

/* Looked after for 12 months at 31 March (DfE's OC2 cohort, as DfE's
 * validator derives it from the year's episodes): care started by 1 April
 * and did not end before the extract's last day. */
static int cla12(const struct year *y, const struct child *c)
{
    long end = care_end(c);
    return (end < 0 || end >= y->end) && care_start(c) <= y->start;
}

/* OC3 at the 19th birthday: mostly in touch, in education, training or
 * work and suitably housed; not in touch, returned home (RHOM) or died:
 * activity and accommodation 0 (345, 344). */
static void write_oc3(struct gen *g, struct year *y, const struct child *c)
{
    static const char *const activ[] = {"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5",
                                        "G4", "G5", "G6"};
    static const char *const accom[] = {"B1", "C1", "D1", "E1", "H1", "K1", "R1", "S2",
                                        "T1", "U1", "Y1", "Z1", "B2", "D2", "T2", "Z2"};
    struct rng r = child_rng(g, c, T_OC3);
    long x = pick(&r, 100);
    const char *touch = x < 86 ? "YES" : x < 92 ? "NO" : x < 95 ? "REFU" : x < 98 ? "RHOM"
                      : "DIED";
    const char *a = activ[pick(&r, 11)], *h = accom[pick(&r, 16)];
    int known = !strcmp(touch, "YES");
    y->line[T_OC3]++;
    fprintf(y->f[T_OC3], "%s,%s,%s,%s,%s\n", c->id, c->dob, touch, known ? a : "0",
            known ? h : "0");
}

/* The adoption of a child whose care ends in it (last episode A6): the
 * decision that the child should be placed for adoption (DATE_PLACED, which
 * AD1 repeats as DATE_INT, 523) comes after care starts and up to three
 * months before the placement (552, 554, 1003, 334), the match between
 * them (333, 331; before the adoption, 582). */
struct adoption {
    long placed, match;
};

static int adoption(const struct gen *g, const struct child *c, struct adoption *a)
{
    const struct episode *last = &c->ep[c->n - 1];
    if (strcmp(last->place, "A6"))
        return 0;
    struct rng r = child_rng(g, c, T_PLACED);
    long d = last->decom;
    a->placed = d - 30 - pick(&r, 90);
    if (a->placed < care_start(c))
        a->placed = care_start(c);
    a->match = a->placed + pick(&r, d - a->placed + 1);
    return 1;
}

/* AD1 (adopted in the year) and placed_adoption (the decision that the
 * child should be placed for adoption, from the year it is made: last
 * year's return has it when it was made then, 559; not reversed, 558).  Adopters: a couple mostly, the
 * codes agreeing with each other (511, 514, 517-520, 524); the child was
 * not placed with its foster carers (A6: FOSTER_CARE 0, 335). */
static void write_adoption(struct gen *g, struct year *y, const struct child *c)
{
    struct adoption a;
    const struct episode *last = &c->ep[c->n - 1];
    if (!adoption(g, c, &a) || a.placed > y->end)
        return;
    y->line[T_PLACED]++;
    fprintf(y->f[T_PLACED], "%s,%s", c->id, c->dob);
    date_cell(y->f[T_PLACED], a.placed);
    fputs(",,\n", y->f[T_PLACED]);
    if (!ends_in(y, last->dec))
        return;
    struct rng r = child_rng(g, c, T_AD1);
    long x = pick(&r, 100), same = pick(&r, 2);
    const char *nb = x < 12 ? "1" : "2";
    const char *sex = x < 12 ? (same ? "F1" : "M1") : x < 72 ? "MF" : same ? "FF" : "MM";
    const char *ls = x < 12 ? "L0" : x < 60 ? "L11" : x < 72 ? "L3" : x < 84 ? "L12"
                   : x < 92 ? "L2" : "L4";
    y->line[T_AD1]++;
    fprintf(y->f[T_AD1], "%s,%s", c->id, c->dob);
    date_cell(y->f[T_AD1], a.placed);
    date_cell(y->f[T_AD1], a.match);
    fprintf(y->f[T_AD1], ",0,%s,%s,%s\n", nb, sex, ls);
}

/* Previous permanence, for a child whose care starts in the year (630):
 * mostly none (Z1, no date or authority: 635); else an order made after
 * the first birthday and before care started (632), by a London borough. */
static void write_prev_perm(struct gen *g, struct year *y, const struct child *c)
{
    static const char *const la[] = {"202", "203", "204", "205", "206", "207", "208",
                                      "209", "210", "211", "212", "213", "301", "302"};
    struct rng r = child_rng(g, c, T_PERM);
    long x = pick(&r, 100), span = care_start(c) - c->dob_day - 400;
    y->line[T_PERM]++;
    fprintf(y->f[T_PERM], "%s,%s", c->id, c->dob);
    if (x < 84 || span <= 0) {
        fputs(",Z1,,\n", y->f[T_PERM]);
        return;
    }
    fprintf(y->f[T_PERM], ",P%ld,%s", 1 + x % 4, la[pick(&r, 14)]);
    date_cell(y->f[T_PERM], c->dob_day + 365 + pick(&r, span));
    fputc('\n', y->f[T_PERM]);
}

/* Missing (M) or away without authorisation (A): children from 10, now
 * and then, a few days each, within one placement (575, 581) and not
 * overlapping (574).  A period open at the extract's end is written
 * without MIS_END; its placement is then open too (577). */
static void write_missing(struct gen *g, struct year *y, const struct child *c)
{
    struct rng r = child_rng(g, c, T_MISSING);
    for (long k = 0; k < c->n; k++) {
        const struct episode *x = &c->ep[k];
        long end = x->dec >= 0 ? x->dec : g->y[g->ny - 1].end + 30;
        if (age_on(c->dob_day, x->decom) < 10 || end - x->decom < 12 || pick(&r, 100) >= 20)
            continue;
        long day = x->decom + 1 + pick(&r, (end - x->decom) / 2);
        for (int m = 0; m < 3 && day + 4 < end; m++) {
            long stop = day + 1 + pick(&r, 3);
            const char *kind = pick(&r, 10) < 7 ? "M" : "A";
            if (day <= y->end && stop >= y->start) {
                y->line[T_MISSING]++;
                fprintf(y->f[T_MISSING], "%s,%s,%s", c->id, c->dob, kind);
                date_cell(y->f[T_MISSING], day);
                date_cell(y->f[T_MISSING], stop <= y->end ? stop : -1);
                fputc('\n', y->f[T_MISSING]);
            }
            day = stop + 5 + pick(&r, 90);
        }
    }
}

/* Social workers (from 2023-24): from the day care starts, one after
 * another with no gap (SW10, SW11), each with a reason (SW13, SW15): first
 * contact (FCONTA) for the first, another reason for each change; the
 * last stays allocated (SW_DEC blank only on the last, SW14).  Episodes
 * ended before the year are not returned (SW07). */
static void write_social_worker(struct gen *g, struct year *y, const struct child *c)
{
    static const char *const reason[] = {"MANAGE", "LEFTRL", "ORGRST", "TSPROC",
                                         "ABSENC", "CHCHAN", "PCCHAN", "OTHERS"};
    struct rng r = child_rng(g, c, T_SW);
    long end = care_end(c), limit = end >= 0 ? end : g->y[g->ny - 1].end;
    for (long day = care_start(c);;) {
        long id = g->la_index * 1000 + pick(&r, 300), x = pick(&r, 8);
        /* the first is the first contact (FCONTA: never later, SW10b) */
        const char *why = day == care_start(c) ? "FCONTA" : reason[x];
        long stop = day + 90 + pick(&r, 500);
        int last = stop >= limit;
        if (day <= y->end && (last || stop >= y->start)) {
            y->line[T_SW]++;
            fprintf(y->f[T_SW], "%s,%s,SW%06ld", c->id, c->dob, id);
            date_cell(y->f[T_SW], day);
            date_cell(y->f[T_SW], !last && stop <= y->end ? stop : -1);
            fprintf(y->f[T_SW], ",%s\n", why);
        }
        if (last || day > y->end)
            return;
        day = stop;
    }
}

/* Writes the child into year y's tables; 0 when the child is not in that
 * year's return (not looked after in it, not a care leaver of it). */
static int write_year(struct gen *g, struct year *y, struct child *c)
{
    int looked_after = 0;
    for (long k = 0; k < c->n; k++)
        looked_after |= in_year(y, &c->ep[k]);
    int leaver = !looked_after && oc3_due(y, c);
    if (!looked_after && !leaver)
        return 0;
    /* One child in 50 of the return carries a breach (planting year only). */
    c->breach = y->planting && y->children % 50 == 7 ? 1 + (y->children / 50) % 4 : 0;
    write_header(y, c, looked_after);
    if (leaver) {
        write_oc3(g, y, c);
        return 1;
    }
    write_episodes(y, c);
    write_reviews(g, y, c);
    if (cla12(y, c))
        write_oc2(g, y, c);
    write_adoption(g, y, c);
    if (care_start(c) >= y->start)
        write_prev_perm(g, y, c);
    write_missing(g, y, c);
    if (y->f[T_SW])
        write_social_worker(g, y, c);
    return 1;
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

/* Through liia_outfile: a 0600 temporary renamed into place by close_year,
 * so a link planted at the name is replaced, never followed.  Social
 * workers are returned from 2023-24: no file before. */
static int open_year(struct year *y, const char *dir, const char *la)
{
    for (int t = 0; t < NT; t++) {
        char path[1024];
        liia_error e;
        liia_error_clear(&e);
        if (t == T_SW && y->fy_end < 2024)
            continue;
        snprintf(path, sizeof path, "%s/%s_%s_%s.csv", dir, la, y->period, tables[t].name);
        if (liia_outfile_open(&y->out[t], path, &e) == 0 &&
            !(y->f[t] = liia_outfile_stream(&y->out[t], &e)))
            liia_outfile_abort(&y->out[t]);
        if (!y->f[t]) {
            fprintf(stderr, "liia-bench sample: cannot write %s: %s\n", path, e.message);
            return -1;
        }
        fputs(tables[t].cols, y->f[t]);
        y->line[t] = 1;
    }
    return 0;
}

/* Commits every file when ok, else removes them all; -1 when one could not
 * be committed. */
static int close_year(struct year *y, int ok)
{
    int bad = 0;
    for (int t = 0; t < NT; t++) {
        liia_error e;
        liia_error_clear(&e);
        if (y->f[t] && ok && liia_outfile_commit(&y->out[t], &e))
            bad = -1;
        else if (y->f[t] && !ok)
            liia_outfile_abort(&y->out[t]);
        y->f[t] = NULL;
    }
    return bad;
}

static void set_year(struct year *y, const char *period, int planting)
{
    liia_strlcpy(y->period, period, sizeof y->period);
    y->fy_end = liia_period_fy_end_year(period);
    y->start = days_from_civil(y->fy_end - 1, 4, 1);
    y->end = days_from_civil(atoi(period), atoi(period + 5), atoi(period + 8));
    y->planting = planting;
}

static void summary(const char *la, const struct year *y)
{
    printf("%s %s: %ld children, %ld episodes, %ld UASC, %ld reviews, %ld OC2, %ld OC3, "
           "%ld AD1, %ld placed for adoption, %ld previous permanence, %ld missing, "
           "%ld social worker\n", la, y->period, y->children, y->line[T_EPISODES] - 1,
           y->line[T_UASC] - 1, y->line[T_REVIEWS] - 1, y->line[T_OC2] - 1,
           y->line[T_OC3] - 1, y->line[T_AD1] - 1, y->line[T_PLACED] - 1,
           y->line[T_PERM] - 1, y->line[T_MISSING] - 1, y->f[T_SW] ? y->line[T_SW] - 1 : 0);
}

/* One authority: `children` drawn, written into the return of the year
 * --period ends (and, when `two_years`, of the collection year before, to
 * its 31 March) where DfE would have them. */
static int one_authority(const char *dir, const char *la, const char *period,
                         unsigned long seed, long children, long la_index, int two_years)
{
    static struct gen g;
    memset(&g, 0, sizeof g);
    g.r.s = seed * 1000003ULL + (uint64_t)la_index;
    g.seed = g.r.s ^ 0x5851F42D4C957F2DULL;
    g.la = la, g.la_index = la_index, g.ny = two_years ? 2 : 1;
    if (two_years) {
        char before[32];   /* last year's return is the whole year's */
        snprintf(before, sizeof before, "%04d-03-31", liia_period_fy_end_year(period) - 1);
        set_year(&g.y[0], before, 0);
    }
    set_year(current(&g), period, 1);
    int bad = 0;
    for (int k = 0; k < g.ny; k++)
        bad |= open_year(&g.y[k], dir, la);
    for (long i = 0; !bad && i < children; i++) {
        struct child c;
        draw_child(&g, i, &c);
        for (int k = 0; k < g.ny; k++) {
            int written = write_year(&g, &g.y[k], &c);
            c.in_previous = k == 0 && written;
        }
    }
    for (int k = 0; k < g.ny; k++) {
        if (!bad)
            summary(la, &g.y[k]);
        bad |= close_year(&g.y[k], !bad);
    }
    if (bad) {
        fprintf(stderr, "liia-bench sample: cannot write %s's files\n", la);
        return LIIA_EXIT_RUNTIME;
    }
    return LIIA_EXIT_OK;
}

/* Ten million children (about 10 million episodes, 2 GB of CSV) is far
 * past any authority or test; beyond it a typo fills the disk. */
#define MAX_CHILDREN 10000000

/* 1 when la is in the comma-separated list. */
static int listed(const char *list, const char *la)
{
    size_t n = strlen(la);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncasecmp(p, la, n))
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

int sample_ssda903_main(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)ctx;
    static const struct option opts[] = {
        {"ssda903", no_argument, NULL, 'S'}, {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'}, {"children", required_argument, NULL, 'n'},
        {"period", required_argument, NULL, 'p'}, {"la", required_argument, NULL, 'l'},
        {"previous-year", required_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *period_in = "2025-03-31", *previous = NULL;
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
        case 'l': liia_strlcpy(las, optarg, sizeof las);
                  if (!previous) previous = "";
                  break;
        case 'y': previous = optarg; break;
        case 'h': fputs(usage, stdout); return LIIA_EXIT_OK;
        default: return cli_usage_error("sample", "unknown option");
        }
    }
    if (!out)
        return cli_usage_error("sample", "--out DIR is required");
    if (!previous)
        previous = "CAM";
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
        rc = one_authority(out, la, period, seed, n, k++, listed(previous, la));
    }
    return rc;
}
