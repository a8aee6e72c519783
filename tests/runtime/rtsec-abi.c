/* Seccomp across ABIs (tests/runtime/sec-seccomp-abi.sh).  Built twice with
   `cc -static`: natively (x86_64, and with `x32` the same calls with the x32
   bit set) and with -m32 (every call through `int $0x80`).  Each call is made
   with zero arguments, harmless whether allowed or not; a result of
   -ENOMEDIUM (123) is the test profiles' errnoRet, so it means "denied by
   the filter".  Ends with a raw exit(0) of the same ABI. */
#include <stdio.h>
#include <string.h>

#define DENIED_ERRNO 123
#define X32_BIT 0x40000000L

struct call
{
  const char *name;
  long nr_64, nr_x32, nr_32;
};

static const struct call calls[] = {
  { "keyctl", 250, 250, 288 },     { "add_key", 248, 248, 286 },   { "request_key", 249, 249, 287 },
  { "unshare", 272, 272, 310 },    { "mount", 165, 165, 21 },      { "umount2", 166, 166, 52 },
  { "pivot_root", 155, 155, 217 }, { "setns", 308, 308, 346 },     { "bpf", 321, 321, 357 },
  { "kexec_load", 246, 528, 283 },
};
static const struct call getpid_call = { "getpid", 39, 39, 20 };

#ifdef __i386__
static long
raw (long nr)
{
  long ret;
  __asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(0), "c"(0), "d"(0), "S"(0), "D"(0) : "memory");
  return ret;
}
static void __attribute__ ((noreturn))
raw_exit (int code)
{
  __asm__ volatile ("int $0x80" : : "a"(1L), "b"((long) code) : "memory");
  __builtin_unreachable ();
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
/* returns only when the kernel refuses the call (x32 compiled out) */
static long
raw_exit (long nr, int code)
{
  long ret;
  __asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"((long) code) : "rcx", "r11", "memory");
  return ret;
}
#endif

int
main (int argc, char **argv)
{
  int x32 = argc > 1 && strcmp (argv[1], "x32") == 0;
  const char *abi;
  size_t i;
  long r;

  (void) x32;
#ifdef __i386__
  abi = "i386";
#define NR(c) ((c)->nr_32)
#else
  abi = x32 ? "x32" : "x86_64";
#define NR(c) (x32 ? ((c)->nr_x32 | X32_BIT) : (c)->nr_64)
#endif
  for (i = 0; i < sizeof (calls) / sizeof (calls[0]); i++)
    {
      r = raw (NR (&calls[i]));
      printf ("%s %s %s %ld\n", abi, calls[i].name, r == -DENIED_ERRNO ? "DENIED" : "PASSED", r);
    }
  r = raw (NR (&getpid_call));
  printf ("%s getpid %s %ld\n", abi, r > 0 ? "WORKS" : r == -38 ? "ENOSYS" : "FAILS", r);
  printf ("%s exiting\n", abi);
  fflush (stdout);
#ifdef __i386__
  raw_exit (0);
#else
  r = raw_exit (x32 ? (60 | X32_BIT) : 60, 0);
  printf ("%s exit failed %ld\n", abi, r);
  return 3;
#endif
}
