/* The build cache (see cache.h). */
#include "config.h"

#include <string.h>

#include "core/build/cache.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

static char *
key_path (const char *dir, const char *key)
{
  char d[DIGEST_BUF_SIZE];

  if (digest_buffer (key, strlen (key), d, NULL) < 0)
    return NULL;
  return xasprintf ("%s/%s", dir, digest_hex (d));
}

int
build_cache_get (struct image_service *svc, const char *dir, const char *key, char ret_id[DIGEST_BUF_SIZE])
{
  cleanup_free char *path = key_path (dir, key);
  cleanup_free char *text = NULL;
  berth_error_t err = NULL;
  size_t len = 0;

  if (path == NULL || berth_read_file (path, 256, &text, &len, &err) < 0)
    {
      berth_error_release (&err);
      return 0;
    }
  text[strcspn (text, "\n")] = '\0';
  if (!digest_is_valid (text) || image_service_lookup (svc, text, ret_id, &err) < 0)
    {
      berth_error_release (&err);
      return 0;
    }
  return strcmp (ret_id, text) == 0;
}

void
build_cache_put (const char *dir, const char *key, const char *id)
{
  cleanup_free char *path = key_path (dir, key);
  berth_error_t err = NULL;

  if (path == NULL || berth_mkdir_p (dir, 0700, &err) < 0
      || berth_write_file_atomic (path, id, strlen (id), 0600, &err) < 0)
    {
      log_warn ("build cache: %s", err != NULL ? berth_error_msg (&err) : "cannot hash the key");
      berth_error_release (&err);
    }
}
