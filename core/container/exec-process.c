#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/capability.h>

#include "core/container/exec-process.h"
#include "core/container/user.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/runtime/caps.h"

#define EXEC_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* moby's ReplaceOrAppendEnvValues for one entry */
static void
env_set (json_object *env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  size_t kl = eq ? (size_t) (eq - kv) : strlen (kv);

  for (size_t i = 0; i < json_object_array_length (env); i++)
    {
      const char *have = json_object_get_string (json_object_array_get_idx (env, i));
      if (strncmp (have, kv, kl) == 0 && (have[kl] == '=' || have[kl] == '\0'))
        {
          if (eq == NULL)
            json_object_array_del_idx (env, i, 1);
          else
            json_object_array_put_idx (env, i, json_object_new_string (kv));
          return;
        }
    }
  if (eq != NULL)
    json_object_array_add (env, json_object_new_string (kv));
}

static json_object *
build_env (const struct exec_process_input *in, json_object *container_env)
{
  json_object *env = json_object_new_array ();
  json_object *cfg_env = json_object_object_get (in->c->config, "Env");

  json_object_array_add (env, json_object_new_string (EXEC_DEFAULT_PATH));
  /* HOSTNAME as the container's process has it */
  for (size_t i = 0; json_object_is_type (container_env, json_type_array) && i < json_object_array_length (container_env);
       i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (container_env, i));
      if (kv != NULL && strncmp (kv, "HOSTNAME=", 9) == 0)
        json_object_array_add (env, json_object_new_string (kv));
    }
  if (in->tty)
    json_object_array_add (env, json_object_new_string ("TERM=xterm"));
  for (size_t i = 0; json_object_is_type (cfg_env, json_type_array) && i < json_object_array_length (cfg_env); i++)
    env_set (env, json_object_get_string (json_object_array_get_idx (cfg_env, i)));
  for (size_t i = 0; in->env && in->env[i]; i++)
    env_set (env, in->env[i]);
  return env;
}

static json_object *
all_caps (void)
{
  json_object *a = json_object_new_array ();
  char buf[64];

  /* every capability the daemon may give: those of its bounding set */
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    if (prctl (PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && berth_cap_name (cap, buf, sizeof (buf)))
      json_object_array_add (a, json_object_new_string (buf));
  return a;
}

static json_object *
privileged_caps (void)
{
  json_object *caps = json_object_new_object ();

  json_object_object_add (caps, "bounding", all_caps ());
  json_object_object_add (caps, "effective", all_caps ());
  json_object_object_add (caps, "permitted", all_caps ());
  json_object_object_add (caps, "inheritable", json_object_new_array ());
  json_object_object_add (caps, "ambient", json_object_new_array ());
  return caps;
}

static json_object *
load_container_process (const char *bundle, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/config.json", bundle);
  cleanup_free char *text = NULL;
  json_object *spec, *p = NULL;
  size_t len;

  if (berth_read_file (path, 16 << 20, &text, &len, err) < 0)
    return NULL;
  spec = json_tokener_parse (text);
  if (spec != NULL && json_object_object_get_ex (spec, "process", &p) && json_object_is_type (p, json_type_object))
    json_object_get (p);
  else
    p = NULL;
  json_object_put (spec);
  if (p == NULL)
    berth_error_make (err, EINVAL, "%s has no process", path);
  return p;
}

json_object *
exec_process_build (const struct exec_process_input *in, berth_error_t *err)
{
  const char *user_spec = in->user && in->user[0] ? in->user
                                                  : json_object_get_string (json_object_object_get (in->c->config, "User"));
  struct container_user user = { 0 };
  json_object *p = load_container_process (in->bundle, err);
  json_object *args, *u;

  if (p == NULL)
    return NULL;
  if (container_user_resolve (in->rootfs, user_spec, &user, err) < 0)
    {
      json_object_put (p);
      return NULL;
    }
  args = json_object_new_array ();
  for (size_t i = 0; in->args[i]; i++)
    json_object_array_add (args, json_object_new_string (in->args[i]));
  json_object_object_add (p, "args", args);
  json_object_object_add (p, "env", build_env (in, json_object_object_get (p, "env")));
  u = json_object_new_object ();
  json_object_object_add (u, "uid", json_object_new_int64 (user.uid));
  json_object_object_add (u, "gid", json_object_new_int64 (user.gid));
  if (user.n_groups > 0)
    {
      json_object *g = json_object_new_array ();
      for (size_t i = 0; i < user.n_groups; i++)
        json_object_array_add (g, json_object_new_int64 (user.groups[i]));
      json_object_object_add (u, "additionalGids", g);
    }
  json_object_object_add (p, "user", u);
  container_user_clear (&user);
  if (in->workdir && in->workdir[0])
    json_object_object_add (p, "cwd", json_object_new_string (in->workdir));
  json_object_object_add (p, "terminal", json_object_new_boolean (in->tty));
  json_object_object_del (p, "consoleSize");
  if (in->tty && in->height > 0 && in->width > 0)
    {
      json_object *size = json_object_new_object ();
      json_object_object_add (size, "height", json_object_new_int ((int) in->height));
      json_object_object_add (size, "width", json_object_new_int ((int) in->width));
      json_object_object_add (p, "consoleSize", size);
    }
  if (in->privileged)
    json_object_object_add (p, "capabilities", privileged_caps ());
  return p;
}
