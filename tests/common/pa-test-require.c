/* pa-test-require.c — what a test does when something it needs is missing
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-test-require.h"

G_DEFINE_QUARK (pa-test-missing-error-quark, pa_test_missing_error)

gboolean
pa_test_missing_allowed (void)
{
  return g_strcmp0 (g_getenv (PA_TEST_ALLOW_MISSING_VARIABLE), "1") == 0;
}

void
pa_test_set_missing_error (GError     **error,
                           const char  *what,
                           const char  *how)
{
  g_set_error (error, PA_TEST_MISSING_ERROR, PA_TEST_MISSING_ERROR_NOT_FOUND,
               "%s is missing: %s", what, how);
}

static void
report_missing (const char *message)
{
  if (pa_test_missing_allowed ())
    {
      g_test_skip (message);
      return;
    }

  /* On stderr too: meson shows it with --print-errorlogs, and a test that
   * runs this case in a child process sees it there. */
  g_printerr ("%s (set " PA_TEST_ALLOW_MISSING_VARIABLE "=1 to skip such tests "
              "instead)\n", message);
  /* Not g_error(): the test program goes on with its other cases, each of
   * which then passes, fails or skips by itself (meson runs them with
   * --keep-going). */
  g_test_fail_printf ("%s", message);
}

gboolean
pa_test_missing (const char *what,
                 const char *how)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (what != NULL && how != NULL, FALSE);

  pa_test_set_missing_error (&error, what, how);
  report_missing (error->message);
  return FALSE;
}

gboolean
pa_test_require_no_error (const GError *error)
{
  if (error == NULL)
    return TRUE;

  if (error->domain == PA_TEST_MISSING_ERROR)
    {
      report_missing (error->message);
      return FALSE;
    }

  /* Installed but broken: no policy makes that a skip. */
  g_assert_no_error (error);
  return FALSE;
}

char *
pa_test_find_program (const char  *program,
                      const char  *package,
                      GError     **error)
{
  g_autofree char *how = NULL;
  char *path;

  g_return_val_if_fail (program != NULL && package != NULL, NULL);

  path = g_find_program_in_path (program);
  if (path != NULL)
    return path;

  how = g_strdup_printf ("install the Debian package %s (bash "
                         "build-aux/install-deps.sh --tests installs every "
                         "package the tests use)", package);
  pa_test_set_missing_error (error, program, how);
  return NULL;
}

char *
pa_test_require_program (const char *program,
                         const char *package)
{
  g_autoptr(GError) error = NULL;
  char *path = pa_test_find_program (program, package, &error);

  pa_test_require_no_error (error);
  return path;
}

/* A case added by pa_test_add_vtable_needing(): the real functions, and
 * where in the fixture it notes whether the need was met. */
typedef struct {
  GTestFixtureFunc setup;
  GTestFixtureFunc test;
  GTestFixtureFunc teardown;
  gconstpointer    data;
  PaTestNeedFunc   need;
  gsize            met_offset;
} Needing;

static gboolean *
needing_met (gpointer       fixture,
             const Needing *needing)
{
  return (gboolean *) ((char *) fixture + needing->met_offset);
}

static void
needing_setup (gpointer      fixture,
               gconstpointer data)
{
  const Needing *needing = data;
  g_autoptr(GError) error = NULL;
  gboolean *met = needing_met (fixture, needing);

  needing->need (&error);
  *met = pa_test_require_no_error (error);
  if (*met && needing->setup != NULL)
    needing->setup (fixture, needing->data);
}

static void
needing_test (gpointer      fixture,
              gconstpointer data)
{
  const Needing *needing = data;

  if (*needing_met (fixture, needing))
    needing->test (fixture, needing->data);
}

static void
needing_teardown (gpointer      fixture,
                  gconstpointer data)
{
  const Needing *needing = data;

  if (*needing_met (fixture, needing) && needing->teardown != NULL)
    needing->teardown (fixture, needing->data);
}

void
pa_test_add_vtable_needing (const char       *testpath,
                            gsize             data_size,
                            gconstpointer     test_data,
                            GTestFixtureFunc  data_setup,
                            GTestFixtureFunc  data_test,
                            GTestFixtureFunc  data_teardown,
                            PaTestNeedFunc    need)
{
  /* Lives as long as the program: GLib frees its cases at the end of
   * g_test_run() but not their data, so the cases' data stays listed
   * here (and LeakSanitizer sees it held). */
  static GPtrArray *needings;
  Needing *needing;

  g_return_if_fail (testpath != NULL && data_test != NULL && need != NULL);

  if (needings == NULL)
    needings = g_ptr_array_new ();
  needing = g_new0 (Needing, 1);
  g_ptr_array_add (needings, needing);

  needing->setup = data_setup;
  needing->test = data_test;
  needing->teardown = data_teardown;
  needing->data = test_data;
  needing->need = need;
  /* The flag goes after the caller's fixture, suitably aligned. */
  needing->met_offset = (data_size + G_ALIGNOF (gboolean) - 1) & ~(G_ALIGNOF (gboolean) - 1);
  g_test_add_vtable (testpath, needing->met_offset + sizeof (gboolean), needing,
                     needing_setup, needing_test, needing_teardown);
}
