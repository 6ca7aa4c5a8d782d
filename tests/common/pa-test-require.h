/* pa-test-require.h — what a test does when something it needs is missing
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One policy for every test. A dependency from outside the project that
 * is not there — gnome-keyring or dbus-daemon, node and the test peers
 * (Prism, n8n), a shared fixture, an X display, a helper program — FAILS
 * the test, with a message that names what is missing and how to get it.
 * So a run with nothing failed means that every test ran: the README's
 * test command (build-aux/test.sh) runs this way.
 *
 * A developer who knowingly lacks some of them may set
 * PLAYALTER_TEST_ALLOW_MISSING=1: the tests that need them are skipped
 * instead, with the same message, and counted as skipped. Nothing else
 * (the CI variable in particular) changes the policy, and it covers only
 * what is missing: a dependency that is there but fails is a failure. */
#define PA_TEST_ALLOW_MISSING_VARIABLE "PLAYALTER_TEST_ALLOW_MISSING"

/* The errors of the test helpers that mean "not installed", as opposed to
 * "installed but broken". */
#define PA_TEST_MISSING_ERROR (pa_test_missing_error_quark ())

typedef enum {
  PA_TEST_MISSING_ERROR_NOT_FOUND,
} PaTestMissingError;

GQuark   pa_test_missing_error_quark (void);

/* Whether PLAYALTER_TEST_ALLOW_MISSING is "1". */
gboolean pa_test_missing_allowed     (void);

/* Sets @error to "@what is missing: @how" in PA_TEST_MISSING_ERROR. @how
 * says how to install it (the Debian package, the script) or where it
 * comes from. */
void     pa_test_set_missing_error   (GError     **error,
                                      const char  *what,
                                      const char  *how);

/* Fails the current test case (g_test_fail(): the other cases still run),
 * or skips it when PLAYALTER_TEST_ALLOW_MISSING=1, saying @what is missing
 * and @how to get it. Returns FALSE, for `return pa_test_missing (…);`. */
gboolean pa_test_missing             (const char  *what,
                                      const char  *how);

/* TRUE when @error is NULL. When @error is a PA_TEST_MISSING_ERROR, fails
 * or skips the current test case as pa_test_missing() does and returns
 * FALSE: the caller returns. Any other error fails the test at once, as
 * g_assert_no_error() does, whatever the policy:
 *
 *   keyring = pa_test_keyring_start (&error);
 *   if (!pa_test_require_no_error (error))
 *     return;
 */
gboolean pa_test_require_no_error    (const GError *error);

/* The absolute path of @program in PATH, or NULL with a
 * PA_TEST_MISSING_ERROR naming @package, the Debian package that has it. */
char    *pa_test_find_program        (const char  *program,
                                      const char  *package,
                                      GError     **error);

/* The same, reported to the current test case: NULL when @program is
 * missing, after the case was failed or skipped. */
char    *pa_test_require_program     (const char  *program,
                                      const char  *package);

/* Checks, before a case's fixture is set up, that what it needs is
 * installed: FALSE with a PA_TEST_MISSING_ERROR otherwise. */
typedef gboolean (*PaTestNeedFunc) (GError **error);

/* g_test_add() for a case whose fixture set-up needs what @need checks.
 * When something is missing, the case is failed or skipped as
 * pa_test_require_no_error() does, and its set-up, test and tear-down do
 * not run: GLib would run the test after a set-up that skipped. */
#define pa_test_add_needing(testpath, Fixture, tdata, fsetup, ftest, fteardown, need) \
  G_STMT_START {                                                                     \
    void (*add_setup_) (Fixture *, gconstpointer) = fsetup;                          \
    void (*add_test_) (Fixture *, gconstpointer) = ftest;                            \
    void (*add_teardown_) (Fixture *, gconstpointer) = fteardown;                    \
    pa_test_add_vtable_needing (testpath, sizeof (Fixture), tdata,                   \
                                (GTestFixtureFunc) add_setup_,                       \
                                (GTestFixtureFunc) add_test_,                        \
                                (GTestFixtureFunc) add_teardown_,                    \
                                need);                                               \
  } G_STMT_END

void     pa_test_add_vtable_needing  (const char       *testpath,
                                      gsize             data_size,
                                      gconstpointer     test_data,
                                      GTestFixtureFunc  data_setup,
                                      GTestFixtureFunc  data_test,
                                      GTestFixtureFunc  data_teardown,
                                      PaTestNeedFunc    need);

G_END_DECLS
