#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/image/store.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#define ABC_SHA "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static char root[64];
static struct image_store *st;

struct released
{
  int n;
  char storage[16][65];
  char chain[16][72];
};
static struct released rel;

static int
on_release (void *ud, const char *storage_id, const char *chain_id)
{
  struct released *r = ud;

  ck_assert_int_lt (r->n, 16);
  snprintf (r->storage[r->n], 65, "%s", storage_id);
  snprintf (r->chain[r->n], 72, "%s", chain_id);
  r->n++;
  return 0;
}

static void
setup (void)
{
  snprintf (root, sizeof (root), "/tmp/berth-image-store-XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (root));
  memset (&rel, 0, sizeof (rel));
  ck_assert_int_eq (store_open (root, on_release, &rel, &st, NULL), 0);
}

static void
teardown (void)
{
  store_close (st);
  st = NULL;
  ck_assert_int_eq (berth_rm_rf (root, NULL), 0);
}

static void
reopen (void)
{
  berth_error_t err = NULL;

  store_close (st);
  memset (&rel, 0, sizeof (rel));
  ck_assert_msg (store_open (root, on_release, &rel, &st, &err) == 0, "%s", err ? berth_error_msg (&err) : "");
}

static int
count_dir (const char *sub)
{
  cleanup_free char *path = xasprintf ("%s/%s", root, sub);
  DIR *d = opendir (path);
  struct dirent *de;
  int n = 0;

  ck_assert_ptr_nonnull (d);
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  closedir (d);
  return n;
}

/* ---- blobs ---- */

START_TEST (test_blob_roundtrip)
{
  char dg[DIGEST_BUF_SIZE];
  cleanup_free char *data = NULL;
  size_t len;
  uint64_t size;
  int fd;
  char buf[8];
  struct stat sb;
  cleanup_free char *path = xasprintf ("%s/blobs/sha256/%s", root, ABC_SHA + 7);

  ck_assert_int_eq (store_blob_exists (st, ABC_SHA), 0);
  ck_assert_int_eq (store_blob_write_mem (st, "abc", 3, ABC_SHA, dg, NULL), 0);
  ck_assert_str_eq (dg, ABC_SHA);
  ck_assert_int_eq (store_blob_exists (st, ABC_SHA), 1);
  ck_assert_int_eq (stat (path, &sb), 0);
  ck_assert_int_eq (sb.st_mode & 0777, 0644);
  ck_assert_int_eq (store_blob_read (st, ABC_SHA, 1024, &data, &len, NULL), 0);
  ck_assert_uint_eq (len, 3);
  ck_assert_str_eq (data, "abc");
  ck_assert_int_eq (store_blob_size (st, ABC_SHA, &size, NULL), 0);
  ck_assert_uint_eq (size, 3);
  fd = store_blob_open (st, ABC_SHA, NULL);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (read (fd, buf, sizeof (buf)), 3);
  close (fd);
  /* writing it again is fine */
  ck_assert_int_eq (store_blob_write_mem (st, "abc", 3, NULL, dg, NULL), 0);
  ck_assert_int_eq (store_blob_delete (st, ABC_SHA, NULL), 0);
  ck_assert_int_eq (store_blob_exists (st, ABC_SHA), 0);
  ck_assert_int_eq (count_dir ("ingest"), 0);
}
END_TEST

START_TEST (test_blob_mismatch)
{
  berth_error_t err = NULL;
  char dg[DIGEST_BUF_SIZE];

  ck_assert_int_lt (store_blob_write_mem (st, "abd", 3, ABC_SHA, dg, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "digest mismatch: expected " ABC_SHA ", got sha256:"));
  berth_error_release (&err);
  ck_assert_int_eq (store_blob_exists (st, ABC_SHA), 0);
  ck_assert_int_eq (count_dir ("ingest"), 0);
  ck_assert_int_eq (count_dir ("blobs/sha256"), 0);
}
END_TEST

START_TEST (test_blob_limits_and_errors)
{
  berth_error_t err = NULL;
  struct store_blob_writer *w = NULL;
  char dg[DIGEST_BUF_SIZE];
  cleanup_free char *data = NULL;
  size_t len;
  int p[2];

  ck_assert_int_eq (store_blob_writer_new (st, NULL, 4, &w, NULL), 0);
  ck_assert_int_eq (store_blob_writer_write (w, "abc", 3, NULL), 0);
  ck_assert_int_eq (count_dir ("ingest"), 1);
  ck_assert_int_lt (store_blob_writer_write (w, "de", 2, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "exceeds the size limit of 4 bytes"));
  berth_error_release (&err);
  store_blob_writer_abort (w);
  ck_assert_int_eq (count_dir ("ingest"), 0);

  /* from a pipe */
  ck_assert_int_eq (pipe (p), 0);
  ck_assert_int_eq (write (p[1], "abc", 3), 3);
  close (p[1]);
  ck_assert_int_eq (store_blob_write_fd (st, p[0], ABC_SHA, 3, dg, NULL), 0);
  close (p[0]);

  ck_assert_int_lt (store_blob_writer_new (st, "sha256:ABC", 0, &w, &err), 0);
  berth_error_release (&err);
  ck_assert_int_lt (store_blob_read (st, D1, 100, &data, &len, &err), 0);
  ck_assert_int_eq (berth_error_code (&err), ENOENT);
  berth_error_release (&err);
  ck_assert_int_lt (store_blob_delete (st, D1, &err), 0);
  berth_error_release (&err);
  ck_assert_int_lt (store_blob_exists (st, "../../etc/passwd"), 0);
  ck_assert_int_lt (store_blob_open (st, "sha256:../../../etc/passwd", &err), 0);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_blob_corrupt_detected)
{
  cleanup_free char *path = xasprintf ("%s/blobs/sha256/%s", root, ABC_SHA + 7);
  berth_error_t err = NULL;
  char *data = NULL;
  size_t len;

  ck_assert_int_eq (store_blob_write_mem (st, "abc", 3, ABC_SHA, NULL, NULL), 0);
  ck_assert_int_eq (berth_write_file_atomic (path, "xyz", 3, 0644, NULL), 0);
  ck_assert_int_lt (store_blob_read (st, ABC_SHA, 100, &data, &len, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "corrupt"));
  berth_error_release (&err);
}
END_TEST

/* ---- layers and images ---- */

static void
add_layer (const char *parent, const char *diff, struct store_layer *l)
{
  berth_error_t err = NULL;

  ck_assert_msg (store_layer_begin (st, parent, diff, l, &err) == 0, "%s", err ? berth_error_msg (&err) : "");
  ck_assert (!l->ready);
  ck_assert_int_eq (strlen (l->storage_id), 64);
  ck_assert_int_eq (store_layer_commit (st, l->chain_id, 1234, NULL), 0);
}

static void
make_config (const char *text, char id[DIGEST_BUF_SIZE])
{
  ck_assert_int_eq (store_blob_write_mem (st, text, strlen (text), NULL, id, NULL), 0);
}

START_TEST (test_layers_shared)
{
  struct store_layer base, a, b, got;
  char ida[DIGEST_BUF_SIZE], idb[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;
  char chain[DIGEST_BUF_SIZE];

  add_layer (NULL, D1, &base);
  ck_assert_str_eq (base.chain_id, D1);
  add_layer (D1, D2, &a);
  ck_assert_int_eq (digest_chain_id (D1, D2, chain, NULL), 0);
  ck_assert_str_eq (a.chain_id, chain);
  ck_assert_str_eq (a.parent, D1);
  add_layer (D1, D3, &b);

  /* registering an existing ready layer gives 1 */
  ck_assert_int_eq (store_layer_begin (st, NULL, D1, &got, NULL), 1);
  ck_assert (got.ready);
  ck_assert_str_eq (got.storage_id, base.storage_id);
  ck_assert_int_eq (got.size, 1234);

  make_config ("{\"a\":1}", ida);
  make_config ("{\"b\":1}", idb);
  ck_assert_int_eq (store_image_add (st, ida, a.chain_id, NULL), 0);
  ck_assert_int_eq (store_image_add (st, ida, a.chain_id, NULL), 1);
  ck_assert_int_eq (store_image_add (st, idb, b.chain_id, NULL), 0);
  ck_assert_int_eq (store_layer_get (st, D1, &got, NULL), 0);
  ck_assert_int_eq (got.refcount, 2);
  ck_assert_int_eq (store_layer_get (st, a.chain_id, &got, NULL), 0);
  ck_assert_int_eq (got.refcount, 1);

  {
    cleanup_store_image struct store_image *img = NULL;
    ck_assert_int_eq (store_image_get (st, ida, &img, NULL), 0);
    ck_assert_str_eq (img->top_layer, a.chain_id);
    ck_assert_str_eq (img->layers[0], D1);
    ck_assert_str_eq (img->layers[1], a.chain_id);
    ck_assert_ptr_null (img->layers[2]);
  }

  /* persisted across reopen */
  reopen ();
  ck_assert_int_eq (rel.n, 0);
  ck_assert_int_eq (store_layer_get (st, D1, &got, NULL), 0);
  ck_assert_int_eq (got.refcount, 2);

  /* removing image a frees layer a but keeps the shared base */
  ck_assert_int_eq (store_image_delete (st, ida, on_release, &rel, NULL), 0);
  ck_assert_int_eq (rel.n, 1);
  ck_assert_str_eq (rel.storage[0], a.storage_id);
  ck_assert_int_lt (store_layer_get (st, a.chain_id, &got, &err), 0);
  berth_error_release (&err);
  ck_assert_int_eq (store_layer_get (st, D1, &got, NULL), 0);
  ck_assert_int_eq (got.refcount, 1);
  ck_assert_int_eq (store_blob_exists (st, ida), 0);

  /* the last user goes: b first, then the base */
  ck_assert_int_eq (store_image_delete (st, idb, on_release, &rel, NULL), 0);
  ck_assert_int_eq (rel.n, 3);
  ck_assert_str_eq (rel.storage[1], b.storage_id);
  ck_assert_str_eq (rel.storage[2], base.storage_id);
  ck_assert_int_lt (store_layer_get (st, D1, &got, &err), 0);
  ck_assert_int_eq (berth_error_code (&err), ENOENT);
  berth_error_release (&err);
  ck_assert_int_lt (store_image_delete (st, idb, NULL, NULL, &err), 0);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_layer_errors)
{
  struct store_layer l, l2;
  berth_error_t err = NULL;
  char id[DIGEST_BUF_SIZE];

  /* unknown parent */
  ck_assert_int_lt (store_layer_begin (st, D1, D2, &l, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "parent layer"));
  berth_error_release (&err);
  /* bad diff id */
  ck_assert_int_lt (store_layer_begin (st, NULL, "sha256:zz", &l, &err), 0);
  berth_error_release (&err);
  /* being applied: second begin is busy; image cannot use it */
  ck_assert_int_eq (store_layer_begin (st, NULL, D1, &l, NULL), 0);
  ck_assert_int_eq (store_layer_begin (st, NULL, D1, &l2, &err), -EBUSY);
  berth_error_release (&err);
  make_config ("{}", id);
  ck_assert_int_lt (store_image_add (st, id, D1, &err), 0);
  berth_error_release (&err);
  ck_assert_int_eq (store_layer_abort (st, D1, NULL), 0);
  ck_assert_int_lt (store_layer_commit (st, D1, 1, &err), 0);
  berth_error_release (&err);
  /* image without its config blob */
  ck_assert_int_lt (store_image_add (st, D3, NULL, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "config blob"));
  berth_error_release (&err);
  /* an image without layers is fine */
  ck_assert_int_eq (store_image_add (st, id, NULL, NULL), 0);
}
END_TEST

START_TEST (test_layer_hold_release)
{
  struct store_layer base, top, got;

  add_layer (NULL, D1, &base);
  add_layer (D1, D2, &top);
  ck_assert_int_eq (store_layer_hold (st, top.chain_id, NULL), 0);
  ck_assert_int_eq (store_layer_get (st, D1, &got, NULL), 0);
  ck_assert_int_eq (got.refcount, 1);
  ck_assert_int_eq (store_layer_release (st, top.chain_id, on_release, &rel, NULL), 0);
  ck_assert_int_eq (rel.n, 2);
  ck_assert_str_eq (rel.chain[0], top.chain_id);
  ck_assert_str_eq (rel.chain[1], D1);
}
END_TEST

/* ---- tags ---- */

static int
collect_tags (void *ud, const char *ref, const char *id)
{
  int *n = ud;

  (void)ref;
  (void)id;
  (*n)++;
  return 0;
}

static struct image_ref *
ref (const char *s)
{
  struct image_ref *r = NULL;

  ck_assert_int_eq (image_ref_parse (s, IMAGE_REF_DEFAULT_TAG, &r, NULL), 0);
  return r;
}

START_TEST (test_tags)
{
  char id1[DIGEST_BUF_SIZE], id2[DIGEST_BUF_SIZE], got[DIGEST_BUF_SIZE];
  cleanup_image_ref struct image_ref *bb = ref ("busybox");
  cleanup_image_ref struct image_ref *bb2 = ref ("docker.io/library/busybox:latest");
  cleanup_image_ref struct image_ref *other = ref ("localhost:5000/x:1");
  cleanup_image_ref struct image_ref *dig = ref ("busybox@" D1);
  cleanup_image_ref struct image_ref *both = ref ("busybox:1@" D1);
  berth_error_t err = NULL;
  int n = 0;

  make_config ("{\"x\":1}", id1);
  make_config ("{\"x\":2}", id2);
  ck_assert_int_eq (store_image_add (st, id1, NULL, NULL), 0);
  ck_assert_int_eq (store_image_add (st, id2, NULL, NULL), 0);

  ck_assert_int_lt (store_tag_add (st, bb, D3, false, &err), 0);
  berth_error_release (&err);
  ck_assert_int_eq (store_tag_add (st, bb, id1, false, NULL), 0);
  ck_assert_int_eq (store_tag_add (st, bb2, id1, false, NULL), 0);
  ck_assert_int_eq (store_tag_lookup (st, bb2, got, NULL), 0);
  ck_assert_str_eq (got, id1);
  ck_assert_int_eq (store_tag_add (st, bb, id2, false, &err), -EEXIST);
  berth_error_release (&err);
  ck_assert_int_eq (store_tag_add (st, bb, id2, true, NULL), 0);
  ck_assert_int_eq (store_tag_lookup (st, bb, got, NULL), 0);
  ck_assert_str_eq (got, id2);
  ck_assert_int_eq (store_tag_add (st, other, id1, false, NULL), 0);
  ck_assert_int_eq (store_tag_add (st, dig, id1, false, NULL), 0);
  ck_assert_int_lt (store_tag_add (st, both, id1, false, &err), 0);
  berth_error_release (&err);
  /* a tag+digest reference is looked up by its digest */
  ck_assert_int_eq (store_tag_lookup (st, both, got, NULL), 0);
  ck_assert_str_eq (got, id1);

  ck_assert_int_eq (store_tag_list (st, NULL, collect_tags, &n, NULL), 0);
  ck_assert_int_eq (n, 3);
  n = 0;
  ck_assert_int_eq (store_tag_list (st, id1, collect_tags, &n, NULL), 0);
  ck_assert_int_eq (n, 2);

  /* lookups the way docker does */
  ck_assert_int_eq (store_image_lookup (st, "busybox", got, NULL), 0);
  ck_assert_str_eq (got, id2);
  ck_assert_int_eq (store_image_lookup (st, "localhost:5000/x:1", got, NULL), 0);
  ck_assert_str_eq (got, id1);
  ck_assert_int_eq (store_image_lookup (st, id1, got, NULL), 0);
  ck_assert_str_eq (got, id1);
  {
    char prefix[13];
    memcpy (prefix, id1 + 7, 12);
    prefix[12] = 0;
    ck_assert_int_eq (store_image_lookup (st, prefix, got, NULL), 0);
    ck_assert_str_eq (got, id1);
  }
  ck_assert_int_lt (store_image_lookup (st, "nosuch", got, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "No such image: nosuch"));
  berth_error_release (&err);
  ck_assert_int_lt (store_image_lookup (st, "", got, &err), 0);
  berth_error_release (&err);

  reopen ();
  ck_assert_int_eq (store_tag_lookup (st, other, got, NULL), 0);
  ck_assert_int_eq (store_tag_remove (st, other, NULL), 0);
  ck_assert_int_eq (store_tag_remove (st, other, &err), -ENOENT);
  berth_error_release (&err);

  /* deleting an image drops its references */
  ck_assert_int_eq (store_image_delete (st, id1, NULL, NULL, NULL), 0);
  n = 0;
  ck_assert_int_eq (store_tag_list (st, NULL, collect_tags, &n, NULL), 0);
  ck_assert_int_eq (n, 1);
}
END_TEST

START_TEST (test_ambiguous_prefix)
{
  char id[DIGEST_BUF_SIZE], got[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;
  int i, found = 0;

  /* enough images that some share a first hex digit */
  for (i = 0; i < 20; i++)
    {
      cleanup_free char *c = xasprintf ("{\"n\":%d}", i);
      make_config (c, id);
      ck_assert_int_eq (store_image_add (st, id, NULL, NULL), 0);
    }
  for (i = 0; i < 16 && !found; i++)
    {
      char p[2] = { "0123456789abcdef"[i], 0 };
      if (store_image_lookup (st, p, got, &err) < 0 && strstr (berth_error_msg (&err), "ambiguous"))
        found = 1;
      berth_error_release (&err);
    }
  ck_assert (found);
}
END_TEST

/* ---- recovery ---- */

START_TEST (test_lock)
{
  struct image_store *other = NULL;
  berth_error_t err = NULL;

  ck_assert_int_eq (store_open (root, NULL, NULL, &other, &err), -EBUSY);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "in use"));
  berth_error_release (&err);
}
END_TEST

START_TEST (test_recover_leftovers)
{
  cleanup_free char *ingest = xasprintf ("%s/ingest/blob-abcdef", root);
  cleanup_free char *tmpmeta = xasprintf ("%s/images.json.tmp-ZZZZZZ", root);
  struct store_layer base, applying, orphan, got;
  char id[DIGEST_BUF_SIZE], chain[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;

  ck_assert_int_eq (berth_write_file_atomic (ingest, "partial", 7, 0600, NULL), 0);
  ck_assert_int_eq (berth_write_file_atomic (tmpmeta, "{", 1, 0600, NULL), 0);
  add_layer (NULL, D1, &base);
  make_config ("{}", id);
  ck_assert_int_eq (store_image_add (st, id, D1, NULL), 0);
  /* a layer interrupted while being applied, and one applied but never used */
  ck_assert_int_eq (store_layer_begin (st, D1, D2, &applying, NULL), 0);
  add_layer (NULL, D3, &orphan);

  reopen ();
  ck_assert_int_eq (count_dir ("ingest"), 0);
  ck_assert_int_eq (access (tmpmeta, F_OK), -1);
  ck_assert_int_eq (rel.n, 2);
  ck_assert (strcmp (rel.storage[0], applying.storage_id) == 0 || strcmp (rel.storage[1], applying.storage_id) == 0);
  ck_assert (strcmp (rel.storage[0], orphan.storage_id) == 0 || strcmp (rel.storage[1], orphan.storage_id) == 0);
  ck_assert_int_eq (digest_chain_id (D1, D2, chain, NULL), 0);
  ck_assert_int_lt (store_layer_get (st, chain, &got, &err), 0);
  berth_error_release (&err);
  ck_assert_int_lt (store_layer_get (st, D3, &got, &err), 0);
  berth_error_release (&err);
  /* the image and its layer survive */
  ck_assert_int_eq (store_layer_get (st, D1, &got, NULL), 0);
  ck_assert_int_eq (got.refcount, 1);
  /* recovery is complete: a second open finds nothing to do */
  reopen ();
  ck_assert_int_eq (rel.n, 0);
}
END_TEST

START_TEST (test_recover_killed_child)
{
  struct store_layer base, got;
  pid_t pid;
  int status;
  char chain[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;

  add_layer (NULL, D1, &base);
  ck_assert_int_eq (store_layer_hold (st, D1, NULL), 0);
  store_close (st);
  st = NULL;
  /* a process that dies in the middle of applying a layer chain */
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      struct image_store *c = NULL;
      struct store_layer l;
      if (store_open (root, NULL, NULL, &c, NULL) < 0)
        _exit (2);
      if (store_layer_begin (c, D1, D2, &l, NULL) != 0)
        _exit (3);
      kill (getpid (), SIGKILL);
      _exit (4);
    }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert (WIFSIGNALED (status));
  memset (&rel, 0, sizeof (rel));
  ck_assert_int_eq (store_open (root, on_release, &rel, &st, NULL), 0);
  ck_assert_int_eq (rel.n, 1);
  ck_assert_int_eq (digest_chain_id (D1, D2, chain, NULL), 0);
  ck_assert_str_eq (rel.chain[0], chain);
  ck_assert_int_lt (store_layer_get (st, chain, &got, &err), 0);
  berth_error_release (&err);
  ck_assert_int_eq (store_layer_get (st, D1, &got, NULL), 0);
  ck_assert (got.ready);
}
END_TEST

START_TEST (test_recover_removing_and_dangling)
{
  struct store_layer base;
  char id[DIGEST_BUF_SIZE], got[DIGEST_BUF_SIZE];
  cleanup_image_ref struct image_ref *r = ref ("x:1");
  cleanup_free char *dbpath = xasprintf ("%s/images.json", root);
  cleanup_free char *repospath = xasprintf ("%s/repositories.json", root);
  cleanup_free char *text = NULL;
  cleanup_free char *edited = NULL;
  size_t len;
  berth_error_t err = NULL;

  add_layer (NULL, D1, &base);
  make_config ("{}", id);
  ck_assert_int_eq (store_image_add (st, id, D1, NULL), 0);
  ck_assert_int_eq (store_tag_add (st, r, id, false, NULL), 0);
  store_close (st);
  st = NULL;
  /* simulate a crash after an image removal persisted its "removing" marks
     but before the references file caught up */
  {
    cleanup_free char *orig = NULL;
    char *imgs, *state;
    ck_assert_int_eq (berth_read_file (dbpath, 1 << 20, &orig, &len, NULL), 0);
    imgs = strstr (orig, ",\"images\"");
    state = strstr (orig, "\"state\":\"ready\"");
    ck_assert_ptr_nonnull (imgs);
    ck_assert_ptr_nonnull (state);
    ck_assert (state < imgs);
    *imgs = '\0';
    *state = '\0';
    edited = xasprintf ("%s\"state\":\"removing\"%s,\"images\":{}}", orig, state + strlen ("\"state\":\"ready\""));
  }
  ck_assert_int_eq (berth_write_file_atomic (dbpath, edited, strlen (edited), 0600, NULL), 0);
  memset (&rel, 0, sizeof (rel));
  ck_assert_msg (store_open (root, on_release, &rel, &st, &err) == 0, "%s", err ? berth_error_msg (&err) : "");
  ck_assert_int_eq (rel.n, 1);
  ck_assert_str_eq (rel.storage[0], base.storage_id);
  ck_assert_int_lt (store_tag_lookup (st, r, got, &err), 0);
  berth_error_release (&err);
  ck_assert_int_eq (berth_read_file (repospath, 1 << 20, &text, &len, NULL), 0);
  ck_assert_ptr_null (strstr (text, "x:1"));
}
END_TEST

START_TEST (test_corrupt_metadata)
{
  cleanup_free char *dbpath = xasprintf ("%s/images.json", root);
  struct image_store *other = NULL;
  berth_error_t err = NULL;

  store_close (st);
  st = NULL;
  ck_assert_int_eq (berth_write_file_atomic (dbpath, "{\"version\":1,", 13, 0600, NULL), 0);
  ck_assert_int_lt (store_open (root, NULL, NULL, &other, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "images.json"));
  berth_error_release (&err);
  ck_assert_int_eq (berth_write_file_atomic (dbpath, "{\"version\":2}", 13, 0600, NULL), 0);
  ck_assert_int_lt (store_open (root, NULL, NULL, &other, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "unsupported version 2"));
  berth_error_release (&err);
  unlink (dbpath);
  ck_assert_int_eq (store_open (root, NULL, NULL, &st, NULL), 0);
}
END_TEST

static Suite *
store_suite (void)
{
  Suite *s = suite_create ("store");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_blob_roundtrip);
  tcase_add_test (tc, test_blob_mismatch);
  tcase_add_test (tc, test_blob_limits_and_errors);
  tcase_add_test (tc, test_blob_corrupt_detected);
  tcase_add_test (tc, test_layers_shared);
  tcase_add_test (tc, test_layer_errors);
  tcase_add_test (tc, test_layer_hold_release);
  tcase_add_test (tc, test_tags);
  tcase_add_test (tc, test_ambiguous_prefix);
  tcase_add_test (tc, test_lock);
  tcase_add_test (tc, test_recover_leftovers);
  tcase_add_test (tc, test_recover_killed_child);
  tcase_add_test (tc, test_recover_removing_and_dangling);
  tcase_add_test (tc, test_corrupt_metadata);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (store_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
