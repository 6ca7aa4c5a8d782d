/* pa-test-rtmp.h — a real RTMP server on loopback (nginx with its RTMP module) for tests
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-test-require.h"

G_BEGIN_DECLS

/* nginx with libnginx-mod-rtmp, in the foreground, in a temporary folder
 * of its own, listening on 127.0.0.1 on a free port, with one application
 * `live` (`live on;`). Each server is independent: several tests, or
 * several servers in one test, may run at once. It is one process
 * (`master_process off`): SIGTERM stops it and its connections at once,
 * and it keeps the test's user (a root master would hand the recording to
 * a `nobody` worker that cannot write into the folder). */
typedef struct _PaTestRtmp PaTestRtmp;

typedef struct {
  /* `record all` into pa_test_rtmp_get_record_dir(): every published
   * stream is also written to KEY.flv there (one file per key; a new
   * publish of the key starts it again), closed when the publisher goes. */
  gboolean    record;
  /* When set, `on_publish URL`: nginx POSTs each publish to @on_publish
   * (form fields call=publish, app=live, name=KEY, …) and refuses it
   * unless the answer is 2xx. */
  const char *on_publish;
} PaTestRtmpOptions;

/* Starts the server and returns once it accepts connections (bounded, 15
 * s). @options may be NULL (no recording, no on_publish).
 *
 * Returns NULL with @error set when nginx or its RTMP module is not
 * installed (a PA_TEST_MISSING_ERROR naming the Debian packages nginx and
 * libnginx-mod-rtmp), or when nginx does not come up (the error quotes
 * its error log):
 *
 *   g_autoptr(PaTestRtmp) rtmp = pa_test_rtmp_start (NULL, &error);
 *   if (!pa_test_require_no_error (error))
 *     return;
 */
PaTestRtmp *pa_test_rtmp_start              (const PaTestRtmpOptions  *options,
                                             GError                  **error);

/* "rtmp://127.0.0.1:PORT/live/@key": where to publish @key and where to
 * play it back from. */
char       *pa_test_rtmp_get_url            (PaTestRtmp  *self,
                                             const char  *key);
guint16     pa_test_rtmp_get_port           (PaTestRtmp  *self);
/* The folder of `record all`, or NULL when not recording. */
const char *pa_test_rtmp_get_record_dir     (PaTestRtmp  *self);
/* Where the recording of @key goes: RECORD_DIR/@key.flv (it may not exist:
 * nothing published, or the publish was refused). NULL when not
 * recording. */
char       *pa_test_rtmp_get_record_path    (PaTestRtmp  *self,
                                             const char  *key);
/* nginx's error log (level info: connects, publishes, refusals), in the
 * test's build dir so that it outlives the server; for assertion
 * messages. It holds every run of the server, restarts included. */
const char *pa_test_rtmp_get_error_log_path (PaTestRtmp  *self);
/* Its last few KB, for messages. */
char       *pa_test_rtmp_get_error_log_tail (PaTestRtmp  *self);

/* Whether the server process is running. */
gboolean    pa_test_rtmp_is_running         (PaTestRtmp  *self);
/* Takes the server away as an outage would for its clients: SIGTERM,
 * on which nginx quits at once and every connection drops with no RTMP
 * goodbye (SIGKILL after 5 s), and waits for it. The folder, the port
 * number and the recordings stay, for pa_test_rtmp_restart(). Does nothing
 * when it is not running. */
void        pa_test_rtmp_kill               (PaTestRtmp  *self);
/* Starts the server again on the same port with the same configuration,
 * once it accepts connections. Fails (G_IO_ERROR_ADDRESS_IN_USE) when
 * another process took the port meanwhile, or when it is still running. */
gboolean    pa_test_rtmp_restart            (PaTestRtmp  *self,
                                             GError     **error);

/* Freezes the running server (SIGSTOP) or lets it go on (SIGCONT), as a
 * server or a network that stalls: its connections stay open and its
 * socket buffers fill. */
void        pa_test_rtmp_freeze             (PaTestRtmp  *self,
                                             gboolean     frozen);

/* Stops the server (SIGTERM, SIGKILL after 5 s), waits for it, removes its
 * folder (recordings included: copy what must stay) and frees @self.
 * NULL-safe. */
void        pa_test_rtmp_stop               (PaTestRtmp  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTestRtmp, pa_test_rtmp_stop)

G_END_DECLS
