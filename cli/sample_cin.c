/*
 * sample_cin.c - `liia-bench sample --cin`: deterministic synthetic
 * children in need census files (DfE XML) for a few authorities.
 *
 * Children are referred, assessed (with factors), some go to a section 47
 * enquiry, an initial child protection conference and a plan with reviews,
 * some get a CIN plan, episodes close; a few are unborn.  With --link, the
 * looked-after children of the SSDA903 sample for the same authority and
 * period come first, with the same LAchildID, date of birth and sex (every
 * looked-after child is a child in need), so the pseudonyms link across
 * the two returns.  A few breaches are planted on purpose and listed in
 * <LA>_<period>_cin_planted.csv (part, record line, element path, rule).
 * Nothing here is real; the same seed gives the same bytes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sample.h"

static const char usage[] =
    "usage: liia-bench sample --cin --out DIR [--seed N] [--children N]\n"
    "                         [--period P] [--la LA,LA,...] [--link DIR903]\n"
    "\n"
    "Writes a synthetic children in need census per authority:\n"
    "DIR/<LA>_<period>_cin.xml (the DfE XML) and DIR/<LA>_<period>_cin_planted.csv\n"
    "(the breaches planted on purpose: part, line, element path, DfE rule).\n"
    "Same seed, same files.\n"
    "\n"
    "  --out DIR       output directory (created if missing)\n"
    "  --seed N        generator seed (default 1)\n"
    "  --children N    children per authority, 1 to 10000000 (default 400)\n"
    "  --period P      quarter end the census runs to (default 2025-03-31)\n"
    "  --la LIST       short codes, comma separated (default CAM,HAC,SOU)\n"
    "  --link DIR903   an SSDA903 sample (sample --ssda903): its children for the\n"
    "                  same authority and period are in the census too, same ids\n";

struct rng {
    uint64_t s;
};

/* splitmix64, as the SSDA903 sample: small and the same everywhere. */
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

/* Days since 1970-01-01 to yyyy-mm-dd and back (proleptic Gregorian). */
static long day_of(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void iso(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", (int)(yoe + era * 400 + (m <= 2)), m, d);
    liia_strlcpy(out, tmp, 11);
}

/* A looked-after child of the SSDA903 sample (--link). */
struct linked {
    char id[24];
    long dob;
    char sex;           /* M or F */
    char ethnic[8];
};

struct gen {
    struct rng r;
    FILE *xml, *planted;
    long line;                  /* lines written to xml so far */
    long year_start, period_end;
    int fy_end;
    const struct linked *link;
    size_t nlink;
    const char *lea;            /* DfE LA number: characters 2-4 of a UPN (1530) */
    long planted_count;
    int disabled;               /* the child has a Disability other than NONE */
    int s47;                    /* the episode has a Section47 */
};

/* One element on a line of its own: <name>value</name>, or nothing when
 * value is NULL. */
static void item(struct gen *g, int indent, const char *name, const char *value)
{
    if (!value)
        return;
    fprintf(g->xml, "%*s<%s>%s</%s>\n", indent, "", name, value, name);
    g->line++;
}

static void tag(struct gen *g, int indent, const char *fmt, ...)
    LIIA_PRINTF(3, 4);
static void tag(struct gen *g, int indent, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(g->xml, "%*s", indent, "");
    vfprintf(g->xml, fmt, ap);
    va_end(ap);
    fputc('\n', g->xml);
    g->line++;
}

static void plant(struct gen *g, const char *part, long line, const char *path,
                  const char *rule)
{
    fprintf(g->planted, "%s,%ld,%s,%s\n", part, line, path, rule);
    g->planted_count++;
}

static void date_item(struct gen *g, int indent, const char *name, long day)
{
    char d[11];
    iso(day, d);
    item(g, indent, name, d);
}

enum breach {
    B_NONE = -1, B_SOURCE, B_ETHNIC, B_SEX, B_NEED, B_FACTOR, B_CLOSURE_CODE,
    B_DUP_FACTOR, B_BAD_DATE, B_COUNT
};

static const char *const sources[] = {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B",
                                      "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C",
                                      "5D", "6", "7", "8", "9", "10"};
static const char *const factors[] = {"1B", "2B", "3A", "3B", "4B", "5B", "6B", "7A",
                                      "9A", "10A", "11A", "13A", "14A", "16A", "17A",
                                      "18B", "18C", "19B", "19C", "20", "22A", "24A"};
static const char *const ethnics[] = {"WBRI", "WOTH", "WIRI", "MWBC", "MWBA", "MOTH",
                                      "AIND", "APKN", "ABAN", "AOTH", "BAFR", "BCRB",
                                      "BOTH", "CHNE", "OOTH", "NOBT"};
static const char *const categories[] = {"NEG", "EMO", "PHY", "SAB", "MUL"};

/* Assessment: started a few days after the referral (or, for a referral
 * before the census year, within the year: DfE rules 8696 and 8736 want
 * the census's assessments in the year), authorised within 5-70 days (so
 * some are over DfE's 45 working days) unless still open. */
static long write_assessment(struct gen *g, long referral, enum breach b,
                             const char *cpath, long *authorised)
{
    long start = referral + pick(&g->r, 8);
    if (start < g->year_start)
        start = g->year_start + pick(&g->r, 60);
    if (start > g->period_end)      /* a referral in the last week */
        start = g->period_end;
    long done = start + 5 + pick(&g->r, 66);
    /* a factor breach needs an authorised assessment, and so does a
     * closure breach (an episode closed before its assessment is 8867) */
    if ((b == B_FACTOR || b == B_DUP_FACTOR || b == B_CLOSURE_CODE) && done > g->period_end)
        done = g->period_end;
    /* one still open at the year's end started in its last 60 days: an
     * older one would be past 45 working days unauthorised (8670Q) */
    if (done > g->period_end && start < g->period_end - 60)
        done = g->period_end;
    *authorised = done <= g->period_end ? done : -1;
    if (b == B_FACTOR) {    /* a completed assessment with a bad factor is also 8897Q's */
        char path[300];
        snprintf(path, sizeof path, "%s/Assessments[1]", cpath);
        plant(g, "assessment", g->line + 1, path, "8897Q");
    }
    tag(g, 6, "<Assessments>");
    date_item(g, 8, "AssessmentActualStartDate", start);
    if (*authorised >= 0) {
        date_item(g, 8, "AssessmentAuthorisationDate", done);
        tag(g, 8, "<FactorsIdentifiedAtAssessment>");
        /* Distinct factors (8898): 7k mod 22 differ for k < 3. */
        long n = 1 + pick(&g->r, 3), first = pick(&g->r, 22);
        n = b == B_DUP_FACTOR ? 2 : n;
        /* the bad code beside a valid one: an assessment with no valid
         * factor is another query (8897Q), not the planted 8617 */
        n = b == B_FACTOR && n < 2 ? 2 : n;
        for (long k = 0; k < n; k++) {
            const char *f = factors[(first + 7 * k) % 22], *rule = NULL;
            if (b == B_FACTOR && k == 0) {
                f = "8A";
                rule = "8617";
            } else if (b == B_DUP_FACTOR && k == 1) {
                f = factors[first];     /* the first factor again */
                rule = "8898";
            }
            if (rule) {
                char path[300];
                snprintf(path, sizeof path, "%s/Assessments[1]/FactorsIdentifiedAtAssessment/"
                         "AssessmentFactors[%ld]", cpath, k + 1);
                plant(g, "assessment_factor", g->line + 1, path, rule);
            }
            item(g, 10, "AssessmentFactors", f);
        }
        /* a disabled child's assessment names a disability factor (8899Q);
         * the drawn factors never include 5A */
        if (g->disabled)
            item(g, 10, "AssessmentFactors", "5A");
        tag(g, 8, "</FactorsIdentifiedAtAssessment>");
    }
    tag(g, 6, "</Assessments>");
    return start;
}

/* The day, or the Monday after it when it is a Saturday or Sunday: a
 * conference and its target date are working days (8870Q, 8875). */
static long weekday(long z)
{
    long w = ((z % 7) + 7 + 3) % 7;   /* 1970-01-01 was a Thursday: 0 is Monday */
    return w >= 5 ? z + 7 - w : z;
}

/* Section 47 -> ICPC -> CP plan with reviews; returns the ICPC day or -1.
 * Only from a day in the census year, so the ICPC and the plan's end are
 * in it (8715, 8930). */
static long write_protection(struct gen *g, long from, long *plan_end)
{
    long s47 = from + pick(&g->r, 5);
    if (s47 > g->period_end || s47 < g->year_start)
        return -1;
    long icpc = weekday(s47 + 3 + pick(&g->r, 25));
    int held = pick(&g->r, 10) < 6 && icpc <= g->period_end;
    g->s47 = 1;
    tag(g, 6, "<Section47>");
    date_item(g, 8, "S47ActualStartDate", s47);
    date_item(g, 8, "InitialCPCtarget", weekday(s47 + 21));
    if (held)
        date_item(g, 8, "DateOfInitialCPC", icpc);
    item(g, 8, "ICPCnotRequired", held ? "false" : "true");
    tag(g, 6, "</Section47>");
    if (!held)
        return -1;
    tag(g, 6, "<ChildProtectionPlans>");
    date_item(g, 8, "CPPstartDate", icpc);
    long end = icpc + 60 + pick(&g->r, 900);
    *plan_end = end <= g->period_end ? end : -1;
    if (end <= g->period_end)
        date_item(g, 8, "CPPendDate", end);
    const char *cat = categories[pick(&g->r, 5)];
    item(g, 8, "InitialCategoryOfAbuse", cat);
    item(g, 8, "LatestCategoryOfAbuse", pick(&g->r, 5) ? cat : categories[pick(&g->r, 5)]);
    item(g, 8, "NumberOfPreviousCPP", pick(&g->r, 5) ? "0" : "1");
    tag(g, 8, "<Reviews>");
    for (long rv = icpc + 90; rv <= g->period_end && rv < end; rv += 182)
        date_item(g, 10, "CPPreviewDate", rv);
    tag(g, 8, "</Reviews>");
    tag(g, 6, "</ChildProtectionPlans>");
    return icpc;
}

/* One CINdetails: the referral (in the year, or up to three years before
 * it while still open) and what followed it.  Returns the closure day, or
 * -1 while the episode is open. */
static long write_episode(struct gen *g, const char *childpath, long k, long referral,
                          enum breach b)
{
    char cpath[160], d[11];
    snprintf(cpath, sizeof cpath, "%s/CINdetails[%ld]", childpath, k);
    long rec_line = g->line + 1;
    tag(g, 4, "<CINdetails>");
    iso(referral, d);
    if (b == B_BAD_DATE) {
        memcpy(d + 5, "02-30", 5);
        plant(g, "cin_episode", rec_line, cpath, "LIIA-CIN-DATE");
    }
    item(g, 6, "CINreferralDate", d);
    const char *source = sources[pick(&g->r, 22)];
    if (b == B_SOURCE) {
        source = "1Z";
        plant(g, "cin_episode", rec_line, cpath, "8866");
    }
    item(g, 6, "ReferralSource", source);
    /* NFA closes on the referral day, so only referrals in the year (8620). */
    int nfa = pick(&g->r, 10) == 0 && b == B_NONE && referral >= g->year_start;
    char need[24];
    snprintf(need, sizeof need, "N%ld", 1 + pick(&g->r, 8));
    if (b == B_NEED) {
        liia_strlcpy(need, "N11", sizeof need);
        plant(g, "cin_episode", rec_line, cpath, "8650");
    }
    if (!nfa)
        item(g, 6, "PrimaryNeedCode", need);
    long last = referral, authorised = -1, icpc = -1, closed_on = -1;
    g->s47 = 0;
    if (nfa) {
        /* RC8 and RC9 are "closed after assessment" (8825Q): an NFA
         * referral has none */
        closed_on = referral;
        item(g, 6, "CINclosureDate", d);
        item(g, 6, "ReasonForClosure", "RC7");
    } else {
        long assessed = write_assessment(g, referral, b, cpath, &authorised);
        last = authorised >= 0 ? authorised : assessed;
        long plan_end = -1;
        if (pick(&g->r, 5) == 0 && (icpc = write_protection(g, assessed, &plan_end)) > last)
            last = icpc;
        /* The episode closes after its CP plan ended, never while it is
         * open, so a later episode's plan does not overlap it (8940). */
        last = plan_end > last ? plan_end : last;
        int plan_open = icpc >= 0 && plan_end < 0;
        long close = last + 20 + pick(&g->r, 400);
        /* not while its assessment is still open (8867) */
        int closed = b == B_CLOSURE_CODE ||
                     (!plan_open && authorised >= 0 && close <= g->period_end &&
                      pick(&g->r, 2));
        if (closed)
            closed_on = close <= g->period_end ? close : g->period_end;
        /* A plan of a closed episode ends with it, so a later episode's plan
         * does not overlap it (4014). */
        long plan_by = closed ? closed_on : g->period_end;
        /* no CIN plan beside a child protection plan (4001, 4016, 4017) */
        int cin_plan = authorised >= 0 && authorised < plan_by && pick(&g->r, 5) < 2 &&
                       icpc < 0;
        if (cin_plan) {
            tag(g, 6, "<CINPlanDates>");
            date_item(g, 8, "CINPlanStartDate", authorised + 1);
            if (closed)
                date_item(g, 8, "CINPlanEndDate", closed_on);
            tag(g, 6, "</CINPlanDates>");
        }
        if (closed) {
            date_item(g, 6, "CINclosureDate", closed_on);
            const char *why = (const char *[]){"RC1", "RC3", "RC4", "RC5", "RC6", "RC7",
                                               "RC9"}[pick(&g->r, 7)];
            /* RC9, closed after assessment, only with nothing after the
             * assessment (2990) */
            if (!strcmp(why, "RC9") && (cin_plan || g->s47))
                why = "RC7";
            if (b == B_CLOSURE_CODE) {
                why = "RC0";
                plant(g, "cin_episode", rec_line, cpath, "8640");
            }
            item(g, 6, "ReasonForClosure", why);
        }
        /* the conference is the Section47's: CINdetails' DateOfInitialCPC
         * is for one with no enquiry in the census (2884) */
    }
    item(g, 6, "ReferralNFA", nfa ? "true" : "false");
    tag(g, 4, "</CINdetails>");
    return closed_on;
}

static void write_identifiers(struct gen *g, long i, const char *id, long dob, char sex,
                              int unborn, enum breach b, const char *path, long rec_line)
{
    char d[11], s[2] = {sex, 0};
    tag(g, 4, "<ChildIdentifiers>");
    item(g, 6, "LAchildID", id);
    /* a UPN from school age: born by 31 August four years before the
     * census year ends (8770Q, 2024-25 on; "over 5" before it) */
    if (!unborn && dob <= day_of(g->fy_end - 4, 8, 31)) {
        char upn[16];
        /* Characters 2-4: the authority's DfE number (1530). */
        /* Drawn in turn: the order of a call's arguments is the compiler's. */
        /* i * 48271 mod 10^8 is one serial a child (48271 is prime to
         * 10^8): random serials of 10^5 children would repeat (1520).
         * The draw is kept so the children after stay as they were. */
        (void)next(&g->r);
        long serial = (long)(((unsigned long)i * 48271UL + 4000000UL) % 100000000UL);
        long check = pick(&g->r, 10);
        snprintf(upn, sizeof upn, "A%.3s%08ld%ld", g->lea, serial, check);
        item(g, 6, "UPN", upn);
    } else {
        item(g, 6, "UPNunknown", unborn ? "UN1" : (i & 1) ? "UN1" : "UN2");
    }
    iso(dob, d);
    item(g, 6, unborn ? "ExpectedPersonBirthDate" : "PersonBirthDate", d);
    if (unborn)
        s[0] = 'U';
    if (g->fy_end >= 2025) {
        if (b == B_SEX) {
            s[0] = 'X';
            plant(g, "child", rec_line, path, "4180");
        }
        item(g, 6, "Sex", s);
    } else {
        const char *gc = unborn ? "0" : sex == 'F' ? "2" : "1";
        if (b == B_SEX) {
            gc = "5";
            plant(g, "child", rec_line, path, "4180");
        }
        item(g, 6, "GenderCurrent", gc);
    }
    tag(g, 4, "</ChildIdentifiers>");
}

static void write_child(struct gen *g, long i)
{
    char path[80], id[24];
    snprintf(path, sizeof path, "/Message/Children/Child[%ld]", i + 1);
    enum breach b = i % 40 == 11 ? (enum breach)((i / 40) % B_COUNT) : B_NONE;
    const struct linked *lk = (size_t)i < g->nlink ? &g->link[i] : NULL;
    int unborn = !lk && pick(&g->r, 40) == 0;
    if (unborn && b == B_SEX)   /* an unborn child's Sex is U (8750): no breach */
        b = B_NONE;
    long dob = lk ? lk->dob : unborn ? g->period_end + 20 + pick(&g->r, 150)
                            : g->period_end - 30 - pick(&g->r, 17 * 365);
    char sex = lk ? lk->sex : pick(&g->r, 2) ? 'F' : 'M';
    if (lk)
        liia_strlcpy(id, lk->id, sizeof id);
    else
        snprintf(id, sizeof id, "%ld", 500000 + i);
    long rec_line = g->line + 1;
    tag(g, 2, "<Child>");
    write_identifiers(g, i, id, dob, sex, unborn, b, path, rec_line);
    tag(g, 4, "<ChildCharacteristics>");
    const char *eth = lk ? lk->ethnic : ethnics[pick(&g->r, 16)];
    if (b == B_ETHNIC) {
        eth = "XXXX";
        plant(g, "child", rec_line, path, "4220");
    }
    item(g, 6, "Ethnicity", eth);
    tag(g, 6, "<Disabilities>");
    /* one child in eight disabled, over every code of the list, one in four
     * of those with a second (DfE's queries 2887Q and 2888Q look for
     * both in a return) */
    static const char *const dis[] = {"MOB", "HAND", "PC", "INC", "COMM", "LD",
                                      "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"};
    g->disabled = pick(&g->r, 8) == 0;
    long d1 = g->disabled ? pick(&g->r, 12) : -1;
    item(g, 8, "Disability", d1 < 0 ? "NONE" : dis[d1]);
    if (d1 >= 0 && pick(&g->r, 4) == 0)
        item(g, 8, "Disability", dis[(d1 + 1 + pick(&g->r, 11)) % 12]);
    tag(g, 6, "</Disabilities>");
    tag(g, 4, "</ChildCharacteristics>");
    long episodes = 1 + (pick(&g->r, 6) == 0);
    long referral = g->year_start - 3 * 365 + pick(&g->r, g->period_end - g->year_start + 3 * 365);
    if (referral < dob && !unborn)
        referral = dob + pick(&g->r, 30);
    if (unborn)     /* within 40 weeks of the expected birth (8606) */
        referral = g->period_end - pick(&g->r, 60);
    /* A second referral only after the first episode closed. */
    for (long k = 1; k <= episodes && referral <= g->period_end; k++) {
        long closed = write_episode(g, path, k, referral, k == 1 ? b : B_NONE);
        if (closed < 0)
            break;
        referral = closed + 30 + pick(&g->r, 400);
    }
    tag(g, 2, "</Child>");
}

/* ------------------------------------------------------------ files */

/* dd/mm/yyyy -> day number; -1 when it is not one. */
static long parse_dmy(const char *s)
{
    int d, m, y;
    if (sscanf(s, "%2d/%2d/%4d", &d, &m, &y) != 3)
        return -1;
    return day_of(y, m, d);
}

struct link_read {
    struct linked *items;
    size_t n, cap;
    long adult_before;      /* born before this: 18 at the period end, left out */
};

static int link_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct link_read *l = ctx;
    if (rec->record_no == 1 || rec->nfields < 4)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        struct linked *p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        l->items = p;
        l->cap = cap;
    }
    struct linked *k = &l->items[l->n];
    long dob = parse_dmy(rec->fields[2]);
    /* SEX is 1/2 before 2024-25 and M/F after; anything else is a planted
     * breach of the SSDA903 sample, not a child to copy. */
    char sex = !strcmp(rec->fields[1], "F") || !strcmp(rec->fields[1], "2") ? 'F'
             : !strcmp(rec->fields[1], "M") || !strcmp(rec->fields[1], "1") ? 'M' : 0;
    if (dob < 0 || !sex || dob < l->adult_before || strlen(rec->fields[0]) >= sizeof k->id ||
        strlen(rec->fields[3]) >= sizeof k->ethnic)
        return 0;
    liia_strlcpy(k->id, rec->fields[0], sizeof k->id);
    liia_strlcpy(k->ethnic, rec->fields[3], sizeof k->ethnic);
    k->dob = dob;
    k->sex = sex;
    l->n++;
    return 0;
}

/* The SSDA903 sample's header for la and period, if --link names one. */
static int read_link(const char *dir, const char *la, const char *period,
                     struct link_read *l, liia_error *e)
{
    memset(l, 0, sizeof *l);
    l->adult_before = day_of(atoi(period) - 18, atoi(period + 5), atoi(period + 8));
    if (!dir)
        return 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s_%s_header.csv", dir, la, period);
    return liia_csv_read_file(path, 0, link_row, l, NULL, e);
}

/* The DfE LA number for the header's LEA (reference/authorities.csv). */
struct lea_find {
    const char *la;
    char lea[8];
};

static int lea_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    (void)e;
    struct lea_find *f = ctx;
    if (rec->nfields >= 4 && !strcmp(rec->fields[3], f->la))
        liia_strlcpy(f->lea, rec->fields[1], sizeof f->lea);
    return 0;
}

static int find_lea(const char *la, char lea[8], liia_error *e)
{
    struct lea_find f = {.la = la, .lea = ""};
    char *path = liia_path_join(liia_schema_dir(), "reference/authorities.csv");
    int rc = path ? liia_csv_read_file(path, 0, lea_row, &f, NULL, e)
                  : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    free(path);
    if (rc == 0 && !f.lea[0]) {
        liia_error_fix(e, "use a London authority's short code, e.g. CAM");
        return liia_fail(e, LIIA_E_USAGE, "'%s' is not a London authority", la);
    }
    liia_strlcpy(lea, f.lea, 8);
    return rc;
}

static void write_header(struct gen *g, const char *period, const char *lea)
{
    char year[8];
    snprintf(year, sizeof year, "%d", g->fy_end);
    tag(g, 0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    tag(g, 0, "<Message>");
    tag(g, 2, "<Header>");
    tag(g, 4, "<CollectionDetails>");
    item(g, 6, "Collection", "CIN");
    item(g, 6, "Year", year);
    item(g, 6, "ReferenceDate", period);
    tag(g, 4, "</CollectionDetails>");
    tag(g, 4, "<Source>");
    item(g, 6, "SourceLevel", "L");
    item(g, 6, "LEA", lea);
    item(g, 6, "SoftwareCode", "liia-bench sample");
    item(g, 6, "Release", "1");
    item(g, 6, "SerialNo", "1");
    item(g, 6, "DateTime", "2025-04-01T09:00:00");
    tag(g, 4, "</Source>");
    tag(g, 2, "</Header>");
    tag(g, 2, "<Children>");
}

struct sample_opts {
    const char *out, *period, *las, *link;
    uint64_t seed;
    long children;
};

static int write_files(const struct sample_opts *o, const char *la, long la_index,
                       const struct link_read *link, const char *lea, liia_error *e)
{
    char xpath[1024], ppath[1024];
    snprintf(xpath, sizeof xpath, "%s/%s_%s_cin.xml", o->out, la, o->period);
    snprintf(ppath, sizeof ppath, "%s/%s_%s_cin_planted.csv", o->out, la, o->period);
    liia_outfile xo, po;
    if (liia_outfile_open(&xo, xpath, e) != 0)
        return -1;
    if (liia_outfile_open(&po, ppath, e) != 0) {
        liia_outfile_abort(&xo);
        return -1;
    }
    /* A third of the census are looked-after children of the SSDA903
     * sample (London has about three children in need to one looked after). */
    size_t nlink = link->n < (size_t)o->children / 3 ? link->n : (size_t)o->children / 3;
    struct gen g = {.r = {o->seed * 1000003ULL + (uint64_t)la_index + 77},
                    .link = link->items, .nlink = nlink, .lea = lea};
    g.fy_end = liia_period_fy_end_year(o->period);
    g.year_start = day_of(g.fy_end - 1, 4, 1);
    g.period_end = day_of(atoi(o->period), atoi(o->period + 5), atoi(o->period + 8));
    g.xml = liia_outfile_stream(&xo, e);
    g.planted = liia_outfile_stream(&po, e);
    if (!g.xml || !g.planted) {
        liia_outfile_abort(&xo);
        liia_outfile_abort(&po);
        return -1;
    }
    fputs("part,line,path,rule\n", g.planted);
    write_header(&g, o->period, lea);
    for (long i = 0; i < o->children; i++)
        write_child(&g, i);
    tag(&g, 2, "</Children>");
    tag(&g, 0, "</Message>");
    liia_error later;
    liia_error_clear(&later);
    int rc = liia_outfile_commit(&xo, e);
    if (liia_outfile_commit(&po, rc ? &later : e) != 0 || rc != 0)
        return -1;
    printf("%s %s: %ld children (%zu from the SSDA903 sample), %ld lines, %ld planted "
           "breaches\n", la, o->period, o->children,
           nlink, g.line,
           g.planted_count);
    return 0;
}

static int one_authority(const struct sample_opts *o, const char *la, long la_index,
                         liia_error *e)
{
    char lea[8];
    if (find_lea(la, lea, e) != 0)
        return -1;
    struct link_read link;
    if (read_link(o->link, la, o->period, &link, e) != 0)
        return -1;
    int rc = write_files(o, la, la_index, &link, lea, e);
    free(link.items);
    return rc;
}

static int parse_args(int argc, char **argv, struct sample_opts *o)
{
    static const struct option opts[] = {
        {"cin", no_argument, NULL, 'C'},      {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'}, {"children", required_argument, NULL, 'n'},
        {"period", required_argument, NULL, 'p'}, {"la", required_argument, NULL, 'l'},
        {"link", required_argument, NULL, 'k'}, {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:s:n:p:l:k:", opts, NULL)) != -1) {
        switch (c) {
        case 'C': break;
        case 'o': o->out = optarg; break;
        case 'p': o->period = optarg; break;
        case 'l': o->las = optarg; break;
        case 'k': o->link = optarg; break;
        case 's':
            errno = 0;
            o->seed = strtoull(optarg, &end, 10);
            if (errno || *end || !*optarg || *optarg == '-')
                return cli_usage_error("sample", "--seed '%s' is not a whole number", optarg);
            break;
        case 'n':
            o->children = strtol(optarg, &end, 10);
            if (*end || o->children < 1 || o->children > 10000000)
                return cli_usage_error("sample", "--children is a whole number from 1 to "
                                       "10000000, not '%s'", optarg);
            break;
        default:
            return cli_usage_error("sample", "unknown option (see --cin --help)");
        }
    }
    if (optind < argc)
        return cli_usage_error("sample", "unexpected argument '%s'", argv[optind]);
    if (!o->out)
        return cli_usage_error("sample", "--out DIR is required");
    return 0;
}

int sample_cin_main(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)ctx;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    struct sample_opts o = {.period = "2025-03-31", .las = "CAM,HAC,SOU", .seed = 1,
                            .children = 400};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    liia_error e;
    liia_error_clear(&e);
    char period[11];
    if (liia_period_parse(o.period, period, &e) != 0)
        return cli_usage_error("sample", "%s", e.message);
    o.period = period;
    if (mkdir(o.out, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "liia-bench sample: cannot create %s: %s\n", o.out, strerror(errno));
        return LIIA_EXIT_RUNTIME;
    }
    char las[256];
    liia_strlcpy(las, o.las, sizeof las);
    long k = 0;
    for (char *save, *la = strtok_r(las, ",", &save); la; la = strtok_r(NULL, ",", &save)) {
        if (one_authority(&o, la, k++, &e) != 0) {
            liia_error_print(stderr, &e);
            return liia_status_exit_code(e.status);
        }
    }
    return LIIA_EXIT_OK;
}
