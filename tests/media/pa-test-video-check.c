/* pa-test-video-check.c — what the video tests judge an output by
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pa-image-file.h"
#include "pa-test-video-check.h"
#include "pa-test-video.h"

GstDiscovererInfo *
pa_test_video_discover (const char *path)
{
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new (30 * GST_SECOND, NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GstDiscovererInfo *info = gst_discoverer_discover_uri (discoverer, uri, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  return info;
}

static GstCaps *
first_caps (GList *streams)
{
  g_assert_nonnull (streams);
  return gst_discoverer_stream_info_get_caps (streams->data);
}

void
pa_test_video_assert_same_shape (const char *input,
                                 const char *output,
                                 gboolean    audio_passed_through)
{
  g_autoptr(GstDiscovererInfo) in = pa_test_video_discover (input);
  g_autoptr(GstDiscovererInfo) out = pa_test_video_discover (output);
  GList *in_video = gst_discoverer_info_get_video_streams (in);
  GList *out_video = gst_discoverer_info_get_video_streams (out);
  GList *in_audio = gst_discoverer_info_get_audio_streams (in);
  GList *out_audio = gst_discoverer_info_get_audio_streams (out);
  GstDiscovererVideoInfo *iv, *ov;
  g_autoptr(GPtrArray) in_frames = NULL;
  g_autoptr(GPtrArray) out_frames = NULL;
  g_autoptr(GError) error = NULL;
  GstClockTime frame, din, dout;

  g_assert_nonnull (in_video);
  g_assert_nonnull (out_video);
  iv = in_video->data;
  ov = out_video->data;
  g_assert_cmpuint (gst_discoverer_video_info_get_width (ov), ==, gst_discoverer_video_info_get_width (iv));
  g_assert_cmpuint (gst_discoverer_video_info_get_height (ov), ==, gst_discoverer_video_info_get_height (iv));
  g_assert_cmpuint (gst_discoverer_video_info_get_framerate_num (ov) * gst_discoverer_video_info_get_framerate_denom (iv),
                    ==,
                    gst_discoverer_video_info_get_framerate_num (iv) * gst_discoverer_video_info_get_framerate_denom (ov));

  frame = gst_util_uint64_scale (GST_SECOND, gst_discoverer_video_info_get_framerate_denom (iv),
                                 gst_discoverer_video_info_get_framerate_num (iv));
  din = gst_discoverer_info_get_duration (in);
  dout = gst_discoverer_info_get_duration (out);
  g_test_message ("duration %" GST_TIME_FORMAT " in, %" GST_TIME_FORMAT " out",
                  GST_TIME_ARGS (din), GST_TIME_ARGS (dout));
  g_assert_cmpuint (dout + frame, >=, din);
  /* Audio encoded again starts with the encoder's delay (AAC: up to 2048
   * samples, 43 ms at 48 kHz), which the container's duration counts. */
  g_assert_cmpuint (dout, <=, din + frame + (audio_passed_through ? 0 : 43 * GST_MSECOND));

  /* Every frame, counted. */
  in_frames = pa_test_video_decode_all (input, &error);
  g_assert_no_error (error);
  out_frames = pa_test_video_decode_all (output, &error);
  g_assert_no_error (error);
  g_test_message ("%u frames in, %u out", in_frames->len, out_frames->len);
  g_assert_cmpuint (in_frames->len, >, 0);
  g_assert_cmpuint (out_frames->len, ==, in_frames->len);

  if (audio_passed_through)
    {
      g_autoptr(GstCaps) in_caps = first_caps (in_audio);
      g_autoptr(GstCaps) out_caps = first_caps (out_audio);
      g_autofree char *in_string = gst_caps_to_string (in_caps);
      g_autofree char *out_string = gst_caps_to_string (out_caps);

      g_test_message ("audio in: %s", in_string);
      g_test_message ("audio out: %s", out_string);
      g_assert_true (gst_caps_is_equal (in_caps, out_caps));
    }

  gst_discoverer_stream_info_list_free (in_video);
  gst_discoverer_stream_info_list_free (out_video);
  gst_discoverer_stream_info_list_free (in_audio);
  gst_discoverer_stream_info_list_free (out_audio);
}

void
pa_test_video_assert_marked (const char *path)
{
  g_autoptr(GstDiscovererInfo) info = pa_test_video_discover (path);
  const GstTagList *tags = gst_discoverer_info_get_tags (info);
  gboolean found = FALSE;

  g_assert_nonnull (tags);
  for (guint i = 0; i < gst_tag_list_get_tag_size (tags, GST_TAG_COMMENT); i++)
    {
      const char *comment = NULL;

      if (gst_tag_list_peek_string_index (tags, GST_TAG_COMMENT, i, &comment)
          && g_strcmp0 (comment, PA_MEDIA_MARK_KEY "=" PA_MEDIA_MARK_VALUE) == 0)
        found = TRUE;
    }
  if (!found)
    {
      g_autofree char *all = gst_tag_list_to_string (tags);

      g_test_message ("tags of %s: %s", path, all);
    }
  g_assert_true (found);

  /* And the media layer's own check finds it. */
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GError) error = NULL;

    g_assert_true (pa_media_file_has_mark (file, &error));
    g_assert_no_error (error);
  }
}

double
pa_test_pixbuf_difference (GdkPixbuf *a,
                           GdkPixbuf *b,
                           int        x,
                           int        y,
                           int        width,
                           int        height)
{
  double sum = 0;

  g_assert_cmpint (gdk_pixbuf_get_width (a), ==, gdk_pixbuf_get_width (b));
  g_assert_cmpint (gdk_pixbuf_get_height (a), ==, gdk_pixbuf_get_height (b));
  if (width == 0)
    {
      x = y = 0;
      width = gdk_pixbuf_get_width (a);
      height = gdk_pixbuf_get_height (a);
    }
  for (int row = y; row < y + height; row++)
    {
      const guint8 *pa = gdk_pixbuf_get_pixels (a) + (gsize) row * gdk_pixbuf_get_rowstride (a) + x * 3;
      const guint8 *pb = gdk_pixbuf_get_pixels (b) + (gsize) row * gdk_pixbuf_get_rowstride (b) + x * 3;

      for (int i = 0; i < width * 3; i++)
        sum += abs (pa[i] - pb[i]);
    }
  return sum / ((double) width * height * 3);
}

guint
pa_test_count_hidden_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    if (name[0] == '.')
      n++;
  return n;
}
