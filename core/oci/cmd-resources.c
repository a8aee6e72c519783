/* pause, resume, update */
#include "config.h"

#include "core/oci/oci.h"
#include "core/runtime/container.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static int
pause_resume (struct oci_globals *g, int argc, char **argv, bool pause, berth_error_t *err)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  const char *usage_line = pause ? "pause ID" : "resume ID";

  if (getopt_long_only (argc, argv, "+", opts, NULL) != -1)
    return berth_error_make (err, EINVAL, "unknown option `%s`; usage: %s", argv[optind - 1], usage_line);
  if (oci_positional (argc, argv, optind, 1, usage_line, err) < 0)
    return berth_error_ret (err);
  return berth_container_pause (g->root, argv[optind], pause, err);
}

int
oci_cmd_pause (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  return pause_resume (g, argc, argv, true, err);
}

int
oci_cmd_resume (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  return pause_resume (g, argc, argv, false, err);
}

/* "-1", "1024", "64k", "8m", "1g" (binary units, as docker and runc read them) */
static int
parse_size (const char *opt, const char *s, int64_t *out, berth_error_t *err)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno || end == s)
    return berth_error_make (err, EINVAL, "--%s: `%s` is not a size", opt, s);
  switch (tolower ((unsigned char) *end))
    {
    case '\0':
      break;
    case 'k':
      v <<= 10;
      end++;
      break;
    case 'm':
      v <<= 20;
      end++;
      break;
    case 'g':
      v <<= 30;
      end++;
      break;
    default:
      return berth_error_make (err, EINVAL, "--%s: `%s` is not a size", opt, s);
    }
  if (tolower ((unsigned char) *end) == 'b')
    end++;
  if (*end || v < -1)
    return berth_error_make (err, EINVAL, "--%s: `%s` is not a size", opt, s);
  *out = v;
  return 0;
}

static int
parse_int (const char *opt, const char *s, int64_t min, int64_t *out, berth_error_t *err)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno || end == s || *end || v < min)
    return berth_error_make (err, EINVAL, "--%s: `%s` is not a valid number", opt, s);
  *out = v;
  return 0;
}

enum
{
  U_MEMORY = 256,
  U_SWAP,
  U_RESERVATION,
  U_SHARES,
  U_QUOTA,
  U_PERIOD,
  U_CPUS,
  U_MEMS,
  U_PIDS,
  U_BLKIO,
  U_RESOURCES,
};

static int
apply_flag (struct berth_spec_resources *r, int c, const char *arg, berth_error_t *err)
{
  int64_t v;

  switch (c)
    {
    case U_MEMORY:
      if (parse_size ("memory", arg, &r->memory_limit, err) < 0)
        return berth_error_ret (err);
      r->has_memory_limit = true;
      return 0;
    case U_SWAP:
      if (parse_size ("memory-swap", arg, &r->memory_swap, err) < 0)
        return berth_error_ret (err);
      r->has_memory_swap = true;
      return 0;
    case U_RESERVATION:
      if (parse_size ("memory-reservation", arg, &r->memory_reservation, err) < 0)
        return berth_error_ret (err);
      r->has_memory_reservation = true;
      return 0;
    case U_SHARES:
      if (parse_int ("cpu-shares", arg, 0, &v, err) < 0)
        return berth_error_ret (err);
      r->cpu_shares = (uint64_t) v;
      r->has_cpu_shares = true;
      return 0;
    case U_QUOTA:
      if (parse_int ("cpu-quota", arg, -1, &r->cpu_quota, err) < 0)
        return berth_error_ret (err);
      r->has_cpu_quota = true;
      return 0;
    case U_PERIOD:
      if (parse_int ("cpu-period", arg, 1, &v, err) < 0)
        return berth_error_ret (err);
      r->cpu_period = (uint64_t) v;
      r->has_cpu_period = true;
      return 0;
    case U_CPUS:
      free (r->cpuset_cpus);
      r->cpuset_cpus = xstrdup (arg);
      return 0;
    case U_MEMS:
      free (r->cpuset_mems);
      r->cpuset_mems = xstrdup (arg);
      return 0;
    case U_PIDS:
      if (parse_int ("pids-limit", arg, -1, &r->pids_limit, err) < 0)
        return berth_error_ret (err);
      r->has_pids_limit = true;
      return 0;
    case U_BLKIO:
      if (parse_int ("blkio-weight", arg, 10, &v, err) < 0 || v > 1000)
        return berth_error_make (err, EINVAL, "--blkio-weight: `%s` is not in 10..1000", arg);
      r->blkio_weight = (uint16_t) v;
      r->has_blkio_weight = true;
      return 0;
    }
  return berth_error_make (err, EINVAL, "unknown update option");
}

int
oci_cmd_update (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = {
    { "memory", required_argument, NULL, U_MEMORY },
    { "memory-swap", required_argument, NULL, U_SWAP },
    { "memory-reservation", required_argument, NULL, U_RESERVATION },
    { "cpu-shares", required_argument, NULL, U_SHARES },
    { "cpu-quota", required_argument, NULL, U_QUOTA },
    { "cpu-period", required_argument, NULL, U_PERIOD },
    { "cpuset-cpus", required_argument, NULL, U_CPUS },
    { "cpuset-mems", required_argument, NULL, U_MEMS },
    { "pids-limit", required_argument, NULL, U_PIDS },
    { "blkio-weight", required_argument, NULL, U_BLKIO },
    { "resources", required_argument, NULL, U_RESOURCES },
    { NULL, 0, NULL, 0 },
  };
  const char *usage_line = "update [--memory N] [--memory-swap N] [--cpu-shares N] [--cpu-quota N] [--cpu-period N] "
                           "[--cpuset-cpus L] [--cpuset-mems L] [--pids-limit N] [--blkio-weight N] "
                           "[--resources FILE|-] ID";
  struct berth_spec_resources *r = xmalloc0 (sizeof (*r));
  const char *file = NULL;
  bool any = false;
  int c, ret;

  while ((c = getopt_long_only (argc, argv, "+r:", opts, NULL)) != -1)
    {
      if (c == 'r' || c == U_RESOURCES)
        {
          file = optarg;
          continue;
        }
      if (c == '?' || apply_flag (r, c, optarg, err) < 0)
        {
          if (c == '?')
            berth_error_make (err, EINVAL, "unknown option `%s`; usage: %s", argv[optind - 1], usage_line);
          berth_spec_resources_free (r);
          return berth_error_ret (err);
        }
      any = true;
    }
  if (oci_positional (argc, argv, optind, 1, usage_line, err) < 0 || (file && any))
    {
      if (file && any && *err == NULL)
        berth_error_make (err, EINVAL, "update: --resources cannot be combined with other flags");
      berth_spec_resources_free (r);
      return berth_error_ret (err);
    }
  if (file)
    {
      cleanup_free char *text = NULL;
      size_t len;
      berth_spec_resources_free (r);
      if (berth_read_file (strcmp (file, "-") == 0 ? "/dev/stdin" : file, 1 << 20, &text, &len, err) < 0)
        return berth_error_ret (err);
      r = berth_spec_parse_resources (text, len, err);
      if (r == NULL)
        return berth_error_ret (err);
    }
  else if (!any)
    {
      berth_spec_resources_free (r);
      return berth_error_make (err, EINVAL, "update: nothing to change; usage: %s", usage_line);
    }
  ret = berth_container_update (g->root, argv[optind], r, err);
  berth_spec_resources_free (r);
  return ret;
}
