/* --log-opt parsing shared by the file-writing log drivers. */
#include "config.h"

#include "file-opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A positive size with an optional k/m/g suffix (binary units) and an
   optional b after it, as Docker's units.RAMInBytes. */
static int
parse_size (const char *s, int64_t *ret)
{
  char *end;
  long long v;
  int64_t mult = 1;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno != 0 || end == s || v <= 0)
    return -1;
  switch (*end)
    {
    case 'k':
    case 'K':
      mult = 1024;
      end++;
      break;
    case 'm':
    case 'M':
      mult = 1024 * 1024;
      end++;
      break;
    case 'g':
    case 'G':
      mult = 1024 * 1024 * 1024;
      end++;
      break;
    }
  if (mult > 1 && (*end == 'b' || *end == 'B'))
    end++;
  if (*end != '\0' || v > INT64_MAX / mult)
    return -1;
  *ret = v * mult;
  return 0;
}

/* Go's strconv.ParseBool, as Docker reads compress */
static int
parse_bool (const char *s, bool *ret)
{
  static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
  static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

  for (size_t i = 0; i < sizeof (yes) / sizeof (yes[0]); i++)
    if (strcmp (s, yes[i]) == 0)
      return *ret = true, 0;
  for (size_t i = 0; i < sizeof (no) / sizeof (no[0]); i++)
    if (strcmp (s, no[i]) == 0)
      return *ret = false, 0;
  return -1;
}

struct opt_walk
{
  const struct berth_host_api *h;
  const struct berth_cfg *cfg;
  const struct log_file_opts_spec *spec;
  struct berth_error **err;
  struct log_file_opts *o;
  int r;
};

static int
opt_one (void *ud, const char *key, const char *value)
{
  struct opt_walk *w = ud;
  const char *driver = w->spec->driver;
  const char *v = value ? value : "";

  if (strcmp (key, "max-size") == 0)
    {
      if (w->spec->unlimited_size && strcmp (v, "-1") == 0)
        w->o->max_size = -1;
      else if (parse_size (v, &w->o->max_size) < 0)
        w->r = w->h->cfg_error (w->err, w->cfg, key, "%s: bad max-size `%s` (%s)", driver, v, w->spec->size_hint);
    }
  else if (strcmp (key, "max-file") == 0)
    {
      char *end;
      long n;
      errno = 0;
      n = strtol (v, &end, 10);
      if (errno != 0 || end == v || *end != '\0' || n < 1 || n > LOG_FILE_MAX_FILES)
        w->r = w->h->cfg_error (w->err, w->cfg, key, "%s: bad max-file `%s` (a number from 1 to %d)", driver, v,
                                LOG_FILE_MAX_FILES);
      else
        w->o->max_file = (int)n;
    }
  else if (w->spec->compress && strcmp (key, "compress") == 0)
    {
      if (parse_bool (v, &w->o->compress) < 0)
        w->r = w->h->cfg_error (w->err, w->cfg, key, "%s: bad compress `%s` (true or false)", driver, v);
    }
  else
    w->r = w->h->cfg_error (w->err, w->cfg, key, "%s: unknown log option `%s` (supported: max-size, max-file%s)",
                            driver, key, w->spec->compress ? ", compress" : "");
  return w->r;
}

int
log_file_opts_parse (const struct berth_host_api *h, const struct berth_cfg *opts,
                     const struct log_file_opts_spec *spec, struct log_file_opts *o, struct berth_error **err)
{
  struct opt_walk w = { .h = h, .cfg = opts, .spec = spec, .err = err, .o = o };

  if (opts != NULL)
    h->cfg_each (opts, opt_one, &w);
  return w.r < 0 ? w.r : 0;
}
