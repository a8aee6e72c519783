/* Dockerfile variable substitution (see expand.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/build/expand.h"
#include "core/lib/mem.h"

/* Recursion bound for ${a:-${b:-${c...}}}: hostile input must not exhaust
   the stack. */
#define MAX_DEPTH 64

struct buf
{
  char *s;
  size_t n, cap;
};

static void
buf_add (struct buf *b, char c)
{
  if (b->n + 2 > b->cap)
    {
      b->cap = b->cap * 2 + 32;
      b->s = xrealloc (b->s, b->cap);
    }
  b->s[b->n++] = c;
  b->s[b->n] = '\0';
}

static char *
buf_take (struct buf *b)
{
  if (b->s == NULL)
    return xstrdup ("");
  b->n = b->cap = 0;
  return steal_pointer (&b->s);
}

/* Where the lexer's output goes: one word, or a list split at blanks. */
struct sink
{
  bool split;
  struct buf cur;
  bool in_word;
  char **v;
  size_t n, cap;
};

static void
sink_end_word (struct sink *k)
{
  if (!k->in_word)
    return;
  if (k->n + 2 > k->cap)
    {
      k->cap = k->cap * 2 + 8;
      k->v = xrealloc (k->v, k->cap * sizeof (char *));
    }
  k->v[k->n++] = buf_take (&k->cur);
  k->v[k->n] = NULL;
  k->in_word = false;
}

/* a character; unquoted blanks separate words when splitting */
static void
sink_char (struct sink *k, char c, bool quoted)
{
  if (k->split && !quoted && isspace ((unsigned char)c))
    {
      sink_end_word (k);
      return;
    }
  k->in_word = true;
  buf_add (&k->cur, c);
}

static void
sink_str (struct sink *k, const char *s, bool quoted)
{
  if (quoted)
    k->in_word = true; /* "" is an empty word */
  for (; *s != '\0'; s++)
    sink_char (k, *s, quoted);
}

static void
sink_clear (struct sink *k)
{
  free (k->cur.s);
  if (k->v != NULL)
    {
      for (size_t i = 0; i < k->n; i++)
        free (k->v[i]);
      free (k->v);
    }
  memset (k, 0, sizeof (*k));
}

struct lexer
{
  const struct build_lex *lx;
  const char *s;
  size_t i;
  bool raw; /* heredoc bodies */
  int depth;
};

static int run (struct lexer *L, char stop, struct sink *out, berth_error_t *err);

static const char *
lookup (struct lexer *L, const char *name)
{
  return L->lx->lookup != NULL ? L->lx->lookup (L->lx->ud, name) : NULL;
}

static bool
name_char (char c)
{
  return isalnum ((unsigned char)c) || c == '_';
}

/* After '$': the substitution's value into *ret (NULL: a literal '$'). */
static int
dollar (struct lexer *L, char **ret, berth_error_t *err)
{
  const char *s = L->s;
  size_t start;
  cleanup_free char *name = NULL;
  const char *val;

  *ret = NULL;
  if (s[L->i] != '{')
    {
      start = L->i;
      if (isdigit ((unsigned char)s[L->i]))
        L->i++;
      else
        while (name_char (s[L->i]))
          L->i++;
      if (L->i == start)
        return 0; /* "$" followed by no name stays "$" */
      name = xstrndup (s + start, L->i - start);
      val = lookup (L, name);
      *ret = xstrdup (val != NULL ? val : "");
      return 0;
    }
  L->i++;
  start = L->i;
  while (name_char (s[L->i]))
    L->i++;
  if (L->i == start)
    return berth_error_make (err, EINVAL, "bad substitution: expected a variable name after \"${\"");
  name = xstrndup (s + start, L->i - start);
  val = lookup (L, name);
  if (s[L->i] == '}')
    {
      L->i++;
      *ret = xstrdup (val != NULL ? val : "");
      return 0;
    }
  if (s[L->i] == '\0')
    return berth_error_make (err, EINVAL, "bad substitution: missing '}' after \"${%s\"", name);
  {
    bool colon = s[L->i] == ':';
    char mod;
    struct sink word = { 0 };
    bool set;
    char *w;

    if (colon)
      L->i++;
    mod = s[L->i];
    if (mod != '-' && mod != '+' && mod != '?')
      return berth_error_make (err, EINVAL, "unsupported modifier (%s%c) in substitution of %s", colon ? ":" : "",
                               mod != '\0' ? mod : ' ', name);
    L->i++;
    if (run (L, '}', &word, err) < 0)
      {
        sink_clear (&word);
        return berth_error_ret (err);
      }
    w = buf_take (&word.cur);
    sink_clear (&word);
    set = val != NULL && (!colon || val[0] != '\0');
    switch (mod)
      {
      case '-':
        *ret = set ? xstrdup (val) : steal_pointer (&w);
        break;
      case '+':
        *ret = set ? steal_pointer (&w) : xstrdup ("");
        break;
      default: /* '?' */
        if (!set)
          {
            int r = berth_error_make (err, EINVAL, "%s: %s", name, w[0] != '\0' ? w : "is not allowed to be unset");
            free (w);
            return r;
          }
        *ret = xstrdup (val);
        break;
      }
    free (w);
  }
  return 0;
}

/* Until stop ('\0': the end), or an error. */
static int
run (struct lexer *L, char stop, struct sink *out, berth_error_t *err)
{
  const char *s = L->s;
  char esc = L->lx->escape;

  if (++L->depth > MAX_DEPTH)
    return berth_error_make (err, EINVAL, "substitutions nested more than %d deep", MAX_DEPTH);
  for (;;)
    {
      char ch = s[L->i];
      if (ch == '\0')
        {
          if (stop != '\0')
            return berth_error_make (err, EINVAL, "bad substitution: missing '%c'", stop);
          break;
        }
      if (stop != '\0' && ch == stop)
        {
          L->i++;
          break;
        }
      if (ch == '$')
        {
          cleanup_free char *val = NULL;
          L->i++;
          if (dollar (L, &val, err) < 0)
            return berth_error_ret (err);
          if (val == NULL)
            sink_char (out, '$', false);
          else
            sink_str (out, val, false);
          continue;
        }
      if (L->raw)
        {
          if (ch == esc && s[L->i + 1] == '$')
            {
              sink_char (out, '$', true);
              L->i += 2;
              continue;
            }
          sink_char (out, ch, true);
          L->i++;
          continue;
        }
      if (ch == '\'')
        {
          L->i++;
          out->in_word = true;
          while (s[L->i] != '\'' && s[L->i] != '\0')
            sink_char (out, s[L->i++], true);
          if (s[L->i] == '\0')
            return berth_error_make (err, EINVAL, "unexpected end of statement while looking for matching single-quote");
          L->i++;
          continue;
        }
      if (ch == '"')
        {
          L->i++;
          out->in_word = true;
          for (;;)
            {
              char c = s[L->i];
              if (c == '\0')
                return berth_error_make (err, EINVAL,
                                         "unexpected end of statement while looking for matching double-quote");
              if (c == '"')
                {
                  L->i++;
                  break;
                }
              if (c == '$')
                {
                  cleanup_free char *val = NULL;
                  L->i++;
                  if (dollar (L, &val, err) < 0)
                    return berth_error_ret (err);
                  sink_str (out, val != NULL ? val : "$", true);
                  continue;
                }
              if (c == esc && (s[L->i + 1] == '"' || s[L->i + 1] == '$' || s[L->i + 1] == esc))
                L->i++;
              sink_char (out, s[L->i++], true);
            }
          continue;
        }
      if (ch == esc)
        {
          L->i++;
          if (s[L->i] == '\0')
            break; /* a trailing escape character is dropped */
          sink_char (out, s[L->i++], true);
          continue;
        }
      sink_char (out, ch, false);
      L->i++;
    }
  L->depth--;
  return 0;
}

static int
expand (const struct build_lex *lx, const char *s, bool split, bool raw, struct sink *out, berth_error_t *err)
{
  struct lexer L = { .lx = lx, .s = s, .raw = raw };

  out->split = split;
  if (run (&L, '\0', out, err) < 0)
    {
      sink_clear (out);
      return berth_error_ret (err);
    }
  return 0;
}

int
build_expand_word (const struct build_lex *lx, const char *s, char **ret, berth_error_t *err)
{
  struct sink out = { 0 };

  if (expand (lx, s, false, false, &out, err) < 0)
    return berth_error_ret (err);
  *ret = buf_take (&out.cur);
  sink_clear (&out);
  return 0;
}

int
build_expand_raw (const struct build_lex *lx, const char *s, char **ret, berth_error_t *err)
{
  struct sink out = { 0 };

  if (expand (lx, s, false, true, &out, err) < 0)
    return berth_error_ret (err);
  *ret = buf_take (&out.cur);
  sink_clear (&out);
  return 0;
}

int
build_expand_words (const struct build_lex *lx, const char *s, char ***ret, berth_error_t *err)
{
  struct sink out = { 0 };

  if (expand (lx, s, true, false, &out, err) < 0)
    return berth_error_ret (err);
  sink_end_word (&out);
  *ret = out.v != NULL ? steal_pointer (&out.v) : xmalloc0 (sizeof (char *));
  out.n = 0;
  sink_clear (&out);
  return 0;
}

int
build_split_words_raw (const char *s, char escape, char ***ret, berth_error_t *err)
{
  struct sink out = { .split = true };
  char quote = 0;

  for (size_t i = 0; s[i] != '\0'; i++)
    {
      char c = s[i];
      if (quote == 0 && isspace ((unsigned char)c))
        {
          sink_end_word (&out);
          continue;
        }
      if (c == escape && s[i + 1] != '\0' && quote != '\'')
        {
          sink_char (&out, c, true);
          sink_char (&out, s[++i], true);
          continue;
        }
      if (quote == 0 && (c == '"' || c == '\''))
        quote = c;
      else if (c == quote)
        quote = 0;
      sink_char (&out, c, true);
    }
  if (quote != 0)
    {
      sink_clear (&out);
      return berth_error_make (err, EINVAL, "unterminated %s quote", quote == '"' ? "double" : "single");
    }
  sink_end_word (&out);
  *ret = out.v != NULL ? steal_pointer (&out.v) : xmalloc0 (sizeof (char *));
  out.n = 0;
  sink_clear (&out);
  return 0;
}
