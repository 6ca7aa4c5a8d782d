/* pa-level-meter.h — a sound level as a drawn bar: green, yellow, red,
 * with the recent peak held as a line
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PA_TYPE_LEVEL_METER (pa_level_meter_get_type ())
G_DECLARE_FINAL_TYPE (PaLevelMeter, pa_level_meter, PA, LEVEL_METER, GtkWidget)

/* The bar spans this many dB below full scale. */
#define PA_LEVEL_METER_FLOOR_DB (-60.0)

GtkWidget *pa_level_meter_new        (void);

/* The latest RMS and peak, in dBFS (0 is full scale; -inf is silence). */
void       pa_level_meter_set_level  (PaLevelMeter *self,
                                      double        rms_db,
                                      double        peak_db);
/* No sound at all: an empty bar, no peak. */
void       pa_level_meter_reset      (PaLevelMeter *self);

double     pa_level_meter_get_rms    (PaLevelMeter *self);
/* The highest peak of the last 1.5 s, in dBFS. */
double     pa_level_meter_get_peak_hold (PaLevelMeter *self);

G_END_DECLS
