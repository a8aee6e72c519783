/* Harness shared by the driver conformance suites: load ONE plugin .so
 * (given as argv[1] or $BERTH_PLUGIN) through the real loader, with a fresh
 * data root per test, and hand the test its driver. */
#ifndef BERTH_CONFORMANCE_H
#define BERTH_CONFORMANCE_H

#include <check.h>
#include <stdint.h>

#include "core/plugin/registry.h"

struct conformance
{
  char *root; /* temp dir holding data/ and plugins/ */
  char *data_root;
  struct berth_config *cfg;
  struct berth_plugins *plugins;
  struct berth_driver *d;
};

extern struct conformance conf;

/* When set (before conformance_main), the data root is <root>/<subdir>/data:
   a suite can make every path long. */
extern const char *conformance_data_subdir;

/* Checked-fixture functions for the kind under test. */
void conformance_setup (void);
void conformance_teardown (void);

/* Shut every driver down and load the plugin again on the same data root,
   as a daemon restart does (nothing is unmounted first: a killed daemon). */
void conformance_reload (void);

/* Mount points at or below dir, from /proc/self/mountinfo. */
int conformance_count_mounts (const char *dir);

/* Run `s` against the plugin named on the command line; exits 77 when the
   plugin is not of `kind` (nothing to test), 1 on failures. */
int conformance_main (int argc, char **argv, uint32_t kind, Suite *(*make_suite) (void));

#endif
