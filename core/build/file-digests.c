/* Digests of context files by their stat identity (see file-digests.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/build/file-digests.h"
#include "core/lib/mem.h"

struct build_file_digests
{
  json_object *map; /* "dev:ino" -> "size mtime ctime digest" */
};

struct build_file_digests *
build_file_digests_new (void)
{
  struct build_file_digests *t = xmalloc0 (sizeof (*t));

  t->map = json_object_new_object ();
  return t;
}

void
build_file_digests_free (struct build_file_digests *t)
{
  if (t == NULL)
    return;
  json_object_put (t->map);
  free (t);
}

static void
keys (const struct stat *st, char key[48], char val[96])
{
  snprintf (key, 48, "%llx:%llx", (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
  snprintf (val, 96, "%lld %lld.%09ld %lld.%09ld ", (long long)st->st_size, (long long)st->st_mtim.tv_sec,
            st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

bool
build_file_digests_get (struct build_file_digests *t, const struct stat *st, char ret[DIGEST_BUF_SIZE])
{
  char key[48], val[96];
  json_object *v;
  const char *s;
  size_t n;

  if (t == NULL || !S_ISREG (st->st_mode))
    return false;
  keys (st, key, val);
  if (!json_object_object_get_ex (t->map, key, &v))
    return false;
  s = json_object_get_string (v);
  n = strlen (val);
  if (strncmp (s, val, n) != 0 || !digest_is_valid (s + n))
    return false;
  snprintf (ret, DIGEST_BUF_SIZE, "%s", s + n);
  return true;
}

void
build_file_digests_put (struct build_file_digests *t, const struct stat *st, const char *digest)
{
  char key[48], val[96];
  cleanup_free char *s = NULL;

  if (t == NULL || !S_ISREG (st->st_mode))
    return;
  keys (st, key, val);
  s = xasprintf ("%s%s", val, digest);
  json_object_object_add (t->map, key, json_object_new_string (s));
}

size_t
build_file_digests_count (const struct build_file_digests *t)
{
  return t != NULL ? (size_t)json_object_object_length (t->map) : 0;
}
