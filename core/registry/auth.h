/* Registry authentication: the answer to a 401.
 *
 * A registry that wants credentials answers 401 with a challenge:
 *   WWW-Authenticate: Basic realm="Registry"
 *   WWW-Authenticate: Bearer realm="https://auth.example/token",service="reg",scope="repository:x/y:pull"
 * For Basic the credentials go to the registry itself.  For Bearer a token
 * is fetched from the realm (GET realm?service=&scope=, with the credentials
 * as Basic auth or anonymously; POST of an OAuth2 refresh_token grant when
 * the client holds an identity token), read from "token" or "access_token",
 * and kept per (realm, service, scopes, credentials) until its expires_in
 * (60 s when absent) runs out, so later requests and later pulls reuse it. */
#ifndef BERTH_REGISTRY_AUTH_H
#define BERTH_REGISTRY_AUTH_H

#include "core/lib/error.h"
#include "core/registry/credentials.h"

struct registry_challenge
{
  char *scheme; /* "basic", "bearer" (lower case) */
  char *realm;
  char *service;
  char *scope;
  char *error; /* "insufficient_scope", ... */
};

/* One WWW-Authenticate value: the scheme and its auth-params (token or
   quoted-string values, backslash escapes, commas inside quotes).  When the
   header holds several challenges, Bearer is preferred, then Basic. */
int registry_challenge_parse (const char *header, struct registry_challenge *ret, berth_error_t *err);
void registry_challenge_clear (struct registry_challenge *ch);

/* The Authorization value to retry a request with after a 401 carrying ch:
   "Basic base64(user:pass)" or "Bearer TOKEN".  scopes: the scope(s) the
   token must carry ("repository:NAME:pull,push"; NULL-terminated, may be
   empty).  *ret is NULL when nothing better can be tried (Basic without
   credentials).  Errors: EACCES when the token server refuses the
   credentials ("unauthorized: incorrect username or password"), EIO when
   it fails otherwise. */
int registry_auth_answer (const struct registry_challenge *ch, const struct registry_credentials *cr,
                          const char *const *scopes, char **ret, berth_error_t *err);

/* For POST /auth: whether cr opens host (GET /v2/, answering a challenge).
   ret_identity_token gets a refresh token when the token server issued one
   (else NULL).  EACCES with the registry's words when refused. */
int registry_auth_login (const char *host, const struct registry_credentials *cr, char **ret_identity_token,
                         berth_error_t *err);

/* Forget every cached token (tests, and credentials that changed). */
void registry_auth_cache_clear (void);

#endif
