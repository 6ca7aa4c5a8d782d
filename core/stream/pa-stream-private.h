/* pa-stream-private.h — what the files of core/stream share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STREAM_COMPILATION)
# error "pa-stream-private.h is private to core/stream: use pa-stream.h"
#endif

#include <gst/gst.h>

G_BEGIN_DECLS

/* The name of the videorate element in a source's video bin: the stream
 * reads how many frames it dropped. */
#define PA_STREAM_VIDEORATE_NAME "pa-stream-videorate"

/* gst_element_factory_make(), or NULL with a PA_ERROR that names the
 * missing element and the Debian package @package that has it. */
GstElement *pa_stream_make_element (const char  *factory,
                                    const char  *name,
                                    const char  *package,
                                    GError     **error);

G_END_DECLS
