#include "config.h"

#include "core/runtime/spec-internal.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
parse_device_rules (json_object *o, const char *where, struct berth_spec_resources *r, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (o, where, "devices", &arr, &n, err) < 0)
    return berth_error_ret (err);
  r->devices = xmalloc0 ((n + 1) * sizeof (*r->devices));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("%s.devices[%zu]", where, i);
      cleanup_free char *type = NULL;
      cleanup_free char *access = NULL;
      struct berth_spec_device_rule *d = &r->devices[i];
      int ret;

      r->n_devices++;
      d->major = d->minor = -1;
      d->type = 'a';
      strcpy (d->access, "rwm");
      if (sj_expect_object (e, w, err) < 0 || sj_required (sj_bool (e, w, "allow", &d->allow, err), w, "allow", err) < 0
          || sj_string (e, w, "type", &type, err) < 0 || sj_string (e, w, "access", &access, err) < 0)
        return berth_error_ret (err);
      if (type)
        {
          if (strlen (type) != 1 || strchr ("acb", type[0]) == NULL)
            return berth_error_make (err, EINVAL, "%s.type: `%s` is not one of a, c, b", w, type);
          d->type = type[0];
        }
      if (access)
        {
          size_t k;
          if (strlen (access) > 3 || access[0] == '\0')
            return berth_error_make (err, EINVAL, "%s.access: `%s` is not a subset of rwm", w, access);
          for (k = 0; access[k]; k++)
            if (strchr ("rwm", access[k]) == NULL || strchr (access + k + 1, access[k]))
              return berth_error_make (err, EINVAL, "%s.access: `%s` is not a subset of rwm", w, access);
          strcpy (d->access, access);
        }
      ret = sj_int64 (e, w, "major", &d->major, err);
      if (ret < 0)
        return ret;
      ret = sj_int64 (e, w, "minor", &d->minor, err);
      if (ret < 0)
        return ret;
      if (d->major < -1 || d->minor < -1)
        return berth_error_make (err, ERANGE, "%s: negative device number", w);
    }
  return 0;
}

static int
parse_memory (json_object *o, const char *where, struct berth_spec_resources *r, berth_error_t *err)
{
  cleanup_free char *w = xasprintf ("%s.memory", where);
  json_object *m = sj_get (o, "memory");
  int ret;

  if (m == NULL)
    return 0;
  if (sj_expect_object (m, w, err) < 0)
    return berth_error_ret (err);
  if ((ret = sj_int64 (m, w, "limit", &r->memory_limit, err)) < 0)
    return ret;
  r->has_memory_limit = ret > 0;
  if ((ret = sj_int64 (m, w, "reservation", &r->memory_reservation, err)) < 0)
    return ret;
  r->has_memory_reservation = ret > 0;
  if ((ret = sj_int64 (m, w, "swap", &r->memory_swap, err)) < 0)
    return ret;
  r->has_memory_swap = ret > 0;
  if ((ret = sj_uint64 (m, w, "swappiness", &r->memory_swappiness, err)) < 0)
    return ret;
  r->has_memory_swappiness = ret > 0;
  if (r->has_memory_swappiness && r->memory_swappiness > 100)
    return berth_error_make (err, ERANGE, "%s.swappiness: %llu is above 100", w,
                             (unsigned long long) r->memory_swappiness);
  if (sj_bool (m, w, "disableOOMKiller", &r->disable_oom_killer, err) < 0)
    return berth_error_ret (err);
  if (r->has_memory_limit && r->memory_limit < -1)
    return berth_error_make (err, ERANGE, "%s.limit: %lld is not a limit", w, (long long) r->memory_limit);
  if (r->has_memory_swap && r->memory_swap < -1)
    return berth_error_make (err, ERANGE, "%s.swap: %lld is not a limit", w, (long long) r->memory_swap);
  if (r->has_memory_swap && r->memory_swap > 0 && r->has_memory_limit && r->memory_limit > 0
      && r->memory_swap < r->memory_limit)
    return berth_error_make (err, EINVAL, "%s.swap: memory+swap limit %lld is below the memory limit %lld", w,
                             (long long) r->memory_swap, (long long) r->memory_limit);
  return 0;
}

static int
parse_cpu (json_object *o, const char *where, struct berth_spec_resources *r, berth_error_t *err)
{
  cleanup_free char *w = xasprintf ("%s.cpu", where);
  json_object *c = sj_get (o, "cpu");
  int ret;

  if (c == NULL)
    return 0;
  if (sj_expect_object (c, w, err) < 0)
    return berth_error_ret (err);
  if ((ret = sj_uint64 (c, w, "shares", &r->cpu_shares, err)) < 0)
    return ret;
  r->has_cpu_shares = ret > 0;
  if ((ret = sj_int64 (c, w, "quota", &r->cpu_quota, err)) < 0)
    return ret;
  r->has_cpu_quota = ret > 0;
  if ((ret = sj_uint64 (c, w, "period", &r->cpu_period, err)) < 0)
    return ret;
  r->has_cpu_period = ret > 0;
  if ((ret = sj_uint64 (c, w, "burst", &r->cpu_burst, err)) < 0)
    return ret;
  r->has_cpu_burst = ret > 0;
  if ((ret = sj_int64 (c, w, "idle", &r->cpu_idle, err)) < 0)
    return ret;
  r->has_cpu_idle = ret > 0;
  if (sj_string (c, w, "cpus", &r->cpuset_cpus, err) < 0 || sj_string (c, w, "mems", &r->cpuset_mems, err) < 0)
    return berth_error_ret (err);
  if (sj_get (c, "realtimeRuntime") || sj_get (c, "realtimePeriod"))
    return berth_error_make (err, ENOTSUP, "%s.realtimeRuntime: real-time scheduling limits are not supported", w);
  if (r->has_cpu_quota && r->cpu_quota < -1)
    return berth_error_make (err, ERANGE, "%s.quota: %lld is not a quota", w, (long long) r->cpu_quota);
  return 0;
}

static int
parse_throttle (json_object *b, const char *w, const char *key, struct berth_spec_throttle **out, size_t *out_n,
                berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (b, w, key, &arr, &n, err) < 0)
    return berth_error_ret (err);
  *out = xmalloc0 ((n + 1) * sizeof (**out));
  *out_n = n;
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *ew = xasprintf ("%s.%s[%zu]", w, key, i);
      struct berth_spec_throttle *t = &(*out)[i];

      if (sj_expect_object (e, ew, err) < 0
          || sj_required (sj_int64 (e, ew, "major", &t->major, err), ew, "major", err) < 0
          || sj_required (sj_int64 (e, ew, "minor", &t->minor, err), ew, "minor", err) < 0
          || sj_required (sj_uint64 (e, ew, "rate", &t->rate, err), ew, "rate", err) < 0)
        return berth_error_ret (err);
      if (t->major < 0 || t->minor < 0)
        return berth_error_make (err, ERANGE, "%s: negative device number", ew);
    }
  return 0;
}

static int
parse_blkio (json_object *o, const char *where, struct berth_spec_resources *r, berth_error_t *err)
{
  cleanup_free char *w = xasprintf ("%s.blockIO", where);
  json_object *b = sj_get (o, "blockIO");
  uint32_t weight;
  int ret;

  if (b == NULL)
    return 0;
  if (sj_expect_object (b, w, err) < 0)
    return berth_error_ret (err);
  if ((ret = sj_uint32 (b, w, "weight", &weight, err)) < 0)
    return ret;
  if (ret > 0 && (weight < 10 || weight > 1000))
    return berth_error_make (err, ERANGE, "%s.weight: %u is outside 10..1000", w, weight);
  r->has_blkio_weight = ret > 0;
  r->blkio_weight = (uint16_t) (ret > 0 ? weight : 0);
  if (parse_throttle (b, w, "throttleReadBpsDevice", &r->throttle_read_bps, &r->n_throttle_read_bps, err) < 0
      || parse_throttle (b, w, "throttleWriteBpsDevice", &r->throttle_write_bps, &r->n_throttle_write_bps, err) < 0
      || parse_throttle (b, w, "throttleReadIOPSDevice", &r->throttle_read_iops, &r->n_throttle_read_iops, err) < 0
      || parse_throttle (b, w, "throttleWriteIOPSDevice", &r->throttle_write_iops, &r->n_throttle_write_iops, err)
             < 0)
    return berth_error_ret (err);
  if (sj_get (b, "weightDevice"))
    return berth_error_make (err, ENOTSUP, "%s.weightDevice: per-device weights are not supported", w);
  return 0;
}

static int
parse_hugepages (json_object *o, const char *where, struct berth_spec_resources *r, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (o, where, "hugepageLimits", &arr, &n, err) < 0)
    return berth_error_ret (err);
  r->hugepage_limits = xmalloc0 ((n + 1) * sizeof (*r->hugepage_limits));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("%s.hugepageLimits[%zu]", where, i);
      struct berth_spec_kv *kv = &r->hugepage_limits[i];
      uint64_t limit;

      r->n_hugepage_limits++;
      if (sj_expect_object (e, w, err) < 0
          || sj_required (sj_string (e, w, "pageSize", &kv->key, err), w, "pageSize", err) < 0
          || sj_required (sj_uint64 (e, w, "limit", &limit, err), w, "limit", err) < 0)
        return berth_error_ret (err);
      if (strspn (kv->key, "0123456789") == 0 || strchr (kv->key, '/'))
        return berth_error_make (err, EINVAL, "%s.pageSize: `%s` is not a page size like 2MB", w, kv->key);
      kv->value = xasprintf ("%llu", (unsigned long long) limit);
    }
  return 0;
}

int
spec_parse_resources (json_object *o, const char *where, struct berth_spec_resources *r, berth_error_t *err)
{
  json_object *p;
  size_t i;

  if (sj_expect_object (o, where, err) < 0)
    return berth_error_ret (err);
  if (parse_device_rules (o, where, r, err) < 0 || parse_memory (o, where, r, err) < 0 || parse_cpu (o, where, r, err) < 0
      || parse_blkio (o, where, r, err) < 0 || parse_hugepages (o, where, r, err) < 0)
    return berth_error_ret (err);
  p = sj_get (o, "pids");
  if (p)
    {
      cleanup_free char *w = xasprintf ("%s.pids", where);
      int ret;
      if (sj_expect_object (p, w, err) < 0)
        return berth_error_ret (err);
      ret = sj_required (sj_int64 (p, w, "limit", &r->pids_limit, err), w, "limit", err);
      if (ret < 0)
        return ret;
      r->has_pids_limit = true;
    }
  if (sj_string_map (o, where, "unified", &r->unified, &r->n_unified, err) < 0)
    return berth_error_ret (err);
  for (i = 0; i < r->n_unified; i++)
    if (strchr (r->unified[i].key, '/') || r->unified[i].key[0] == '.' || r->unified[i].key[0] == '\0')
      return berth_error_make (err, EINVAL, "%s.unified: invalid file name `%s`", where, r->unified[i].key);
  return 0;
}

void
spec_resources_free (struct berth_spec_resources *r)
{
  free (r->devices);
  free (r->cpuset_cpus);
  free (r->cpuset_mems);
  free (r->throttle_read_bps);
  free (r->throttle_write_bps);
  free (r->throttle_read_iops);
  free (r->throttle_write_iops);
  berth_spec_kv_free (r->hugepage_limits, r->n_hugepage_limits);
  berth_spec_kv_free (r->unified, r->n_unified);
  memset (r, 0, sizeof (*r));
}

struct berth_spec_resources *
berth_spec_parse_resources (const char *json, size_t len, berth_error_t *err)
{
  json_object *root = spec_json_tokenize (json, len, "resources", err);
  struct berth_spec_resources *r;

  if (root == NULL)
    return NULL;
  r = xmalloc0 (sizeof (*r));
  if (spec_parse_resources (root, "resources", r, err) < 0)
    {
      spec_resources_free (r);
      free (r);
      r = NULL;
    }
  json_object_put (root);
  return r;
}

void
berth_spec_resources_free (struct berth_spec_resources *r)
{
  if (r == NULL)
    return;
  spec_resources_free (r);
  free (r);
}
