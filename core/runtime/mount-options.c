#include "config.h"

#include "core/runtime/mount-options.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static const struct
{
  const char *name;
  bool clear;
  unsigned long flag;
} flag_table[] = {
  { "ro", false, MS_RDONLY },           { "rw", true, MS_RDONLY },
  { "nosuid", false, MS_NOSUID },       { "suid", true, MS_NOSUID },
  { "nodev", false, MS_NODEV },         { "dev", true, MS_NODEV },
  { "noexec", false, MS_NOEXEC },       { "exec", true, MS_NOEXEC },
  { "sync", false, MS_SYNCHRONOUS },    { "async", true, MS_SYNCHRONOUS },
  { "dirsync", false, MS_DIRSYNC },     { "remount", false, MS_REMOUNT },
  { "mand", false, MS_MANDLOCK },       { "nomand", true, MS_MANDLOCK },
  { "atime", true, MS_NOATIME },        { "noatime", false, MS_NOATIME },
  { "diratime", true, MS_NODIRATIME },  { "nodiratime", false, MS_NODIRATIME },
  { "relatime", false, MS_RELATIME },   { "norelatime", true, MS_RELATIME },
  { "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
  { "silent", false, MS_SILENT },       { "loud", true, MS_SILENT },
  { "nosymfollow", false, MS_NOSYMFOLLOW },
  { "defaults", false, 0 },
};

static const struct
{
  const char *name;
  unsigned long flags;
} prop_table[] = {
  { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
  { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static void
append_data (char **data, const char *opt)
{
  char *n = *data ? xasprintf ("%s,%s", *data, opt) : xstrdup (opt);

  free (*data);
  *data = n;
}

static bool
is_recursive_attr (const char *opt)
{
  /* runc's recursive variants: "rro", "rnosuid", ... */
  static const char *const r[] = { "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
                                   "rnoatime", "ratime", "rrelatime", "rnorelatime", "rstrictatime", "rnosymfollow",
                                   "rsymfollow", NULL };
  size_t i;

  for (i = 0; r[i]; i++)
    if (strcmp (opt, r[i]) == 0)
      return true;
  return false;
}

int
berth_mount_options_parse (const char *type, char *const *options, struct berth_mount_options *out,
                           berth_error_t *err)
{
  size_t i, k;

  memset (out, 0, sizeof (*out));
  if (type && strcmp (type, "bind") == 0)
    out->bind = true;
  for (i = 0; options && options[i]; i++)
    {
      const char *opt = options[i];
      bool done = false;

      if (strcmp (opt, "bind") == 0)
        {
          out->bind = true;
          continue;
        }
      if (strcmp (opt, "rbind") == 0)
        {
          out->bind = out->recursive = true;
          continue;
        }
      for (k = 0; !done && k < sizeof (flag_table) / sizeof (flag_table[0]); k++)
        if (strcmp (opt, flag_table[k].name) == 0)
          {
            if (flag_table[k].clear)
              {
                out->flags &= ~flag_table[k].flag;
                out->clear |= flag_table[k].flag;
              }
            else
              {
                out->flags |= flag_table[k].flag;
                out->clear &= ~flag_table[k].flag;
              }
            done = true;
          }
      for (k = 0; !done && k < sizeof (prop_table) / sizeof (prop_table[0]); k++)
        if (strcmp (opt, prop_table[k].name) == 0)
          {
            out->propagation = prop_table[k].flags;
            done = true;
          }
      if (done)
        continue;
      if (is_recursive_attr (opt))
        {
          /* apply the attribute itself, and to the whole subtree */
          char *const one[] = { (char *) opt + 1, NULL };
          struct berth_mount_options sub;
          if (berth_mount_options_parse (NULL, one, &sub, err) < 0)
            return berth_error_ret (err);
          out->flags = (out->flags & ~sub.clear) | sub.flags;
          out->clear = (out->clear & ~sub.flags) | sub.clear;
          out->recursive = true;
          berth_mount_options_clear (&sub);
          continue;
        }
      if (strncmp (opt, "x-", 2) == 0)
        continue;
      if (strcmp (opt, "tmpcopyup") == 0 || strcmp (opt, "idmap") == 0 || strcmp (opt, "ridmap") == 0
          || strcmp (opt, "copy-symlink") == 0)
        {
          berth_mount_options_clear (out);
          return berth_error_make (err, ENOTSUP, "mount option `%s` is not supported", opt);
        }
      if (opt[0] == '\0' || strchr (opt, ','))
        {
          berth_mount_options_clear (out);
          return berth_error_make (err, EINVAL, "invalid mount option `%s`", opt);
        }
      append_data (&out->data, opt);
    }
  return 0;
}

void
berth_mount_options_clear (struct berth_mount_options *o)
{
  free (o->data);
  o->data = NULL;
}
