/* pa-pixels.h — a view of 8-bit RGB pixels that someone else owns
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The face engine works on memory it does not own: a GdkPixbuf's pixels
 * for stills, a mapped GstVideoFrame for video. This is that view; it
 * allocates nothing and frees nothing. */
typedef struct {
  guint8 *data;      /* first byte of the top row */
  int     width;     /* in pixels, > 0 */
  int     height;    /* in pixels, > 0 */
  int     stride;    /* bytes from one row to the next, >= width * channels */
  int     channels;  /* 3 (R, G, B) or 4 (R, G, B, then alpha or padding, kept as is) */
} PaPixels;

typedef struct {
  double x;
  double y;
} PaPoint;

/* A rectangle in pixels, x and y its top-left corner. */
typedef struct {
  int x;
  int y;
  int width;
  int height;
} PaRect;

G_END_DECLS
