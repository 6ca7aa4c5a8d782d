/* pa-qr-code.c — a QR code for a payment link, to scan with a phone
 *
 * libqrencode makes the modules; this keeps them as a plain matrix so the
 * GUI, the CLI and the PNG writer each draw them their own way.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n-lib.h>
#include <qrencode.h>

#include "pa-error.h"

#include "pa-qr-code.h"

/* A URL longer than this is not a payment link; a version 40 code at
 * level M holds 2331 bytes, so anything this long still fits. */
#define TEXT_MAX_BYTES 2048
/* Modules of light margin scanners need around the code. */
#define QUIET_ZONE 4
/* PNGs larger than this per side are a mistake, not a request. */
#define PNG_MAX_SIDE 8192

struct _PaQrCode
{
  GObject  parent_instance;

  char    *text;
  guint    size;
  guint8  *modules;   /* size × size, row by row: 1 = dark */
};

G_DEFINE_FINAL_TYPE (PaQrCode, pa_qr_code, G_TYPE_OBJECT)

static void
pa_qr_code_finalize (GObject *object)
{
  PaQrCode *self = PA_QR_CODE (object);

  g_free (self->text);
  g_free (self->modules);

  G_OBJECT_CLASS (pa_qr_code_parent_class)->finalize (object);
}

static void
pa_qr_code_class_init (PaQrCodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_qr_code_finalize;
}

static void
pa_qr_code_init (PaQrCode *self)
{
}

PaQrCode *
pa_qr_code_new (const char  *text,
                GError     **error)
{
  g_autoptr(PaQrCode) self = NULL;
  QRcode *code;
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = text != NULL ? strlen (text) : 0;
  if (len == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("There is no text to make a QR code of."));
      return NULL;
    }
  if (len > TEXT_MAX_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The text is too long for a QR code a phone can scan."));
      return NULL;
    }
  if (!g_utf8_validate (text, (gssize) len, NULL))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The text of the QR code is not valid UTF-8."));
      return NULL;
    }

  /* Version 0: the smallest that holds the text. QR_MODE_8 as the hint
   * with case sensitivity: digits and upper-case runs may use the denser
   * modes, everything else is kept byte for byte, so a URL comes back
   * exactly as given. */
  code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    {
      int saved = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   saved == ERANGE
                   ? _("The text is too long for a QR code a phone can scan.")
                   : _("The QR code could not be made."));
      return NULL;
    }

  self = g_object_new (PA_TYPE_QR_CODE, NULL);
  self->text = g_strdup (text);
  self->size = (guint) code->width;
  self->modules = g_new (guint8, (gsize) self->size * self->size);
  /* Bit 0 of each byte is the module's colour; the others say what the
   * module is for (format, timing…), which nobody here needs. */
  for (gsize i = 0; i < (gsize) self->size * self->size; i++)
    self->modules[i] = code->data[i] & 1;
  QRcode_free (code);

  return g_steal_pointer (&self);
}

const char *
pa_qr_code_get_text (PaQrCode *self)
{
  g_return_val_if_fail (PA_IS_QR_CODE (self), NULL);
  return self->text;
}

guint
pa_qr_code_get_size (PaQrCode *self)
{
  g_return_val_if_fail (PA_IS_QR_CODE (self), 0);
  return self->size;
}

gboolean
pa_qr_code_is_dark (PaQrCode *self,
                    int       x,
                    int       y)
{
  g_return_val_if_fail (PA_IS_QR_CODE (self), FALSE);

  if (x < 0 || y < 0 || x >= (int) self->size || y >= (int) self->size)
    return FALSE;
  return self->modules[(gsize) y * self->size + (gsize) x] != 0;
}

char *
pa_qr_code_to_text (PaQrCode *self)
{
  GString *out;
  int first, last;

  g_return_val_if_fail (PA_IS_QR_CODE (self), NULL);

  /* A character cell is about twice as tall as wide: two modules per
   * cell, one in each half, keep the code square. The glyphs' ink is
   * the dark module, as on paper. */
  first = -QUIET_ZONE;
  last = (int) self->size + QUIET_ZONE;     /* exclusive */
  out = g_string_new (NULL);
  for (int y = first; y < last; y += 2)
    {
      for (int x = first; x < last; x++)
        {
          gboolean top = pa_qr_code_is_dark (self, x, y);
          gboolean bottom = y + 1 < last && pa_qr_code_is_dark (self, x, y + 1);

          if (top && bottom)
            g_string_append (out, "\u2588");   /* FULL BLOCK */
          else if (top)
            g_string_append (out, "\u2580");   /* UPPER HALF BLOCK */
          else if (bottom)
            g_string_append (out, "\u2584");   /* LOWER HALF BLOCK */
          else
            g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

GBytes *
pa_qr_code_to_png (PaQrCode  *self,
                   guint      scale,
                   GError   **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  gchar *buffer = NULL;
  gsize buffer_len = 0;
  guint side;
  guint8 *pixels;
  int stride;

  g_return_val_if_fail (PA_IS_QR_CODE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  side = (self->size + 2 * QUIET_ZONE) * MAX (scale, 1);
  if (scale == 0 || side > PNG_MAX_SIDE)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The QR code’s picture cannot be made at this size."));
      return NULL;
    }

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, (int) side, (int) side);
  if (pixbuf == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("The QR code’s picture cannot be made at this size."));
      return NULL;
    }
  gdk_pixbuf_fill (pixbuf, 0xffffffff);
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (guint y = 0; y < self->size; y++)
    for (guint x = 0; x < self->size; x++)
      {
        if (!self->modules[(gsize) y * self->size + x])
          continue;
        for (guint dy = 0; dy < scale; dy++)
          {
            guint8 *row = pixels + (gsize) ((y + QUIET_ZONE) * scale + dy) * (gsize) stride;

            memset (row + (gsize) (x + QUIET_ZONE) * scale * 3, 0, (gsize) scale * 3);
          }
      }

  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &buffer_len, "png", error, NULL))
    return NULL;
  return g_bytes_new_take (buffer, buffer_len);
}
