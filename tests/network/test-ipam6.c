/* The IPv6 pool of a network (core/network/ipam6.c). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/mem.h"
#include "core/network/ipam6.h"

static struct in6_addr
a6 (const char *s)
{
  struct in6_addr a;
  ck_assert_int_eq (ipam6_parse_addr (s, &a, NULL), 0);
  return a;
}

static void
assert_text (const struct in6_addr *a, const char *want)
{
  cleanup_free char *t = ipam6_format (a);
  ck_assert_str_eq (t, want);
}

START_TEST (test_cidr6)
{
  cleanup_error berth_error_t err = NULL;
  struct in6_addr a, b;
  unsigned p;

  ck_assert_int_eq (ipam6_parse_cidr ("fd00:1::/64", true, &a, &p, &err), 0);
  ck_assert_uint_eq (p, 64);
  assert_text (&a, "fd00:1::");
  ck_assert_int_eq (ipam6_parse_cidr ("fd00:1::5/64", true, &a, &p, &err), -EINVAL);
  berth_error_release (&err);
  ck_assert_int_eq (ipam6_parse_cidr ("fd00:1::5/64", false, &a, &p, &err), 0);
  ipam6_mask (&a, p);
  assert_text (&a, "fd00:1::");
  ck_assert_int_eq (ipam6_parse_cidr ("10.0.0.0/8", false, &a, &p, &err), -EINVAL);
  berth_error_release (&err);
  ck_assert_int_eq (ipam6_parse_cidr ("fd00::/200", false, &a, &p, &err), -EINVAL);
  berth_error_release (&err);
  ck_assert_int_eq (ipam6_parse_cidr ("fd00::", false, &a, &p, &err), -EINVAL);
  berth_error_release (&err);
  /* odd prefixes mask inside a byte */
  ck_assert_int_eq (ipam6_parse_cidr ("fd00:ffff::/20", false, &a, &p, &err), 0);
  ipam6_mask (&a, p);
  assert_text (&a, "fd00:f000::");
  a = a6 ("fd00:1::");
  b = a6 ("fd00:1:0:0:8000::");
  ck_assert (ipam6_overlap (&a, 64, &b, 65));
  ck_assert (ipam6_contains (&a, 64, &b));
  b = a6 ("fd00:2::");
  ck_assert (!ipam6_overlap (&a, 64, &b, 64));
  ck_assert (ipam6_overlap (&a, 8, &b, 64));
  b = ipam6_nth (&a, 0x1ff);
  assert_text (&b, "fd00:1::1ff");
  ck_assert_int_eq (ipam6_ula_of_id ("0123456789abcdef", &a, &p), 0);
  ck_assert_uint_eq (p, 64);
  assert_text (&a, "fd01:2345:6789::");
  ck_assert_int_eq (ipam6_ula_of_id ("xyz", &a, &p), -EINVAL);
}
END_TEST

START_TEST (test_alloc6)
{
  cleanup_error berth_error_t err = NULL;
  struct in6_addr sub = a6 ("fd00:9::"), gw = a6 ("fd00:9::1"), got[14], a;
  struct ipam6 *p = ipam6_new (&sub, 124, &gw);

  /* a /124 has 16 addresses: the anycast :: and the gateway are never given */
  for (int i = 0; i < 14; i++)
    {
      ck_assert_int_eq (ipam6_alloc (p, &got[i], &err), 0);
      a = ipam6_nth (&sub, (uint64_t) i + 2);
      ck_assert_mem_eq (&got[i], &a, sizeof (a));
    }
  ck_assert_int_eq (ipam6_alloc (p, &a, &err), -ENOSPC);
  berth_error_release (&err);
  /* a released address comes back once the others are taken */
  ipam6_release (p, &got[3]);
  ck_assert (!ipam6_leased (p, &got[3]));
  ck_assert_int_eq (ipam6_alloc (p, &a, &err), 0);
  ck_assert_mem_eq (&a, &got[3], sizeof (a));
  /* restore and --ip6: reserve, refused twice, refused outside */
  ipam6_release (p, &got[5]);
  ck_assert_int_eq (ipam6_reserve (p, &got[5], &err), 0);
  ck_assert_int_eq (ipam6_reserve (p, &got[5], &err), -EEXIST);
  berth_error_release (&err);
  a = a6 ("fd00:9::100");
  ck_assert_int_eq (ipam6_reserve (p, &a, &err), -EINVAL);
  berth_error_release (&err);
  /* the gateway and the anycast address stay taken */
  ipam6_release (p, &gw);
  ipam6_release (p, &sub);
  ck_assert (ipam6_leased (p, &gw));
  ck_assert (ipam6_leased (p, &sub));
  ipam6_free (p);

  /* a /64: many leases, and the allocation goes on after the last one */
  sub = a6 ("fd00:a::");
  gw = a6 ("fd00:a::1");
  p = ipam6_new (&sub, 64, &gw);
  for (int i = 0; i < 1000; i++)
    ck_assert_int_eq (ipam6_alloc (p, &a, &err), 0);
  assert_text (&a, "fd00:a::3e9");
  got[0] = a6 ("fd00:a::10");
  ipam6_release (p, &got[0]);
  ck_assert_int_eq (ipam6_alloc (p, &a, &err), 0);
  assert_text (&a, "fd00:a::3ea");
  ipam6_free (p);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("ipam6");
  TCase *tc = tcase_create ("core");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_cidr6);
  tcase_add_test (tc, test_alloc6);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
