#include "config.h"

#include "core/runtime/cgroup-v2-devices.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static unsigned int
access_mask (const char *access)
{
  unsigned int m = 0;

  if (strchr (access, 'm'))
    m |= BPF_DEVCG_ACC_MKNOD;
  if (strchr (access, 'r'))
    m |= BPF_DEVCG_ACC_READ;
  if (strchr (access, 'w'))
    m |= BPF_DEVCG_ACC_WRITE;
  return m;
}

/* the instructions of one rule, jumping over the rest of the block on mismatch */
static size_t
emit_rule (const struct berth_spec_device_rule *r, struct bpf_insn *out)
{
  struct bpf_insn tmp[8];
  size_t n = 0, i;
  unsigned int acc = access_mask (r->access);

  if (r->type != 'a')
    tmp[n++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0,
                     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if (acc != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE))
    {
      /* every requested access bit must be in the rule */
      tmp[n++] = INSN (BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_2, 0, 0);
      tmp[n++] = INSN (BPF_ALU | BPF_AND | BPF_K, BPF_REG_6, 0, 0, (int) ~acc);
      tmp[n++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_6, 0, 0, 0);
    }
  if (r->major >= 0)
    tmp[n++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int) r->major);
  if (r->minor >= 0)
    tmp[n++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int) r->minor);
  tmp[n++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
  tmp[n++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  for (i = 0; i < n; i++)
    {
      out[i] = tmp[i];
      /* BPF_AND and BPF_JNE share an opcode value: check the class too */
      if (BPF_CLASS (out[i].code) == BPF_JMP && BPF_OP (out[i].code) == BPF_JNE)
        out[i].off = (short) (n - 1 - i); /* to the first instruction after this block */
    }
  return n;
}

size_t
berth_devices_bpf_program (const struct berth_spec_device_rule *rules, size_t n, struct bpf_insn **out)
{
  struct bpf_insn *p = xmalloc ((n * 8 + 8) * sizeof (*p));
  size_t len = 0, i, first = 0;
  bool default_allow = true; /* as a new v1 cgroup below an unrestricted parent */

  /* a wildcard "a *:* rwm" rule resets everything before it */
  for (i = 0; i < n; i++)
    if (rules[i].type == 'a' && rules[i].major < 0 && rules[i].minor < 0 && strlen (rules[i].access) == 3)
      {
        default_allow = rules[i].allow;
        first = i + 1;
      }

  /* r1 = ctx: access_type (access << 16 | type), major, minor */
  p[len++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
  p[len++] = INSN (BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
  p[len++] = INSN (BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
  p[len++] = INSN (BPF_ALU | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
  p[len++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
  p[len++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
  /* the last matching rule wins, so test them from the end */
  for (i = n; i > first; i--)
    len += emit_rule (&rules[i - 1], p + len);
  p[len++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, default_allow ? 1 : 0);
  p[len++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  *out = p;
  return len;
}

int
berth_cgroup_v2_devices_apply (const char *dir, const struct berth_spec_device_rule *rules, size_t n,
                               berth_error_t *err)
{
  cleanup_free struct bpf_insn *insns = NULL;
  size_t len = berth_devices_bpf_program (rules, n, &insns);
  cleanup_close int prog = -1;
  cleanup_close int dirfd = -1;
  char log[4096] = "";
  union bpf_attr attr;

  memset (&attr, 0, sizeof (attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) len;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = sizeof (log);
  attr.log_level = 1;
  prog = (int) syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof (attr));
  if (prog < 0)
    {
      /* retry without a log: a too-small log buffer fails the load too */
      attr.log_buf = 0;
      attr.log_size = 0;
      attr.log_level = 0;
      prog = (int) syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof (attr));
      if (prog < 0)
        return berth_error_errno (err, errno, "load the device cgroup program%s%s", *log ? ": " : "", log);
    }
  dirfd = open (dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0)
    return berth_error_errno (err, errno, "open `%s`", dir);
  memset (&attr, 0, sizeof (attr));
  attr.target_fd = (uint32_t) dirfd;
  attr.attach_bpf_fd = (uint32_t) prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (syscall (SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof (attr)) < 0)
    return berth_error_errno (err, errno, "attach the device cgroup program to `%s`", dir);
  return 0;
}
