#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container/etc-files.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/network/net-options.h"

static bool
localhost_server (const char *addr)
{
  return strncmp (addr, "127.", 4) == 0 || strcmp (addr, "::1") == 0;
}

char *
container_resolv_conf (const char *host_text)
{
  cleanup_free char *copy = xstrdup (host_text ? host_text : "");
  char *out = xstrdup (""), *save = NULL;
  bool have_ns = false;

  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *next;
      if (strncmp (line, "nameserver", 10) == 0 && (line[10] == ' ' || line[10] == '\t'))
        {
          const char *addr = line + 11;
          while (*addr == ' ' || *addr == '\t')
            addr++;
          if (localhost_server (addr))
            continue;
          have_ns = true;
        }
      next = xasprintf ("%s%s\n", out, line);
      free (out);
      out = next;
    }
  if (!have_ns)
    {
      char *next = xasprintf ("%snameserver 8.8.8.8\nnameserver 8.8.4.4\n", out);
      free (out);
      out = next;
    }
  return out;
}

static const char default_hosts[]
    = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\n"
      "ff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

/* Not synced: derived from the config and the host, and written again at
   start when a crash lost them (manager.c); each sync is milliseconds of
   every `run`. */
static int
write_text (const char *dir, const char *name, const char *text, berth_error_t *err)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);

  return berth_write_file_replace (p, text, strlen (text), 0644, err);
}

/* --dns, --dns-search, --dns-option and --add-host (core/network/net-options.c) */
static int
etc_apply_net_options (const struct container *c, char **resolv, char **hosts, berth_error_t *err)
{
  cleanup_free char *extra = NULL;
  char *next;

  if (net_extra_hosts_text (c->host_config, &extra, err) < 0)
    return berth_error_ret (err);
  next = xasprintf ("%s%s", *hosts, extra);
  free (*hosts);
  *hosts = next;
  next = net_resolv_conf_apply (*resolv, c->host_config);
  free (*resolv);
  *resolv = next;
  return 0;
}

int
container_etc_files_write (const struct container *c, const char *network_mode, berth_error_t *err)
{
  const char *hn = json_object_get_string (json_object_object_get (c->config, "Hostname"));
  cleanup_free char *hostname = xstrdup (hn && hn[0] ? hn : "");
  cleanup_free char *host_resolv = NULL, *resolv = NULL, *hosts = NULL, *hostname_line = NULL;
  const char *resolv_src = "/etc/resolv.conf";
  size_t len;

  if (hostname[0] == '\0')
    {
      free (hostname);
      hostname = xstrndup (c->id, CONTAINER_SHORT_ID_LEN);
    }
  hostname_line = xasprintf ("%s\n", hostname);
  /* systemd-resolved's stub lists 127.0.0.53; the real servers are here */
  if (berth_read_file ("/run/systemd/resolve/resolv.conf", 1 << 20, &host_resolv, &len, NULL) == 0)
    resolv_src = NULL;
  else if (berth_read_file (resolv_src, 1 << 20, &host_resolv, &len, NULL) < 0)
    host_resolv = NULL;
  resolv = container_resolv_conf (host_resolv);
  if (network_mode && strcmp (network_mode, "host") == 0)
    {
      if (berth_read_file ("/etc/hosts", 1 << 20, &hosts, &len, NULL) < 0)
        hosts = xstrdup ("127.0.0.1\tlocalhost\n");
    }
  else
    hosts = xstrdup (default_hosts);
  if (etc_apply_net_options (c, &resolv, &hosts, err) < 0)
    return berth_error_ret (err);
  if (write_text (c->dir, "hostname", hostname_line, err) < 0 || write_text (c->dir, "hosts", hosts, err) < 0
      || write_text (c->dir, "resolv.conf", resolv, err) < 0)
    return berth_error_ret (err);
  return 0;
}

/* "IP<TAB>HOST[.DOMAIN HOST]\n": the line of one of the container's addresses */
static char *
own_line (const struct container *c, const char *ip)
{
  const char *hn = json_object_get_string (json_object_object_get (c->config, "Hostname"));
  const char *domain = json_object_get_string (json_object_object_get (c->config, "Domainname"));
  cleanup_free char *hostname = hn && hn[0] ? xstrdup (hn) : xstrndup (c->id, CONTAINER_SHORT_ID_LEN);

  if (domain && domain[0])
    return xasprintf ("%s\t%s.%s %s\n", ip, hostname, domain, hostname);
  return xasprintf ("%s\t%s\n", ip, hostname);
}

int
container_etc_hosts_write (const struct container *c, char *const *ips, berth_error_t *err)
{
  cleanup_free char *text = NULL, *extra = NULL;

  /* moby's order: the defaults, --add-host entries, the container's own */
  if (net_extra_hosts_text (c->host_config, &extra, err) < 0)
    return berth_error_ret (err);
  text = xasprintf ("%s%s", default_hosts, extra);
  for (size_t i = 0; ips != NULL && ips[i] != NULL; i++)
    {
      cleanup_free char *line = own_line (c, ips[i]);
      char *next = xasprintf ("%s%s", text, line);
      free (text);
      text = next;
    }
  return write_text (c->dir, "hosts", text, err);
}

/* The file of a running container is bind-mounted: a new file renamed over
   it would not be seen, so the same inode is rewritten (the text first, then
   the length: a reader never sees it empty).  O_NOFOLLOW: it is a regular
   file of the daemon's; a symlink (container: mode) is not ours to edit. */
static int
hosts_edit (const struct container *c, const char *line, bool add, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/hosts", c->dir), *text = NULL, *out = NULL;
  cleanup_close int fd = open (path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  size_t len = 0, max, n_out = 0, n_want = strlen (line) - 1; /* without its newline */
  bool present = false;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0)
    return berth_error_errno (err, errno, "open %s", path);
  if (!S_ISREG (st.st_mode) || st.st_size > (1 << 20))
    return berth_error_make (err, EINVAL, "%s: not a regular file of at most 1 MiB", path);
  max = (size_t) st.st_size + 4096;
  text = xmalloc (max + 1);
  while (len < max)
    {
      ssize_t r = pread (fd, text + len, max - len, (off_t) len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return berth_error_errno (err, errno, "read %s", path);
      if (r == 0)
        break;
      len += (size_t) r;
    }
  out = xmalloc (len + n_want + 2);
  /* line by line: the lines of the container's own stay as they are */
  for (size_t at = 0; at < len;)
    {
      const char *p = text + at, *nl = memchr (p, '\n', len - at);
      size_t n = nl != NULL ? (size_t) (nl - p) : len - at;
      bool same = n == n_want && memcmp (p, line, n) == 0;

      present |= same;
      if (!same || add)
        {
          memcpy (out + n_out, p, n);
          n_out += n;
          out[n_out++] = '\n';
        }
      at += n + 1;
    }
  if (add && present)
    return 0;
  if (add)
    {
      memcpy (out + n_out, line, n_want + 1);
      n_out += n_want + 1;
    }
  for (size_t done = 0; done < n_out;)
    {
      ssize_t w = pwrite (fd, out + done, n_out - done, (off_t) done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return berth_error_errno (err, errno, "write %s", path);
      done += (size_t) w;
    }
  if (ftruncate (fd, (off_t) n_out) < 0)
    return berth_error_errno (err, errno, "truncate %s", path);
  return 0;
}

int
container_etc_hosts_add (const struct container *c, const char *ip, berth_error_t *err)
{
  cleanup_free char *line = own_line (c, ip);

  return hosts_edit (c, line, true, err);
}

int
container_etc_hosts_remove (const struct container *c, const char *ip, berth_error_t *err)
{
  cleanup_free char *line = own_line (c, ip);

  return hosts_edit (c, line, false, err);
}
