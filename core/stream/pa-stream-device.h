/* pa-stream-device.h — the cameras and microphones a stream can capture
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * PaStreamDeviceKind:
 * @PA_STREAM_DEVICE_CAMERA: a video capture device (V4L2, or a PipeWire node)
 * @PA_STREAM_DEVICE_MICROPHONE: a sound input (PulseAudio or PipeWire source)
 */
typedef enum {
  PA_STREAM_DEVICE_CAMERA,
  PA_STREAM_DEVICE_MICROPHONE,
} PaStreamDeviceKind;

/**
 * PaStreamDeviceMode:
 * @width: in pixels
 * @height: in pixels
 * @fps_n: the highest frame rate of the mode, numerator
 * @fps_d: and denominator
 * @format: the raw pixel format ("YUY2", "NV12"…), or "MJPEG"
 *
 * One way a camera can deliver pictures.
 */
typedef struct {
  int   width;
  int   height;
  int   fps_n;
  int   fps_d;
  char *format;
} PaStreamDeviceMode;

#define PA_TYPE_STREAM_DEVICE_MODE (pa_stream_device_mode_get_type ())
GType               pa_stream_device_mode_get_type (void) G_GNUC_CONST;
PaStreamDeviceMode *pa_stream_device_mode_copy     (const PaStreamDeviceMode *mode);
void                pa_stream_device_mode_free     (PaStreamDeviceMode       *mode);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStreamDeviceMode, pa_stream_device_mode_free)

#define PA_TYPE_STREAM_DEVICE (pa_stream_device_get_type ())
G_DECLARE_FINAL_TYPE (PaStreamDevice, pa_stream_device, PA, STREAM_DEVICE, GObject)

/* What pa_stream_source_new_camera() and pa_stream_source_with_microphone()
 * take: a camera's device node ("/dev/video0"), "pipewire:NODE" for a
 * camera only PipeWire offers, a microphone's sound server name. */
const char         *pa_stream_device_get_id    (PaStreamDevice *self);
/* For people: "Integrated Camera", "Built-in Audio Analog Stereo". */
const char         *pa_stream_device_get_name  (PaStreamDevice *self);
PaStreamDeviceKind  pa_stream_device_get_kind  (PaStreamDevice *self);
/* Of PaStreamDeviceMode, largest first; empty for a microphone. */
GPtrArray          *pa_stream_device_get_modes (PaStreamDevice *self);

/* The devices of @kind connected now, as the system's device monitor
 * sees them (a quick look, no device is opened): a list of
 * PaStreamDevice, empty when there is none. */
GListModel         *pa_stream_list_devices     (PaStreamDeviceKind kind);

G_END_DECLS
