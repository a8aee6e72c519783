#include "config.h"

#include "core/image/reference.h"
#include "core/image/digest.h"
#include "core/lib/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool
is_alnum_lower (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_word (char c)
{
  return isascii ((unsigned char)c) && (isalnum ((unsigned char)c) || c == '_');
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+ */
static bool
path_component_valid (const char *s, size_t len)
{
  size_t i = 0;

  if (len == 0 || !is_alnum_lower (s[0]))
    return false;
  while (i < len)
    {
      size_t start;
      while (i < len && is_alnum_lower (s[i]))
        i++;
      if (i == len)
        return true;
      start = i;
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
      else if (s[i] == '-')
        while (i < len && s[i] == '-')
          i++;
      else
        return false;
      if (i == start || i == len || !is_alnum_lower (s[i]))
        return false;
    }
  return true;
}

bool
image_ref_path_valid (const char *path)
{
  const char *p = path;

  for (;;)
    {
      const char *slash = strchr (p, '/');
      size_t len = slash ? (size_t)(slash - p) : strlen (p);
      if (!path_component_valid (p, len))
        return false;
      if (slash == NULL)
        return true;
      p = slash + 1;
    }
}

bool
image_ref_tag_valid (const char *tag)
{
  size_t i, len = strlen (tag);

  if (len == 0 || len > IMAGE_REF_TAG_MAX || !is_word (tag[0]))
    return false;
  for (i = 1; i < len; i++)
    if (!is_word (tag[i]) && tag[i] != '.' && tag[i] != '-')
      return false;
  return true;
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool
domain_component_valid (const char *s, size_t len)
{
  size_t i;

  if (len == 0 || !isalnum ((unsigned char)s[0]) || !isalnum ((unsigned char)s[len - 1]))
    return false;
  for (i = 0; i < len; i++)
    if (!isascii ((unsigned char)s[i]) || (!isalnum ((unsigned char)s[i]) && s[i] != '-'))
      return false;
  return true;
}

/* host [":" port] where host is a dotted domain name, an IPv4 address (which
   the domain grammar covers) or "[" IPv6 "]" */
static bool
domain_valid (const char *d)
{
  const char *host_end, *p;
  size_t len = strlen (d);

  if (len == 0)
    return false;
  if (d[0] == '[')
    {
      const char *close = strchr (d, ']');
      if (close == NULL || close == d + 1)
        return false;
      for (p = d + 1; p < close; p++)
        if (!isxdigit ((unsigned char)*p) && *p != ':')
          return false;
      host_end = close + 1;
    }
  else
    {
      const char *colon = strchr (d, ':');
      host_end = colon ? colon : d + len;
      for (p = d; p < host_end;)
        {
          const char *dot = memchr (p, '.', host_end - p);
          const char *cend = dot ? dot : host_end;
          if (!domain_component_valid (p, cend - p))
            return false;
          p = dot ? dot + 1 : host_end;
          if (dot && p == host_end)
            return false;
        }
    }
  if (*host_end == '\0')
    return true;
  if (*host_end != ':' || host_end[1] == '\0')
    return false;
  for (p = host_end + 1; *p; p++)
    if (!isdigit ((unsigned char)*p))
      return false;
  return true;
}

/* digest in a reference: algorithm ":" hex{32,}, then validated as a digest */
static int
ref_digest_check (const char *s, const char *dgst, berth_error_t *err)
{
  const char *colon = strchr (dgst, ':');
  const char *p;

  if (colon == NULL || colon == dgst || strlen (colon + 1) < 32)
    return berth_error_make (err, EINVAL, "invalid reference format: `%s`", s);
  for (p = dgst; p < colon; p++)
    if (!isalnum ((unsigned char)*p) && !strchr ("-_+.", *p))
      return berth_error_make (err, EINVAL, "invalid reference format: `%s`", s);
  for (p = colon + 1; *p; p++)
    if (!isxdigit ((unsigned char)*p))
      return berth_error_make (err, EINVAL, "invalid reference format: `%s`", s);
  if (digest_validate (dgst, err) < 0)
    return berth_error_wrap (err, "invalid reference format");
  return 0;
}

static bool
has_upper (const char *s, size_t len)
{
  size_t i;

  for (i = 0; i < len; i++)
    if (isupper ((unsigned char)s[i]))
      return true;
  return false;
}

int
image_ref_parse (const char *s, unsigned flags, struct image_ref **ret, berth_error_t *err)
{
  cleanup_image_ref struct image_ref *ref = xmalloc0 (sizeof (*ref));
  cleanup_free char *rest = NULL;
  const char *slash;
  char *at, *colon, *last_slash, *remote;
  size_t first_len;

  if (s == NULL || *s == '\0')
    return berth_error_make (err, EINVAL, "invalid reference format: repository name must have at least one component");
  if (digest_is_hex64 (s))
    return berth_error_make (err, EINVAL, "invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
                             s);

  /* The first component is a registry when it has '.', ':' or uppercase, or is localhost. */
  slash = strchr (s, '/');
  first_len = slash ? (size_t)(slash - s) : 0;
  if (slash == NULL
      || (memchr (s, '.', first_len) == NULL && memchr (s, ':', first_len) == NULL
          && !(first_len == 9 && strncmp (s, "localhost", 9) == 0) && !has_upper (s, first_len)))
    {
      ref->domain = xstrdup (IMAGE_REF_DEFAULT_DOMAIN);
      rest = xstrdup (s);
    }
  else
    {
      ref->domain = xstrndup (s, first_len);
      rest = xstrdup (slash + 1);
    }
  if (strcmp (ref->domain, IMAGE_REF_LEGACY_DOMAIN) == 0)
    {
      free (ref->domain);
      ref->domain = xstrdup (IMAGE_REF_DEFAULT_DOMAIN);
    }

  /* split "path[:tag][@digest]"; Docker checks case before the tag and digest syntax */
  at = strchr (rest, '@');
  if (at)
    *at = '\0';
  last_slash = strrchr (rest, '/');
  colon = strrchr (last_slash ? last_slash : rest, ':');
  if (colon)
    *colon = '\0';
  remote = rest;
  if (strcmp (ref->domain, IMAGE_REF_DEFAULT_DOMAIN) == 0 && strchr (remote, '/') == NULL)
    ref->path = xasprintf ("%s%s", IMAGE_REF_OFFICIAL_PREFIX, remote);
  else
    ref->path = xstrdup (remote);
  if (has_upper (ref->path, strlen (ref->path)))
    return berth_error_make (err, EINVAL, "invalid reference format: repository name (%s) must be lowercase",
                             ref->path);
  if (colon)
    {
      if (!image_ref_tag_valid (colon + 1))
        return berth_error_make (err, EINVAL, "invalid reference format: `%s`", s);
      ref->tag = xstrdup (colon + 1);
    }
  if (at)
    {
      if (ref_digest_check (s, at + 1, err) < 0)
        return berth_error_ret (err);
      ref->digest = xstrdup (at + 1);
    }
  if (*remote == '\0' || !image_ref_path_valid (ref->path) || !domain_valid (ref->domain))
    return berth_error_make (err, EINVAL, "invalid reference format: `%s`", s);
  if (strlen (ref->domain) + 1 + strlen (ref->path) > IMAGE_REF_NAME_MAX)
    return berth_error_make (err, EINVAL,
                             "invalid reference format: repository name must not be more than %d characters",
                             IMAGE_REF_NAME_MAX);
  if ((flags & IMAGE_REF_DEFAULT_TAG) && ref->tag == NULL && ref->digest == NULL)
    ref->tag = xstrdup (IMAGE_REF_DEFAULT_TAG_NAME);
  *ret = steal_pointer (&ref);
  return 0;
}

void
image_ref_free (struct image_ref *ref)
{
  if (ref == NULL)
    return;
  free (ref->domain);
  free (ref->path);
  free (ref->tag);
  free (ref->digest);
  free (ref);
}

void
cleanup_image_refp (struct image_ref **ref)
{
  image_ref_free (*ref);
  *ref = NULL;
}

struct image_ref *
image_ref_dup (const struct image_ref *ref)
{
  struct image_ref *r = xmalloc0 (sizeof (*r));

  r->domain = xstrdup (ref->domain);
  r->path = xstrdup (ref->path);
  r->tag = ref->tag ? xstrdup (ref->tag) : NULL;
  r->digest = ref->digest ? xstrdup (ref->digest) : NULL;
  return r;
}

char *
image_ref_name (const struct image_ref *ref)
{
  return xasprintf ("%s/%s", ref->domain, ref->path);
}

static char *
with_suffixes (char *name, const struct image_ref *ref)
{
  char *r = xasprintf ("%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                       ref->digest ? ref->digest : "");
  free (name);
  return r;
}

char *
image_ref_string (const struct image_ref *ref)
{
  return with_suffixes (image_ref_name (ref), ref);
}

char *
image_ref_familiar_name (const struct image_ref *ref)
{
  if (strcmp (ref->domain, IMAGE_REF_DEFAULT_DOMAIN) != 0)
    return image_ref_name (ref);
  /* "library/x" -> "x", but "library/x/y" stays as is */
  if (strncmp (ref->path, IMAGE_REF_OFFICIAL_PREFIX, strlen (IMAGE_REF_OFFICIAL_PREFIX)) == 0
      && strchr (ref->path + strlen (IMAGE_REF_OFFICIAL_PREFIX), '/') == NULL)
    return xstrdup (ref->path + strlen (IMAGE_REF_OFFICIAL_PREFIX));
  return xstrdup (ref->path);
}

char *
image_ref_familiar_string (const struct image_ref *ref)
{
  return with_suffixes (image_ref_familiar_name (ref), ref);
}

const char *
image_ref_registry_host (const struct image_ref *ref)
{
  if (strcmp (ref->domain, IMAGE_REF_DEFAULT_DOMAIN) == 0)
    return IMAGE_REF_DOCKER_HUB_HOST;
  return ref->domain;
}
