/* Syscalls unknown to the filter (tests/runtime/seccomp-enosys.sh).  Built
   with `cc -static` natively (x86_64, or with first argument `x32` the same
   calls with the x32 bit set) and with -m32 (every call through
   `int $0x80`).  The other arguments name the calls to make, in order:
   `nr1000` (no such syscall), `keyctl` (known, left out of the test
   profiles) and `getpid`.  Prints "ABI CALL RESULT" with RESULT the raw
   return value (-errno on failure), and "ABI done" at the end. */
#include <stdio.h>
#include <string.h>

#define X32_BIT 0x40000000L

struct call
{
  const char *name;
  long nr_64, nr_x32, nr_32;
};

static const struct call calls[] = {
  { "nr1000", 1000, 1000, 1000 },
  { "keyctl", 250, 250, 288 },
  { "getpid", 39, 39, 20 },
};

#ifdef __i386__
static long
raw (long nr)
{
  long ret;
  __asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(0), "c"(0), "d"(0), "S"(0), "D"(0) : "memory");
  return ret;
}
#else
static long
raw (long nr)
{
  long ret;
  register long r10 __asm__ ("r10") = 0;
  register long r8 __asm__ ("r8") = 0;
  register long r9 __asm__ ("r9") = 0;
  __asm__ volatile ("syscall"
                    : "=a"(ret)
                    : "a"(nr), "D"(0L), "S"(0L), "d"(0L), "r"(r10), "r"(r8), "r"(r9)
                    : "rcx", "r11", "memory");
  return ret;
}
#endif

int
main (int argc, char **argv)
{
  int x32 = argc > 1 && strcmp (argv[1], "x32") == 0;
  const char *abi;
  int a;
  size_t i;

  (void) x32;
#ifdef __i386__
  abi = "i386";
#define NR(c) ((c)->nr_32)
#else
  abi = x32 ? "x32" : "x86_64";
#define NR(c) (x32 ? ((c)->nr_x32 | X32_BIT) : (c)->nr_64)
#endif
  for (a = 2; a < argc; a++)
    for (i = 0; i < sizeof (calls) / sizeof (calls[0]); i++)
      if (strcmp (argv[a], calls[i].name) == 0)
        {
          long r = raw (NR (&calls[i]));
          printf ("%s %s %ld\n", abi, calls[i].name, r);
          fflush (stdout); /* at once: a kill on a later call must not swallow it */
        }
  printf ("%s done\n", abi);
  return 0;
}
