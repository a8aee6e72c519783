#include "config.h"

#include "tests/unit/conformance.h"

#include "core/config/config.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "tests/unit/testutil.h"

#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

struct conformance conf;
const char *conformance_data_subdir;

static const char *plugin_path;
static uint32_t plugin_kind;

static void
load (void)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_driver **v = NULL;

  ck_assert_int_eq (berth_plugins_load (conf.cfg, &conf.plugins, &err), 0);
  ck_assert_msg (berth_plugins_list (conf.plugins, plugin_kind, &v) == 1, "%s did not load (see the log above)",
                 plugin_path);
  conf.d = v[0];
  free (v);
}

void
conformance_setup (void)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *plugin_dir = NULL;
  cleanup_free char *base = xstrdup (plugin_path);
  cleanup_free char *copy = NULL;

  memset (&conf, 0, sizeof (conf));
  conf.root = test_mkdtemp ("conformance");
  if (conformance_data_subdir != NULL)
    {
      cleanup_free char *sub = xasprintf ("%s/%s", conf.root, conformance_data_subdir);
      ck_assert_int_eq (berth_mkdir_p (sub, 0755, &err), 0);
      conf.data_root = xasprintf ("%s/data", sub);
    }
  else
    conf.data_root = xasprintf ("%s/data", conf.root);
  plugin_dir = xasprintf ("%s/plugins", conf.root);
  ck_assert_int_eq (mkdir (plugin_dir, 0755), 0);
  copy = xasprintf ("%s/%s", plugin_dir, basename (base));
  test_copy_file (plugin_path, copy);

  conf.cfg = berth_config_new_defaults ();
  ck_assert_int_eq (berth_config_override (conf.cfg, "data-root", conf.data_root, &err), 0);
  ck_assert_int_eq (berth_config_override (conf.cfg, "plugin-dirs", plugin_dir, &err), 0);
  ck_assert_int_eq (berth_config_finalize (conf.cfg, &err), 0);
  load ();
}

void
conformance_reload (void)
{
  berth_plugins_free (conf.plugins);
  conf.plugins = NULL;
  conf.d = NULL;
  load ();
}

/* Each mount point at or below dir, deepest last; NULL-terminated. */
static char **
mounts_below (const char *dir)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0, n = 0, dlen = strlen (dir);
  char **v = xmalloc0 (sizeof (char *));

  while (f != NULL && getline (&line, &cap, f) > 0)
    {
      char point[4096];
      size_t w = 0;
      const char *p = line;
      /* id parent major:minor root MOUNT-POINT ... ; octal escapes (\040) */
      for (int field = 0; field < 4 && p; field++)
        p = strchr (p, ' ') ? strchr (p, ' ') + 1 : NULL;
      for (; p && *p && *p != ' ' && w + 1 < sizeof (point); p++)
        if (p[0] == '\\' && p[1] && p[2] && p[3])
          {
            point[w++] = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
          }
        else
          point[w++] = *p;
      point[w] = '\0';
      if (strncmp (point, dir, dlen) != 0 || (point[dlen] != '/' && point[dlen] != '\0'))
        continue;
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrdup (point);
      v[n] = NULL;
    }
  return v;
}

int
conformance_count_mounts (const char *dir)
{
  cleanup_strv char **v = mounts_below (dir);
  int n = 0;

  while (v[n])
    n++;
  return n;
}

void
conformance_teardown (void)
{
  berth_plugins_free (conf.plugins);
  /* A failed test may have left layers mounted: never rm -rf through a mount. */
  if (conf.root != NULL)
    {
      cleanup_strv char **v = mounts_below (conf.root);
      size_t n = 0;
      while (v[n])
        n++;
      while (n > 0)
        umount2 (v[--n], MNT_DETACH);
    }
  berth_config_free (conf.cfg);
  test_rm_rf (conf.root);
  free (conf.root);
  free (conf.data_root);
  memset (&conf, 0, sizeof (conf));
}

/* The plugin's kind, read from its descriptor without the loader. */
static int
kind_of (const char *path, uint32_t *ret)
{
  void *h = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  berth_plugin_get_descriptor_fn get;
  const struct berth_plugin_descriptor *d;

  if (h == NULL)
    {
      fprintf (stderr, "%s\n", dlerror ());
      return -1;
    }
  *(void **)&get = dlsym (h, BERTH_PLUGIN_ENTRY);
  d = get ? get () : NULL;
  if (d == NULL)
    {
      fprintf (stderr, "%s: not a berth plugin\n", path);
      dlclose (h);
      return -1;
    }
  *ret = d->kind;
  dlclose (h);
  return 0;
}

int
conformance_main (int argc, char **argv, uint32_t kind, Suite *(*make_suite) (void))
{
  SRunner *sr;
  uint32_t k;
  int failed;

  plugin_path = argc > 1 ? argv[1] : getenv ("BERTH_PLUGIN");
  if (plugin_path == NULL || plugin_path[0] == '\0')
    {
      fprintf (stderr, "usage: %s PLUGIN.so (or set BERTH_PLUGIN)\n", argv[0]);
      return 2;
    }
  if (kind_of (plugin_path, &k) < 0)
    return 1;
  if (k != kind)
    {
      fprintf (stderr, "%s is a %s plugin, this suite tests %s plugins: skipped\n", plugin_path, berth_kind_name (k),
               berth_kind_name (kind));
      return 77;
    }
  plugin_kind = kind;
  berth_log_set_level (BERTH_LOG_WARN); /* the loader's "loaded ..." lines are noise here */
  printf ("conformance: %s\n", plugin_path);
  sr = srunner_create (make_suite ());
  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
