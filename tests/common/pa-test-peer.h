/* pa-test-peer.h — fixtures and loopback peers (Prism, scripted Node peers) for tests
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-test-require.h"

G_BEGIN_DECLS

/* The shared fixtures folder: $PLAYALTER_FIXTURES (meson's test_env sets
 * it), else "../shared/fixtures" beside the source root. */
const char *pa_test_fixtures_dir     (void);

/* The absolute path of @relpath inside the fixtures folder (e.g.
 * "openapi/stripe.json"). When the file is missing the current test is
 * failed, or skipped under PLAYALTER_TEST_ALLOW_MISSING=1 (see
 * pa-test-require.h), with a message naming the file and where it comes
 * from, and NULL is returned: the caller just returns. The vendor specs
 * are not copied into the project (DESIGN §5). */
char       *pa_test_fixtures_require (const char *relpath);

/* A peer process on 127.0.0.1, on a free port, whose output goes to a log
 * file in the test's build dir (see pa_test_peer_get_log_path()). It runs
 * in its own process group, which stop kills; it also gets SIGTERM when
 * the test process dies, so a crashed test leaves nothing behind. */
typedef struct _PaTestPeer PaTestPeer;

/* Prism (`prism mock --errors`) serving the OpenAPI spec
 * fixtures/openapi/@spec_name (e.g. "stripe.json", "n8n.yaml") with request
 * validation: a request that breaks the contract gets a 4xx (422 for a bad
 * body, 401 for missing auth, 404 for an unknown path), so the test fails.
 * Prism ignores the path part of `servers`: paths are served as the spec's
 * `paths` spell them, at the peer's URL. Returns once Prism says it
 * listens on its port (bounded; openai.yaml takes ~20 s to load).
 *
 * Returns NULL with @error set when Prism or node is not installed (a
 * PA_TEST_MISSING_ERROR: run build-aux/install-test-peers.sh) or Prism
 * does not come up. Returns NULL with no error when the spec fixture is
 * missing: the test has then already been failed (or skipped, see
 * pa-test-require.h), and the caller just returns:
 *
 *   g_autoptr(PaTestPeer) prism = pa_test_prism_start ("n8n.yaml", &error);
 *   if (!pa_test_require_no_error (error) || prism == NULL)
 *     return;
 */
PaTestPeer *pa_test_prism_start      (const char          *spec_name,
                                      GError             **error);

/* The same with more `prism mock` options. --errors also makes Prism
 * check its own answers: where a spec's examples break its own schemas
 * (n8n.yaml's executions), it answers 500, and {"--dynamic", "--seed",
 * "playalter", NULL} makes it answer from the schemas instead
 * (deterministically, but lists may come back empty). */
PaTestPeer *pa_test_prism_start_with_args (const char          *spec_name,
                                           const char * const  *extra_args,
                                           GError             **error);

/* `node tests/peers/@script_relpath @args…` (e.g. "stripe-form-peer.mjs")
 * with PORT=<free port> and PLAYALTER_FIXTURES in its environment. The
 * script must listen on 127.0.0.1:$PORT and then print "on
 * 127.0.0.1:$PORT"; this returns once it has (bounded, 30 s; another
 * port is tried when $PORT was taken meanwhile), or NULL with @error set
 * when node is missing (a
 * PA_TEST_MISSING_ERROR), the script is missing, or it exits or never
 * listens. @args may be NULL. */
PaTestPeer *pa_test_node_peer_start  (const char          *script_relpath,
                                      const char * const  *args,
                                      GError             **error);

/* "http://127.0.0.1:PORT", without a trailing slash. */
const char *pa_test_peer_get_url      (PaTestPeer *self);
guint16     pa_test_peer_get_port     (PaTestPeer *self);
/* Where the peer's stdout and stderr go; handy in assertion messages. */
const char *pa_test_peer_get_log_path (PaTestPeer *self);

/* Kills the peer's process group (SIGTERM, then SIGKILL after 5 s), waits
 * for it and frees @self. NULL-safe. */
void        pa_test_peer_stop         (PaTestPeer *self);

/* How much the peer has logged so far: an offset for the next call. */
gsize       pa_test_peer_get_log_size (PaTestPeer *self);
/* How many requests to @route (e.g. "post /chat/completions") Prism logged
 * after @offset; fails the test when one of them did not pass Prism's
 * validation, or got no verdict. For requests whose answer Prism cannot
 * mock (an event stream), this is where their validity is seen. */
guint       pa_test_prism_count_validated (PaTestPeer *self,
                                           gsize       offset,
                                           const char *route);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTestPeer, pa_test_peer_stop)

/* Helpers shared with pa-test-n8n.c. */

/* A TCP port on 127.0.0.1 that is free right now, for a peer that
 * listens on it by itself: until it does, any other process may be
 * handed the same port. */
guint16     pa_test_peer_free_port    (GError **error);
/* A socket bound to a free port on 127.0.0.1, not listening: connections
 * to @port are refused, and no other process gets the port while the
 * socket is open. For "nothing listens there", and for a server that
 * comes up there later (g_socket_listen() it, then hand it over). */
GSocket    *pa_test_peer_reserve_port (guint16  *port,
                                       GError  **error);

/* The project's source root: $PLAYALTER_SOURCE_ROOT (meson's test_env). */
const char *pa_test_source_root       (void);

G_END_DECLS
