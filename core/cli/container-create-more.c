/* run/create flags for limits, security and logging, parsed as the docker
   CLI does: --memory-swap, --ulimit, --security-opt (a seccomp profile file
   is read here and its compact JSON sent), --log-driver, --log-opt. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#define PROFILE_MAX (4u << 20)

static int
complain (const char *arg, const char *flag, const char *why)
{
  fprintf (stderr, "invalid argument \"%s\" for \"%s\" flag: %s\n", arg, flag, why);
  return 1;
}

static bool
parse_int64 (const char *s, int64_t *ret)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (s[0] == '\0' || *end != '\0' || errno != 0)
    return false;
  *ret = v;
  return true;
}

/* go-units ParseUlimit: name=soft[:hard] */
static int
parse_ulimit (struct berth_create_opts *o, const char *arg)
{
  static const char *const names[] = { "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
                                       "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",    NULL };
  const char *eq = strchr (arg, '=');
  cleanup_free char *name = NULL, *why = NULL;
  const char *colon;
  int64_t soft, hard;
  struct json_object *u;
  bool known = false;

  if (eq == NULL)
    {
      why = xasprintf ("invalid ulimit argument: %s", arg);
      return complain (arg, "--ulimit", why);
    }
  name = xstrndup (arg, (size_t)(eq - arg));
  for (size_t i = 0; names[i] != NULL; i++)
    known = known || strcmp (names[i], name) == 0;
  if (!known)
    {
      why = xasprintf ("invalid ulimit type: %s", name);
      return complain (arg, "--ulimit", why);
    }
  colon = strchr (eq + 1, ':');
  if (colon != NULL && strchr (colon + 1, ':') != NULL)
    {
      why = xasprintf ("too many limit value arguments - %s, can only have up to two, `soft[:hard]`", eq + 1);
      return complain (arg, "--ulimit", why);
    }
  {
    cleanup_free char *soft_s = colon != NULL ? xstrndup (eq + 1, (size_t)(colon - eq - 1)) : xstrdup (eq + 1);
    if (!parse_int64 (soft_s, &soft) || (colon != NULL && !parse_int64 (colon + 1, &hard)))
      {
        why = xasprintf ("strconv.ParseInt: parsing \"%s\": invalid syntax", eq + 1);
        return complain (arg, "--ulimit", why);
      }
  }
  if (colon == NULL)
    hard = soft;
  if (hard != -1 && soft > hard)
    {
      why = xasprintf ("ulimit soft limit must be less than or equal to hard limit: %lld > %lld", (long long)soft,
                       (long long)hard);
      return complain (arg, "--ulimit", why);
    }
  if (o->ulimits == NULL)
    o->ulimits = json_object_new_array ();
  /* a later --ulimit for the same name replaces the earlier */
  for (size_t i = 0; i < json_object_array_length (o->ulimits); i++)
    if (strcmp (berth_json_str (json_object_array_get_idx (o->ulimits, i), "Name"), name) == 0)
      {
        json_object_array_del_idx (o->ulimits, i, 1);
        break;
      }
  u = json_object_new_object ();
  json_object_object_add (u, "Name", json_object_new_string (name));
  json_object_object_add (u, "Hard", json_object_new_int64 (hard));
  json_object_object_add (u, "Soft", json_object_new_int64 (soft));
  json_object_array_add (o->ulimits, u);
  return 0;
}

/* the docker CLI's parseSecurityOpts */
static int
parse_security_opt (struct berth_create_opts *o, const char *arg)
{
  const char *sep = strchr (arg, '=');
  cleanup_free char *key = NULL, *why = NULL;
  const char *value;

  if (sep == NULL && strcmp (arg, "no-new-privileges") != 0)
    sep = strchr (arg, ':');
  if ((sep == NULL || sep[1] == '\0') && strcmp (arg, "no-new-privileges") != 0)
    {
      fprintf (stderr, "berth: Invalid --security-opt: \"%s\"\n", arg);
      return 1;
    }
  if (o->security_opt == NULL)
    o->security_opt = json_object_new_array ();
  key = sep != NULL ? xstrndup (arg, (size_t)(sep - arg)) : xstrdup (arg);
  value = sep != NULL ? sep + 1 : "";
  if (strcmp (key, "seccomp") == 0 && strcmp (value, "unconfined") != 0 && strcmp (value, "builtin") != 0)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *text = NULL, *opt = NULL;
      struct json_object *profile;
      size_t len;

      if (berth_read_file (value, PROFILE_MAX, &text, &len, &err) < 0)
        {
          fprintf (stderr, "berth: opening seccomp profile (%s) failed: %s\n", value, berth_error_msg (&err));
          return 1;
        }
      profile = json_tokener_parse (text);
      if (profile == NULL)
        {
          fprintf (stderr, "berth: compacting json for seccomp profile (%s) failed: not valid JSON\n", value);
          return 1;
        }
      opt = xasprintf ("seccomp=%s", json_object_to_json_string_ext (profile, JSON_C_TO_STRING_PLAIN
                                                                                  | JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (profile);
      json_object_array_add (o->security_opt, json_object_new_string (opt));
      return 0;
    }
  json_object_array_add (o->security_opt, json_object_new_string (arg));
  return 0;
}

int
berth_container_opt_more (struct berth_create_opts *o, int opt, const char *arg)
{
  const char *why = NULL;

  switch (opt)
    {
    case BERTH_OPT_MEMORY_SWAP:
      o->has_memory_swap = true;
      if (strcmp (arg, "-1") == 0)
        o->memory_swap = -1;
      else if (berth_parse_ram (arg, &o->memory_swap, &why) != 0)
        {
          cleanup_free char *msg = xasprintf ("%s: '%s'", why, arg);
          return complain (arg, "--memory-swap", msg);
        }
      return 0;
    case BERTH_OPT_ULIMIT:
      return parse_ulimit (o, arg);
    case BERTH_OPT_SECURITY_OPT:
      return parse_security_opt (o, arg);
    case BERTH_OPT_LOG_DRIVER:
      o->log_driver = arg;
      return 0;
    case BERTH_OPT_LOG_OPT:
      {
        const char *eq = strchr (arg, '=');
        cleanup_free char *key = eq != NULL ? xstrndup (arg, (size_t)(eq - arg)) : xstrdup (arg);
        if (key[0] == '\0')
          return complain (arg, "--log-opt", "invalid key value pair format");
        if (o->log_opts == NULL)
          o->log_opts = json_object_new_object ();
        json_object_object_add (o->log_opts, key, json_object_new_string (eq != NULL ? eq + 1 : ""));
        return 0;
      }
    }
  return 1;
}

void
berth_container_opts_more_body (const struct berth_create_opts *o, struct json_object *host)
{
  if (o->has_memory_swap)
    json_object_object_add (host, "MemorySwap", json_object_new_int64 (o->memory_swap));
  if (o->ulimits != NULL)
    json_object_object_add (host, "Ulimits", json_object_get (o->ulimits));
  if (o->security_opt != NULL)
    json_object_object_add (host, "SecurityOpt", json_object_get (o->security_opt));
  if (o->log_driver != NULL || o->log_opts != NULL)
    {
      struct json_object *lc = json_object_new_object ();
      json_object_object_add (lc, "Type", json_object_new_string (o->log_driver != NULL ? o->log_driver : ""));
      json_object_object_add (lc, "Config",
                              o->log_opts != NULL ? json_object_get (o->log_opts) : json_object_new_object ());
      json_object_object_add (host, "LogConfig", lc);
    }
}

void
berth_container_opts_more_free (struct berth_create_opts *o)
{
  json_object_put (o->ulimits);
  json_object_put (o->security_opt);
  json_object_put (o->log_opts);
  o->ulimits = o->security_opt = o->log_opts = NULL;
}
