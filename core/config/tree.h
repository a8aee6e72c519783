/* A parsed YAML document: a tree of map, sequence and scalar nodes, each
 * remembering the file and line it came from so every later check can say
 * "FILE:LINE: what is wrong".
 *
 * struct berth_cfg is the type plugins see as the opaque
 * `const struct berth_cfg *` of <berth/plugin.h>: drivers read their option
 * sections through the host API's cfg_* accessors, which call these.
 *
 * Ownership: the root owns every node below it; berth_cfg_free() on the root
 * frees the whole tree.  Nodes are never shared between trees. */
#ifndef BERTH_CONFIG_TREE_H
#define BERTH_CONFIG_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"

enum berth_cfg_type
{
  BERTH_CFG_SCALAR,
  BERTH_CFG_MAP,
  BERTH_CFG_SEQ,
};

struct berth_cfg
{
  enum berth_cfg_type type;
  char *file;               /* where the node was read ("--log-opt" for synthetic trees) */
  unsigned line;            /* 1-based; 0 = no line (synthetic) */
  char *key;                /* the key naming this node when it is a map value, else NULL */
  unsigned key_line;        /* line of that key */
  char *value;              /* scalars only */
  bool is_null;             /* a plain `~`, `null` or empty scalar */
  struct berth_cfg **items; /* map values (each with ->key) or sequence items, in file order */
  size_t n_items;
};

/* Parse one YAML document.  An empty document yields *ret = NULL.  Aliases,
   non-scalar keys, duplicate keys and several documents are errors. */
int berth_cfg_parse (const char *file, const char *text, size_t len, struct berth_cfg **ret, berth_error_t *err);
void berth_cfg_free (struct berth_cfg *c);

/* Build option maps in code (per-container --log-opt, volume -o): `origin`
   names where the values came from in error messages. */
struct berth_cfg *berth_cfg_new_map (const char *origin);
/* Add or replace a scalar entry of a map made by berth_cfg_new_map. */
void berth_cfg_map_set (struct berth_cfg *map, const char *key, const char *value);
/* A deep copy (e.g. to merge daemon-wide log-opts with a container's). */
struct berth_cfg *berth_cfg_copy (const struct berth_cfg *c);

/* Lookups; c may be NULL.  map_get returns the value node of `key`. */
const struct berth_cfg *berth_cfg_map_get (const struct berth_cfg *c, const char *key);
/* The scalar value of `key`, or dflt when absent, null or not a scalar. */
const char *berth_cfg_string (const struct berth_cfg *c, const char *key, const char *dflt);
int berth_cfg_int64 (const struct berth_cfg *c, const char *key, int64_t dflt, int64_t *ret, berth_error_t *err);
int berth_cfg_bool (const struct berth_cfg *c, const char *key, int dflt, int *ret, berth_error_t *err);
/* Map: fn (ud, key, scalar-or-NULL).  Sequence: fn (ud, "0", "1", ..., scalar-or-NULL).
   A non-zero return from fn stops and is returned. */
int berth_cfg_each (const struct berth_cfg *c, int (*fn) (void *ud, const char *key, const char *value), void *ud);

const char *berth_cfg_type_name (enum berth_cfg_type t); /* "a string", "a map", "a list" */

/* Errors located at a node: "FILE:LINE: message" (or "FILE: message" without a line). */
int berth_cfg_error_at (berth_error_t *err, const struct berth_cfg *node, bool at_key, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/* The "FILE:LINE: " prefix for `key` in map c (or for c itself when key is NULL or absent); "" when c is NULL.
   Caller frees. */
char *berth_cfg_location (const struct berth_cfg *c, const char *key);

#endif
