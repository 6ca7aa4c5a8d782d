/* pa-stream-stats.c — a stream's statistics: measured in the
 * streaming threads and on the bus, summed up once a second, and judged
 * by OBS's measures
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-stream-engine-private.h"

/* OBS's thresholds: the output frame rate under 95 % of the target, or
 * over 1 % of the frames dropped, is a warning; under 80 % or over 5 %
 * is bad. */
#define FPS_WARNING     0.95
#define FPS_BAD         0.80
#define DROPPED_WARNING 0.01
#define DROPPED_BAD     0.05

PaStreamHealth
pa_stream_stats_get_health (const PaStreamStats  *stats,
                            char                **message)
{
  PaStreamHealth fps_health = PA_STREAM_HEALTH_GOOD;
  PaStreamHealth dropped_health = PA_STREAM_HEALTH_GOOD;
  double dropped_share = 0.0;

  g_return_val_if_fail (stats != NULL, PA_STREAM_HEALTH_GOOD);

  if (message != NULL)
    *message = NULL;
  /* Nothing encoded yet (no output, or the first second): nothing to
   * judge. */
  if (stats->target_fps <= 0 || stats->frames == 0)
    return PA_STREAM_HEALTH_GOOD;

  if (stats->fps < stats->target_fps * FPS_BAD)
    fps_health = PA_STREAM_HEALTH_BAD;
  else if (stats->fps < stats->target_fps * FPS_WARNING)
    fps_health = PA_STREAM_HEALTH_WARNING;

  /* Dropped of all the frames there were to send. */
  dropped_share = stats->dropped / (double) (stats->frames + stats->dropped);
  if (dropped_share > DROPPED_BAD)
    dropped_health = PA_STREAM_HEALTH_BAD;
  else if (dropped_share > DROPPED_WARNING)
    dropped_health = PA_STREAM_HEALTH_WARNING;

  if (fps_health == PA_STREAM_HEALTH_GOOD && dropped_health == PA_STREAM_HEALTH_GOOD)
    return PA_STREAM_HEALTH_GOOD;
  /* The worse of the two speaks; the frame rate when they are even. */
  if (message != NULL)
    {
      if (fps_health >= dropped_health)
        *message = g_strdup_printf (_("The stream runs at %.0f of %.0f frames per second: "
                                      "the computer cannot keep up. Lower the resolution "
                                      "or the frame rate."),
                                    stats->fps, stats->target_fps);
      else
        *message = g_strdup_printf (_("%.1f %% of the frames were dropped: the connection "
                                      "or the computer cannot keep up. Lower the bitrate."),
                                    dropped_share * 100.0);
    }
  return MAX (fps_health, dropped_health);
}

/* Statistics: measured in the streaming threads. */

/* The encoder's input: frames come in, and how late. */
GstPadProbeReturn
pa_stream_on_encoder_in (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         user_data)
{
  PaStream *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstElement *encoder = GST_PAD_PARENT (pad);
  g_autoptr(GstClock) clock = gst_element_get_clock (encoder);
  gboolean late = FALSE;

  /* Late: the frame reaches the encoder more than two frames after it
   * was captured (its timestamp is its running time: the sources are
   * live, their segments start at 0), the rendering lag OBS counts as
   * "frames missed". */
  if (clock != NULL && GST_BUFFER_PTS_IS_VALID (buffer))
    {
      GstClockTime now = gst_clock_get_time (clock);
      GstClockTime base = gst_element_get_base_time (encoder);
      GstClockTime frame = gst_util_uint64_scale (GST_SECOND, self->fps_d, self->fps_n);

      late = now > base && now - base > GST_BUFFER_PTS (buffer) + 2 * frame;
    }

  g_mutex_lock (&self->lock);
  self->encode_entered = g_get_monotonic_time ();
  if (late)
    self->late++;
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

/* Counts what comes out of an encoder, and (video) how long it took:
 * x264 with zerolatency has no frame delay, so a frame leaves it inside
 * the call that brought it in. */
GstPadProbeReturn
pa_stream_on_encoded (GstPad          *pad,
            GstPadProbeInfo *info,
            gpointer         user_data)
{
  PaStreamProbe *data = user_data;
  PaStream *self = data->self;
  guint n = 1;
  gsize size;
  gboolean tell = FALSE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
      GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

      n = gst_buffer_list_length (list);
      size = gst_buffer_list_calculate_size (list);
    }
  else
    size = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));

  g_mutex_lock (&self->lock);
  self->bytes += size;
  if (data->video)
    {
      self->frames += n;
      if (self->encode_entered != 0)
        {
          self->encode_time += g_get_monotonic_time () - self->encode_entered;
          self->encode_count += n;
          self->encode_entered = 0;
        }
      if (!self->first_frame_told)
        {
          self->first_frame_told = TRUE;
          tell = TRUE;
        }
    }
  g_mutex_unlock (&self->lock);

  /* The stream outlives its pipeline, which tear_down() stops before
   * it lets go of the stream. */
  if (tell)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, pa_stream_on_first_frame,
                                g_object_ref (self), g_object_unref);
  return GST_PAD_PROBE_OK;
}

/* The first raw frame, for a stream that starts with a preview only. */
GstPadProbeReturn
pa_stream_on_raw_frame (GstPad          *pad,
              GstPadProbeInfo *info,
              gpointer         user_data)
{
  PaStream *self = user_data;

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, pa_stream_on_first_frame,
                              g_object_ref (self), g_object_unref);
  return GST_PAD_PROBE_REMOVE;
}

void
pa_stream_count_qos (PaStream   *self,
           GstMessage *message)
{
  GstFormat format;
  guint64 processed, dropped;

  /* The preview's sink drops what it cannot show: the stream's frames
   * are not lost for that. */
  if (self->preview_sink != NULL && GST_MESSAGE_SRC (message) == GST_OBJECT (self->preview_sink))
    return;
  gst_message_parse_qos_stats (message, &format, &processed, &dropped);
  if (format == GST_FORMAT_BUFFERS || format == GST_FORMAT_DEFAULT)
    g_hash_table_insert (self->qos_dropped,
                         gst_object_get_path_string (GST_MESSAGE_SRC (message)),
                         GSIZE_TO_POINTER ((gsize) dropped));
}

/* A "level" message: the loudest channel's RMS and peak. */
void
pa_stream_emit_level (PaStream           *self,
            const GstStructure *structure)
{
  const char *fields[] = { "rms", "peak" };
  double values[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };

  /* level gives GValueArrays, deprecated in GLib but what it posts. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const GValue *value = gst_structure_get_value (structure, fields[i]);
      GValueArray *array;

      if (value == NULL || !G_VALUE_HOLDS (value, g_value_array_get_type ()))
        return;
      array = g_value_get_boxed (value);
      for (guint c = 0; array != NULL && c < array->n_values; c++)
        values[i] = MAX (values[i], g_value_get_double (g_value_array_get_nth (array, c)));
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
  if (values[0] == -G_MAXDOUBLE)
    return;
  g_signal_emit (self, pa_stream_signals[PA_STREAM_SIGNAL_AUDIO_LEVEL], 0, values[0], values[1]);
}

gboolean
pa_stream_on_tick (gpointer user_data)
{
  PaStream *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 frames, bytes, late, encode_count, dropped = 0;
  gint64 encode_time;
  double seconds = (now - self->last_tick) / (double) G_USEC_PER_SEC;
  double frame_us = G_USEC_PER_SEC * (double) self->fps_d / self->fps_n;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  frames = self->frames;
  bytes = self->bytes;
  late = self->late;
  encode_time = self->encode_time;
  encode_count = self->encode_count;
  self->encode_time = 0;
  self->encode_count = 0;
  dropped = pa_stream_outputs_get_dropped (self);
  g_mutex_unlock (&self->lock);

  if (self->videorate != NULL)
    {
      guint64 rate_dropped = 0;

      g_object_get (self->videorate, "drop", &rate_dropped, NULL);
      dropped += rate_dropped;
    }
  g_hash_table_iter_init (&iter, self->qos_dropped);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    dropped += GPOINTER_TO_SIZE (value);

  if (seconds > 0)
    {
      self->stats.fps = (frames - self->last_frames) / seconds;
      self->stats.bitrate = (guint64) ((bytes - self->last_bytes) * 8 / seconds);
    }
  self->stats.frames = frames;
  self->stats.dropped = dropped;
  self->stats.late = late;
  self->stats.target_fps = self->fps_n / (double) self->fps_d;
  /* The mean time x264 took per frame over the last second, as a share
   * of a frame's time: above 1 it cannot keep up. */
  self->stats.encoder_load = encode_count > 0 ? encode_time / (double) encode_count / frame_us : 0.0;
  self->stats.reconnects = self->reconnects;
  self->stats.live_time = pa_stream_get_live_time (self);
  self->last_frames = frames;
  self->last_bytes = bytes;
  self->last_tick = now;
  g_signal_emit (self, pa_stream_signals[PA_STREAM_SIGNAL_STATS], 0);
  return G_SOURCE_CONTINUE;
}

