/* pa-stream-preset.h — picture size, frame rate, bitrates and keyframe
 * interval that fit a destination
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-stream.h"

G_BEGIN_DECLS

/**
 * PaStreamDestinationKind:
 * @PA_STREAM_DESTINATION_RTMP: any RTMP or RTMPS server (YouTube, Twitch,
 *   a server of one's own), its URL and stream key given by the user
 * @PA_STREAM_DESTINATION_AGORA: Agora's Media Gateway, its stream key
 *   made from the user's Agora account
 */
typedef enum {
  PA_STREAM_DESTINATION_RTMP,
  PA_STREAM_DESTINATION_AGORA,
} PaStreamDestinationKind;

/**
 * PaStreamPreset:
 * @id: stable, for settings and the command line ("rtmp-720p30")
 * @name: for people, translatable (pass it through gettext)
 * @kind: the destination it is made for
 * @width, @height: the output picture (even: H.264 with 4:2:0 needs it)
 * @fps: frames per second
 * @video_kbps: H.264 bitrate (constant bitrate, as RTMP servers want)
 * @audio_kbps: AAC bitrate, 48 kHz stereo
 * @keyframe_interval: seconds between keyframes
 */
typedef struct {
  const char              *id;
  const char              *name;
  PaStreamDestinationKind  kind;
  int                      width;
  int                      height;
  int                      fps;
  guint                    video_kbps;
  guint                    audio_kbps;
  guint                    keyframe_interval;
} PaStreamPreset;

/* The presets made for @kind, best first; @n_presets gets their number.
 * The array is static. */
const PaStreamPreset *pa_stream_presets_for      (PaStreamDestinationKind  kind,
                                                  guint                   *n_presets);
/* The preset called @id, of any kind, or NULL. */
const PaStreamPreset *pa_stream_preset_lookup    (const char              *id);
/* What a destination of @kind starts with when no preset was chosen. */
const PaStreamPreset *pa_stream_preset_get_default (PaStreamDestinationKind kind);
/* The ids of every preset, comma-separated, for messages; free with g_free(). */
char                 *pa_stream_preset_dup_ids   (void);

/* Sets @self's picture, frame rate, bitrate and keyframe interval to
 * @preset's; before the start. The stream encodes its sound with AAC at
 * 128 kbit/s, 48 kHz, which is what every preset asks for. */
void                  pa_stream_preset_apply     (const PaStreamPreset    *preset,
                                                  PaStream                *stream);

G_END_DECLS
