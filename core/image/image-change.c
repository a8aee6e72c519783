#include "config.h"

#include "core/image/image-change.h"
#include "core/lib/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
strv_push (char ***v, char *s)
{
  size_t n = image_strv_len (*v);
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = s;
  (*v)[n + 1] = NULL;
}

/* Words separated by blanks; "double" quotes (with \ escapes), 'single'
   quotes and \ outside quotes as the Dockerfile parser treats them. */
static int
split_words (const char *s, char ***ret, berth_error_t *err)
{
  cleanup_strv char **words = NULL;
  char *buf = xmalloc (strlen (s) + 1);
  size_t len = 0;
  bool in_word = false;
  char quote = 0;

  for (const char *p = s;; p++)
    {
      char c = *p;
      if (c == '\0')
        {
          if (quote != 0)
            {
              free (buf);
              return berth_error_make (err, EINVAL, "unterminated %s quote", quote == '"' ? "double" : "single");
            }
          break;
        }
      if (quote == 0 && isspace ((unsigned char)c))
        {
          if (in_word)
            {
              strv_push (&words, xstrndup (buf, len));
              len = 0;
              in_word = false;
            }
          continue;
        }
      in_word = true;
      if (quote == 0 && (c == '"' || c == '\''))
        quote = c;
      else if (quote != 0 && c == quote)
        quote = 0;
      else if (c == '\\' && quote != '\'' && p[1] != '\0')
        buf[len++] = *++p;
      else
        buf[len++] = c;
    }
  if (in_word)
    strv_push (&words, xstrndup (buf, len));
  free (buf);
  *ret = steal_pointer (&words);
  if (*ret == NULL)
    *ret = xmalloc0 (sizeof (char *));
  return 0;
}

/* ["a","b"] -> strv, or NULL (not JSON: shell form) */
static char **
json_form (const char *rest)
{
  json_object *o;
  char **v = NULL;

  if (rest[0] != '[')
    return NULL;
  o = json_tokener_parse (rest);
  if (o == NULL || !json_object_is_type (o, json_type_array))
    {
      if (o != NULL)
        json_object_put (o);
      return NULL;
    }
  v = xmalloc0 (sizeof (char *));
  for (size_t i = 0; i < json_object_array_length (o); i++)
    {
      json_object *e = json_object_array_get_idx (o, i);
      if (!json_object_is_type (e, json_type_string))
        {
          strv_free (v);
          json_object_put (o);
          return NULL;
        }
      strv_push (&v, xstrdup (json_object_get_string (e)));
    }
  json_object_put (o);
  return v;
}

static char **
command_form (const char *rest)
{
  char **v = json_form (rest);

  if (v != NULL)
    return v;
  v = xmalloc0 (sizeof (char *));
  strv_push (&v, xstrdup ("/bin/sh"));
  strv_push (&v, xstrdup ("-c"));
  strv_push (&v, xstrdup (rest));
  return v;
}

static void
set_env (struct image_run_config *rc, const char *key, const char *value)
{
  size_t klen = strlen (key);
  char *entry = xasprintf ("%s=%s", key, value);

  for (size_t i = 0; rc->env != NULL && rc->env[i] != NULL; i++)
    if (strncmp (rc->env[i], key, klen) == 0 && rc->env[i][klen] == '=')
      {
        free (rc->env[i]);
        rc->env[i] = entry;
        return;
      }
  strv_push (&rc->env, entry);
}

static void
set_label (struct image_run_config *rc, const char *key, const char *value)
{
  for (size_t i = 0; i < rc->n_labels; i++)
    if (strcmp (rc->labels[i].key, key) == 0)
      {
        free (rc->labels[i].value);
        rc->labels[i].value = xstrdup (value);
        return;
      }
  rc->labels = xrealloc (rc->labels, (rc->n_labels + 1) * sizeof (*rc->labels));
  rc->labels[rc->n_labels].key = xstrdup (key);
  rc->labels[rc->n_labels].value = xstrdup (value);
  rc->n_labels++;
}

static void
add_key (char ***set, const char *key)
{
  for (size_t i = 0; *set != NULL && (*set)[i] != NULL; i++)
    if (strcmp ((*set)[i], key) == 0)
      return;
  strv_push (set, xstrdup (key));
}

/* KEY=VALUE pairs (ENV, LABEL); ENV also takes the legacy "KEY VALUE..." */
static int
apply_pairs (struct image_run_config *rc, const char *what, const char *rest, bool env, berth_error_t *err)
{
  cleanup_strv char **words = NULL;
  const char *sp;

  if (rest[0] == '\0')
    return berth_error_make (err, EINVAL, "%s requires at least one argument", what);
  sp = rest + strcspn (rest, " \t");
  if (env && memchr (rest, '=', (size_t)(sp - rest)) == NULL)
    {
      cleanup_free char *key = xstrndup (rest, (size_t)(sp - rest));
      cleanup_strv char **value = NULL;
      while (isspace ((unsigned char)*sp))
        sp++;
      if (*sp == '\0')
        return berth_error_make (err, EINVAL, "ENV must have two arguments");
      if (split_words (sp, &value, err) < 0)
        return berth_error_wrap (err, "%s", what);
      {
        /* the legacy form keeps the rest of the line, words rejoined */
        cleanup_free char *joined = xstrdup ("");
        for (size_t i = 0; value[i] != NULL; i++)
          {
            char *next = xasprintf ("%s%s%s", joined, i > 0 ? " " : "", value[i]);
            free (joined);
            joined = next;
          }
        set_env (rc, key, joined);
      }
      return 0;
    }
  if (split_words (rest, &words, err) < 0)
    return berth_error_wrap (err, "%s", what);
  for (size_t i = 0; words[i] != NULL; i++)
    {
      char *eq = strchr (words[i], '=');
      if (eq == NULL || eq == words[i])
        return berth_error_make (err, EINVAL, "%s names can not be blank and need a value: `%s` (use KEY=VALUE)", what,
                                 words[i]);
      *eq = '\0';
      if (env)
        set_env (rc, words[i], eq + 1);
      else
        set_label (rc, words[i], eq + 1);
    }
  return 0;
}

static int
apply_expose (struct image_run_config *rc, const char *rest, berth_error_t *err)
{
  cleanup_strv char **words = NULL;

  if (split_words (rest, &words, err) < 0)
    return berth_error_wrap (err, "EXPOSE");
  if (words[0] == NULL)
    return berth_error_make (err, EINVAL, "EXPOSE requires at least one argument");
  for (size_t i = 0; words[i] != NULL; i++)
    {
      char *slash = strchr (words[i], '/');
      const char *proto = slash != NULL ? slash + 1 : "tcp";
      size_t digits = slash != NULL ? (size_t)(slash - words[i]) : strlen (words[i]);
      cleanup_free char *key = NULL;

      if (digits == 0 || strspn (words[i], "0123456789-") != digits)
        return berth_error_make (err, EINVAL, "EXPOSE: invalid port `%s`", words[i]);
      if (strcasecmp (proto, "tcp") != 0 && strcasecmp (proto, "udp") != 0 && strcasecmp (proto, "sctp") != 0)
        return berth_error_make (err, EINVAL, "EXPOSE: invalid protocol in `%s`", words[i]);
      key = xasprintf ("%.*s/%s", (int)digits, words[i], proto);
      for (char *p = key; *p; p++)
        *p = (char)tolower ((unsigned char)*p);
      add_key (&rc->exposed_ports, key);
    }
  return 0;
}

static int
apply_volume (struct image_run_config *rc, const char *rest, berth_error_t *err)
{
  cleanup_strv char **words = json_form (rest);

  if (words == NULL && split_words (rest, &words, err) < 0)
    return berth_error_wrap (err, "VOLUME");
  if (words[0] == NULL)
    return berth_error_make (err, EINVAL, "VOLUME requires at least one argument");
  for (size_t i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        return berth_error_make (err, EINVAL, "VOLUME specified can not be an empty string");
      add_key (&rc->volumes, words[i]);
    }
  return 0;
}

static int
apply_workdir (struct image_run_config *rc, const char *rest, berth_error_t *err)
{
  char *dir;

  if (rest[0] == '\0')
    return berth_error_make (err, EINVAL, "WORKDIR requires exactly one argument");
  if (rest[0] == '/')
    dir = xstrdup (rest);
  else
    {
      const char *base = rc->working_dir != NULL && rc->working_dir[0] != '\0' ? rc->working_dir : "/";
      size_t bl = strlen (base);
      dir = xasprintf ("%s%s%s", base, base[bl - 1] == '/' ? "" : "/", rest);
    }
  free (rc->working_dir);
  rc->working_dir = dir;
  return 0;
}

static void
set_string (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value);
}

int
image_change_apply (struct image_run_config *rc, struct image_change_state *st, const char *line, berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (line);
  char *kw = copy, *rest, *end;

  while (isspace ((unsigned char)*kw))
    kw++;
  rest = kw + strcspn (kw, " \t");
  if (*rest != '\0')
    *rest++ = '\0';
  while (isspace ((unsigned char)*rest))
    rest++;
  end = rest + strlen (rest);
  while (end > rest && isspace ((unsigned char)end[-1]))
    *--end = '\0';

  if (*kw == '\0')
    return berth_error_make (err, EINVAL, "empty change instruction");
  if (strcasecmp (kw, "CMD") == 0)
    {
      strv_free (rc->cmd);
      rc->cmd = command_form (rest);
      st->cmd_set = true;
      return 0;
    }
  if (strcasecmp (kw, "ENTRYPOINT") == 0)
    {
      strv_free (rc->entrypoint);
      rc->entrypoint = command_form (rest);
      if (!st->cmd_set)
        {
          strv_free (rc->cmd);
          rc->cmd = NULL;
        }
      return 0;
    }
  if (strcasecmp (kw, "ENV") == 0)
    return apply_pairs (rc, "ENV", rest, true, err);
  if (strcasecmp (kw, "LABEL") == 0)
    return apply_pairs (rc, "LABEL", rest, false, err);
  if (strcasecmp (kw, "EXPOSE") == 0)
    return apply_expose (rc, rest, err);
  if (strcasecmp (kw, "VOLUME") == 0)
    return apply_volume (rc, rest, err);
  if (strcasecmp (kw, "WORKDIR") == 0)
    return apply_workdir (rc, rest, err);
  if (strcasecmp (kw, "USER") == 0 || strcasecmp (kw, "STOPSIGNAL") == 0 || strcasecmp (kw, "ONBUILD") == 0)
    {
      if (*rest == '\0')
        return berth_error_make (err, EINVAL, "%s requires exactly one argument", kw);
      if (strcasecmp (kw, "USER") == 0)
        set_string (&rc->user, rest);
      else if (strcasecmp (kw, "STOPSIGNAL") == 0)
        set_string (&rc->stop_signal, rest);
      else
        strv_push (&rc->onbuild, xstrdup (rest));
      return 0;
    }
  return berth_error_make (err, EINVAL, "%s is not a valid change command", kw);
}
