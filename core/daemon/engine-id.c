#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/daemon/engine-id.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#define UUID_LEN 36

static int
is_uuid (const char *s)
{
  for (int i = 0; i < UUID_LEN; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (s[i] != '-')
            return 0;
        }
      else if (!isxdigit ((unsigned char)s[i]))
        return 0;
    }
  return s[UUID_LEN] == '\0' || (s[UUID_LEN] == '\n' && s[UUID_LEN + 1] == '\0');
}

static int
new_uuid (char out[UUID_LEN + 1], berth_error_t *err)
{
  unsigned char b[16];

  if (getrandom (b, sizeof (b), 0) != (ssize_t)sizeof (b))
    return berth_error_errno (err, errno, "getrandom");
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  snprintf (out, UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
            b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return 0;
}

int
berth_engine_id_load (const char *data_root, char **ret, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/engine-id", data_root);
  cleanup_free char *content = NULL;
  cleanup_error berth_error_t read_err = NULL;
  char id[UUID_LEN + 1];
  char line[UUID_LEN + 2];
  size_t len;

  if (berth_read_file (path, 4096, &content, &len, &read_err) == 0)
    {
      if (is_uuid (content))
        {
          *ret = xstrndup (content, UUID_LEN);
          return 0;
        }
      log_warn ("%s does not hold a valid ID; generating a new one", path);
    }
  else if (berth_error_code (&read_err) != ENOENT)
    {
      *err = steal_pointer (&read_err);
      return berth_error_wrap (err, "cannot read the engine ID");
    }

  if (new_uuid (id, err) < 0)
    return berth_error_ret (err);
  snprintf (line, sizeof (line), "%s\n", id);
  if (berth_write_file_atomic (path, line, strlen (line), 0600, err) < 0)
    return berth_error_wrap (err, "cannot store the engine ID");
  *ret = xstrdup (id);
  return 0;
}
