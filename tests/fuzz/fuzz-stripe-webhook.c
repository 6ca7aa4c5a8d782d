/* fuzz-stripe-webhook.c — the Stripe-Signature header
 *
 * The first line of the input is the header, the rest the payload. The
 * header is checked against the secret of the vendor's test vector, at
 * the vector's time, with and without the age check; then the payload
 * signed by pa_stripe_webhook_sign() must always verify.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "fuzz-common.h"
#include "pa-error.h"
#include "pa-stripe-webhook.h"

#define SECRET "whsec_test_secret"
#define NOW 1700000000

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *header = NULL;
  g_autofree char *signed_header = NULL;
  const uint8_t *payload;
  size_t payload_size;

  fuzz_init ();
  fuzz_split_line (data, size, &header, &payload, &payload_size);

  for (gint64 tolerance = 0; tolerance <= PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S;
       tolerance += PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S)
    {
      g_autoptr(GError) error = NULL;

      if (!pa_stripe_webhook_verify ((const char *) payload, payload_size, header, SECRET,
                                     NOW, tolerance, &error))
        g_assert (g_error_matches (error, PA_ERROR, PA_ERROR_INVALID_INPUT) ||
                  g_error_matches (error, PA_ERROR, PA_ERROR_AUTH));
    }

  signed_header = pa_stripe_webhook_sign ((const char *) payload, payload_size, SECRET, NOW);
  {
    g_autoptr(GError) error = NULL;

    if (!pa_stripe_webhook_verify ((const char *) payload, payload_size, signed_header, SECRET,
                                   NOW, PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S, &error))
      g_error ("A payload signed here does not verify: %s", error->message);
  }

  return 0;
}
