/* A subset of Go's text/template, enough for docker's --format flags:
 * literal text and {{...}} actions holding a field path (.A.B, or . for the
 * whole value), optionally passed to json, upper, lower, or
 * join PATH "sep".  As docker's formatter does, the two-character sequences
 * \t and \n in a format become a tab and a newline, and a leading "table"
 * asks for a table with a header row. */
#ifndef BERTH_CLI_TEMPLATE_H
#define BERTH_CLI_TEMPLATE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct berth_template;

/* *ret_table (may be NULL) tells whether the format started with "table" */
int berth_template_parse (const char *format, struct berth_template **ret, bool *ret_table, berth_error_t *err);
void berth_template_free (struct berth_template *t);
/* strict: a field missing from an object is an error (typed contexts such
   as image lists); otherwise it prints "<no value>" as Go does for maps. */
int berth_template_render (const struct berth_template *t, struct json_object *ctx, bool strict, char **ret,
                           berth_error_t *err);

/* Rows of tab-separated cells, aligned as Go's tabwriter with docker's
   settings (minimum width 10, padding 3); the last cell of a row is not
   padded. */
struct berth_table;
struct berth_table *berth_table_new (void);
void berth_table_add (struct berth_table *t, const char *row);
void berth_table_print (struct berth_table *t, FILE *out);
void berth_table_free (struct berth_table *t);

#endif
