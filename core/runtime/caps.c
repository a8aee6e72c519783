#include "config.h"

#include "core/runtime/caps.h"
#include "core/lib/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

const char *
berth_cap_name (int cap, char *buf, size_t len)
{
  char *n = cap_to_name ((cap_value_t) cap);
  size_t i;

  snprintf (buf, len, "%s", n ? n : "?");
  cap_free (n);
  for (i = 0; buf[i]; i++)
    buf[i] = (char) toupper ((unsigned char) buf[i]);
  return buf;
}

static int
last_cap (void)
{
  int n = (int) cap_max_bits ();

  return n > 64 ? 63 : n - 1;
}

int
berth_caps_check (const struct berth_spec_caps *caps, berth_error_t *err)
{
  uint64_t wanted = caps->permitted | caps->effective | caps->inheritable | caps->ambient;
  int c, last = last_cap ();
  cap_t cur = cap_get_proc ();

  if (cur == NULL)
    return berth_error_errno (err, errno, "read capabilities");
  for (c = 0; c <= last; c++)
    {
      cap_flag_value_t v = CAP_CLEAR;
      if (!(wanted & ((uint64_t) 1 << c)))
        continue;
      cap_get_flag (cur, (cap_value_t) c, CAP_PERMITTED, &v);
      if (v != CAP_SET)
        {
          char name[64];
          cap_free (cur);
          return berth_error_make (err, EPERM, "process.capabilities: %s is requested but the runtime does not hold it",
                                   berth_cap_name (c, name, sizeof (name)));
        }
    }
  cap_free (cur);
  return 0;
}

int
berth_caps_drop_bounding (uint64_t keep, berth_error_t *err)
{
  int c, last = last_cap ();

  for (c = 0; c <= last; c++)
    {
      if (keep & ((uint64_t) 1 << c))
        continue;
      if (prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
        {
          char name[64];
          return berth_error_errno (err, errno, "drop %s from the bounding set", berth_cap_name (c, name, sizeof (name)));
        }
    }
  return 0;
}

static int
set_flags (cap_t c, cap_flag_t flag, uint64_t mask, int last)
{
  cap_value_t list[64];
  int n = 0, i;

  for (i = 0; i <= last; i++)
    if (mask & ((uint64_t) 1 << i))
      list[n++] = (cap_value_t) i;
  return n ? cap_set_flag (c, flag, n, list, CAP_SET) : 0;
}

int
berth_caps_apply (const struct berth_spec_caps *caps, berth_error_t *err)
{
  int last = last_cap (), i;
  cap_t c = cap_init ();

  if (c == NULL)
    return berth_error_errno (err, errno, "cap_init");
  if (set_flags (c, CAP_EFFECTIVE, caps->effective, last) < 0 || set_flags (c, CAP_PERMITTED, caps->permitted, last) < 0
      || set_flags (c, CAP_INHERITABLE, caps->inheritable, last) < 0)
    {
      cap_free (c);
      return berth_error_errno (err, errno, "build capability sets");
    }
  if (cap_set_proc (c) < 0)
    {
      int e = errno;
      cap_free (c);
      return berth_error_errno (err, e, "set capabilities");
    }
  cap_free (c);
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return berth_error_errno (err, errno, "clear ambient capabilities");
  for (i = 0; i <= last; i++)
    {
      uint64_t bit = (uint64_t) 1 << i;
      if (!(caps->ambient & bit) || !(caps->inheritable & bit) || !(caps->permitted & bit))
        continue;
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
        {
          char name[64];
          return berth_error_errno (err, errno, "raise ambient %s", berth_cap_name (i, name, sizeof (name)));
        }
    }
  return 0;
}
