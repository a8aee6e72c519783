/* Test tool: print the OCI linux.seccomp object for a Docker-format profile.
   Usage: seccomp-convert PROFILE [CAP_X...]   (this host's arch and kernel) */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>

#include "core/lib/error.h"
#include "core/lib/mem.h"
#include "core/seccomp-profile/seccomp-profile.h"

int
main (int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  json_object *out = NULL;

  if (argc < 2)
    {
      fprintf (stderr, "usage: seccomp-convert PROFILE [CAP_X...]\n");
      return 2;
    }
  /* argv is NULL-terminated, so argv + 2 is the caps vector */
  if (seccomp_default_to_oci (argv[1], (const char *const *)argv + 2, &out, &err) < 0)
    {
      fprintf (stderr, "seccomp-convert: %s\n", berth_error_msg (&err));
      return 1;
    }
  puts (json_object_to_json_string_ext (out, JSON_C_TO_STRING_PLAIN));
  json_object_put (out);
  return 0;
}
