/* berthd's command line, applied on top of berth.yaml. */
#ifndef BERTH_DAEMON_OPTIONS_H
#define BERTH_DAEMON_OPTIONS_H

#include <stdbool.h>

struct berthd_options
{
  const char *config_path; /* NULL: the default file, which may be missing */
  const char *data_root;
  const char *exec_root;
  char **hosts; /* NULL-terminated, NULL when no -H was given */
  const char *storage_driver;
  const char *log_level;
  const char *pidfile;
  const char *tls;       /* "true"/"false" from --tls[=BOOL], or NULL */
  const char *tlsverify; /* "true"/"false" from --tlsverify[=BOOL], or NULL */
  const char *tlscacert; /* absolute paths, or NULL */
  const char *tlscert;
  const char *tlskey;
  bool validate;
};

/* Load the configuration, apply the options and run until SIGTERM/SIGINT
   (or, with validate, check everything and return).  Returns the exit status. */
int berthd_run (const struct berthd_options *opts);

#endif
