/* test-private-dir.c — the media folder is the user's alone
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pa-error.h"
#include "pa-private-dir.h"

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_private_dir_created (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("playalter-private-XXXXXX", &error);
  g_autofree char *parent = g_build_filename (root, "data", NULL);
  g_autofree char *media = g_build_filename (parent, "media", NULL);
  mode_t old_umask = umask (0022);

  g_assert_no_error (error);
  g_assert_true (pa_private_dir_ensure (media, "the media folder", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (media), ==, 0700);
  g_assert_cmpuint (mode_of (parent), ==, 0700);

  /* Again: nothing to do, still fine. */
  g_assert_true (pa_private_dir_ensure (media, "the media folder", &error));
  g_assert_no_error (error);
  umask (old_umask);

  g_rmdir (media);
  g_rmdir (parent);
  g_rmdir (root);
}

/* A media folder an earlier version made 0755 is closed. */
static void
test_private_dir_tightened (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("playalter-private-XXXXXX", &error);
  g_autofree char *media = g_build_filename (root, "media", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (media, 0755), ==, 0);
  g_assert_cmpint (g_chmod (media, 0755), ==, 0);
  g_assert_cmpuint (mode_of (media), ==, 0755);

  g_assert_true (pa_private_dir_ensure (media, "the media folder", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (media), ==, 0700);

  g_rmdir (media);
  g_rmdir (root);
}

static void
test_private_dir_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("playalter-private-XXXXXX", &error);
  g_autofree char *file = g_build_filename (root, "file", NULL);
  g_autofree char *below = g_build_filename (file, "media", NULL);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (file, "x", 1, &error));
  g_assert_false (pa_private_dir_ensure (below, "the media folder", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_assert_true (g_str_has_prefix (error->message, "Could not create the media folder"));

  g_unlink (file);
  g_rmdir (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/private-dir/created", test_private_dir_created);
  g_test_add_func ("/private-dir/tightened", test_private_dir_tightened);
  g_test_add_func ("/private-dir/fails", test_private_dir_fails);

  return g_test_run ();
}
