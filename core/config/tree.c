/* YAML → node tree with file:line on every node (libyaml event API). */
#include <config.h> /* the autoconf header: "config.h" would find core/config/config.h */

#include "core/config/tree.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* Deeper nesting than any sane config; stops stack exhaustion on hostile input. */
#define MAX_DEPTH 64

struct parser
{
  yaml_parser_t yp;
  const char *file;
  berth_error_t *err;
};

static struct berth_cfg *
node_new (enum berth_cfg_type type, const char *file, unsigned line)
{
  struct berth_cfg *n = xmalloc0 (sizeof (*n));
  n->type = type;
  n->file = xstrdup (file);
  n->line = line;
  return n;
}

void
berth_cfg_free (struct berth_cfg *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n_items; i++)
    berth_cfg_free (c->items[i]);
  free (c->items);
  free (c->file);
  free (c->key);
  free (c->value);
  free (c);
}

static void
node_append (struct berth_cfg *parent, struct berth_cfg *child)
{
  parent->items = xrealloc (parent->items, (parent->n_items + 1) * sizeof (*parent->items));
  parent->items[parent->n_items++] = child;
}

int
berth_cfg_error_at (berth_error_t *err, const struct berth_cfg *node, bool at_key, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  unsigned line;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    oom ();
  va_end (ap);
  if (node == NULL)
    return berth_error_make (err, EINVAL, "%s", msg);
  line = at_key && node->key_line ? node->key_line : node->line;
  if (line == 0)
    return berth_error_make (err, EINVAL, "%s: %s", node->file, msg);
  return berth_error_make (err, EINVAL, "%s:%u: %s", node->file, line, msg);
}

char *
berth_cfg_location (const struct berth_cfg *c, const char *key)
{
  const struct berth_cfg *n = key ? berth_cfg_map_get (c, key) : NULL;
  unsigned line;

  if (n == NULL)
    n = c;
  if (n == NULL)
    return xstrdup ("");
  line = n->key_line ? n->key_line : n->line;
  if (line == 0)
    return xasprintf ("%s: ", n->file);
  return xasprintf ("%s:%u: ", n->file, line);
}

static int
parse_error (struct parser *ps)
{
  yaml_parser_t *yp = &ps->yp;
  const char *problem = yp->problem ? yp->problem : "syntax error";

  if (yp->context)
    return berth_error_make (ps->err, EINVAL, "%s:%zu: YAML syntax error: %s %s (line %zu)", ps->file,
                             yp->problem_mark.line + 1, problem, yp->context, yp->context_mark.line + 1);
  return berth_error_make (ps->err, EINVAL, "%s:%zu: YAML syntax error: %s", ps->file, yp->problem_mark.line + 1,
                           problem);
}

static int
next_event (struct parser *ps, yaml_event_t *ev)
{
  if (!yaml_parser_parse (&ps->yp, ev))
    return parse_error (ps);
  return 0;
}

static bool
scalar_is_null (const yaml_event_t *ev)
{
  const char *v = (const char *)ev->data.scalar.value;

  if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag != NULL)
    return false;
  return ev->data.scalar.length == 0 || strcmp (v, "~") == 0 || strcmp (v, "null") == 0 || strcmp (v, "Null") == 0
         || strcmp (v, "NULL") == 0;
}

static int parse_node (struct parser *ps, yaml_event_t *ev, int depth, struct berth_cfg **ret);

static int
parse_scalar (struct parser *ps, yaml_event_t *ev, struct berth_cfg **ret)
{
  struct berth_cfg *n;
  unsigned line = ev->start_mark.line + 1;

  if (memchr (ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
    return berth_error_make (ps->err, EINVAL, "%s:%u: strings may not contain NUL characters", ps->file, line);
  n = node_new (BERTH_CFG_SCALAR, ps->file, line);
  n->value = xstrndup ((const char *)ev->data.scalar.value, ev->data.scalar.length);
  n->is_null = scalar_is_null (ev);
  *ret = n;
  return 0;
}

static int
parse_sequence (struct parser *ps, yaml_event_t *start, int depth, struct berth_cfg **ret)
{
  struct berth_cfg *seq = node_new (BERTH_CFG_SEQ, ps->file, start->start_mark.line + 1);

  for (;;)
    {
      yaml_event_t ev;
      struct berth_cfg *item = NULL;
      int r;

      if (next_event (ps, &ev) < 0)
        goto fail;
      if (ev.type == YAML_SEQUENCE_END_EVENT)
        {
          yaml_event_delete (&ev);
          break;
        }
      r = parse_node (ps, &ev, depth + 1, &item);
      yaml_event_delete (&ev);
      if (r < 0)
        goto fail;
      node_append (seq, item);
    }
  *ret = seq;
  return 0;
fail:
  berth_cfg_free (seq);
  return berth_error_ret (ps->err);
}

static int
parse_mapping (struct parser *ps, yaml_event_t *start, int depth, struct berth_cfg **ret)
{
  struct berth_cfg *map = node_new (BERTH_CFG_MAP, ps->file, start->start_mark.line + 1);

  for (;;)
    {
      yaml_event_t ev;
      struct berth_cfg *value = NULL;
      cleanup_free char *key = NULL;
      unsigned key_line;
      const struct berth_cfg *dup;
      int r;

      if (next_event (ps, &ev) < 0)
        goto fail;
      if (ev.type == YAML_MAPPING_END_EVENT)
        {
          yaml_event_delete (&ev);
          break;
        }
      key_line = ev.start_mark.line + 1;
      if (ev.type != YAML_SCALAR_EVENT)
        {
          yaml_event_delete (&ev);
          berth_error_make (ps->err, EINVAL, "%s:%u: keys must be plain strings", ps->file, key_line);
          goto fail;
        }
      key = xstrndup ((const char *)ev.data.scalar.value, ev.data.scalar.length);
      yaml_event_delete (&ev);
      dup = berth_cfg_map_get (map, key);
      if (dup != NULL)
        {
          berth_error_make (ps->err, EINVAL, "%s:%u: duplicate key `%s` (first set at line %u)", ps->file, key_line,
                            key, dup->key_line);
          goto fail;
        }
      if (next_event (ps, &ev) < 0)
        goto fail;
      r = parse_node (ps, &ev, depth + 1, &value);
      yaml_event_delete (&ev);
      if (r < 0)
        goto fail;
      value->key = steal_pointer (&key);
      value->key_line = key_line;
      node_append (map, value);
    }
  *ret = map;
  return 0;
fail:
  berth_cfg_free (map);
  return berth_error_ret (ps->err);
}

static int
parse_node (struct parser *ps, yaml_event_t *ev, int depth, struct berth_cfg **ret)
{
  unsigned line = ev->start_mark.line + 1;

  if (depth > MAX_DEPTH)
    return berth_error_make (ps->err, EINVAL, "%s:%u: nested deeper than %d levels", ps->file, line, MAX_DEPTH);
  switch (ev->type)
    {
    case YAML_SCALAR_EVENT:
      return parse_scalar (ps, ev, ret);
    case YAML_SEQUENCE_START_EVENT:
      return parse_sequence (ps, ev, depth, ret);
    case YAML_MAPPING_START_EVENT:
      return parse_mapping (ps, ev, depth, ret);
    case YAML_ALIAS_EVENT:
      return berth_error_make (ps->err, EINVAL, "%s:%u: YAML aliases (*%s) are not supported", ps->file, line,
                               (const char *)ev->data.alias.anchor);
    default:
      return berth_error_make (ps->err, EINVAL, "%s:%u: unexpected YAML event", ps->file, line);
    }
}

/* STREAM-START [DOCUMENT-START node DOCUMENT-END] STREAM-END */
static int
parse_stream (struct parser *ps, struct berth_cfg **ret)
{
  yaml_event_t ev;
  struct berth_cfg *root = NULL;
  int r;

  if (next_event (ps, &ev) < 0)
    return -EINVAL;
  yaml_event_delete (&ev); /* STREAM-START */
  if (next_event (ps, &ev) < 0)
    return -EINVAL;
  if (ev.type == YAML_STREAM_END_EVENT)
    {
      yaml_event_delete (&ev);
      *ret = NULL;
      return 0;
    }
  yaml_event_delete (&ev); /* DOCUMENT-START */
  if (next_event (ps, &ev) < 0)
    return -EINVAL;
  r = parse_node (ps, &ev, 0, &root);
  yaml_event_delete (&ev);
  if (r < 0)
    return r;
  if (next_event (ps, &ev) < 0) /* DOCUMENT-END */
    goto fail;
  yaml_event_delete (&ev);
  if (next_event (ps, &ev) < 0)
    goto fail;
  if (ev.type != YAML_STREAM_END_EVENT)
    {
      unsigned line = ev.start_mark.line + 1;
      yaml_event_delete (&ev);
      berth_error_make (ps->err, EINVAL, "%s:%u: only one YAML document is allowed", ps->file, line);
      goto fail;
    }
  yaml_event_delete (&ev);
  /* A document holding only a null scalar (e.g. just "---") is empty too. */
  if (root->type == BERTH_CFG_SCALAR && root->is_null)
    {
      berth_cfg_free (root);
      root = NULL;
    }
  *ret = root;
  return 0;
fail:
  berth_cfg_free (root);
  return berth_error_ret (ps->err);
}

int
berth_cfg_parse (const char *file, const char *text, size_t len, struct berth_cfg **ret, berth_error_t *err)
{
  struct parser ps = { .file = file, .err = err };
  int r;

  if (!yaml_parser_initialize (&ps.yp))
    oom ();
  yaml_parser_set_input_string (&ps.yp, (const unsigned char *)text, len);
  r = parse_stream (&ps, ret);
  yaml_parser_delete (&ps.yp);
  return r < 0 ? berth_error_ret (err) : 0;
}

struct berth_cfg *
berth_cfg_new_map (const char *origin)
{
  return node_new (BERTH_CFG_MAP, origin, 0);
}

void
berth_cfg_map_set (struct berth_cfg *map, const char *key, const char *value)
{
  struct berth_cfg *n;

  for (size_t i = 0; i < map->n_items; i++)
    if (strcmp (map->items[i]->key, key) == 0)
      {
        berth_cfg_free (map->items[i]);
        map->items[i] = node_new (BERTH_CFG_SCALAR, map->file, 0);
        map->items[i]->key = xstrdup (key);
        map->items[i]->value = xstrdup (value);
        return;
      }
  n = node_new (BERTH_CFG_SCALAR, map->file, 0);
  n->key = xstrdup (key);
  n->value = xstrdup (value);
  node_append (map, n);
}

struct berth_cfg *
berth_cfg_copy (const struct berth_cfg *c)
{
  struct berth_cfg *n;

  if (c == NULL)
    return NULL;
  n = node_new (c->type, c->file, c->line);
  n->key = xstrdup (c->key);
  n->key_line = c->key_line;
  n->value = xstrdup (c->value);
  n->is_null = c->is_null;
  for (size_t i = 0; i < c->n_items; i++)
    node_append (n, berth_cfg_copy (c->items[i]));
  return n;
}

const struct berth_cfg *
berth_cfg_map_get (const struct berth_cfg *c, const char *key)
{
  if (c == NULL || c->type != BERTH_CFG_MAP || key == NULL)
    return NULL;
  for (size_t i = 0; i < c->n_items; i++)
    if (strcmp (c->items[i]->key, key) == 0)
      return c->items[i];
  return NULL;
}

const char *
berth_cfg_string (const struct berth_cfg *c, const char *key, const char *dflt)
{
  const struct berth_cfg *n = berth_cfg_map_get (c, key);

  if (n == NULL || n->type != BERTH_CFG_SCALAR || n->is_null)
    return dflt;
  return n->value;
}

int
berth_cfg_int64 (const struct berth_cfg *c, const char *key, int64_t dflt, int64_t *ret, berth_error_t *err)
{
  const struct berth_cfg *n = berth_cfg_map_get (c, key);
  char *end;
  long long v;

  if (n == NULL || (n->type == BERTH_CFG_SCALAR && n->is_null))
    {
      *ret = dflt;
      return 0;
    }
  if (n->type != BERTH_CFG_SCALAR)
    return berth_cfg_error_at (err, n, true, "`%s` must be an integer, not %s", key, berth_cfg_type_name (n->type));
  errno = 0;
  v = strtoll (n->value, &end, 0);
  if (errno != 0 || end == n->value || *end != '\0')
    return berth_cfg_error_at (err, n, false, "`%s` must be an integer, not `%s`", key, n->value);
  *ret = v;
  return 0;
}

int
berth_cfg_bool (const struct berth_cfg *c, const char *key, int dflt, int *ret, berth_error_t *err)
{
  static const char *const yes[] = { "true", "yes", "on", "1" };
  static const char *const no[] = { "false", "no", "off", "0" };
  const struct berth_cfg *n = berth_cfg_map_get (c, key);

  if (n == NULL || (n->type == BERTH_CFG_SCALAR && n->is_null))
    {
      *ret = dflt;
      return 0;
    }
  if (n->type != BERTH_CFG_SCALAR)
    return berth_cfg_error_at (err, n, true, "`%s` must be true or false, not %s", key, berth_cfg_type_name (n->type));
  for (size_t i = 0; i < sizeof (yes) / sizeof (yes[0]); i++)
    {
      if (strcasecmp (n->value, yes[i]) == 0)
        {
          *ret = 1;
          return 0;
        }
      if (strcasecmp (n->value, no[i]) == 0)
        {
          *ret = 0;
          return 0;
        }
    }
  return berth_cfg_error_at (err, n, false, "`%s` must be true or false, not `%s`", key, n->value);
}

int
berth_cfg_each (const struct berth_cfg *c, int (*fn) (void *ud, const char *key, const char *value), void *ud)
{
  if (c == NULL || c->type == BERTH_CFG_SCALAR)
    return 0;
  for (size_t i = 0; i < c->n_items; i++)
    {
      const struct berth_cfg *n = c->items[i];
      const char *value = n->type == BERTH_CFG_SCALAR && !n->is_null ? n->value : NULL;
      char idx[24];
      int r;

      if (c->type == BERTH_CFG_SEQ)
        snprintf (idx, sizeof (idx), "%zu", i);
      r = fn (ud, c->type == BERTH_CFG_MAP ? n->key : idx, value);
      if (r != 0)
        return r;
    }
  return 0;
}

const char *
berth_cfg_type_name (enum berth_cfg_type t)
{
  switch (t)
    {
    case BERTH_CFG_SCALAR:
      return "a string";
    case BERTH_CFG_MAP:
      return "a map";
    case BERTH_CFG_SEQ:
      return "a list";
    }
  return "an unknown node";
}
