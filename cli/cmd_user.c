/* cmd_user.c - `liia-bench user add|list|disable|reset`: the operator
 * manages portal accounts (server/app/liia_app.h does the work). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "liia_app.h"

static const char usage[] =
    "usage: liia-bench user add NAME --role ROLE [--la LA] [--sign-off] [--password-stdin]\n"
    "       liia-bench user list [--json]\n"
    "       liia-bench user disable NAME\n"
    "       liia-bench user reset NAME [--password-stdin]\n"
    "\n"
    "Manages the accounts of the web portal (liia-bench serve).  Roles:\n"
    "  data_lead   one authority (--la): uploads returns, explains warnings\n"
    "  dcs         one authority (--la): signs off, downloads the pack\n"
    "  programme   LIIA programme team: every authority, due dates, publishing\n"
    "  analyst     the read-only query page over the documented views\n"
    "\n"
    "  --role ROLE        one of the roles above\n"
    "  --la LA            the authority (GSS code, DfE number or short code)\n"
    "  --sign-off         a data lead the DCS has delegated sign-off to\n"
    "  --password-stdin   read the password (12-256 characters) from the first\n"
    "                     line of standard input; otherwise a random one is\n"
    "                     made and printed once\n"
    "  --json             list as JSON\n"
    "  -h, --help         this text\n"
    "\n"
    "reset sets a new password, lifts a lockout, re-enables the account and\n"
    "ends its sessions; disable ends its sessions.  Every change is audited.\n";

struct user_args {
    const char *role, *la;
    int sign_off, password_stdin, json;
};

static int parse(int argc, char **argv, struct user_args *a)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},    {"la", required_argument, NULL, 'l'},
        {"sign-off", no_argument, NULL, 's'},      {"password-stdin", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "r:l:spjh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': a->role = optarg; break;
        case 'l': a->la = optarg; break;
        case 's': a->sign_off = 1; break;
        case 'p': a->password_stdin = 1; break;
        case 'j': a->json = 1; break;
        default: return cli_usage_error("user", "unknown option");
        }
    }
    return LIIA_EXIT_OK;
}

/* The password from stdin's first line, or a fresh random one (shown). */
static int get_password(int from_stdin, char *pw, size_t sz, int *generated)
{
    *generated = !from_stdin;
    if (!from_stdin) {
        liia_app_random_password(pw);
        return 0;
    }
    if (!fgets(pw, (int)sz, stdin))
        return -1;
    pw[strcspn(pw, "\r\n")] = '\0';
    return 0;
}

static int list(sqlite3 *db, const liia_actor *op, int json, liia_error *e)
{
    json_t *users, *u;
    size_t i;
    if (liia_app_user_list(db, op, &users, e))
        return -1;
    if (json && json_dumpf(users, stdout, JSON_INDENT(2)) == 0)
        putchar('\n');
    if (!json)
        printf("%-24s %-10s %-5s %-8s %-8s %s\n", "name", "role", "la", "sign-off", "state",
               "created_at");
    json_array_foreach(users, i, u) {
        if (json)
            break;
        const char *la = json_string_value(json_object_get(u, "short_code"));
        const char *state = json_integer_value(json_object_get(u, "disabled")) ? "disabled"
                            : !json_integer_value(json_object_get(u, "has_password"))
                                ? "no-password"
                            : json_is_string(json_object_get(u, "locked_until")) ? "locked?"
                                                                                  : "active";
        printf("%-24s %-10s %-5s %-8s %-8s %s\n", json_string_value(json_object_get(u, "name")),
               json_string_value(json_object_get(u, "role")), la ? la : "-",
               json_integer_value(json_object_get(u, "can_sign_off")) ? "yes" : "-", state,
               json_string_value(json_object_get(u, "created_at")));
    }
    json_decref(users);
    return 0;
}

static int run(sqlite3 *db, const char *verb, const char *name, const struct user_args *a,
               liia_error *e)
{
    liia_actor op;
    liia_actor_operator(&op, "cli");
    char pw[LIIA_APP_PASSWORD_MAX + 2];
    int generated = 0, rc;
    liia_role role = LIIA_ROLE_NONE;
    if (!strcmp(verb, "list"))
        return list(db, &op, a->json, e);
    if (!strcmp(verb, "disable"))
        rc = liia_app_user_disable(db, &op, name, e);
    else if (get_password(a->password_stdin, pw, sizeof pw, &generated))
        return liia_fail(e, LIIA_E_USAGE, "no password on standard input");
    else if (!strcmp(verb, "reset"))
        rc = liia_app_user_reset(db, &op, name, pw, e);
    else if (liia_role_parse(a->role, &role))
        return liia_fail(e, LIIA_E_USAGE, "--role must be data_lead, dcs, programme or analyst");
    else
        rc = liia_app_user_add(db, &op, name, role, a->la, a->sign_off, pw, e);
    if (!rc && generated)
        printf("%s: password %s (shown once; give it to %s securely)\n", name, pw, name);
    else if (!rc)
        printf("%s: %s\n", name, !strcmp(verb, "add") ? "added" : !strcmp(verb, "reset")
                                                                    ? "password reset"
                                                                    : "disabled");
    return rc;
}

int cmd_user(int argc, char **argv, const struct cli_ctx *ctx)
{
    struct user_args a = {0};
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc;
    const char *verb = optind < argc ? argv[optind] : "";
    int wants_name = strcmp(verb, "list") != 0;
    if (strcmp(verb, "add") && strcmp(verb, "list") && strcmp(verb, "disable") &&
        strcmp(verb, "reset"))
        return cli_usage_error("user", "say add, list, disable or reset");
    if (argc - optind != 1 + wants_name)
        return cli_usage_error("user", wants_name ? "name one user" : "unexpected argument");
    if (!strcmp(verb, "add") && !a.role)
        return cli_usage_error("user", "--role is required");
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    rc = liia_app_init(&e);
    if (!rc)
        rc = cli_open_store(ctx, LIIA_STORE_READWRITE, &db, &e);
    if (!rc)
        rc = run(db, verb, wants_name ? argv[optind + 1] : NULL, &a, &e);
    liia_store_close(db);
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
