#include "config.h"

#include "core/runtime/cloned-binary.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

int
berth_running_from_sealed_copy (void)
{
  cleanup_close int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals;

  if (fd < 0)
    return 0;
  seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

int
berth_ensure_cloned_binary (char **argv, berth_error_t *err)
{
  cleanup_close int self = -1;
  cleanup_close int mfd = -1;
  struct stat st;
  off_t off = 0;

  if (berth_running_from_sealed_copy ())
    return 0;
  self = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self < 0 || fstat (self, &st) < 0)
    return berth_error_errno (err, errno, "open /proc/self/exe");
  mfd = memfd_create ("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return berth_error_errno (err, errno, "memfd_create");
  while (off < st.st_size)
    {
      ssize_t n = sendfile (mfd, self, NULL, (size_t) (st.st_size - off));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return berth_error_errno (err, n < 0 ? errno : EIO, "copy the runtime binary");
      off += n;
    }
  /* no write bit either: a container process without CAP_DAC_OVERRIDE
     cannot even open a grabbed copy for writing; the seals stop the rest */
  if (fchmod (mfd, 0555) < 0)
    return berth_error_errno (err, errno, "chmod the runtime copy");
  if (fcntl (mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0)
    return berth_error_errno (err, errno, "seal the runtime copy");
  fexecve (mfd, argv, environ);
  return berth_error_errno (err, errno, "exec the sealed runtime copy");
}
