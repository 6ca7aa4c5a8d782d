/* pa-test-keyring.h — a private session bus and gnome-keyring for one test
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-test-require.h"

G_BEGIN_DECLS

/* A private D-Bus session bus (as dbus-run-session gives) with a throwaway
 * HOME and XDG_RUNTIME_DIR, and, unless started without a service, a real
 * gnome-keyring-daemon on it whose login collection is unlocked and is the
 * default collection.
 *
 * Starting sets DBUS_SESSION_BUS_ADDRESS, HOME, XDG_RUNTIME_DIR and
 * XDG_{DATA,CONFIG,CACHE}_HOME (inside that HOME) in this process's
 * environment, so child processes inherit them, and drops libsecret's
 * per-process SecretService so that the next libsecret call connects to the
 * new bus. Stopping disconnects libsecret and this process's session bus
 * connection, kills the daemons, removes the temporary directories and
 * restores HOME and the XDG variables. DBUS_SESSION_BUS_ADDRESS keeps the
 * dead bus's address, so code that runs later can never reach the
 * developer's real session bus and keyring. Only one may run at a time in
 * a process. On Linux the daemons get PR_SET_PDEATHSIG, so a test that
 * crashes does not leave them behind.
 *
 * The bus has no service directories, so nothing is ever auto-started on it:
 * no real keyring of the developer, and no gcr-prompter window. A prompt
 * that gnome-keyring wants to show (e.g. to unlock a locked collection)
 * therefore completes at once as dismissed.
 *
 * Before stopping, the caller must drop its own references to objects that
 * hold the session bus connection (GDBusProxy, SecretService, …): stop
 * waits a few seconds for that connection to go away, and start refuses to
 * run while it is still there. A connection made inside a private main
 * context that is never iterated again cannot go away once the bus dies
 * (its "closed" callback waits in that context, holding it): libsecret's
 * own secret_password_*_sync() do just that when they are the first to
 * use the bus. Call secret_service_get_sync() first, in the test's own
 * context. PaSecrets runs its blocking calls on a thread of its own whose
 * main loop never stops, so it is safe. */
typedef struct _PaTestKeyring PaTestKeyring;

/* Both start functions fail with a PA_TEST_MISSING_ERROR (pa-test-require.h)
 * when dbus-daemon, or gnome-keyring-daemon for the first, is not installed;
 * any other error means that they are there but did not work. */
PaTestKeyring *pa_test_keyring_start                 (GError        **error);
PaTestKeyring *pa_test_keyring_start_without_service (GError        **error);
void           pa_test_keyring_stop                  (PaTestKeyring  *self);

/* Whether the daemons that start needs are installed, for a test that
 * starts its keyring in a child process and must know before: otherwise a
 * PA_TEST_MISSING_ERROR naming them and their Debian packages. */
gboolean       pa_test_keyring_check_installed       (gboolean        with_service,
                                                      GError        **error);
/* The same as PaTestNeedFunc, for pa_test_add_needing(): for cases that
 * start a keyring, or only a bus, in their fixture set-up. */
gboolean       pa_test_keyring_need                  (GError        **error);
gboolean       pa_test_keyring_need_bus              (GError        **error);

const char    *pa_test_keyring_get_bus_address       (PaTestKeyring  *self);
const char    *pa_test_keyring_get_home              (PaTestKeyring  *self);

/* TRUE when DBUS_SESSION_BUS_ADDRESS is this keyring's private bus: tests
 * assert it before writing anything. */
gboolean       pa_test_keyring_is_current            (PaTestKeyring  *self);

/* Locks the default collection, as the screen locker or a timeout would. */
gboolean       pa_test_keyring_lock                  (PaTestKeyring  *self,
                                                      GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTestKeyring, pa_test_keyring_stop)

G_END_DECLS
