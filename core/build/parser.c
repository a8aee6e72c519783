/* Dockerfile text -> instructions (see parser.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/build/parser.h"
#include "core/lib/mem.h"

static const char *const known_cmds[] = {
  "add",     "arg",  "cmd",        "copy",  "entrypoint", "env",     "expose", "from",   "healthcheck",
  "label",   "maintainer", "onbuild", "run", "shell",      "stopsignal", "user", "volume", "workdir", NULL,
};

/* the physical lines of the text */
struct lines
{
  char **v;
  size_t n;
};

static void
lines_free (struct lines *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->v[i]);
  free (l->v);
}

static void
lines_split (const char *text, size_t len, struct lines *l)
{
  size_t cap = 0;

  l->v = NULL;
  l->n = 0;
  for (size_t start = 0; start < len;)
    {
      const char *nl = memchr (text + start, '\n', len - start);
      size_t end = nl != NULL ? (size_t)(nl - text) : len;
      size_t e = end;
      if (e > start && text[e - 1] == '\r')
        e--;
      if (l->n == cap)
        {
          cap = cap != 0 ? cap * 2 : 64;
          l->v = xrealloc (l->v, cap * sizeof (char *));
        }
      l->v[l->n++] = xstrndup (text + start, e - start);
      start = end + 1;
    }
}

static int
parse_error (berth_error_t *err, const char *file, unsigned line, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
static int
parse_error (berth_error_t *err, const char *file, unsigned line, const char *fmt, ...)
{
  cleanup_free char *what = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&what, fmt, ap) < 0)
    what = NULL;
  va_end (ap);
  return berth_error_make (err, EINVAL, "%s:%u: %s", file, line, what != NULL ? what : "parse error");
}

static bool
is_blank (const char *s)
{
  for (; *s != '\0'; s++)
    if (!isspace ((unsigned char)*s))
      return false;
  return true;
}

static bool
is_comment (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return *s == '#';
}

static char *
trim_dup (const char *s, size_t n)
{
  while (n > 0 && isspace ((unsigned char)*s))
    s++, n--;
  while (n > 0 && isspace ((unsigned char)s[n - 1]))
    n--;
  return xstrndup (s, n);
}

/* "# name = value": 1 with the parts, 0 when the line is not one */
static int
directive_split (const char *line, char **ret_name, char **ret_value)
{
  const char *p = line, *name, *eq;
  size_t nlen = 0;

  if (*p != '#')
    return 0;
  p++;
  while (*p == ' ' || *p == '\t')
    p++;
  name = p;
  while (isalnum ((unsigned char)p[nlen]))
    nlen++;
  if (nlen == 0 || !isalpha ((unsigned char)name[0]))
    return 0;
  eq = name + nlen;
  while (*eq == ' ' || *eq == '\t')
    eq++;
  if (*eq != '=')
    return 0;
  *ret_name = xstrndup (name, nlen);
  for (size_t i = 0; (*ret_name)[i] != '\0'; i++)
    (*ret_name)[i] = (char)tolower ((unsigned char)(*ret_name)[i]);
  *ret_value = trim_dup (eq + 1, strlen (eq + 1));
  return 1;
}

/* The directives at the top; *ret_first is the first line after them. */
static int
parse_directives (const char *file, const struct lines *l, char *escape, size_t *ret_first, berth_error_t *err)
{
  bool seen_escape = false, seen_syntax = false, seen_check = false;
  size_t i;

  for (i = 0; i < l->n; i++)
    {
      cleanup_free char *name = NULL, *value = NULL;
      if (!directive_split (l->v[i], &name, &value))
        break;
      if (strcmp (name, "escape") == 0)
        {
          if (seen_escape)
            return parse_error (err, file, (unsigned)i + 1, "only one escape parser directive can be used");
          if (strcmp (value, "\\") != 0 && strcmp (value, "`") != 0)
            return parse_error (err, file, (unsigned)i + 1, "invalid escape token '%s' does not match ` or \\",
                                value);
          *escape = value[0];
          seen_escape = true;
        }
      else if (strcmp (name, "syntax") == 0 || strcmp (name, "check") == 0)
        {
          bool *seen = name[0] == 's' ? &seen_syntax : &seen_check;
          if (*seen)
            return parse_error (err, file, (unsigned)i + 1, "only one %s parser directive can be used", name);
          *seen = true; /* accepted; no frontend images here */
        }
      else
        break; /* an unknown directive is a comment, and ends the directives */
    }
  *ret_first = i;
  return 0;
}

/* line ends with the escape character and optional blanks: strip them */
static bool
strip_continuation (char *s, char escape)
{
  size_t n = strlen (s);

  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (n == 0 || s[n - 1] != escape)
    return false;
  s[n - 1] = '\0';
  return true;
}

void
build_instruction_clear (struct build_instruction *in)
{
  free (in->cmd);
  free (in->text);
  free (in->args);
  for (size_t i = 0; i < in->n_flags; i++)
    {
      free (in->flags[i].name);
      free (in->flags[i].value);
    }
  free (in->flags);
  strv_free (in->argv);
  for (size_t i = 0; i < in->n_heredocs; i++)
    {
      free (in->heredocs[i].name);
      free (in->heredocs[i].content);
    }
  free (in->heredocs);
  memset (in, 0, sizeof (*in));
}

void
build_dockerfile_free (struct build_dockerfile *df)
{
  if (df == NULL)
    return;
  for (size_t i = 0; i < df->n; i++)
    build_instruction_clear (&df->ins[i]);
  free (df->ins);
  free (df);
}

static bool
is_known (const char *cmd)
{
  for (size_t i = 0; known_cmds[i] != NULL; i++)
    if (strcmp (known_cmds[i], cmd) == 0)
      return true;
  return false;
}

/* One flag word starting at *p ("--name=value", quotes in the value
   removed); *p moves past it. */
static int
take_flag (const char *file, unsigned line, const char **p, struct build_flag *ret, berth_error_t *err)
{
  const char *s = *p + 2, *name = s;
  cleanup_free char *value = NULL;
  size_t vlen = 0, cap = 0;
  bool has_value = false;
  char quote = 0;

  while (*s != '\0' && *s != '=' && !isspace ((unsigned char)*s))
    s++;
  if (s == name)
    return parse_error (err, file, line, "expected a flag name after \"--\"");
  ret->name = xstrndup (name, (size_t)(s - name));
  if (*s == '=')
    {
      has_value = true;
      s++;
      value = xstrdup ("");
      for (; *s != '\0' && (quote != 0 || !isspace ((unsigned char)*s)); s++)
        {
          if (quote == 0 && (*s == '"' || *s == '\''))
            {
              quote = *s;
              continue;
            }
          if (quote != 0 && *s == quote)
            {
              quote = 0;
              continue;
            }
          if (vlen + 2 > cap)
            {
              cap = cap * 2 + 16;
              value = xrealloc (value, cap);
            }
          value[vlen++] = *s;
          value[vlen] = '\0';
        }
      if (quote != 0)
        {
          free (ret->name);
          ret->name = NULL;
          return parse_error (err, file, line, "unterminated quote in the flag value of --%s", name);
        }
    }
  ret->value = has_value ? steal_pointer (&value) : NULL;
  *p = s;
  return 0;
}

/* a JSON array of strings, strictly: the exec form */
static char **
parse_json_array (const char *s)
{
  json_tokener *tok = json_tokener_new ();
  json_object *o;
  size_t n, len = strlen (s);
  char **v;

  json_tokener_set_flags (tok, JSON_TOKENER_STRICT);
  o = json_tokener_parse_ex (tok, s, (int)len);
  if (o == NULL || json_tokener_get_error (tok) != json_tokener_success || !json_object_is_type (o, json_type_array))
    {
      json_object_put (o);
      json_tokener_free (tok);
      return NULL;
    }
  /* nothing but blanks may follow the array */
  for (size_t i = tok->char_offset; i < len; i++)
    if (!isspace ((unsigned char)s[i]))
      {
        json_object_put (o);
        json_tokener_free (tok);
        return NULL;
      }
  json_tokener_free (tok);
  n = json_object_array_length (o);
  v = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (o, i);
      if (!json_object_is_type (e, json_type_string))
        {
          strv_free (v);
          json_object_put (o);
          return NULL;
        }
      v[i] = xstrdup (json_object_get_string (e));
    }
  json_object_put (o);
  return v;
}

static size_t
strv_count (char *const *v)
{
  size_t n = 0;

  while (v != NULL && v[n] != NULL)
    n++;
  return n;
}

static size_t
count_words (const char *s)
{
  size_t n = 0;

  while (*s != '\0')
    {
      while (isspace ((unsigned char)*s))
        s++;
      if (*s == '\0')
        break;
      n++;
      while (*s != '\0' && !isspace ((unsigned char)*s))
        s++;
    }
  return n;
}

static const char *const no_flags[] = { NULL };
static const char *const from_flags[] = { "platform", NULL };
static const char *const copy_flags[] = { "from", "chown", "chmod", "link", NULL };
static const char *const add_flags[] = { "chown", "chmod", "link", "checksum", NULL };
static const char *const healthcheck_flags[] = { "interval", "timeout", "start-period", "start-interval", "retries",
                                                 NULL };

int
build_instruction_check_flags (const char *file, const struct build_instruction *in, const char *const *allowed,
                               berth_error_t *err)
{
  for (size_t i = 0; i < in->n_flags; i++)
    {
      bool ok = false;
      for (size_t j = 0; allowed[j] != NULL && !ok; j++)
        ok = strcmp (allowed[j], in->flags[i].name) == 0;
      if (!ok)
        return parse_error (err, file, in->line, "unknown flag --%s for %s%s", in->flags[i].name, in->cmd,
                            strcmp (in->cmd, "run") == 0 ? " (RUN takes no flags without BuildKit)" : "");
      for (size_t j = 0; j < i; j++)
        if (strcmp (in->flags[j].name, in->flags[i].name) == 0)
          return parse_error (err, file, in->line, "duplicate flag --%s", in->flags[i].name);
    }
  return 0;
}

const char *
build_instruction_flag (const struct build_instruction *in, const char *name, bool *ret_present)
{
  for (size_t i = 0; i < in->n_flags; i++)
    if (strcmp (in->flags[i].name, name) == 0)
      {
        if (ret_present != NULL)
          *ret_present = true;
        return in->flags[i].value;
      }
  if (ret_present != NULL)
    *ret_present = false;
  return NULL;
}

static void
upper (char *dst, const char *s, size_t size)
{
  size_t i;

  for (i = 0; s[i] != '\0' && i + 1 < size; i++)
    dst[i] = (char)toupper ((unsigned char)s[i]);
  dst[i] = '\0';
}

/* What each instruction needs to be well-formed, checked as Docker's
   parser does before anything runs. */
static int
check_instruction (const char *file, struct build_instruction *in, char escape, berth_error_t *err)
{
  const char *c = in->cmd;
  char up[32];
  size_t words = count_words (in->args);

  upper (up, c, sizeof (up));
  if (strcmp (c, "from") == 0)
    {
      if (build_instruction_check_flags (file, in, from_flags, err) < 0)
        return berth_error_ret (err);
      if (words != 1 && words != 3)
        return parse_error (err, file, in->line, "FROM requires either one or three arguments (FROM image [AS name])");
      if (words == 3)
        {
          const char *p = in->args + strcspn (in->args, " \t");
          p += strspn (p, " \t");
          if (strncasecmp (p, "as", 2) != 0 || !isspace ((unsigned char)p[2]))
            return parse_error (err, file, in->line, "FROM: expected \"AS\" as the second word, got \"%.*s\"",
                                (int)strcspn (p, " \t"), p);
        }
      return 0;
    }
  if (strcmp (c, "copy") == 0 || strcmp (c, "add") == 0)
    {
      if (build_instruction_check_flags (file, in, c[0] == 'c' ? copy_flags : add_flags, err) < 0)
        return berth_error_ret (err);
      if ((in->json ? strv_count (in->argv) : words) < 2 && in->n_heredocs == 0)
        return parse_error (err, file, in->line, "%s requires at least two arguments (%s SOURCE... DEST)", up, up);
      if (in->n_heredocs > 0 && words < 2)
        return parse_error (err, file, in->line, "%s requires a destination after the heredoc", up);
      return 0;
    }
  if (strcmp (c, "healthcheck") == 0)
    {
      if (build_instruction_check_flags (file, in, healthcheck_flags, err) < 0)
        return berth_error_ret (err);
      if (words == 0)
        return parse_error (err, file, in->line, "HEALTHCHECK requires NONE or CMD followed by a command");
      if (strncasecmp (in->args, "none", 4) == 0 && (in->args[4] == '\0' || isspace ((unsigned char)in->args[4])))
        {
          if (words != 1)
            return parse_error (err, file, in->line, "HEALTHCHECK NONE takes no arguments");
          if (in->n_flags > 0)
            return parse_error (err, file, in->line, "HEALTHCHECK NONE takes no options");
          return 0;
        }
      if (strncasecmp (in->args, "cmd", 3) != 0 || !isspace ((unsigned char)in->args[3]))
        return parse_error (err, file, in->line, "HEALTHCHECK: expected NONE or CMD, got \"%.*s\"",
                            (int)strcspn (in->args, " \t"), in->args);
      if (words < 2)
        return parse_error (err, file, in->line, "HEALTHCHECK CMD requires a command");
      return 0;
    }
  if (build_instruction_check_flags (file, in, no_flags, err) < 0)
    return berth_error_ret (err);
  if (words == 0 && !in->json && in->n_heredocs == 0)
    return parse_error (err, file, in->line, "%s requires at least one argument", up);
  if (strcmp (c, "shell") == 0 && (!in->json || in->argv[0] == NULL))
    return parse_error (err, file, in->line, "SHELL requires the arguments to be a non-empty JSON array of strings");
  if ((strcmp (c, "env") == 0 || strcmp (c, "label") == 0) && strchr (in->args, '=') == NULL && words < 2)
    return parse_error (err, file, in->line, "%s requires a name and a value (%s name=value ...)", up, up);
  if ((strcmp (c, "user") == 0 || strcmp (c, "stopsignal") == 0) && words > 1)
    return parse_error (err, file, in->line, "%s requires exactly one argument", up);
  if (strcmp (c, "onbuild") == 0)
    {
      struct build_instruction trig = { 0 };
      if (build_instruction_parse (file, in->line, in->args, escape, &trig, err) < 0)
        return berth_error_wrap (err, "ONBUILD trigger");
      if (strcmp (trig.cmd, "onbuild") == 0 || strcmp (trig.cmd, "from") == 0 || strcmp (trig.cmd, "maintainer") == 0)
        {
          upper (up, trig.cmd, sizeof (up));
          build_instruction_clear (&trig);
          return parse_error (err, file, in->line, "%s isn't allowed as an ONBUILD trigger", up);
        }
      build_instruction_clear (&trig);
    }
  return 0;
}

/* Keyword, flags, JSON form of an assembled line (heredocs come after). */
static int
split_instruction (const char *file, unsigned line, const char *text, struct build_instruction *in,
                   berth_error_t *err)
{
  const char *p = text, *kw;
  size_t cap = 0;

  memset (in, 0, sizeof (*in));
  in->line = line;
  while (isspace ((unsigned char)*p))
    p++;
  kw = p;
  while (*p != '\0' && !isspace ((unsigned char)*p))
    p++;
  in->cmd = xstrndup (kw, (size_t)(p - kw));
  for (char *c = in->cmd; *c != '\0'; c++)
    *c = (char)tolower ((unsigned char)*c);
  in->text = trim_dup (text, strlen (text));
  if (!is_known (in->cmd))
    {
      int r = parse_error (err, file, line,
                           "unknown instruction: %.*s (expected one of FROM, RUN, CMD, LABEL, MAINTAINER, EXPOSE, ENV, "
                           "ADD, COPY, ENTRYPOINT, VOLUME, USER, WORKDIR, ARG, ONBUILD, STOPSIGNAL, HEALTHCHECK, SHELL)",
                           (int)(p - kw > 64 ? 64 : p - kw), kw);
      build_instruction_clear (in);
      return r;
    }
  for (;;)
    {
      while (isspace ((unsigned char)*p))
        p++;
      if (p[0] != '-' || p[1] != '-')
        break;
      if (in->n_flags == cap)
        {
          cap = cap * 2 + 4;
          in->flags = xrealloc (in->flags, cap * sizeof (*in->flags));
        }
      memset (&in->flags[in->n_flags], 0, sizeof (in->flags[0]));
      if (take_flag (file, line, &p, &in->flags[in->n_flags], err) < 0)
        {
          build_instruction_clear (in);
          return berth_error_ret (err);
        }
      in->n_flags++;
    }
  in->args = trim_dup (p, strlen (p));
  if (in->args[0] == '[')
    {
      in->argv = parse_json_array (in->args);
      in->json = in->argv != NULL;
    }
  return 0;
}

int
build_instruction_parse (const char *name, unsigned line, const char *text, char escape,
                         struct build_instruction *ret, berth_error_t *err)
{
  if (is_blank (text))
    return parse_error (err, name, line, "expected an instruction");
  if (split_instruction (name, line, text, ret, err) < 0)
    return berth_error_ret (err);
  if (check_instruction (name, ret, escape, err) < 0)
    {
      build_instruction_clear (ret);
      return berth_error_ret (err);
    }
  return 0;
}

/* The heredoc words of a RUN/COPY/ADD line, in order: "<<WORD", "<<-WORD",
   "<<'WORD'", "<<\"WORD\"" outside quotes ("<<<" is a here-string). */
static int
find_heredocs (const char *file, struct build_instruction *in, char escape, berth_error_t *err)
{
  const char *s = in->args;
  char quote = 0;
  size_t cap = 0;

  for (size_t i = 0; s[i] != '\0'; i++)
    {
      char ch = s[i];
      if (quote != 0)
        {
          if (ch == escape && quote == '"' && s[i + 1] != '\0')
            i++;
          else if (ch == quote)
            quote = 0;
          continue;
        }
      if (ch == escape && s[i + 1] != '\0')
        {
          i++;
          continue;
        }
      if (ch == '\'' || ch == '"')
        {
          quote = ch;
          continue;
        }
      if (ch != '<' || s[i + 1] != '<' || s[i + 2] == '<' || (i > 0 && s[i - 1] == '<'))
        continue;
      /* a word start: beginning, or after a blank (shell: also after a
         command word, as in `cat<<EOF`) */
      {
        struct build_heredoc h = { 0 };
        size_t j = i + 2;
        char q = 0;
        cleanup_free char *word = NULL;
        size_t start;

        if (s[j] == '-')
          {
            h.chomp = true;
            j++;
          }
        if (s[j] == '"' || s[j] == '\'')
          q = s[j++];
        start = j;
        while (s[j] != '\0' && (q != 0 ? s[j] != q : !isspace ((unsigned char)s[j]) && s[j] != '<' && s[j] != '>'
                                                         && s[j] != ';' && s[j] != '|' && s[j] != '&' && s[j] != ')'))
          j++;
        word = xstrndup (s + start, j - start);
        if (q != 0)
          {
            if (s[j] != q)
              return parse_error (err, file, in->line, "unterminated quote in the heredoc name");
            j++;
          }
        if (word[0] == '\0')
          {
            if (q != 0)
              return parse_error (err, file, in->line, "empty heredoc name");
            continue; /* "<< " is not a heredoc */
          }
        h.name = steal_pointer (&word);
        h.expand = q == 0;
        if (in->n_heredocs == cap)
          {
            cap = cap * 2 + 2;
            in->heredocs = xrealloc (in->heredocs, cap * sizeof (*in->heredocs));
          }
        in->heredocs[in->n_heredocs++] = h;
        i = j - 1;
      }
    }
  return 0;
}

/* Read the bodies of in's heredocs from the lines after *pos. */
static int
read_heredocs (const char *file, struct build_instruction *in, const struct lines *l, size_t *pos, berth_error_t *err)
{
  for (size_t h = 0; h < in->n_heredocs; h++)
    {
      struct build_heredoc *hd = &in->heredocs[h];
      size_t len = 0, cap = 64;
      bool done = false;
      char *buf = xmalloc (cap);

      buf[0] = '\0';
      while (*pos < l->n)
        {
          const char *line = l->v[(*pos)++];
          size_t n;
          if (hd->chomp)
            while (*line == '\t')
              line++;
          if (strcmp (line, hd->name) == 0)
            {
              done = true;
              break;
            }
          n = strlen (line);
          if (len + n + 2 > cap)
            {
              while (len + n + 2 > cap)
                cap *= 2;
              buf = xrealloc (buf, cap);
            }
          memcpy (buf + len, line, n);
          len += n;
          buf[len++] = '\n';
          buf[len] = '\0';
        }
      hd->content = buf;
      if (!done)
        return parse_error (err, file, in->line, "unterminated heredoc: expected a line \"%s\" to end it", hd->name);
    }
  return 0;
}

int
build_dockerfile_parse (const char *name, const char *text, size_t len, struct build_dockerfile **ret,
                        berth_error_t *err)
{
  struct build_dockerfile *df;
  struct lines l;
  size_t pos = 0, cap = 0;
  char escape = '\\';
  int r = 0;

  if (len > BUILD_DOCKERFILE_MAX_SIZE)
    return berth_error_make (err, EINVAL, "%s: too large (%zu bytes, at most %u)", name, len,
                             BUILD_DOCKERFILE_MAX_SIZE);
  if (memchr (text, '\0', len) != NULL)
    return berth_error_make (err, EINVAL, "%s: not a text file (it holds NUL bytes)", name);
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    {
      text += 3;
      len -= 3;
    }
  lines_split (text, len, &l);
  if (parse_directives (name, &l, &escape, &pos, err) < 0)
    {
      lines_free (&l);
      return berth_error_ret (err);
    }
  df = xmalloc0 (sizeof (*df));
  df->escape = escape;
  while (r == 0 && pos < l.n)
    {
      cleanup_free char *logical = NULL;
      size_t llen = 0;
      unsigned first = 0;
      bool more = true;

      /* one logical line: continuations joined, comments and (inside a
         continuation) blank lines dropped */
      while (more && pos < l.n)
        {
          char *line = l.v[pos++];
          size_t n;
          if (is_comment (line) || is_blank (line))
            continue;
          if (first == 0)
            first = (unsigned)pos;
          more = strip_continuation (line, escape);
          n = strlen (line);
          logical = xrealloc (logical, llen + n + 1);
          memcpy (logical + llen, line, n + 1);
          llen += n;
        }
      if (logical == NULL || is_blank (logical))
        continue;
      if (df->n == cap)
        {
          cap = cap * 2 + 16;
          df->ins = xrealloc (df->ins, cap * sizeof (*df->ins));
        }
      {
        struct build_instruction *in = &df->ins[df->n];
        r = split_instruction (name, first, logical, in, err);
        if (r < 0)
          break;
        df->n++;
        if (!in->json && (strcmp (in->cmd, "run") == 0 || strcmp (in->cmd, "copy") == 0 || strcmp (in->cmd, "add") == 0))
          {
            r = find_heredocs (name, in, escape, err);
            if (r == 0)
              r = read_heredocs (name, in, &l, &pos, err);
          }
        if (r == 0)
          r = check_instruction (name, in, escape, err);
      }
    }
  lines_free (&l);
  if (r == 0 && df->n == 0)
    r = berth_error_make (err, EINVAL, "%s: the file is empty (expected at least a FROM instruction)", name);
  if (r < 0)
    {
      build_dockerfile_free (df);
      return r;
    }
  *ret = df;
  return 0;
}
