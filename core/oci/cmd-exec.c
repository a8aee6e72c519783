/* exec */
#include "config.h"

#include "core/oci/oci.h"

#include <errno.h>

int
oci_cmd_exec (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  return berth_error_make (err, ENOSYS, "exec is not implemented yet");
}
