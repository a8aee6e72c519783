#include "config.h"

#include "core/runtime/seccomp-file.h"
#include "core/runtime/spec-internal.h"
#include "core/lib/mem.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

/* EPERM, as runc and crun use when errnoRet is not given */
#define DEFAULT_ERRNO 1

static int
parse_action (const char *name, bool has_errno, uint32_t errno_ret, uint32_t *out)
{
  if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO (has_errno ? errno_ret : DEFAULT_ERRNO);
  else if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE (has_errno ? errno_ret : DEFAULT_ERRNO);
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else
    return -1;
  return 0;
}

static int
parse_arch (const char *name, uint32_t *out)
{
  char buf[64];
  size_t i;
  uint32_t token;

  if (strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof (buf))
    return -1;
  for (i = 0; name[10 + i]; i++)
    buf[i] = (char) tolower ((unsigned char) name[10 + i]);
  buf[i] = '\0';
  token = seccomp_arch_resolve_name (buf);
  if (token == 0)
    return -1;
  *out = token;
  return 0;
}

static const struct
{
  const char *name;
  enum scmp_compare op;
} op_table[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int
parse_args (json_object *e, const char *w, struct berth_spec_seccomp_rule *rule, berth_error_t *err)
{
  json_object *arr;
  size_t n, i, k;

  if (sj_array (e, w, "args", &arr, &n, err) < 0)
    return berth_error_ret (err);
  rule->args = xmalloc0 ((n + 1) * sizeof (*rule->args));
  for (i = 0; i < n; i++)
    {
      json_object *a = json_object_array_get_idx (arr, i);
      cleanup_free char *aw = xasprintf ("%s.args[%zu]", w, i);
      cleanup_free char *op = NULL;
      struct berth_spec_seccomp_arg *arg = &rule->args[i];
      uint32_t index;

      rule->n_args++;
      if (sj_expect_object (a, aw, err) < 0
          || sj_required (sj_uint32 (a, aw, "index", &index, err), aw, "index", err) < 0
          || sj_required (sj_uint64 (a, aw, "value", &arg->value, err), aw, "value", err) < 0
          || sj_uint64 (a, aw, "valueTwo", &arg->value_two, err) < 0
          || sj_required (sj_string (a, aw, "op", &op, err), aw, "op", err) < 0)
        return berth_error_ret (err);
      if (index > 5)
        return berth_error_make (err, EINVAL, "%s.index: %u is not a syscall argument (0..5)", aw, index);
      arg->index = index;
      arg->op = -1;
      for (k = 0; k < sizeof (op_table) / sizeof (op_table[0]); k++)
        if (strcmp (op, op_table[k].name) == 0)
          arg->op = op_table[k].op;
      if (arg->op < 0)
        return berth_error_make (err, EINVAL, "%s.op: unknown operator `%s`", aw, op);
    }
  return 0;
}

static int
parse_rules (json_object *s, struct berth_spec_seccomp *sc, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (s, "linux.seccomp", "syscalls", &arr, &n, err) < 0)
    return berth_error_ret (err);
  sc->rules = xmalloc0 ((n + 1) * sizeof (*sc->rules));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("linux.seccomp.syscalls[%zu]", i);
      cleanup_free char *action = NULL;
      struct berth_spec_seccomp_rule *rule = &sc->rules[i];
      uint32_t errno_ret = 0;
      int has_errno;

      sc->n_rules++;
      if (sj_expect_object (e, w, err) < 0 || sj_strv (e, w, "names", &rule->names, err) < 0
          || sj_required (sj_string (e, w, "action", &action, err), w, "action", err) < 0)
        return berth_error_ret (err);
      if (rule->names[0] == NULL)
        return berth_error_make (err, EINVAL, "%s.names: must name at least one syscall", w);
      has_errno = sj_uint32 (e, w, "errnoRet", &errno_ret, err);
      if (has_errno < 0)
        return has_errno;
      if (errno_ret > 4095)
        return berth_error_make (err, ERANGE, "%s.errnoRet: %u is not an errno value", w, errno_ret);
      if (parse_action (action, has_errno > 0, errno_ret, &rule->action) < 0)
        return berth_error_make (err, EINVAL, "%s.action: unknown action `%s`", w, action);
      if (parse_args (e, w, rule, err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

int
spec_parse_seccomp (json_object *s, struct berth_spec_seccomp **out, berth_error_t *err)
{
  const char *w = "linux.seccomp";
  struct berth_spec_seccomp *sc = xmalloc0 (sizeof (*sc));
  cleanup_free char *def = NULL;
  cleanup_strv char **arches = NULL;
  cleanup_strv char **flags = NULL;
  uint32_t def_errno = 0;
  int has_errno;
  size_t i;

  *out = sc;
  if (json_object_is_type (s, json_type_object))
    sc->json = berth_seccomp_json_text (s);
  if (sj_expect_object (s, w, err) < 0
      || sj_required (sj_string (s, w, "defaultAction", &def, err), w, "defaultAction", err) < 0)
    return berth_error_ret (err);
  has_errno = sj_uint32 (s, w, "defaultErrnoRet", &def_errno, err);
  if (has_errno < 0)
    return has_errno;
  if (def_errno > 4095)
    return berth_error_make (err, ERANGE, "%s.defaultErrnoRet: %u is not an errno value", w, def_errno);
  if (parse_action (def, has_errno > 0, def_errno, &sc->default_action) < 0)
    return berth_error_make (err, EINVAL, "%s.defaultAction: unknown action `%s`", w, def);
  if (sj_strv (s, w, "architectures", &arches, err) < 0 || sj_strv (s, w, "flags", &flags, err) < 0)
    return berth_error_ret (err);
  for (i = 0; arches[i]; i++)
    ;
  sc->arches = xmalloc0 ((i + 1) * sizeof (uint32_t));
  for (i = 0; arches[i]; i++)
    {
      if (parse_arch (arches[i], &sc->arches[i]) < 0)
        return berth_error_make (err, EINVAL, "%s.architectures[%zu]: unknown architecture `%s`", w, i, arches[i]);
      sc->n_arches++;
    }
  for (i = 0; flags[i]; i++)
    {
      if (strcmp (flags[i], "SECCOMP_FILTER_FLAG_LOG") == 0)
        sc->flag_log = true;
      else if (strcmp (flags[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        sc->flag_spec_allow = true;
      else if (strcmp (flags[i], "SECCOMP_FILTER_FLAG_TSYNC") != 0)
        return berth_error_make (err, EINVAL, "%s.flags[%zu]: unsupported flag `%s`", w, i, flags[i]);
    }
  if (sj_get (s, "listenerPath"))
    return berth_error_make (err, ENOTSUP, "%s.listenerPath: seccomp notification is not supported", w);
  return parse_rules (s, sc, err);
}

void
spec_seccomp_free (struct berth_spec_seccomp *sc)
{
  size_t i;

  if (sc == NULL)
    return;
  for (i = 0; i < sc->n_rules; i++)
    {
      strv_free (sc->rules[i].names);
      free (sc->rules[i].args);
    }
  free (sc->rules);
  free (sc->arches);
  free (sc->json);
  free (sc);
}
