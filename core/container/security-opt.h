/* HostConfig.SecurityOpt and HostConfig.Ulimits as berth honours them.

   SecurityOpt entries (moby's parseSecurityOpt): "no-new-privileges"
   (or =true/false, :true/false), "seccomp=unconfined", "seccomp=builtin",
   "seccomp=<profile JSON>" (the docker CLI sends the file's contents),
   "label=disable" and "apparmor=unconfined" (accepted: this host runs no
   LSM, so they change nothing).  Any other label/apparmor value, and any
   other option, is refused: berth cannot apply it.

   Ulimits: [{"Name","Soft","Hard"}] -> process.rlimits.  A hard limit above
   berthd's own cannot be raised without CAP_SYS_RESOURCE (nor RLIMIT_NOFILE
   above fs.nr_open): refused at create, with the limit named. */
#ifndef BERTH_CONTAINER_SECURITY_OPT_H
#define BERTH_CONTAINER_SECURITY_OPT_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct security_opts
{
  bool no_new_privileges;
  bool seccomp_unconfined;
  const char *seccomp_profile; /* JSON text (borrowed from the array); NULL = the builtin profile */
};

/* security_opt: the SecurityOpt array (NULL or null: none).  EINVAL naming
   the entry. */
int security_opts_parse (json_object *security_opt, struct security_opts *ret, berth_error_t *err);
/* EINVAL for a malformed Ulimits array, an unknown name, soft > hard, or a
   hard limit this daemon cannot grant. */
int ulimits_check (json_object *ulimits, berth_error_t *err);
/* process.rlimits for the OCI spec (NULL when there are none). */
json_object *ulimits_to_oci (json_object *ulimits);

#endif
