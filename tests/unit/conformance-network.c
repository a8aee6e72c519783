/* Network driver conformance: the bookkeeping every network plugin must get
 * right (ids, duplicates, order of calls).  Drivers that configure
 * interfaces (bridge) need root and more; this is the common part.
 *   tests/unit/conformance-network path/to/network-NAME.so */
#include "config.h"

#include "tests/unit/conformance.h"

#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define OPS (conf.d->ops.network)
#define DRV (conf.d->drv)

static void
ok (int r, berth_error_t *err, const char *what)
{
  ck_assert_msg (r == 0, "%s: %s", what, berth_error_msg (err));
}

START_TEST (test_lifecycle)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_net_config nc = { .struct_size = sizeof (nc), .name = "n1" };
  struct berth_endpoint ep = { .struct_size = sizeof (ep) };
  struct berth_join_result jr = { .struct_size = sizeof (jr) };
  bool own_netns = conf.d->ops.life.caps & BERTH_NET_CAP_OWN_NETNS;
  int netns = own_netns ? open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC) : -1;

  ok (OPS.network_create (DRV, "net1", &nc, &err), &err, "network_create");
  ok (OPS.endpoint_create (DRV, "net1", "ep1", &ep, &err), &err, "endpoint_create");
  memset (jr.ifname, 'x', sizeof (jr.ifname) - 1);
  ok (OPS.join (DRV, "net1", "ep1", netns, &jr, &err), &err, "join");
  ck_assert_uint_eq (jr.struct_size, sizeof (jr));
  ok (OPS.leave (DRV, "net1", "ep1", &err), &err, "leave");
  ok (OPS.endpoint_delete (DRV, "net1", "ep1", &err), &err, "endpoint_delete");
  ok (OPS.network_delete (DRV, "net1", &err), &err, "network_delete");
  if (netns >= 0)
    close (netns);
}
END_TEST

START_TEST (test_errors)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_net_config nc = { .struct_size = sizeof (nc), .name = "n1" };
  struct berth_endpoint ep = { .struct_size = sizeof (ep) };
  struct berth_join_result jr = { .struct_size = sizeof (jr) };

#define FAILS(expr, code)                                                                                              \
  do                                                                                                                   \
    {                                                                                                                  \
      ck_assert_int_eq ((expr), (code));                                                                               \
      ck_assert_ptr_nonnull (err);                                                                                     \
      berth_error_release (&err);                                                                                      \
    }                                                                                                                  \
  while (0)

  FAILS (OPS.network_delete (DRV, "nope", &err), -ENOENT);
  FAILS (OPS.endpoint_create (DRV, "nope", "ep", &ep, &err), -ENOENT);
  ok (OPS.network_create (DRV, "net1", &nc, &err), &err, "network_create");
  FAILS (OPS.network_create (DRV, "net1", &nc, &err), -EEXIST);
  FAILS (OPS.join (DRV, "net1", "nope", -1, &jr, &err), -ENOENT);
  FAILS (OPS.leave (DRV, "net1", "nope", &err), -ENOENT);
  FAILS (OPS.endpoint_delete (DRV, "net1", "nope", &err), -ENOENT);
  ok (OPS.endpoint_create (DRV, "net1", "ep1", &ep, &err), &err, "endpoint_create");
  FAILS (OPS.endpoint_create (DRV, "net1", "ep1", &ep, &err), -EEXIST);
  FAILS (OPS.network_delete (DRV, "net1", &err), -EBUSY);
  ok (OPS.join (DRV, "net1", "ep1", -1, &jr, &err), &err, "join");
  FAILS (OPS.endpoint_delete (DRV, "net1", "ep1", &err), -EBUSY);
  ok (OPS.leave (DRV, "net1", "ep1", &err), &err, "leave");
  ok (OPS.endpoint_delete (DRV, "net1", "ep1", &err), &err, "endpoint_delete");
  ok (OPS.network_delete (DRV, "net1", &err), &err, "network_delete");
  /* left-over state is freed by shutdown (checked by valgrind) */
  ok (OPS.network_create (DRV, "net2", &nc, &err), &err, "network_create");
  ok (OPS.endpoint_create (DRV, "net2", "ep2", &ep, &err), &err, "endpoint_create");
#undef FAILS
}
END_TEST

static Suite *
network_suite (void)
{
  Suite *s = suite_create ("network conformance");
  TCase *tc = tcase_create ("network");

  tcase_add_checked_fixture (tc, conformance_setup, conformance_teardown);
  tcase_add_test (tc, test_lifecycle);
  tcase_add_test (tc, test_errors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  return conformance_main (argc, argv, BERTH_KIND_NETWORK, network_suite);
}
