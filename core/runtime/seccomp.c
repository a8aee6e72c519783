#include "config.h"

#include "core/runtime/seccomp.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

static int
add_arch (scmp_filter_ctx ctx, uint32_t arch, berth_error_t *err)
{
  int ret = seccomp_arch_add (ctx, arch);

  if (ret < 0 && ret != -EEXIST)
    return berth_error_errno (err, -ret, "seccomp: add architecture %u", arch);
  return 0;
}

/* exactly the listed ABIs (the native one is always in the context): a
   call through any other ABI meets libseccomp's bad-arch action, KILL, as
   runc does.  Docker's profile lists x86 and x32 on x86_64 (its archMap),
   so they get the same rules; adding them here unasked would let an i386
   or x32 caller past a profile that wants them killed. */
static int
add_arches (scmp_filter_ctx ctx, const struct berth_spec_seccomp *sc, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < sc->n_arches; i++)
    if (add_arch (ctx, sc->arches[i], err) < 0)
      return berth_error_ret (err);
  return 0;
}

static bool
index_repeats (const struct berth_spec_seccomp_rule *r)
{
  size_t i, j;

  for (i = 0; i < r->n_args; i++)
    for (j = i + 1; j < r->n_args; j++)
      if (r->args[i].index == r->args[j].index)
        return true;
  return false;
}

static struct scmp_arg_cmp
to_cmp (const struct berth_spec_seccomp_arg *a)
{
  struct scmp_arg_cmp c = { .arg = a->index, .op = (enum scmp_compare) a->op, .datum_a = a->value,
                            .datum_b = a->value_two };
  return c;
}

static int
add_rule (scmp_filter_ctx ctx, size_t idx, const struct berth_spec_seccomp_rule *r, const char *name, int nr,
          berth_error_t *err)
{
  struct scmp_arg_cmp cmps[6];
  size_t i;
  int ret;

  if (r->n_args > 6)
    return berth_error_make (err, EINVAL, "linux.seccomp.syscalls[%zu]: more than 6 argument conditions", idx);
  if (index_repeats (r))
    {
      /* libseccomp cannot test one argument twice in a rule: one rule per
         condition, which makes them alternatives, as runc does */
      for (i = 0; i < r->n_args; i++)
        {
          cmps[0] = to_cmp (&r->args[i]);
          ret = seccomp_rule_add_array (ctx, r->action, nr, 1, cmps);
          if (ret < 0)
            return berth_error_errno (err, -ret, "linux.seccomp.syscalls[%zu]: `%s`", idx, name);
        }
      return 0;
    }
  for (i = 0; i < r->n_args; i++)
    cmps[i] = to_cmp (&r->args[i]);
  ret = seccomp_rule_add_array (ctx, r->action, nr, (unsigned int) r->n_args, cmps);
  if (ret < 0)
    return berth_error_errno (err, -ret, "linux.seccomp.syscalls[%zu]: `%s`", idx, name);
  return 0;
}

int
berth_seccomp_prepare (const struct berth_spec_seccomp *sc, void **filter, berth_error_t *err)
{
  scmp_filter_ctx ctx = seccomp_init (sc->default_action);
  size_t i, k;

  if (ctx == NULL)
    return berth_error_make (err, EINVAL, "seccomp: cannot create a filter");
  /* we set no_new_privs ourselves, only when the spec asks */
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (sc->flag_log)
    seccomp_attr_set (ctx, SCMP_FLTATR_CTL_LOG, 1);
  if (sc->flag_spec_allow)
    seccomp_attr_set (ctx, SCMP_FLTATR_CTL_SSB, 1);
  if (add_arches (ctx, sc, err) < 0)
    goto fail;
  for (i = 0; i < sc->n_rules; i++)
    {
      const struct berth_spec_seccomp_rule *r = &sc->rules[i];
      if (r->action == sc->default_action)
        continue; /* libseccomp refuses rules that repeat the default */
      for (k = 0; r->names[k]; k++)
        {
          int nr = seccomp_syscall_resolve_name (r->names[k]);
          if (nr == __NR_SCMP_ERROR)
            continue; /* unknown to this libseccomp: ignored, as runc does */
          if (add_rule (ctx, i, r, r->names[k], nr, err) < 0)
            goto fail;
        }
    }
  *filter = ctx;
  return 0;
fail:
  seccomp_release (ctx);
  return berth_error_ret (err);
}

int
berth_seccomp_load (void *filter, berth_error_t *err)
{
  int ret = seccomp_load (filter);

  seccomp_release (filter);
  if (ret < 0)
    return berth_error_errno (err, -ret, "seccomp: load the filter");
  return 0;
}
