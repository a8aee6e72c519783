#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/template.h"
#include "core/lib/mem.h"

enum piece_kind
{
  PIECE_TEXT,
  PIECE_FIELD,
};

enum piece_func
{
  FUNC_NONE,
  FUNC_JSON,
  FUNC_UPPER,
  FUNC_LOWER,
  FUNC_JOIN,
};

struct piece
{
  enum piece_kind kind;
  enum piece_func func;
  char *text;   /* literal text, or the field path without the leading '.' */
  char *arg;    /* join's separator */
  char *source; /* the action as written, for errors */
};

struct berth_template
{
  struct piece *pieces;
  size_t n;
};

void
berth_template_free (struct berth_template *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->n; i++)
    {
      free (t->pieces[i].text);
      free (t->pieces[i].arg);
      free (t->pieces[i].source);
    }
  free (t->pieces);
  free (t);
}

static struct piece *
add_piece (struct berth_template *t, enum piece_kind kind)
{
  t->pieces = xrealloc (t->pieces, (t->n + 1) * sizeof (*t->pieces));
  memset (&t->pieces[t->n], 0, sizeof (t->pieces[t->n]));
  t->pieces[t->n].kind = kind;
  return &t->pieces[t->n++];
}

/* "\t" and "\n" as written on a command line become the characters */
static char *
unescape (const char *s)
{
  char *out = xmalloc (strlen (s) + 1), *p = out;

  for (; *s; s++)
    {
      if (s[0] == '\\' && s[1] == 't')
        {
          *p++ = '\t';
          s++;
        }
      else if (s[0] == '\\' && s[1] == 'n')
        {
          *p++ = '\n';
          s++;
        }
      else
        *p++ = *s;
    }
  *p = '\0';
  return out;
}

/* split an action into words; "quoted" words keep their spaces */
static char **
words_of (const char *s)
{
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;

  while (*s)
    {
      const char *start;
      while (isspace ((unsigned char)*s))
        s++;
      if (*s == '\0')
        break;
      start = s;
      if (*s == '"')
        {
          for (s++; *s && *s != '"'; s++)
            if (*s == '\\' && s[1] != '\0')
              s++;
          if (*s == '"')
            s++;
        }
      else
        while (*s && !isspace ((unsigned char)*s))
          s++;
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrndup (start, (size_t)(s - start));
      v[n] = NULL;
    }
  return v;
}

static int
parse_action (struct berth_template *t, const char *action, berth_error_t *err)
{
  cleanup_strv char **w = words_of (action);
  struct piece *p;
  size_t n = 0;
  const char *path;

  while (w[n] != NULL)
    n++;
  p = add_piece (t, PIECE_FIELD);
  p->source = xasprintf ("{{%s}}", action);
  if (n == 1)
    path = w[0];
  else if (n == 2 && strcmp (w[0], "json") == 0)
    p->func = FUNC_JSON, path = w[1];
  else if (n == 2 && strcmp (w[0], "upper") == 0)
    p->func = FUNC_UPPER, path = w[1];
  else if (n == 2 && strcmp (w[0], "lower") == 0)
    p->func = FUNC_LOWER, path = w[1];
  else if (n == 3 && strcmp (w[0], "join") == 0 && w[2][0] == '"')
    {
      p->func = FUNC_JOIN;
      path = w[1];
      p->arg = xstrndup (w[2] + 1, strlen (w[2]) >= 2 ? strlen (w[2]) - 2 : 0);
    }
  else
    return berth_error_make (err, EINVAL, "template parsing error: unsupported action %s", p->source);
  if (path[0] != '.')
    return berth_error_make (err, EINVAL, "template parsing error: %s: expected a field such as .ID", p->source);
  p->text = xstrdup (path + 1);
  return 0;
}

int
berth_template_parse (const char *format, struct berth_template **ret, bool *ret_table, berth_error_t *err)
{
  struct berth_template *t = xmalloc0 (sizeof (*t));
  cleanup_free char *f = NULL;
  const char *s;
  bool table = false;

  while (isspace ((unsigned char)*format))
    format++;
  if (strncmp (format, "table", 5) == 0)
    {
      table = true;
      format += 5;
      while (*format == ' ')
        format++;
    }
  f = unescape (format);
  for (s = f; *s;)
    {
      const char *open = strstr (s, "{{");
      const char *close;
      if (open == NULL)
        {
          add_piece (t, PIECE_TEXT)->text = xstrdup (s);
          break;
        }
      if (open > s)
        add_piece (t, PIECE_TEXT)->text = xstrndup (s, (size_t)(open - s));
      close = strstr (open + 2, "}}");
      if (close == NULL)
        {
          berth_template_free (t);
          return berth_error_make (err, EINVAL, "template parsing error: unclosed action in `%s`", format);
        }
      {
        cleanup_free char *action = xstrndup (open + 2, (size_t)(close - open - 2));
        if (parse_action (t, action, err) < 0)
          {
            berth_template_free (t);
            return berth_error_ret (err);
          }
      }
      s = close + 2;
    }
  if (ret_table != NULL)
    *ret_table = table;
  *ret = t;
  return 0;
}

/* ---- rendering ---- */

struct buf
{
  char *s;
  size_t len, cap;
};

static void
buf_add (struct buf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap)
    {
      b->cap = (b->len + n + 1) * 2;
      b->s = xrealloc (b->s, b->cap);
    }
  memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void
buf_str (struct buf *b, const char *s)
{
  buf_add (b, s, strlen (s));
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* fmt.Print of a decoded JSON value */
static void
print_value (struct buf *b, struct json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null:
      buf_str (b, "<no value>");
      break;
    case json_type_string:
      buf_str (b, json_object_get_string (v));
      break;
    case json_type_array:
      buf_str (b, "[");
      for (size_t i = 0; i < json_object_array_length (v); i++)
        {
          if (i > 0)
            buf_str (b, " ");
          print_value (b, json_object_array_get_idx (v, i));
        }
      buf_str (b, "]");
      break;
    case json_type_object:
      {
        size_t n = (size_t)json_object_object_length (v), i = 0;
        const char **keys = xmalloc0 ((n + 1) * sizeof (char *));
        json_object_object_foreach (v, key, val)
        {
          (void)val;
          keys[i++] = key;
        }
        qsort (keys, n, sizeof (char *), cmp_str);
        buf_str (b, "map[");
        for (i = 0; i < n; i++)
          {
            struct json_object *e = NULL;
            if (i > 0)
              buf_str (b, " ");
            buf_str (b, keys[i]);
            buf_str (b, ":");
            json_object_object_get_ex (v, keys[i], &e);
            print_value (b, e);
          }
        buf_str (b, "]");
        free (keys);
      }
      break;
    default:
      buf_str (b, json_object_get_string (v));
      break;
    }
}

/* walk ".A.B"; *ret NULL for a missing key (or JSON null) */
static int
lookup (struct json_object *ctx, const char *path, bool strict, const char *source, struct json_object **ret,
        berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  char *save = NULL;
  struct json_object *cur = ctx;

  for (char *k = strtok_r (copy, ".", &save); k != NULL; k = strtok_r (NULL, ".", &save))
    {
      struct json_object *next = NULL;
      if (cur == NULL || !json_object_is_type (cur, json_type_object))
        return berth_error_make (err, EINVAL, "template: executing %s: can't evaluate field %s", source, k);
      if (!json_object_object_get_ex (cur, k, &next) && strict)
        return berth_error_make (err, EINVAL, "template: executing %s: can't evaluate field %s", source, k);
      cur = next;
    }
  *ret = cur;
  return 0;
}

int
berth_template_render (const struct berth_template *t, struct json_object *ctx, bool strict, char **ret,
                       berth_error_t *err)
{
  struct buf b = { 0 };

  buf_add (&b, "", 0);
  for (size_t i = 0; i < t->n; i++)
    {
      const struct piece *p = &t->pieces[i];
      struct json_object *v = NULL;
      struct buf tmp = { 0 };

      if (p->kind == PIECE_TEXT)
        {
          buf_str (&b, p->text);
          continue;
        }
      if (lookup (ctx, p->text, strict, p->source, &v, err) < 0)
        {
          free (b.s);
          return berth_error_ret (err);
        }
      switch (p->func)
        {
        case FUNC_JSON:
          buf_str (&b, v == NULL ? "null"
                                 : json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN
                                                                          | JSON_C_TO_STRING_NOSLASHESCAPE));
          break;
        case FUNC_JOIN:
          for (size_t k = 0; v != NULL && json_object_is_type (v, json_type_array) && k < json_object_array_length (v);
               k++)
            {
              if (k > 0)
                buf_str (&b, p->arg);
              print_value (&b, json_object_array_get_idx (v, k));
            }
          break;
        case FUNC_UPPER:
        case FUNC_LOWER:
          buf_add (&tmp, "", 0);
          print_value (&tmp, v);
          for (char *c = tmp.s; *c; c++)
            *c = (char)(p->func == FUNC_UPPER ? toupper ((unsigned char)*c) : tolower ((unsigned char)*c));
          buf_str (&b, tmp.s);
          free (tmp.s);
          break;
        default:
          print_value (&b, v);
          break;
        }
    }
  *ret = b.s;
  return 0;
}

/* ---- tables ---- */

#define TABLE_MIN_WIDTH 10
#define TABLE_PADDING 3

struct berth_table
{
  char ***rows; /* NULL-terminated cell vectors */
  size_t n;
};

struct berth_table *
berth_table_new (void)
{
  return xmalloc0 (sizeof (struct berth_table));
}

void
berth_table_add (struct berth_table *t, const char *row)
{
  char **cells = xmalloc0 (sizeof (char *));
  size_t n = 0;
  const char *s = row;

  for (;;)
    {
      const char *tab = strchr (s, '\t');
      cells = xrealloc (cells, (n + 2) * sizeof (char *));
      cells[n++] = tab != NULL ? xstrndup (s, (size_t)(tab - s)) : xstrdup (s);
      cells[n] = NULL;
      if (tab == NULL)
        break;
      s = tab + 1;
    }
  t->rows = xrealloc (t->rows, (t->n + 1) * sizeof (*t->rows));
  t->rows[t->n++] = cells;
}

/* display width: UTF-8 code points */
static size_t
width_of (const char *s)
{
  size_t w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80)
      w++;
  return w;
}

void
berth_table_print (struct berth_table *t, FILE *out)
{
  size_t cols = 0;
  size_t *widths;

  for (size_t r = 0; r < t->n; r++)
    {
      size_t n = 0;
      while (t->rows[r][n] != NULL)
        n++;
      if (n > cols)
        cols = n;
    }
  widths = xmalloc0 ((cols + 1) * sizeof (size_t));
  /* a cell counts for its column only when a tab ends it (not the last) */
  for (size_t r = 0; r < t->n; r++)
    for (size_t c = 0; t->rows[r][c] != NULL && t->rows[r][c + 1] != NULL; c++)
      {
        size_t w = width_of (t->rows[r][c]) + TABLE_PADDING;
        if (w < TABLE_MIN_WIDTH)
          w = TABLE_MIN_WIDTH;
        if (w > widths[c])
          widths[c] = w;
      }
  for (size_t r = 0; r < t->n; r++)
    {
      for (size_t c = 0; t->rows[r][c] != NULL; c++)
        {
          fputs (t->rows[r][c], out);
          if (t->rows[r][c + 1] != NULL)
            for (size_t pad = width_of (t->rows[r][c]); pad < widths[c]; pad++)
              fputc (' ', out);
        }
      fputc ('\n', out);
    }
  free (widths);
}

void
berth_table_free (struct berth_table *t)
{
  if (t == NULL)
    return;
  for (size_t r = 0; r < t->n; r++)
    strv_free (t->rows[r]);
  free (t->rows);
  free (t);
}
