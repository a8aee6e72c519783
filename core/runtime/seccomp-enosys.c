/* Why: a filter only knows the syscalls of the libseccomp it was built
   with; anything newer meets the profile's default action, usually EPERM
   or a kill.  Programs probe new syscalls and fall back on ENOSYS, never
   on EPERM (glibc with clone3, faccessat2, ...), so, as runc does, a stub
   in front of libseccomp's program answers ENOSYS for numbers above the
   highest one libseccomp knows on the caller's ABI, as an older kernel
   would.  Known syscalls, and unlisted ABIs (libseccomp's bad-arch kill),
   go through libseccomp's program unchanged. */
#include "config.h"

#include "core/runtime/seccomp-enosys.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define X32_SYSCALL_BIT 0x40000000u
/* numbers scanned above an ABI's base for its highest known syscall */
#define SCAN_RANGE 1024
#define STUB_MAX 128

/* ABIs whose numbers are plain (base 0, or the x32 bit).  Left out, and so
   left to libseccomp's program: MIPS (bases 4000-6000) and 32-bit ARM
   (private calls at 0xf0000 would fall above the scan). */
static const struct enosys_abi
{
  uint32_t token;
  uint32_t audit;
  uint32_t base;
} abis[] = {
  { SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, 0 },
  { SCMP_ARCH_X32, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT },
  { SCMP_ARCH_X86, AUDIT_ARCH_I386, 0 },
  { SCMP_ARCH_AARCH64, AUDIT_ARCH_AARCH64, 0 },
  { SCMP_ARCH_PPC64LE, AUDIT_ARCH_PPC64LE, 0 },
  { SCMP_ARCH_PPC64, AUDIT_ARCH_PPC64, 0 },
  { SCMP_ARCH_PPC, AUDIT_ARCH_PPC, 0 },
  { SCMP_ARCH_S390X, AUDIT_ARCH_S390X, 0 },
  { SCMP_ARCH_S390, AUDIT_ARCH_S390, 0 },
#ifdef SCMP_ARCH_RISCV64
  { SCMP_ARCH_RISCV64, AUDIT_ARCH_RISCV64, 0 },
#endif
};
#define N_ABIS (sizeof (abis) / sizeof (abis[0]))

struct stub
{
  struct sock_filter insn[STUB_MAX];
  size_t n;
  size_t ja[STUB_MAX]; /* jumps to libseccomp's program, fixed up at the end */
  size_t n_ja;
};

/* highest number libseccomp resolves for ABI I, or -1; the table does not
   change within a process */
static int64_t
highest_known (size_t i)
{
  static int64_t cache[N_ABIS]; /* 0: not looked up; -1: none; else highest + 1 */
  uint32_t nr;

  if (cache[i] == 0)
    {
      cache[i] = -1;
      for (nr = abis[i].base + SCAN_RANGE; nr-- > abis[i].base;)
        {
          char *name = seccomp_syscall_resolve_num_arch (abis[i].token, (int) nr);
          if (name)
            {
              free (name);
              cache[i] = (int64_t) nr + 1;
              break;
            }
        }
    }
  return cache[i] < 0 ? -1 : cache[i] - 1;
}

static void
emit (struct stub *s, struct sock_filter insn)
{
  s->insn[s->n++] = insn;
}

static void
emit_to_program (struct stub *s)
{
  s->ja[s->n_ja++] = s->n;
  emit (s, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JA | BPF_K, 0, 0, 0));
}

/* nr (in A) above MAX: ENOSYS; anything else (or no MAX): the program */
static void
emit_limit (struct stub *s, int64_t max)
{
  if (max >= 0)
    {
      emit (s, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, (uint32_t) max, 0, 1));
      emit (s, (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
    }
  emit_to_program (s);
}

/* one block per audit arch, every conditional jump short and inside it:
     ld arch; jeq AUDIT ? next : skip the block; ld nr;
     [x86_64: jset X32_BIT ? x32 part : go on;]  limit; [x32 limit]
   LOW and HIGH: highest known number without / with the x32 bit (-1: none) */
static void
emit_block (struct stub *s, uint32_t audit, int64_t low, int64_t high)
{
  size_t jeq, jset = 0;
  bool split = audit == AUDIT_ARCH_X86_64;

  emit (s, (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)));
  jeq = s->n;
  emit (s, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, audit, 0, 0));
  emit (s, (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)));
  if (split)
    {
      jset = s->n;
      emit (s, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 0, 0));
    }
  emit_limit (s, low);
  if (split)
    {
      s->insn[jset].jt = (uint8_t) (s->n - jset - 1);
      emit_limit (s, high);
    }
  s->insn[jeq].jf = (uint8_t) (s->n - jeq - 1);
}

static bool
in_filter (scmp_filter_ctx ctx, size_t i)
{
  return seccomp_arch_exist (ctx, abis[i].token) == 0;
}

int
berth_seccomp_enosys_patch (scmp_filter_ctx ctx, struct sock_fprog *prog, berth_error_t *err)
{
  struct stub *s = xmalloc0 (sizeof (*s));
  struct sock_filter *out;
  size_t i, j, total;
  bool done[N_ABIS] = { false };

  for (i = 0; i < N_ABIS; i++)
    {
      int64_t low = -1, high = -1;

      if (done[i])
        continue;
      /* the ABIs sharing this audit arch (x86_64 and x32) form one block */
      for (j = i; j < N_ABIS; j++)
        if (abis[j].audit == abis[i].audit && in_filter (ctx, j))
          {
            done[j] = true;
            if (abis[j].base)
              high = highest_known (j);
            else
              low = highest_known (j);
          }
      if (low >= 0 || high >= 0)
        emit_block (s, abis[i].audit, low, high);
    }
  if (s->n == 0)
    {
      free (s);
      return 0;
    }
  for (i = 0; i < s->n_ja; i++)
    s->insn[s->ja[i]].k = (uint32_t) (s->n - s->ja[i] - 1);
  total = s->n + prog->len;
  if (total > BPF_MAXINSNS)
    {
      free (s);
      return berth_error_make (err, E2BIG, "seccomp: the filter has %zu instructions, more than the kernel's %d",
                               total, BPF_MAXINSNS);
    }
  out = xmalloc (total * sizeof (*out));
  memcpy (out, s->insn, s->n * sizeof (*out));
  memcpy (out + s->n, prog->filter, prog->len * sizeof (*out));
  free (prog->filter);
  prog->filter = out;
  prog->len = (unsigned short) total;
  free (s);
  return 0;
}
