/*
 * quarterly_rules.c - the rule kinds, implemented once; every concrete rule
 * (which measures, thresholds, wording) is data in schemas/rules/.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quarterly_internal.h"

int q_values_alloc(struct q_values *qv, size_t n)
{
    qv->v = calloc(n ? n : 1, sizeof *qv->v);
    qv->has = calloc(n ? n : 1, sizeof *qv->has);
    qv->line = calloc(n ? n : 1, sizeof *qv->line);
    if (qv->v && qv->has && qv->line)
        return 0;
    q_values_free(qv);
    return -1;
}

void q_values_free(struct q_values *qv)
{
    free(qv->v);
    free(qv->has);
    free(qv->line);
    memset(qv, 0, sizeof *qv);
}

void q_expand(char *out, size_t outsz, const char *tmpl,
              const char *const *keys, const char *const *vals, size_t n)
{
    liia_buf b;
    liia_buf_init(&b);
    int ok = 1;
    for (const char *p = tmpl; *p && ok;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        size_t i = n;
        if (close)
            for (i = 0; i < n; i++)
                if (strlen(keys[i]) == (size_t)(close - p - 1) &&
                    !memcmp(keys[i], p + 1, (size_t)(close - p - 1)))
                    break;
        if (close && i < n) {
            ok = !liia_buf_append(&b, vals[i], strlen(vals[i]));
            p = close + 1;
        } else {
            ok = !liia_buf_append(&b, p, 1);
            p++;
        }
    }
    /* Out of memory leaves the template itself: still a readable message. */
    liia_strlcpy(out, ok ? b.data : tmpl, outsz);
    liia_buf_free(&b);
}

int q_report(liia_findings *f, const struct q_message *m, const char *file,
             long line, long col, const char *column_name, const char *value,
             const char *const *keys, const char *const *vals, size_t n)
{
    char msg[512], fix[384];
    q_expand(msg, sizeof msg, m->message, keys, vals, n);
    q_expand(fix, sizeof fix, m->fix, keys, vals, n);
    return ingest_finding(f, file, line, col, column_name, m->severity, m->id,
                          value, msg, fix);
}

static void fmt_num(char *out, size_t sz, double v)
{
    snprintf(out, sz, "%.10g", v);
}

/* "a + b" and the sum of the terms; 0 when a term is not supplied. */
static int terms(const struct q_schema *s, const struct q_values *cur,
                 const int *idx, size_t n, char *names, size_t namesz, double *sum)
{
    *sum = 0;
    names[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!cur->has[idx[i]])
            return 0;
        *sum += cur->v[idx[i]];
        size_t at = strlen(names);
        snprintf(names + at, namesz - at, "%s%s", i ? " + " : "", s->measures[idx[i]].id);
    }
    return 1;
}

static int report_le(const struct q_rule *r, const struct q_sink *k, long line,
                     const char *left, double lv, const char *right, double rv)
{
    char ls[32], rs[32];
    fmt_num(ls, sizeof ls, lv);
    fmt_num(rs, sizeof rs, rv);
    const char *keys[] = {"left", "left_value", "right", "right_value"};
    const char *vals[] = {left, ls, right, rs};
    return q_report(k->findings, &r->msg, k->file, line, k->value_col, "value",
                    ls, keys, vals, 4);
}

/* Tiny tolerance: FTE sums like 0.1 + 0.2 must not trip a <= rule. */
#define Q_EPS 1e-9

static int check_le(const struct q_schema *s, const struct q_rule *r,
                    const struct q_values *cur, const struct q_sink *k)
{
    char left[256], right[256];
    double lv, rv;
    if (!terms(s, cur, r->left, r->nleft, left, sizeof left, &lv) ||
        !terms(s, cur, r->right, r->nright, right, sizeof right, &rv) || lv <= rv + Q_EPS)
        return 0;
    return report_le(r, k, cur->line[r->left[0]], left, lv, right, rv);
}

static int check_parents(const struct q_schema *s, const struct q_rule *r,
                         const struct q_values *cur, const struct q_sink *k)
{
    for (size_t i = 0; i < s->nmeasures; i++) {
        int p = s->measures[i].parent;
        if (p < 0 || !cur->has[i] || !cur->has[p] || cur->v[i] <= cur->v[p] + Q_EPS)
            continue;
        if (report_le(r, k, cur->line[i], s->measures[i].id, cur->v[i],
                      s->measures[p].id, cur->v[p]))
            return -1;
    }
    return 0;
}

static int check_change(const struct q_schema *s, const struct q_rule *r,
                        const struct q_values *cur, const struct q_values *prev,
                        const char *prev_period, const struct q_sink *k)
{
    for (size_t i = 0; i < s->nmeasures; i++) {
        if ((r->measure_kind && strcmp(r->measure_kind, s->measures[i].kind)) ||
            !cur->has[i] || !prev->has[i] || cur->v[i] < r->minimum ||
            prev->v[i] < r->minimum || prev->v[i] <= 0)
            continue;
        double change = (cur->v[i] - prev->v[i]) / prev->v[i];
        if (fabs(change) <= r->threshold)
            continue;
        char v[32], pv[32], ch[32];
        fmt_num(v, sizeof v, cur->v[i]);
        fmt_num(pv, sizeof pv, prev->v[i]);
        snprintf(ch, sizeof ch, "%+.0f%%", change * 100);
        const char *keys[] = {"measure", "value", "previous", "previous_period", "change"};
        const char *vals[] = {s->measures[i].id, v, pv, prev_period, ch};
        if (q_report(k->findings, &r->msg, k->file, cur->line[i], k->value_col,
                     "value", v, keys, vals, 5))
            return -1;
    }
    return 0;
}

static int check_stock_flow(const struct q_schema *s, const struct q_rule *r,
                            const struct q_values *cur, const struct q_values *prev,
                            const struct q_sink *k)
{
    if (!prev->has[r->stock] || !cur->has[r->stock] || !cur->has[r->inflow] ||
        !cur->has[r->outflow])
        return 0;
    double expected = prev->v[r->stock] + cur->v[r->inflow] - cur->v[r->outflow];
    double actual = cur->v[r->stock];
    if (fabs(actual - expected) <= r->relative * actual + r->absolute + Q_EPS)
        return 0;
    char v[32], pv[32], in[32], out[32], ex[32];
    fmt_num(v, sizeof v, actual);
    fmt_num(pv, sizeof pv, prev->v[r->stock]);
    fmt_num(in, sizeof in, cur->v[r->inflow]);
    fmt_num(out, sizeof out, cur->v[r->outflow]);
    fmt_num(ex, sizeof ex, expected);
    const char *keys[] = {"measure", "value", "previous", "inflow", "inflow_value",
                          "outflow", "outflow_value", "expected"};
    const char *vals[] = {s->measures[r->stock].id, v, pv, s->measures[r->inflow].id, in,
                          s->measures[r->outflow].id, out, ex};
    return q_report(k->findings, &r->msg, k->file, cur->line[r->stock], k->value_col,
                    "value", v, keys, vals, 8);
}

int q_rules_check(const struct q_schema *s, const struct q_values *cur,
                  const struct q_values *prev, const char *prev_period,
                  const struct q_sink *sink)
{
    for (size_t i = 0; i < s->nrules; i++) {
        const struct q_rule *r = &s->rules[i];
        int rc = 0;
        switch (r->kind) {
        case QK_LE:
            rc = check_le(s, r, cur, sink);
            break;
        case QK_PARENT_LE:
            rc = check_parents(s, r, cur, sink);
            break;
        case QK_IMPLAUSIBLE:
            rc = prev ? check_change(s, r, cur, prev, prev_period, sink) : 0;
            break;
        case QK_STOCK_FLOW:
            rc = prev ? check_stock_flow(s, r, cur, prev, sink) : 0;
            break;
        }
        if (rc)
            return -1;
    }
    return 0;
}
