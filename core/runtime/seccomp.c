#include "config.h"

#include "core/runtime/seccomp.h"
#include "core/runtime/seccomp-enosys.h"
#include "core/runtime/seccomp-internal.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>


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

/* libseccomp's program as a sock_filter array (through a memfd: 2.5 can
   only export to an fd) */
static int
export_bpf (scmp_filter_ctx ctx, struct sock_fprog *prog, berth_error_t *err)
{
  cleanup_close int fd = memfd_create ("berth-seccomp", MFD_CLOEXEC);
  struct stat st;
  ssize_t got;
  int ret;

  if (fd < 0)
    return berth_error_errno (err, errno, "seccomp: memfd_create");
  ret = seccomp_export_bpf (ctx, fd);
  if (ret < 0)
    return berth_error_errno (err, -ret, "seccomp: export the filter");
  if (fstat (fd, &st) < 0)
    return berth_error_errno (err, errno, "seccomp: stat the exported filter");
  if (st.st_size <= 0 || st.st_size % sizeof (struct sock_filter) != 0)
    return berth_error_make (err, EINVAL, "seccomp: libseccomp exported a filter of %lld bytes",
                             (long long) st.st_size);
  if (st.st_size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return berth_error_make (err, E2BIG, "seccomp: the filter has %lld instructions, more than the kernel's %d",
                             (long long) (st.st_size / sizeof (struct sock_filter)), BPF_MAXINSNS);
  prog->filter = xmalloc ((size_t) st.st_size);
  got = pread (fd, prog->filter, (size_t) st.st_size, 0);
  if (got != st.st_size)
    {
      free (prog->filter);
      prog->filter = NULL;
      return berth_error_errno (err, got < 0 ? errno : EIO, "seccomp: read the exported filter");
    }
  prog->len = (unsigned short) (st.st_size / sizeof (struct sock_filter));
  return 0;
}

static bool
attr_on (scmp_filter_ctx ctx, enum scmp_filter_attr attr)
{
  uint32_t v = 0;

  return seccomp_attr_get (ctx, attr, &v) == 0 && v != 0;
}

/* the program for CTX, with the ENOSYS stub unless the default lets every
   call through anyway */
static int
finish_filter (scmp_filter_ctx ctx, uint32_t default_action, struct berth_seccomp_filter **out, berth_error_t *err)
{
  struct berth_seccomp_filter *f = xmalloc0 (sizeof (*f));

  /* only when libseccomp accepted the attribute, as seccomp_load would */
  if (attr_on (ctx, SCMP_FLTATR_CTL_LOG))
    f->flags |= SECCOMP_FILTER_FLAG_LOG;
  if (attr_on (ctx, SCMP_FLTATR_CTL_SSB))
    f->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  if (export_bpf (ctx, &f->prog, err) < 0)
    goto fail;
  if (default_action != SCMP_ACT_ALLOW && default_action != SCMP_ACT_LOG
      && berth_seccomp_enosys_patch (ctx, &f->prog, err) < 0)
    goto fail;
  *out = f;
  return 0;
fail:
  free (f->prog.filter);
  free (f);
  return berth_error_ret (err);
}

int
berth_seccomp_prepare (const struct berth_spec_seccomp *sc, void **filter, berth_error_t *err)
{
  scmp_filter_ctx ctx = seccomp_init (sc->default_action);
  struct berth_seccomp_filter *f = NULL;
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
  if (finish_filter (ctx, sc->default_action, &f, err) < 0)
    goto fail;
  seccomp_release (ctx);
  *filter = f;
  return 0;
fail:
  seccomp_release (ctx);
  return berth_error_ret (err);
}

int
berth_seccomp_load (void *filter, berth_error_t *err)
{
  struct berth_seccomp_filter *f = filter;
  int ret = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &f->prog);
  int saved = errno;

  /* kernels before 3.17 have no seccomp(2); without flags prctl does it */
  if (ret < 0 && saved == ENOSYS && f->flags == 0)
    {
      ret = prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &f->prog);
      saved = errno;
    }
  berth_seccomp_release (f);
  if (ret < 0)
    return berth_error_errno (err, saved, "seccomp: load the filter");
  return 0;
}

void
berth_seccomp_release (void *filter)
{
  struct berth_seccomp_filter *f = filter;

  if (f == NULL)
    return;
  free (f->prog.filter);
  free (f);
}
