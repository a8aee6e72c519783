/* Registry credentials from the API: see credentials.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/base64.h"
#include "core/lib/mem.h"
#include "core/registry/credentials.h"

#define MAX_HEADER_LEN (64 * 1024)

void
registry_credentials_free (struct registry_credentials *cr)
{
  if (cr == NULL)
    return;
  if (cr->password != NULL)
    explicit_bzero (cr->password, strlen (cr->password));
  free (cr->username);
  free (cr->password);
  free (cr->serveraddress);
  free (cr->identitytoken);
  free (cr->registrytoken);
  free (cr);
}

void
cleanup_registry_credentialsp (struct registry_credentials **cr)
{
  registry_credentials_free (*cr);
}

static char *
dup_or_null (const char *s)
{
  return s != NULL ? xstrdup (s) : NULL;
}

struct registry_credentials *
registry_credentials_dup (const struct registry_credentials *cr)
{
  struct registry_credentials *d;

  if (cr == NULL)
    return NULL;
  d = xmalloc0 (sizeof (*d));
  d->username = dup_or_null (cr->username);
  d->password = dup_or_null (cr->password);
  d->serveraddress = dup_or_null (cr->serveraddress);
  d->identitytoken = dup_or_null (cr->identitytoken);
  d->registrytoken = dup_or_null (cr->registrytoken);
  return d;
}

static bool
blank (const char *s)
{
  return s == NULL || s[0] == '\0';
}

bool
registry_credentials_empty (const struct registry_credentials *cr)
{
  return cr == NULL
         || (blank (cr->username) && blank (cr->password) && blank (cr->identitytoken) && blank (cr->registrytoken));
}

/* A string member; absent and null are NULL, other types an error. */
static int
member (json_object *obj, const char *key, char **ret, berth_error_t *err)
{
  json_object *v;

  *ret = NULL;
  if (!json_object_object_get_ex (obj, key, &v) || v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return berth_error_make (err, EINVAL, "credentials: \"%s\" must be a string", key);
  *ret = xstrdup (json_object_get_string (v));
  return 0;
}

int
registry_credentials_from_json (json_object *obj, struct registry_credentials **ret, berth_error_t *err)
{
  cleanup_registry_credentials struct registry_credentials *cr = xmalloc0 (sizeof (*cr));
  cleanup_free char *auth = NULL;

  if (obj == NULL || !json_object_is_type (obj, json_type_object))
    return berth_error_make (err, EINVAL, "credentials must be a JSON object");
  if (member (obj, "username", &cr->username, err) < 0 || member (obj, "password", &cr->password, err) < 0
      || member (obj, "serveraddress", &cr->serveraddress, err) < 0
      || member (obj, "identitytoken", &cr->identitytoken, err) < 0
      || member (obj, "registrytoken", &cr->registrytoken, err) < 0 || member (obj, "auth", &auth, err) < 0)
    return berth_error_ret (err);
  /* "auth" (config.json's form) stands in for a missing username/password */
  if (!blank (auth) && blank (cr->username))
    {
      size_t len;
      cleanup_free char *plain = berth_base64_decode (auth, &len);
      char *colon = plain != NULL ? strchr (plain, ':') : NULL;

      if (colon == NULL || strlen (plain) != len)
        return berth_error_make (err, EINVAL, "credentials: \"auth\" is not base64 of user:password");
      *colon = '\0';
      free (cr->username);
      free (cr->password);
      cr->username = xstrdup (plain);
      cr->password = xstrdup (colon + 1);
      explicit_bzero (plain, len);
    }
  *ret = steal_pointer (&cr);
  return 0;
}

int
registry_credentials_from_header (const char *value, struct registry_credentials **ret, berth_error_t *err)
{
  cleanup_free char *json = NULL;
  json_object *obj;
  size_t len;
  int r;

  *ret = NULL;
  if (value == NULL || value[0] == '\0')
    return 0;
  if (strlen (value) > MAX_HEADER_LEN)
    return berth_error_make (err, EINVAL, "X-Registry-Auth: longer than %d bytes", MAX_HEADER_LEN);
  json = berth_base64_decode (value, &len);
  if (json == NULL)
    return berth_error_make (err, EINVAL, "X-Registry-Auth: not base64-encoded JSON");
  if (strlen (json) != len || (obj = json_tokener_parse (json)) == NULL)
    return berth_error_make (err, EINVAL, "X-Registry-Auth: the decoded value is not JSON");
  r = registry_credentials_from_json (obj, ret, err);
  json_object_put (obj);
  if (r < 0)
    return berth_error_wrap (err, "X-Registry-Auth");
  if (registry_credentials_empty (*ret))
    {
      registry_credentials_free (*ret);
      *ret = NULL;
    }
  return 0;
}
