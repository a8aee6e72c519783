/* Unit tests of core/network: IPAM, port bindings, MACs. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/lib/mem.h"
#include "core/network/endpoint.h"
#include "core/network/ipam.h"
#include "core/network/ports.h"

static uint32_t
addr (const char *s)
{
  uint32_t a = 0;
  ck_assert_int_eq (ipam4_parse_addr (s, &a, NULL), 0);
  return a;
}

START_TEST (test_cidr)
{
  cleanup_error berth_error_t err = NULL;
  uint32_t a;
  unsigned p;

  ck_assert_int_eq (ipam4_parse_cidr ("172.17.0.0/16", true, &a, &p, &err), 0);
  ck_assert_uint_eq (a, addr ("172.17.0.0"));
  ck_assert_uint_eq (p, 16);
  ck_assert_int_eq (ipam4_parse_cidr ("172.17.0.1/16", true, &a, &p, &err), -EINVAL);
  ck_assert_str_eq (berth_error_msg (&err), "invalid subnet 172.17.0.1/16: host bits are set");
  berth_error_release (&err);
  ck_assert_int_lt (ipam4_parse_cidr ("172.17.0.0", true, &a, &p, NULL), 0);
  ck_assert_int_lt (ipam4_parse_cidr ("172.17.0.0/33", true, &a, &p, NULL), 0);
  ck_assert_int_lt (ipam4_parse_cidr ("nope/8", true, &a, &p, NULL), 0);
  {
    cleanup_free char *s = ipam4_format (addr ("10.1.2.3"));
    ck_assert_str_eq (s, "10.1.2.3");
  }
}
END_TEST

START_TEST (test_alloc)
{
  cleanup_error berth_error_t err = NULL;
  struct ipam4 *p = ipam4_new (addr ("10.9.0.0"), 29, addr ("10.9.0.1"));
  uint32_t a, got[5];

  /* a /29 has 8 addresses: network, gateway and broadcast are never given */
  for (int i = 0; i < 5; i++)
    {
      ck_assert_int_eq (ipam4_alloc (p, &got[i], &err), 0);
      ck_assert_uint_eq (got[i], addr ("10.9.0.2") + (uint32_t) i);
    }
  ck_assert_int_eq (ipam4_alloc (p, &a, &err), -ENOSPC);
  berth_error_release (&err);
  /* a released address is reused only once the others are taken */
  ipam4_release (p, got[1]);
  ck_assert (!ipam4_leased (p, got[1]));
  ck_assert_int_eq (ipam4_alloc (p, &a, &err), 0);
  ck_assert_uint_eq (a, got[1]);
  /* restore: a lease kept across a restart, refused twice */
  ipam4_release (p, got[3]);
  ck_assert_int_eq (ipam4_reserve (p, got[3], &err), 0);
  ck_assert_int_eq (ipam4_reserve (p, got[3], &err), -EEXIST);
  berth_error_release (&err);
  ck_assert_int_eq (ipam4_reserve (p, addr ("10.9.1.2"), &err), -EINVAL);
  berth_error_release (&err);
  /* the gateway can never be released into the pool */
  ipam4_release (p, addr ("10.9.0.1"));
  ck_assert (ipam4_leased (p, addr ("10.9.0.1")));
  ipam4_free (p);
}
END_TEST

START_TEST (test_mac)
{
  uint8_t mac[6];
  cleanup_free char *s = NULL;

  net_endpoint_mac (addr ("172.17.0.2"), mac);
  s = net_endpoint_mac_text (mac);
  ck_assert_str_eq (s, "02:42:ac:11:00:02");
}
END_TEST

START_TEST (test_ports)
{
  cleanup_error berth_error_t err = NULL;
  json_object *b = json_tokener_parse ("{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"},"
                                       "{\"HostIp\":\"\",\"HostPort\":\"\"}],\"53/udp\":[{\"HostPort\":\"5353\"}]}");
  json_object *exposed = json_tokener_parse ("{\"80/tcp\":{},\"443\":{}}");
  struct net_port *p = NULL;
  size_t n = 0;
  json_object *ns;

  ck_assert_int_eq (net_ports_parse (b, exposed, true, &p, &n, &err), 0);
  ck_assert_uint_eq (n, 4); /* 443 from -P */
  ck_assert_uint_eq (p[0].container_port, 80);
  ck_assert_uint_eq (p[0].host_port, 8080);
  ck_assert_str_eq (p[0].host_ip, "127.0.0.1");
  ck_assert_uint_eq (p[1].host_port, 0);
  ck_assert_uint_eq (p[2].proto, 17);
  ck_assert_uint_eq (p[3].container_port, 443);
  p[1].host_port = 32768;
  p[3].host_port = 32769;
  ns = net_ports_settings_json (p, n, exposed);
  ck_assert_str_eq (json_object_to_json_string_ext (ns, JSON_C_TO_STRING_PLAIN),
                    "{\"80\\/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"},{\"HostIp\":\"0.0.0.0\","
                    "\"HostPort\":\"32768\"}],\"443\\/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"32769\"}],"
                    "\"53\\/udp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"5353\"}]}");
  json_object_put (ns);
  net_ports_free (p, n);
  json_object_put (b);

  b = json_tokener_parse ("{\"80/sctp\":[{\"HostPort\":\"1\"}]}");
  ck_assert_int_eq (net_ports_parse (b, NULL, false, &p, &n, &err), -EINVAL);
  berth_error_release (&err);
  json_object_put (b);
  b = json_tokener_parse ("{\"80/tcp\":[{\"HostIp\":\"localhost\",\"HostPort\":\"1\"}]}");
  ck_assert_int_eq (net_ports_parse (b, NULL, false, &p, &n, &err), -EINVAL);
  berth_error_release (&err);
  json_object_put (b);
  b = json_tokener_parse ("{\"80/tcp\":[{\"HostPort\":\"70000\"}]}");
  ck_assert_int_eq (net_ports_parse (b, NULL, false, &p, &n, &err), -EINVAL);
  berth_error_release (&err);
  json_object_put (b);
  json_object_put (exposed);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("network");
  TCase *tc = tcase_create ("core");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_cidr);
  tcase_add_test (tc, test_alloc);
  tcase_add_test (tc, test_mac);
  tcase_add_test (tc, test_ports);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
