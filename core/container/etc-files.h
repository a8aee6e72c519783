/* /etc/hostname, /etc/hosts and /etc/resolv.conf of a container, written
   into its directory at create and bind-mounted at start (COMPAT §6.3). */
#ifndef BERTH_CONTAINER_ETC_FILES_H
#define BERTH_CONTAINER_ETC_FILES_H

#include "core/container/container.h"

/* network_mode: "host" copies the host's hosts file. */
int container_etc_files_write (const struct container *c, const char *network_mode, berth_error_t *err);
/* hosts for a container on networks: the defaults, --add-host lines and
   "ip\thostname" for each of ips (NULL-terminated, the first network's
   first), rewritten at every start (the addresses may change). */
int container_etc_hosts_write (const struct container *c, char *const *ips, berth_error_t *err);
/* network connect / disconnect of a running container: its "ip\thostname"
   line added / removed in place (the file is bind-mounted), every other
   line kept as it is (the container may have edited the file). */
int container_etc_hosts_add (const struct container *c, const char *ip, berth_error_t *err);
int container_etc_hosts_remove (const struct container *c, const char *ip, berth_error_t *err);
/* resolv.conf text from the host's, localhost nameservers dropped, 8.8.8.8
   and 8.8.4.4 when none remain (pure, for tests). */
char *container_resolv_conf (const char *host_text);

#endif
