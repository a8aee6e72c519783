#include "config.h"

#include "core/seccomp-profile/arch.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/utsname.h>

/* Every architecture libseccomp (or the OCI spec) names. */
static const char *const tokens[] = {
  "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_MIPS",        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
  "SCMP_ARCH_S390X",       "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",        "SCMP_ARCH_SH",     "SCMP_ARCH_SHEB",
};

/* Go's GOARCH values, plus "x86" and "x32", which Docker's profile lists
   for the 32-bit x86 ABIs. */
static const char *const go_names[] = {
  "386",         "amd64", "arm",   "arm64",   "loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32",
  "mips64p32le", "ppc",   "ppc64", "ppc64le", "riscv64", "s390", "s390x",  "x86",    "x32",
};

static const struct
{
  const char *machine; /* uname -m */
  const char *go_name;
  const char *token;
} natives[] = {
  { "x86_64", "amd64", "SCMP_ARCH_X86_64" },
  { "i386", "386", "SCMP_ARCH_X86" },
  { "i686", "386", "SCMP_ARCH_X86" },
  { "aarch64", "arm64", "SCMP_ARCH_AARCH64" },
  { "armv7l", "arm", "SCMP_ARCH_ARM" },
  { "armv6l", "arm", "SCMP_ARCH_ARM" },
  { "ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE" },
  { "ppc64", "ppc64", "SCMP_ARCH_PPC64" },
  { "s390x", "s390x", "SCMP_ARCH_S390X" },
  { "riscv64", "riscv64", "SCMP_ARCH_RISCV64" },
  { "mips64", "mips64", "SCMP_ARCH_MIPS64" },
  { "mips64el", "mips64le", "SCMP_ARCH_MIPSEL64" },
  { "mips", "mips", "SCMP_ARCH_MIPS" },
  { "mipsel", "mipsle", "SCMP_ARCH_MIPSEL" },
  { "loongarch64", "loong64", "SCMP_ARCH_LOONGARCH64" },
};

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

const char *
seccomp_arch_token (const char *name)
{
  size_t i;

  for (i = 0; i < N_ELEMENTS (tokens); i++)
    if (strcmp (tokens[i], name) == 0)
      return tokens[i];
  return NULL;
}

const char *
seccomp_arch_go_name (const char *name)
{
  size_t i;

  for (i = 0; i < N_ELEMENTS (go_names); i++)
    if (strcmp (go_names[i], name) == 0)
      return go_names[i];
  return NULL;
}

int
seccomp_native_arch_resolve (const char *name, struct seccomp_native_arch *ret, berth_error_t *err)
{
  struct utsname u;
  size_t i;

  if (name == NULL)
    {
      if (uname (&u) < 0)
        return berth_error_errno (err, errno, "uname");
      name = u.machine;
    }
  for (i = 0; i < N_ELEMENTS (natives); i++)
    if (strcmp (natives[i].machine, name) == 0 || strcmp (natives[i].go_name, name) == 0
        || strcmp (natives[i].token, name) == 0)
      {
        ret->token = natives[i].token;
        ret->go_name = natives[i].go_name;
        return 0;
      }
  return berth_error_make (err, EINVAL, "seccomp: unsupported architecture `%s`", name);
}
