/* pa-colour.c — CIELAB for the face swap's colour transfer
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include "pa-colour-private.h"

/* sRGB's D65 white, for normalising XYZ. */
#define WHITE_X 0.95047
#define WHITE_Z 1.08883
#define ENCODE_STEPS 4096

/* Decoding takes 256 values and encoding a smooth curve: both are tables
 * (the encode one interpolated, under 0.01 of a level off), since a face
 * at 1080p is a few hundred thousand pixels per frame. */
static float decode_table[256];
static float encode_table[ENCODE_STEPS + 2];

static double
srgb_decode (double v)
{
  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

static double
srgb_encode (double v)
{
  return v <= 0.0031308 ? 12.92 * v : 1.055 * pow (v, 1 / 2.4) - 0.055;
}

static void
ensure_tables (void)
{
  static gsize ready = 0;

  if (g_once_init_enter (&ready))
    {
      for (int i = 0; i < 256; i++)
        decode_table[i] = (float) srgb_decode (i / 255.0);
      for (int i = 0; i <= ENCODE_STEPS + 1; i++)
        encode_table[i] = (float) (255.0 * srgb_encode (MIN (i, ENCODE_STEPS) / (double) ENCODE_STEPS));
      g_once_init_leave (&ready, 1);
    }
}

static inline float
lab_f (float t)
{
  /* (6/29)³ and its linear continuation below */
  return t > 0.008856452f ? cbrtf (t) : t * 7.787037f + 0.137931f;
}

static inline float
lab_f_inverse (float f)
{
  return f > 0.206896552f ? f * f * f : (f - 0.137931f) * 0.128418549f;
}

void
pa_colour_rgb_to_lab (const guint8 *rgb,
                      float        *lab)
{
  float r, g, b, fx, fy, fz;

  ensure_tables ();
  r = decode_table[rgb[0]];
  g = decode_table[rgb[1]];
  b = decode_table[rgb[2]];
  fx = lab_f ((0.4124564f * r + 0.3575761f * g + 0.1804375f * b) / (float) WHITE_X);
  fy = lab_f (0.2126729f * r + 0.7151522f * g + 0.0721750f * b);
  fz = lab_f ((0.0193339f * r + 0.1191920f * g + 0.9503041f * b) / (float) WHITE_Z);
  lab[0] = 116.0f * fy - 16.0f;
  lab[1] = 500.0f * (fx - fy);
  lab[2] = 200.0f * (fy - fz);
}

static inline float
encode (float linear)
{
  float at;
  int i;

  if (!(linear > 0))
    return 0;
  if (linear >= 1)
    return 255;
  at = linear * ENCODE_STEPS;
  i = (int) at;
  return encode_table[i] + (at - i) * (encode_table[i + 1] - encode_table[i]);
}

void
pa_colour_lab_to_rgb (const float *lab,
                      float       *rgb)
{
  float fy = (lab[0] + 16.0f) / 116.0f;
  float x = lab_f_inverse (fy + lab[1] / 500.0f) * (float) WHITE_X;
  float y = lab_f_inverse (fy);
  float z = lab_f_inverse (fy - lab[2] / 200.0f) * (float) WHITE_Z;

  ensure_tables ();
  rgb[0] = encode (3.2404542f * x - 1.5371385f * y - 0.4985314f * z);
  rgb[1] = encode (-0.9692660f * x + 1.8760108f * y + 0.0415560f * z);
  rgb[2] = encode (0.0556434f * x - 0.2040259f * y + 1.0572252f * z);
}

void
pa_lab_stats_add (PaLabStats  *self,
                  const float *lab)
{
  for (int c = 0; c < 3; c++)
    {
      self->sum[c] += lab[c];
      self->sum2[c] += (double) lab[c] * lab[c];
    }
  self->n++;
}

gboolean
pa_lab_stats_get (const PaLabStats *self,
                  double           *mean,
                  double           *std)
{
  if (self->n < 32)
    return FALSE;
  for (int c = 0; c < 3; c++)
    {
      mean[c] = self->sum[c] / self->n;
      std[c] = sqrt (MAX (self->sum2[c] / self->n - mean[c] * mean[c], 0.0));
    }
  return TRUE;
}
