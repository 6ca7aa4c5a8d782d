/* test-require.c — a missing dependency fails a test, or skips it when allowed
 *
 * SPDX-License-Identifier: MIT
 *
 * Each case runs one case of this program in a child with a dependency
 * taken away (PATH without node or dbus-daemon, PLAYALTER_FIXTURES at an
 * empty folder), strict and then with PLAYALTER_TEST_ALLOW_MISSING=1, and
 * reads the child's TAP line: what meson and build-aux/test-summary.py
 * count.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pa-test-keyring.h"
#include "pa-test-peer.h"
#include "pa-test-require.h"

/* Set in a child's environment: main() then adds the child cases only. */
#define CHILD_VARIABLE "PLAYALTER_TEST_REQUIRE_CHILD"
/* Printed by a child case that went on past its requirement. */
#define WENT_ON        "# went on"

static char *self_path;

/* ---- the child cases: each needs one thing -------------------------- */

static void
child_fixture (void)
{
  g_autofree char *path = pa_test_fixtures_require ("openapi/stripe.json");

  if (path == NULL)
    return;
  g_print (WENT_ON "\n");
}

static void
child_node (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaTestPeer) peer = NULL;

  peer = pa_test_node_peer_start ("stripe-form-peer.mjs", NULL, &error);
  if (!pa_test_require_no_error (error))
    return;
  g_print (WENT_ON "\n");
}

static void
child_prism (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaTestPeer) peer = NULL;

  peer = pa_test_prism_start ("stripe.json", &error);
  if (!pa_test_require_no_error (error) || peer == NULL)
    return;
  g_print (WENT_ON "\n");
}

static void
child_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaTestKeyring) keyring = NULL;

  keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return;
  g_print (WENT_ON "\n");
}

static void
child_program (void)
{
  g_autofree char *path = pa_test_require_program ("playalter-no-such-program",
                                                   "playalter-no-such-package");

  if (path == NULL)
    return;
  g_print (WENT_ON "\n");
}

/* Installed but broken is no missing dependency. */
static void
child_broken (void)
{
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "the peer crashed");

  if (!pa_test_require_no_error (error))
    return;
  g_print (WENT_ON "\n");
}

/* A case whose fixture needs something: set-up, test and tear-down run
 * only when it is there. */
typedef struct {
  int set_up;
} Fixture;

static gboolean
need_nothing (GError **error)
{
  return TRUE;
}

static gboolean
need_missing (GError **error)
{
  pa_test_set_missing_error (error, "playalter-test-dependency",
                             "nothing provides it: this case checks the policy");
  return FALSE;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->set_up = 1;
  g_print ("# set up\n");
}

static void
fixture_test (Fixture       *fixture,
              gconstpointer  data)
{
  g_assert_cmpint (fixture->set_up, ==, 1);
  g_print (WENT_ON "\n");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_print ("# torn down\n");
}

/* ---- running a child ------------------------------------------------- */

typedef struct {
  int   status;
  char *out;
  char *err;
  char *line;   /* its TAP line for the case */
} Child;

static void
child_clear (Child *child)
{
  g_free (child->out);
  g_free (child->err);
  g_free (child->line);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Child, child_clear)

/* Runs /require/child/@name with @allow as PLAYALTER_TEST_ALLOW_MISSING
 * (NULL: unset) and @variable=@value (when @variable is not NULL). */
static void
run_child (Child      *child,
           const char *name,
           const char *allow,
           const char *variable,
           const char *value)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *test_path = g_strconcat ("/require/child/", name, NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) env = g_get_environ ();

  memset (child, 0, sizeof *child);
  env = g_environ_setenv (env, CHILD_VARIABLE, "1", TRUE);
  if (allow != NULL)
    env = g_environ_setenv (env, PA_TEST_ALLOW_MISSING_VARIABLE, allow, TRUE);
  else
    env = g_environ_unsetenv (env, PA_TEST_ALLOW_MISSING_VARIABLE);
  /* Only the policy decides: CI=true no longer makes anything fail. */
  env = g_environ_setenv (env, "CI", "true", TRUE);
  if (variable != NULL)
    env = g_environ_setenv (env, variable, value, TRUE);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  process = g_subprocess_launcher_spawn (launcher, &error, self_path,
                                         "--tap", "--keep-going", "-p", test_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &child->out, &child->err, &error);
  g_assert_no_error (error);
  /* -1: killed by a signal, as an abort is. */
  child->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;

  lines = g_strsplit (child->out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "ok 1 ") || g_str_has_prefix (lines[i], "not ok 1 "))
      {
        g_assert_null (child->line);
        child->line = g_strdup (lines[i]);
      }
  g_test_message ("%s (%s=%s, %s=%s): status %d, %s", name,
                  PA_TEST_ALLOW_MISSING_VARIABLE, allow ?: "(unset)",
                  variable ?: "-", value ?: "-", child->status,
                  child->line ?: "no TAP line");
}

/* Strict, the case fails with @message on its TAP line and on stderr;
 * with the opt-out it is skipped with the same message. Either way it
 * did not go on. */
static void
assert_missing_policy (const char *name,
                       const char *variable,
                       const char *value,
                       const char *message)
{
  const char *modes[] = { NULL, "0", "1" };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto(Child) child = { 0 };
      g_autofree char *expected = NULL;

      run_child (&child, name, modes[i], variable, value);
      g_assert_nonnull (child.line);
      g_assert_null (strstr (child.out, WENT_ON));
      g_assert_nonnull (strstr (child.line, message));
      if (g_strcmp0 (modes[i], "1") == 0)
        {
          expected = g_strdup_printf ("ok 1 /require/child/%s # SKIP ", name);
          g_assert_cmpint (child.status, ==, 0);
          g_assert_true (g_str_has_prefix (child.line, expected));
        }
      else
        {
          expected = g_strdup_printf ("not ok 1 /require/child/%s - ", name);
          g_assert_cmpint (child.status, ==, 1);
          g_assert_true (g_str_has_prefix (child.line, expected));
          g_assert_nonnull (strstr (child.err, message));
          g_assert_nonnull (strstr (child.err, PA_TEST_ALLOW_MISSING_VARIABLE "=1"));
        }
    }
}

static char *
make_empty_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("pa-test-require-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* ---- the cases --------------------------------------------------------- */

static void
test_fixture (void)
{
  g_autofree char *empty = make_empty_dir ();
  g_autofree char *message = g_strdup_printf ("fixture openapi/stripe.json (looked in "
                                              "%s/openapi/stripe.json, set PLAYALTER_FIXTURES "
                                              "or -Dfixtures_dir to change) is missing: it is "
                                              "Stripe's OpenAPI spec", empty);
  g_auto(Child) present = { 0 };

  assert_missing_policy ("fixture", "PLAYALTER_FIXTURES", empty, message);

  /* With the fixture there, the case runs. */
  run_child (&present, "fixture", NULL, NULL, NULL);
  g_assert_cmpint (present.status, ==, 0);
  g_assert_nonnull (present.line);
  g_assert_cmpstr (present.line, ==, "ok 1 /require/child/fixture");
  g_assert_nonnull (strstr (present.out, WENT_ON));

  g_assert_cmpint (g_rmdir (empty), ==, 0);
}

/* The policy for a case whose dependency is looked up in PATH, run with
 * an empty folder as PATH. */
static void
assert_missing_from_path (const char *name,
                          const char *message)
{
  g_autofree char *empty = make_empty_dir ();

  assert_missing_policy (name, "PATH", empty, message);
  g_assert_cmpint (g_rmdir (empty), ==, 0);
}

static void
test_node (void)
{
  assert_missing_from_path ("node", "node (Node.js) is missing: run bash "
                                    "build-aux/install-test-peers.sh");
}

static void
test_prism (void)
{
  /* Prism is a Node script: without node it is missing too. */
  assert_missing_from_path ("prism", "node (Node.js) is missing: run bash "
                                     "build-aux/install-test-peers.sh");
}

static void
test_keyring (void)
{
  assert_missing_from_path ("keyring", "dbus-daemon is missing: install the Debian "
                                       "package dbus-daemon");
}

static void
test_program (void)
{
  assert_missing_policy ("program", NULL, NULL,
                         "playalter-no-such-program is missing: install the Debian "
                         "package playalter-no-such-package (bash "
                         "build-aux/install-deps.sh --tests");
}

static void
test_needing (void)
{
  g_auto(Child) met = { 0 };
  g_auto(Child) missing = { 0 };

  assert_missing_policy ("needing", NULL, NULL,
                         "playalter-test-dependency is missing: nothing provides it");

  /* Neither set-up nor tear-down ran around the missing need. */
  run_child (&missing, "needing", "1", NULL, NULL);
  g_assert_null (strstr (missing.out, "# set up"));
  g_assert_null (strstr (missing.out, "# torn down"));

  run_child (&met, "needing-met", NULL, NULL, NULL);
  g_assert_cmpint (met.status, ==, 0);
  g_assert_cmpstr (met.line, ==, "ok 1 /require/child/needing-met");
  g_assert_nonnull (strstr (met.out, "# set up\n" WENT_ON "\n# torn down\n"));
}

/* A dependency that is there but fails is never skipped. */
static void
test_broken (void)
{
  g_auto(Child) child = { 0 };

  run_child (&child, "broken", "1", NULL, NULL);
  g_assert_cmpint (child.status, !=, 0);
  /* An assertion ends the program: TAP's "Bail out!", no "ok" line. */
  g_assert_null (child.line);
  g_assert_nonnull (strstr (child.out, "Bail out!"));
  g_assert_nonnull (strstr (child.out, "the peer crashed"));
  g_assert_null (strstr (child.out, WENT_ON));
}

int
main (int   argc,
      char *argv[])
{
  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv (CHILD_VARIABLE) != NULL)
    {
      g_test_add_func ("/require/child/fixture", child_fixture);
      g_test_add_func ("/require/child/node", child_node);
      g_test_add_func ("/require/child/prism", child_prism);
      g_test_add_func ("/require/child/keyring", child_keyring);
      g_test_add_func ("/require/child/program", child_program);
      g_test_add_func ("/require/child/broken", child_broken);
      pa_test_add_needing ("/require/child/needing", Fixture, NULL,
                           fixture_set_up, fixture_test, fixture_tear_down, need_missing);
      pa_test_add_needing ("/require/child/needing-met", Fixture, NULL,
                           fixture_set_up, fixture_test, fixture_tear_down, need_nothing);
    }
  else
    {
      g_test_add_func ("/require/fixture", test_fixture);
      g_test_add_func ("/require/node", test_node);
      g_test_add_func ("/require/prism", test_prism);
      g_test_add_func ("/require/keyring", test_keyring);
      g_test_add_func ("/require/program", test_program);
      g_test_add_func ("/require/needing", test_needing);
      g_test_add_func ("/require/broken", test_broken);
    }

  return g_test_run ();
}
