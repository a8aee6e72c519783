/* berth-runtime: the runc-compatible command line over the runtime library. */
#ifndef BERTH_OCI_OCI_H
#define BERTH_OCI_OCI_H

#include <stdbool.h>

#include "core/lib/error.h"

struct oci_globals
{
  const char *root;
  const char *log_path;
  bool log_json;
  bool debug;
};

typedef int (*oci_command_fn) (struct oci_globals *g, int argc, char **argv, berth_error_t *err);

/* cmd-lifecycle.c */
int oci_cmd_create (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_run (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_start (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_kill (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_delete (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
/* cmd-query.c */
int oci_cmd_state (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_list (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_ps (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
/* cmd-spec.c */
int oci_cmd_spec (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_features (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
/* cmd-resources.c */
int oci_cmd_pause (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_resume (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
int oci_cmd_update (struct oci_globals *g, int argc, char **argv, berth_error_t *err);
/* cmd-exec.c */
int oci_cmd_exec (struct oci_globals *g, int argc, char **argv, berth_error_t *err);

/* A command's status when it succeeded but wants a specific exit code (run, exec). */
extern int oci_exit_status;

/* Require exactly `n` positional arguments after options. */
int oci_positional (int argc, char **argv, int optind_, int n, const char *usage, berth_error_t *err);
/* Make a path absolute against the current directory. */
char *oci_absolute (const char *path);

#endif
