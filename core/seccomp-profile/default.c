#include "config.h"

#include "core/seccomp-profile/seccomp-profile.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

/* Docker's default profile is ~20 KiB; anything near this is not a profile. */
#define MAX_PROFILE_SIZE (4 * 1024 * 1024)

int
seccomp_profile_read (const char *path, char **ret, size_t *ret_len, berth_error_t *err)
{
  if (path == NULL)
    path = SECCOMP_PROFILE_DEFAULT_PATH;
  if (berth_read_file (path, MAX_PROFILE_SIZE, ret, ret_len, err) < 0)
    return berth_error_wrap (err, "seccomp profile");
  return 0;
}

int
seccomp_default_to_oci (const char *path, const char *const *caps, json_object **ret, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;

  if (path == NULL)
    path = SECCOMP_PROFILE_DEFAULT_PATH;
  if (seccomp_profile_read (path, &text, &len, err) < 0)
    return berth_error_ret (err);
  if (seccomp_profile_to_oci (text, len, caps, NULL, ret, err) < 0)
    return berth_error_wrap (err, "%s", path);
  return 0;
}

int
seccomp_builtin_to_oci (const char *const *caps, json_object **ret, berth_error_t *err)
{
  if (seccomp_profile_to_oci (seccomp_builtin_profile, seccomp_builtin_profile_len, caps, NULL, ret, err) < 0)
    return berth_error_wrap (err, "builtin seccomp profile");
  return 0;
}
