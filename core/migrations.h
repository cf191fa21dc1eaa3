/* The store's migrations, embedded from core/migrations/NNN_name.sql. */
#ifndef LIIA_MIGRATIONS_H
#define LIIA_MIGRATIONS_H
#include <stddef.h>
struct liia_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct liia_migration liia_migrations[];
extern const size_t liia_migration_count;
#endif
