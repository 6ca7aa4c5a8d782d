/* pa-stream-preset.c — the presets of each destination
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-stream-preset.h"

/* Agora's Media Gateway takes H.264 (or H.265) video and AAC audio in FLV
 * over RTMP ("Media Gateway features",
 * docs.agora.io/en/realtime-media/rtmp-gateway/reference/media-gateway-features).
 * The sizes, frame rates and bitrates are those of Agora's recommended
 * video profiles for live streaming
 * (docs.agora.io/en/realtime-media/transcoding/reference/video-profile:
 * 1920×1080@30 6300 kbit/s, 1280×720@30 3420, 848×480@30 1860,
 * 640×360@30 1200), and the keyframe interval is the 2 s Agora's own RTMP
 * push uses by default (gopInMs 2000 in the Server Gateway SDK's
 * RtmpStreamingVideoConfiguration).
 *
 * Custom RTMP servers follow what YouTube and Twitch ask of encoders:
 * a keyframe every 2 s, constant bitrate, 1080p30 at 4500–6000 kbit/s
 * (Twitch caps at 6000), 720p30 at 2500–4000, 480p30 at 500–2000.
 *
 * The sound is AAC, 48 kHz stereo, 128 kbit/s everywhere: what the stream
 * encodes and what every one of these servers takes. */
static const PaStreamPreset presets[] = {
  { "agora-720p30", N_("720p, 30 fps (3.4 Mbit/s)"), PA_STREAM_DESTINATION_AGORA,
    1280, 720, 30, 3420, 128, 2 },
  { "agora-1080p30", N_("1080p, 30 fps (6.3 Mbit/s)"), PA_STREAM_DESTINATION_AGORA,
    1920, 1080, 30, 6300, 128, 2 },
  { "agora-480p30", N_("480p, 30 fps (1.9 Mbit/s)"), PA_STREAM_DESTINATION_AGORA,
    848, 480, 30, 1860, 128, 2 },
  { "agora-360p30", N_("360p, 30 fps (1.2 Mbit/s)"), PA_STREAM_DESTINATION_AGORA,
    640, 360, 30, 1200, 128, 2 },
  { "rtmp-720p30", N_("720p, 30 fps (3 Mbit/s)"), PA_STREAM_DESTINATION_RTMP,
    1280, 720, 30, 3000, 128, 2 },
  { "rtmp-1080p30", N_("1080p, 30 fps (6 Mbit/s)"), PA_STREAM_DESTINATION_RTMP,
    1920, 1080, 30, 6000, 128, 2 },
  { "rtmp-480p30", N_("480p, 30 fps (1.5 Mbit/s)"), PA_STREAM_DESTINATION_RTMP,
    854, 480, 30, 1500, 128, 2 },
};

/* Each kind's presets sit together in the table, best first. */
const PaStreamPreset *
pa_stream_presets_for (PaStreamDestinationKind  kind,
                       guint                   *n_presets)
{
  const PaStreamPreset *first = NULL;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      if (presets[i].kind != kind)
        continue;
      if (first == NULL)
        first = &presets[i];
      n++;
    }

  if (n_presets != NULL)
    *n_presets = n;
  return first;
}

const PaStreamPreset *
pa_stream_preset_get_default (PaStreamDestinationKind kind)
{
  return pa_stream_presets_for (kind, NULL);
}

const PaStreamPreset *
pa_stream_preset_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].id, id))
      return &presets[i];
  return NULL;
}

char *
pa_stream_preset_dup_ids (void)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "", presets[i].id);
  return g_string_free (ids, FALSE);
}

void
pa_stream_preset_apply (const PaStreamPreset *preset,
                        PaStream             *stream)
{
  g_return_if_fail (preset != NULL);
  g_return_if_fail (PA_IS_STREAM (stream));

  pa_stream_set_video (stream, preset->width, preset->height, preset->fps, 1);
  pa_stream_set_encoder (stream, preset->video_kbps, preset->keyframe_interval);
}
