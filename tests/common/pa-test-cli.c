/* pa-test-cli.c — running the built playalter-cli from a test
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib/gstdio.h>

#include "pa-test-cli.h"
#include "pa-test-peer-private.h"

void
pa_test_cli_result_clear (PaTestCliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

const char *
pa_test_cli_path (void)
{
  static char *path;

  if (path == NULL)
    path = g_build_filename (g_getenv ("PLAYALTER_BUILD_ROOT"), "app", "cli", "playalter-cli", NULL);
  return path;
}

GPtrArray *
pa_test_cli_argv_new (const char *data_dir)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) pa_test_cli_path ());
  if (data_dir != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--data-dir");
      g_ptr_array_add (argv, (gpointer) data_dir);
    }
  return argv;
}

void
pa_test_cli_runv (PaTestCliResult    *result,
                  const char         *data_dir,
                  const char         *input,
                  const char * const *args)
{
  pa_test_cli_runv_with_setup (result, data_dir, input, NULL, NULL, args);
}

void
pa_test_cli_runv_with_setup (PaTestCliResult      *result,
                             const char           *data_dir,
                             const char           *input,
                             GSpawnChildSetupFunc  setup,
                             gpointer              setup_data,
                             const char * const   *args)
{
  g_autoptr(GPtrArray) argv = pa_test_cli_argv_new (data_dir);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input_path = NULL;
  int input_fd;

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  pa_test_cli_result_clear (result);
  /* Always a stdin of our own, so a command that reads it never waits on
   * the test's; and a file, not a pipe: a command that fails before
   * reading it (every usage error) may have exited by the time a pipe is
   * written to, and that write would fail with EPIPE. */
  input_fd = g_file_open_tmp ("playalter-cli-input-XXXXXX", &input_path, &error);
  g_assert_no_error (error);
  g_close (input_fd, NULL);
  g_file_set_contents (input_path, input != NULL ? input : "", -1, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  if (setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, setup, setup_data, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  /* The child has the file open by now. */
  g_unlink (input_path);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  result->status = g_subprocess_get_exit_status (proc);
}

void
pa_test_cli_run_valist (PaTestCliResult *result,
                        const char      *data_dir,
                        const char      *input,
                        va_list          args)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new ();
  const char *arg;

  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (array, (gpointer) arg);
  g_ptr_array_add (array, NULL);

  pa_test_cli_runv (result, data_dir, input, (const char * const *) array->pdata);
}

void
pa_test_cli_run (PaTestCliResult *result,
                 const char      *data_dir,
                 const char      *input,
                 ...)
{
  va_list args;

  va_start (args, input);
  pa_test_cli_run_valist (result, data_dir, input, args);
  va_end (args);
}

void
pa_test_assert_one_line (const char *text)
{
  gsize len;

  g_assert_nonnull (text);
  len = strlen (text);
  g_assert_cmpuint (len, >, 1);
  /* Exactly one line: its only newline is the last character. */
  g_assert_true (strchr (text, '\n') == text + len - 1);
}

char *
pa_test_cli_data_dir_new (void)
{
  g_autofree char *program = g_path_get_basename (g_get_prgname ());
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", program);
  g_autoptr(GError) error = NULL;
  char *data_dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return data_dir;
}

void
pa_test_cli_data_dir_free (char *data_dir)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_test_remove_tree (data_dir, &error));
  g_assert_no_error (error);
  g_free (data_dir);
}

char *
pa_test_write_file (const char *dir,
                    const char *name,
                    const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}
