/* pa-test-peer-private.h — the process handling shared by the peers
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A child in its own process group with its output in a log file; it gets
 * SIGTERM when the test process dies. */
typedef struct _PaTestProcess PaTestProcess;

PaTestProcess *pa_test_process_spawn         (const char          *name,
                                              const char * const  *argv,
                                              const char * const  *env,
                                              const char          *cwd,
                                              const char          *log_path,
                                              GError             **error);
gboolean       pa_test_process_has_exited    (PaTestProcess       *self);
/* Waits @interval_ms, or less if the process exits meanwhile. */
void           pa_test_process_pause         (PaTestProcess       *self,
                                              guint                interval_ms);
/* Waits for a command that is meant to finish, and fails unless it
 * exited 0. */
gboolean       pa_test_process_wait          (PaTestProcess       *self,
                                              guint                timeout_s,
                                              GError             **error);
/* Waits until the log holds @needle, the process exits, or the
 * monotonic clock passes @deadline_us. */
gboolean       pa_test_process_wait_for_log  (PaTestProcess       *self,
                                              const char          *needle,
                                              gint64               deadline_us,
                                              GError             **error);
char          *pa_test_process_log_tail      (PaTestProcess       *self);
const char    *pa_test_process_get_log_path  (PaTestProcess       *self);
/* SIGTERM to the group, SIGKILL after 5 s; frees @self. */
void           pa_test_process_stop          (PaTestProcess       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTestProcess, pa_test_process_stop)

/* "<build dir>/<prgname>-<name>-<port>.log" */
char          *pa_test_peer_log_path         (const char          *name,
                                              guint16              port);
/* tests/peers/node_modules/.bin/@tool, or a PA_TEST_MISSING_ERROR saying
 * how to install it (or node, which runs it). */
char          *pa_test_peers_bin             (const char          *tool,
                                              GError             **error);
/* node in PATH, or a PA_TEST_MISSING_ERROR saying how to install it. */
char          *pa_test_find_node             (GError             **error);

/* rm -rf @path; a missing @path is fine. */
gboolean       pa_test_remove_tree           (const char          *path,
                                              GError             **error);

G_END_DECLS
