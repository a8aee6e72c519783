/* berth network create / ls / inspect / rm / prune / connect / disconnect,
   and run/create's --ip and --network-alias */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/cli/client.h"
#include "core/cli/container.h"
#include "core/cli/object-get.h"
#include "core/lib/mem.h"

enum
{
  OPT_LABEL = 256,
  OPT_SUBNET,
  OPT_GATEWAY,
  OPT_IP_RANGE,
  OPT_INTERNAL,
  OPT_ATTACHABLE,
  OPT_IPV6,
  OPT_FORMAT,
  OPT_NO_TRUNC,
  OPT_FILTER,
  OPT_IP,
  OPT_ALIAS,
  OPT_IP6,
};

static int
needs_args (const char *cmd, const char *what)
{
  fprintf (stderr, "\"berth network %s\" %s.\nSee 'berth network %s --help'.\n", cmd, what, cmd);
  return 1;
}

/* ---- run/create: --ip, --network-alias ---- */

int
berth_container_opt_endpoint (struct berth_create_opts *o, int opt, const char *arg)
{
  if (opt == BERTH_OPT_IP)
    o->ip = arg;
  else if (opt == BERTH_OPT_IP6)
    o->ip6 = arg;
  else
    {
      if (o->net_aliases == NULL)
        o->net_aliases = json_object_new_array ();
      json_object_array_add (o->net_aliases, json_object_new_string (arg));
    }
  return 0;
}

/* docker's: the endpoint of the --network given carries --ip and the aliases */
void
berth_container_opts_endpoint_body (const struct berth_create_opts *o, struct json_object *body)
{
  json_object *net = json_object_new_object (), *eps = json_object_new_object ();

  if (o->ip != NULL || o->ip6 != NULL || o->net_aliases != NULL)
    {
      json_object *ep = json_object_new_object ();
      if (o->ip != NULL || o->ip6 != NULL)
        {
          json_object *ipam = json_object_new_object ();
          if (o->ip != NULL)
            json_object_object_add (ipam, "IPv4Address", json_object_new_string (o->ip));
          if (o->ip6 != NULL)
            json_object_object_add (ipam, "IPv6Address", json_object_new_string (o->ip6));
          json_object_object_add (ep, "IPAMConfig", ipam);
        }
      if (o->net_aliases != NULL)
        json_object_object_add (ep, "Aliases", json_object_get (o->net_aliases));
      json_object_object_add (eps, o->network != NULL ? o->network : "default", ep);
    }
  json_object_object_add (net, "EndpointsConfig", eps);
  json_object_object_add (body, "NetworkingConfig", net);
}

/* ---- create ---- */

static const char create_usage[]
    = "Usage:  berth network create [OPTIONS] NETWORK\n"
      "\n"
      "Create a network\n"
      "\n"
      "Options:\n"
      "      --attachable           Enable manual container attachment\n"
      "  -d, --driver string        Driver to manage the Network (default \"bridge\")\n"
      "      --gateway strings      IPv4 or IPv6 Gateway for the master subnet\n"
      "      --internal             Restrict external access to the network\n"
      "      --ip-range strings     Allocate container ip from a sub-range\n"
      "      --ipv6                 Enable IPv6 networking\n"
      "      --label list           Set metadata on a network\n"
      "  -o, --opt map              Set driver specific options (default map[])\n"
      "      --subnet strings       Subnet in CIDR format that represents a network segment\n";

struct create_opts
{
  /* [0] IPv4, [1] IPv6: one pool of each (--subnet, --gateway, --ip-range
     paired by address family, as the docker CLI pairs them by subnet) */
  const char *driver, *subnet[2], *gateway[2], *range[2];
  bool internal, attachable, ipv6, bad;
  json_object *labels, *opts;
};

static void
kv_add (json_object *obj, const char *kv)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *k = eq ? xstrndup (kv, (size_t) (eq - kv)) : xstrdup (kv);
  json_object_object_add (obj, k, json_object_new_string (eq ? eq + 1 : ""));
}

static int
on_create_opt (int opt, const char *arg, void *ud)
{
  struct create_opts *o = ud;

  switch (opt)
    {
    case 'd':
      o->driver = arg;
      return 0;
    case OPT_SUBNET:
    case OPT_GATEWAY:
    case OPT_IP_RANGE:
      {
        int v6 = strchr (arg, ':') != NULL;
        const char **slot = opt == OPT_SUBNET ? &o->subnet[v6] : opt == OPT_GATEWAY ? &o->gateway[v6] : &o->range[v6];
        if (*slot != NULL)
          {
            fprintf (stderr, "more than one IPv%c %s is not supported by berth\n", v6 ? '6' : '4',
                     opt == OPT_SUBNET ? "subnet" : opt == OPT_GATEWAY ? "gateway" : "ip-range");
            o->bad = true;
            return 1;
          }
        *slot = arg;
        return 0;
      }
    case OPT_INTERNAL:
      o->internal = true;
      return 0;
    case OPT_ATTACHABLE:
      o->attachable = true;
      return 0;
    case OPT_IPV6:
      o->ipv6 = true;
      return 0;
    case OPT_LABEL:
      kv_add (o->labels, arg);
      return 0;
    case 'o':
      if (strchr (arg, '=') == NULL)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"-o, --opt\" flag: invalid key value pair format: %s\n", arg,
                   arg);
          o->bad = true;
          return 1;
        }
      kv_add (o->opts, arg);
      return 0;
    }
  return 1;
}

static int
network_create (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "driver", required_argument, NULL, 'd' },     { "subnet", required_argument, NULL, OPT_SUBNET },
    { "gateway", required_argument, NULL, OPT_GATEWAY }, { "ip-range", required_argument, NULL, OPT_IP_RANGE },
    { "internal", no_argument, NULL, OPT_INTERNAL },  { "attachable", no_argument, NULL, OPT_ATTACHABLE },
    { "ipv6", no_argument, NULL, OPT_IPV6 },          { "label", required_argument, NULL, OPT_LABEL },
    { "opt", required_argument, NULL, 'o' },          { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct create_opts o = { .driver = "bridge", .labels = json_object_new_object (), .opts = json_object_new_object () };
  json_object *body = NULL, *reply = NULL, *ipam, *cfgs;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, create_usage, opts, "d:o:", on_create_opt, &o, &status))
    {
      json_object_put (o.labels);
      json_object_put (o.opts);
      return o.bad ? 125 : status;
    }
  status = 1;
  if (argc - optind != 1)
    {
      needs_args ("create", "requires exactly 1 argument");
      goto out;
    }
  for (int f = 0; f < 2; f++)
    if (o.subnet[f] == NULL && (o.gateway[f] != NULL || o.range[f] != NULL))
      {
        fprintf (stderr, "every ip-range or gateway must have a corresponding subnet\n");
        goto out;
      }
  client = berth_cli_client (cli);
  if (client == NULL)
    goto out;
  body = json_object_new_object ();
  json_object_object_add (body, "Name", json_object_new_string (argv[optind]));
  json_object_object_add (body, "Driver", json_object_new_string (o.driver));
  json_object_object_add (body, "Scope", json_object_new_string (""));
  json_object_object_add (body, "EnableIPv6", json_object_new_boolean (o.ipv6));
  ipam = json_object_new_object ();
  json_object_object_add (ipam, "Driver", json_object_new_string ("default"));
  cfgs = json_object_new_array ();
  for (int f = 0; f < 2; f++)
    if (o.subnet[f] != NULL)
      {
        json_object *c = json_object_new_object ();
        json_object_object_add (c, "Subnet", json_object_new_string (o.subnet[f]));
        if (o.range[f] != NULL)
          json_object_object_add (c, "IPRange", json_object_new_string (o.range[f]));
        if (o.gateway[f] != NULL)
          json_object_object_add (c, "Gateway", json_object_new_string (o.gateway[f]));
        json_object_array_add (cfgs, c);
      }
  json_object_object_add (ipam, "Config", cfgs);
  json_object_object_add (ipam, "Options", json_object_new_object ());
  json_object_object_add (body, "IPAM", ipam);
  json_object_object_add (body, "Internal", json_object_new_boolean (o.internal));
  json_object_object_add (body, "Attachable", json_object_new_boolean (o.attachable));
  json_object_object_add (body, "Options", json_object_get (o.opts));
  json_object_object_add (body, "Labels", json_object_get (o.labels));
  if (berth_client_send_json (client, "POST", "/networks/create", body, &reply, &err) < 0)
    fprintf (stderr, "%s\n", berth_error_msg (&err));
  else
    {
      printf ("%s\n", berth_json_str (reply, "Id"));
      status = 0;
    }
out:
  json_object_put (body);
  json_object_put (reply);
  json_object_put (o.labels);
  json_object_put (o.opts);
  return status;
}

/* ---- ls ---- */

static const char ls_usage[]
    = "Usage:  berth network ls [OPTIONS]\n"
      "\n"
      "List networks\n"
      "\n"
      "Aliases:\n"
      "  berth network ls, berth network list\n"
      "\n"
      "Options:\n"
      "  -f, --filter filter   Provide filter values (e.g. \"driver=bridge\")\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table':            Print output in table format with column headers (default)\n"
      "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template\n"
      "      --no-trunc        Do not truncate the output\n"
      "  -q, --quiet           Only display network IDs\n";

struct ls_opts
{
  bool quiet, no_trunc, bad;
  const char *format;
  json_object *filters;
};

static int
on_ls_opt (int opt, const char *arg, void *ud)
{
  struct ls_opts *o = ud;

  switch (opt)
    {
    case 'q':
      o->quiet = true;
      return 0;
    case OPT_NO_TRUNC:
      o->no_trunc = true;
      return 0;
    case OPT_FORMAT:
      o->format = arg;
      return 0;
    case 'f':
      if (berth_cli_filter_add (o->filters, arg) != 0)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected "
                           "name=value)\n",
                   arg);
          o->bad = true;
          return 1;
        }
      return 0;
    }
  return 1;
}

static char *
labels_text (json_object *labels)
{
  char *out = xstrdup ("");

  if (json_object_is_type (labels, json_type_object))
    {
      json_object_object_foreach (labels, k, v)
      {
        char *next = xasprintf ("%s%s%s=%s", out, out[0] ? "," : "", k, json_object_get_string (v));
        free (out);
        out = next;
      }
    }
  return out;
}

static int
by_name (const void *a, const void *b)
{
  json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
  return strcmp (berth_json_str (x, "Name"), berth_json_str (y, "Name"));
}

static json_object *
str (const char *s)
{
  return json_object_new_string (s ? s : "");
}

static int
network_ls (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },          { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT }, { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { NULL, 0, NULL, 0 },
  };
  struct ls_opts o = { .filters = json_object_new_object () };
  cleanup_free char *path = xstrdup ("/networks");
  json_object *reply = NULL, *rows, *header;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, ls_usage, opts, "qf:", on_ls_opt, &o, &status))
    {
      json_object_put (o.filters);
      return o.bad ? 125 : status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      return needs_args ("ls", "accepts no arguments");
    }
  berth_cli_filters_to_query (&path, o.filters);
  if (berth_cli_get_json (cli, path, &reply) < 0)
    return 1;
  if (json_object_is_type (reply, json_type_array))
    json_object_array_sort (reply, by_name);
  rows = json_object_new_array ();
  for (size_t i = 0; json_object_is_type (reply, json_type_array) && i < json_object_array_length (reply); i++)
    {
      json_object *n = json_object_array_get_idx (reply, i), *r = json_object_new_object ();
      cleanup_free char *labels = labels_text (berth_json_get (n, "Labels"));
      cleanup_free char *id = o.no_trunc ? xstrdup (berth_json_str (n, "Id")) : xstrndup (berth_json_str (n, "Id"), 12);
      json_object_object_add (r, "ID", str (id));
      json_object_object_add (r, "Name", str (berth_json_str (n, "Name")));
      json_object_object_add (r, "Driver", str (berth_json_str (n, "Driver")));
      json_object_object_add (r, "Scope", str (berth_json_str (n, "Scope")));
      json_object_object_add (r, "IPv4", str (json_object_get_boolean (berth_json_get (n, "EnableIPv4")) ? "true" : "false"));
      json_object_object_add (r, "IPv6", str (json_object_get_boolean (berth_json_get (n, "EnableIPv6")) ? "true" : "false"));
      json_object_object_add (r, "Internal", str (json_object_get_boolean (berth_json_get (n, "Internal")) ? "true" : "false"));
      json_object_object_add (r, "CreatedAt", str (berth_json_str (n, "Created")));
      json_object_object_add (r, "Labels", str (labels));
      json_object_array_add (rows, r);
    }
  header = json_object_new_object ();
  json_object_object_add (header, "ID", str ("NETWORK ID"));
  json_object_object_add (header, "Name", str ("NAME"));
  json_object_object_add (header, "Driver", str ("DRIVER"));
  json_object_object_add (header, "Scope", str ("SCOPE"));
  json_object_object_add (header, "IPv4", str ("IPV4"));
  json_object_object_add (header, "IPv6", str ("IPV6"));
  json_object_object_add (header, "Internal", str ("INTERNAL"));
  json_object_object_add (header, "CreatedAt", str ("CREATED AT"));
  json_object_object_add (header, "Labels", str ("LABELS"));
  status = berth_cli_render (o.quiet    ? "{{.ID}}"
                             : o.format ? o.format
                                        : "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}",
                             rows, header, true);
  json_object_put (header);
  json_object_put (rows);
  json_object_put (reply);
  return status;
}

/* ---- inspect ---- */

static const char inspect_usage[] = "Usage:  berth network inspect [OPTIONS] NETWORK [NETWORK...]\n"
                                    "\n"
                                    "Display detailed information on one or more networks\n"
                                    "\n"
                                    "Options:\n"
                                    "  -f, --format string   Format output using a custom template:\n"
                                    "                        'json':             Print in JSON format\n"
                                    "                        'TEMPLATE':         Print output using the given Go "
                                    "template\n"
                                    "  -v, --verbose         Verbose output for diagnostics\n";

static int
on_inspect_opt (int opt, const char *arg, void *ud)
{
  if (opt == 'v')
    return 0;
  if (opt != 'f')
    return 1;
  *(const char **) ud = arg;
  return 0;
}

static int
network_inspect (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, inspect_usage, opts, "f:v", on_inspect_opt, &format, &status))
    return status;
  if (optind >= argc)
    return needs_args ("inspect", "requires at least 1 argument");
  return berth_cli_inspect_objects (cli, "/networks", argv + optind, argc - optind, format);
}

/* ---- rm ---- */

static const char rm_usage[] = "Usage:  berth network rm NETWORK [NETWORK...]\n"
                               "\n"
                               "Remove one or more networks\n"
                               "\n"
                               "Aliases:\n"
                               "  berth network rm, berth network remove\n"
                               "\n"
                               "Options:\n"
                               "  -f, --force   Do not error if the network does not exist\n";

static int
on_flag (int opt, const char *arg, void *ud)
{
  (void) arg;
  if (opt != 'f')
    return 1;
  *(bool *) ud = true;
  return 0;
}

static int
network_rm (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  struct berth_client *client;
  bool force = false;
  int status, failed = 0;

  if (berth_cli_parse_interspersed (argc, argv, rm_usage, opts, "f", on_flag, &force, &status))
    return status;
  if (optind >= argc)
    return needs_args ("rm", "requires at least 1 argument");
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      cleanup_free char *path = xasprintf ("/networks/%s", name);
      if (berth_client_call_json (client, "DELETE", path, NULL, &err) < 0)
        {
          if (force && strstr (berth_error_msg (&err), "not found") != NULL)
            continue;
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          failed = 1;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return failed;
}

/* ---- prune ---- */

static const char prune_usage[] = "Usage:  berth network prune [OPTIONS]\n"
                                  "\n"
                                  "Remove all unused networks\n"
                                  "\n"
                                  "Options:\n"
                                  "      --filter filter   Provide filter values (e.g. \"label=<label>\")\n"
                                  "  -f, --force           Do not prompt for confirmation\n";

struct prune_opts
{
  bool force, bad;
  json_object *filters;
};

static int
on_prune_opt (int opt, const char *arg, void *ud)
{
  struct prune_opts *o = ud;

  if (opt == 'f')
    {
      o->force = true;
      return 0;
    }
  if (opt == OPT_FILTER)
    {
      if (berth_cli_filter_add (o->filters, arg) != 0)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"--filter\" flag: bad format of filter (expected "
                           "name=value)\n",
                   arg);
          o->bad = true;
          return 1;
        }
      return 0;
    }
  return 1;
}

static int
network_prune (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "filter", required_argument, NULL, OPT_FILTER },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct prune_opts o = { .filters = json_object_new_object () };
  cleanup_free char *path = xstrdup ("/networks/prune");
  json_object *reply = NULL, *deleted;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, prune_usage, opts, "f", on_prune_opt, &o, &status))
    {
      json_object_put (o.filters);
      return o.bad ? 125 : status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      return needs_args ("prune", "accepts no arguments");
    }
  berth_cli_filters_to_query (&path, o.filters);
  if (!o.force && !berth_cli_confirm ("WARNING! This will remove all custom networks not used by at least one container."))
    return 0;
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_call_json (client, "POST", path, &reply, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  deleted = berth_json_get (reply, "NetworksDeleted");
  if (json_object_is_type (deleted, json_type_array) && json_object_array_length (deleted) > 0)
    {
      printf ("Deleted Networks:\n");
      for (size_t i = 0; i < json_object_array_length (deleted); i++)
        printf ("%s\n", json_object_get_string (json_object_array_get_idx (deleted, i)));
    }
  json_object_put (reply);
  return 0;
}

/* ---- connect / disconnect ---- */

static const char connect_usage[] = "Usage:  berth network connect [OPTIONS] NETWORK CONTAINER\n"
                                    "\n"
                                    "Connect a container to a network\n"
                                    "\n"
                                    "Options:\n"
                                    "      --alias strings   Add network-scoped alias for the container\n"
                                    "      --ip string       IPv4 address (e.g., \"172.30.100.104\")\n"
                                    "      --ip6 string      IPv6 address (e.g., \"2001:db8::33\")\n";

struct connect_opts
{
  const char *ip, *ip6;
  json_object *aliases;
};

static int
on_connect_opt (int opt, const char *arg, void *ud)
{
  struct connect_opts *o = ud;

  if (opt == OPT_IP)
    o->ip = arg;
  else if (opt == OPT_IP6)
    o->ip6 = arg;
  else if (opt == OPT_ALIAS)
    json_object_array_add (o->aliases, json_object_new_string (arg));
  else
    return 1;
  return 0;
}

static int
post_container (struct berth_cli *cli, const char *network, const char *action, json_object *body)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *name = berth_client_escape_name (network);
  cleanup_free char *path = xasprintf ("/networks/%s/%s", name, action);
  struct berth_client *client = berth_cli_client (cli);
  json_object *reply = NULL;

  if (client == NULL)
    return 1;
  if (berth_client_send_json (client, "POST", path, body, &reply, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  json_object_put (reply);
  return 0;
}

static int
network_connect (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "ip", required_argument, NULL, OPT_IP },
    { "ip6", required_argument, NULL, OPT_IP6 },
    { "alias", required_argument, NULL, OPT_ALIAS },
    { NULL, 0, NULL, 0 },
  };
  struct connect_opts o = { .aliases = json_object_new_array () };
  json_object *body, *ec;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, connect_usage, opts, "", on_connect_opt, &o, &status))
    {
      json_object_put (o.aliases);
      return status;
    }
  if (argc - optind != 2)
    {
      json_object_put (o.aliases);
      return needs_args ("connect", "requires exactly 2 arguments");
    }
  body = json_object_new_object ();
  ec = json_object_new_object ();
  json_object_object_add (body, "Container", json_object_new_string (argv[optind + 1]));
  if (o.ip != NULL || o.ip6 != NULL)
    {
      json_object *ipam = json_object_new_object ();
      if (o.ip != NULL)
        json_object_object_add (ipam, "IPv4Address", json_object_new_string (o.ip));
      if (o.ip6 != NULL)
        json_object_object_add (ipam, "IPv6Address", json_object_new_string (o.ip6));
      json_object_object_add (ec, "IPAMConfig", ipam);
    }
  json_object_object_add (ec, "Aliases", o.aliases);
  json_object_object_add (body, "EndpointConfig", ec);
  status = post_container (cli, argv[optind], "connect", body);
  json_object_put (body);
  return status;
}

static const char disconnect_usage[] = "Usage:  berth network disconnect [OPTIONS] NETWORK CONTAINER\n"
                                       "\n"
                                       "Disconnect a container from a network\n"
                                       "\n"
                                       "Options:\n"
                                       "  -f, --force   Force the container to disconnect from a network\n";

static int
network_disconnect (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  bool force = false;
  json_object *body;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, disconnect_usage, opts, "f", on_flag, &force, &status))
    return status;
  if (argc - optind != 2)
    return needs_args ("disconnect", "requires exactly 2 arguments");
  body = json_object_new_object ();
  json_object_object_add (body, "Container", json_object_new_string (argv[optind + 1]));
  json_object_object_add (body, "Force", json_object_new_boolean (force));
  status = post_container (cli, argv[optind], "disconnect", body);
  json_object_put (body);
  return status;
}

/* ---- berth network ---- */

static const struct berth_command network_commands[] = {
  { "connect", network_connect, "Connect a container to a network" },
  { "create", network_create, "Create a network" },
  { "disconnect", network_disconnect, "Disconnect a container from a network" },
  { "inspect", network_inspect, "Display detailed information on one or more networks" },
  { "ls", network_ls, "List networks" },
  { "list", network_ls, NULL },
  { "prune", network_prune, "Remove all unused networks" },
  { "rm", network_rm, "Remove one or more networks" },
  { "remove", network_rm, NULL },
};

int
berth_cmd_network (struct berth_cli *cli, int argc, char **argv)
{
  const size_t n = sizeof (network_commands) / sizeof (network_commands[0]);

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      FILE *out = argc < 2 ? stderr : stdout;
      fprintf (out, "Usage:  berth network COMMAND\n\nManage networks\n\nCommands:\n");
      for (size_t i = 0; i < n; i++)
        if (network_commands[i].summary != NULL)
          fprintf (out, "  %-11s %s\n", network_commands[i].name, network_commands[i].summary);
      fprintf (out, "\nRun 'berth network COMMAND --help' for more information on a command.\n");
      return argc < 2 ? 1 : 0;
    }
  for (size_t i = 0; i < n; i++)
    if (strcmp (argv[1], network_commands[i].name) == 0)
      return network_commands[i].fn (cli, argc - 1, argv + 1);
  fprintf (stderr, "berth: unknown command: berth network %s\n\nRun 'berth network --help' for more information\n",
           argv[1]);
  return 1;
}
