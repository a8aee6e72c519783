/* Registry credentials as the Docker API carries them: the X-Registry-Auth
 * header of POST /images/create and /images/{name}/push (base64url of a
 * JSON AuthConfig) and the body of POST /auth.  They live only for the
 * request that brought them; the daemon never stores them. */
#ifndef BERTH_REGISTRY_CREDENTIALS_H
#define BERTH_REGISTRY_CREDENTIALS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct registry_credentials
{
  char *username;
  char *password;
  char *serveraddress; /* as the client wrote it; may be NULL */
  char *identitytoken; /* an OAuth2 refresh token from an earlier login */
  char *registrytoken; /* a bearer token sent to the registry as is */
};

void registry_credentials_free (struct registry_credentials *cr);
void cleanup_registry_credentialsp (struct registry_credentials **cr);
#define cleanup_registry_credentials __attribute__ ((cleanup (cleanup_registry_credentialsp)))
struct registry_credentials *registry_credentials_dup (const struct registry_credentials *cr);
/* true when nothing would be sent (anonymous) */
bool registry_credentials_empty (const struct registry_credentials *cr);

/* AuthConfig JSON ({username,password,auth,serveraddress,identitytoken,
   registrytoken}; "auth" is base64 "user:pass" as in config.json).  Wrong
   types and a bad "auth" are EINVAL. */
int registry_credentials_from_json (json_object *obj, struct registry_credentials **ret, berth_error_t *err);
/* The X-Registry-Auth header: base64 (URL-safe or standard, padding
   optional) of that JSON.  An empty value or "{}" gives *ret = NULL
   (anonymous); anything undecodable is EINVAL naming the header. */
int registry_credentials_from_header (const char *value, struct registry_credentials **ret, berth_error_t *err);

#endif
