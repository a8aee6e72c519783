/* Time what `docker create` asks of a storage driver: a container's writable
 * layer on an image layer, created and mounted.  Loads the plugin through the
 * real loader, fills one image layer with a copy of a tree (the way the core
 * does: into diff_dir when the driver has one, else into the mounted layer),
 * then RUNS times creates + mounts a writable child (timed) and unmounts +
 * removes it (not timed).  Prints min, median and p90 in milliseconds.
 *   storage-bench PLUGIN.so DATA_ROOT TREE [RUNS]     (see bench/storage.sh) */
#include "config.h"

#include "core/config/config.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/plugin/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int
die (const char *what, berth_error_t *err)
{
  fprintf (stderr, "storage-bench: %s: %s\n", what, err && *err ? berth_error_msg (err) : strerror (errno));
  return 1;
}

/* cp -a TREE/. DIR: a plain copy, the way layer apply would write it. */
static int
copy_tree (const char *tree, const char *dir)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      cleanup_free char *src = xasprintf ("%s/.", tree);
      execlp ("cp", "cp", "-a", src, dir, (char *)NULL);
      _exit (127);
    }
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    return -1;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

int
main (int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_config *cfg = NULL;
  struct berth_plugins *plugins = NULL;
  struct berth_driver **v = NULL;
  struct berth_layer_opts image = { .struct_size = sizeof (image) };
  struct berth_layer_opts rw = { .struct_size = sizeof (rw), .flags = BERTH_LAYER_RW };
  struct berth_mount_opts mo = { .struct_size = sizeof (mo) };
  const struct berth_storage_ops *ops;
  cleanup_free char *plugin_dir = NULL, *copy = NULL, *so = NULL;
  cleanup_free double *t = NULL;
  char path[4096];
  int runs = argc > 4 ? atoi (argv[4]) : 100;
  const char *name;
  void *drv;

  if (argc < 4 || runs < 1)
    {
      fprintf (stderr, "usage: %s PLUGIN.so DATA_ROOT TREE [RUNS]\n", argv[0]);
      return 2;
    }
  berth_log_set_level (BERTH_LOG_WARN);
  plugin_dir = xasprintf ("%s/plugins", argv[2]);
  copy = xasprintf ("%s/%s", plugin_dir, strrchr (argv[1], '/') ? strrchr (argv[1], '/') + 1 : argv[1]);
  so = realpath (argv[1], NULL);
  if (so == NULL)
    return die (argv[1], NULL);
  if (mkdir (argv[2], 0700) < 0 || mkdir (plugin_dir, 0700) < 0 || symlink (so, copy) < 0)
    return die (argv[2], NULL);
  cfg = berth_config_new_defaults ();
  if (berth_config_override (cfg, "data-root", argv[2], &err) < 0
      || berth_config_override (cfg, "plugin-dirs", plugin_dir, &err) < 0 || berth_config_finalize (cfg, &err) < 0
      || berth_plugins_load (cfg, &plugins, &err) < 0)
    return die ("config", &err);
  if (berth_plugins_list (plugins, BERTH_KIND_STORAGE, &v) != 1)
    return die ("the plugin did not load", NULL);
  ops = &v[0]->ops.storage;
  drv = v[0]->drv;
  name = v[0]->name; /* the driver lives until berth_plugins_free */
  free (v);

  if (ops->create (drv, "image", NULL, &image, &err) < 0)
    return die ("create image layer", &err);
  if (ops->diff_dir ? ops->diff_dir (drv, "image", path, sizeof (path), &err)
                    : ops->mount (drv, "image", &mo, path, sizeof (path), &err))
    return die ("image layer", &err);
  if (copy_tree (argv[3], path) < 0)
    return die ("copy the tree", NULL);
  if (ops->diff_dir == NULL && ops->unmount (drv, "image", &err) < 0)
    return die ("unmount image layer", &err);

  t = xmalloc0 ((size_t)runs * sizeof (double));
  for (int i = 0; i < runs; i++)
    {
      char id[32];
      double t0;
      snprintf (id, sizeof (id), "container%d", i);
      t0 = now_ms ();
      if (ops->create (drv, id, "image", &rw, &err) < 0 || ops->mount (drv, id, &mo, path, sizeof (path), &err) < 0)
        return die (id, &err);
      t[i] = now_ms () - t0;
      if (ops->unmount (drv, id, &err) < 0 || ops->remove (drv, id, &err) < 0)
        return die (id, &err);
    }
  qsort (t, (size_t)runs, sizeof (double), cmp_double);
  printf ("%s: create+mount of a writable layer, %d runs: min %.2f ms, median %.2f ms, p90 %.2f ms\n", name, runs, t[0],
          t[runs / 2], t[runs * 9 / 10]);

  /* What the disk adds: one atomic metadata write (write, fsync, rename,
     fsync of the directory), as every driver does per layer. */
  for (int i = 0; i < runs; i++)
    {
      cleanup_free char *f = xasprintf ("%s/fsync-probe", argv[2]);
      double t0 = now_ms ();
      if (berth_write_file_atomic (f, "parent=x\n", 9, 0600, &err) < 0)
        return die ("write_file_atomic", &err);
      t[i] = now_ms () - t0;
    }
  qsort (t, (size_t)runs, sizeof (double), cmp_double);
  printf ("%s: (for scale: one atomic metadata write with fsync on this disk: median %.2f ms)\n", name, t[runs / 2]);
  if (ops->remove (drv, "image", &err) < 0)
    return die ("remove image layer", &err);
  berth_plugins_free (plugins);
  berth_config_free (cfg);
  return 0;
}
