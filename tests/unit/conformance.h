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

/* Checked-fixture functions for the kind under test. */
void conformance_setup (void);
void conformance_teardown (void);

/* Run `s` against the plugin named on the command line; exits 77 when the
   plugin is not of `kind` (nothing to test), 1 on failures. */
int conformance_main (int argc, char **argv, uint32_t kind, Suite *(*make_suite) (void));

#endif
