/* pa-test-pulse.h — a PulseAudio server of a test's own, with one null
 * sink whose monitor is the "microphone" that hears what the sink plays
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PaTestPulse PaTestPulse;

/* Starts `pulseaudio` with its home, runtime folder and socket in @dir
 * and a null sink named @sink described as @description (no spaces),
 * and waits for its socket. NULL when pulseaudio is not installed: the
 * test case is then failed with how to install it. */
PaTestPulse *pa_test_pulse_start       (const char  *dir,
                                        const char  *sink,
                                        const char  *description);
/* "unix:DIR/native": what PULSE_SERVER takes. */
const char  *pa_test_pulse_get_address (PaTestPulse *self);
/* Stops the server and frees @self. */
void         pa_test_pulse_stop        (PaTestPulse *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTestPulse, pa_test_pulse_stop)

G_END_DECLS
