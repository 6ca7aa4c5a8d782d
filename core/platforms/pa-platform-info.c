/* pa-platform-info.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-platform-info.h"

static const PaCredentialField api_key_fields[] = {
  { "api-key", N_("API key"), TRUE },
  { NULL }
};

static const PaCredentialField agora_fields[] = {
  { "app-id", N_("App ID"), FALSE },
  { "app-certificate", N_("App certificate"), TRUE },
  { "customer-id", N_("Customer ID"), FALSE },
  { "customer-secret", N_("Customer secret"), TRUE },
  { NULL }
};

static const PaPlatformInfo platforms[] = {
  {
    .id = "stripe",
    .display_name = "Stripe",
    .description = N_("Payments, payment links and refunds"),
    .default_base_url = "https://api.stripe.com",
    .auth = PA_AUTH_BEARER,
    .fields = api_key_fields,
  },
  {
    .id = "openai",
    .display_name = "OpenAI",
    .description = N_("Text and image generation, or a compatible local server"),
    .default_base_url = "https://api.openai.com/v1",
    .auth = PA_AUTH_BEARER,
    .fields = api_key_fields,
    .key_optional = TRUE,
  },
  {
    .id = "replicate",
    .display_name = "Replicate",
    .description = N_("Face-swap models, or a local Cog server"),
    .default_base_url = "https://api.replicate.com/v1",
    .auth = PA_AUTH_BEARER,
    .fields = api_key_fields,
    .key_optional = TRUE,
  },
  {
    .id = "vercel",
    .display_name = "Vercel",
    .description = N_("Publishing"),
    .default_base_url = "https://api.vercel.com",
    .auth = PA_AUTH_BEARER,
    .fields = api_key_fields,
  },
  {
    .id = "n8n",
    .display_name = "n8n",
    .description = N_("Automation, in the cloud or self-hosted"),
    .default_base_url = "http://localhost:5678",
    .auth = PA_AUTH_HEADER,
    .auth_header = "X-N8N-API-KEY",
    .fields = api_key_fields,
  },
  {
    .id = "agora",
    .display_name = "Agora",
    .description = N_("Live streaming"),
    .default_base_url = "https://api.agora.io",
    .auth = PA_AUTH_BASIC,
    .basic_user_field = "customer-id",
    .basic_password_field = "customer-secret",
    .fields = agora_fields,
  },
};

const PaPlatformInfo *
pa_platform_info_get_all (guint *n_platforms)
{
  if (n_platforms != NULL)
    *n_platforms = G_N_ELEMENTS (platforms);
  return platforms;
}

const PaPlatformInfo *
pa_platform_info_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (platforms); i++)
    {
      if (g_str_equal (platforms[i].id, id))
        return &platforms[i];
    }

  return NULL;
}

guint
pa_platform_info_get_n_fields (const PaPlatformInfo *info)
{
  guint n = 0;

  g_return_val_if_fail (info != NULL, 0);

  while (info->fields[n].name != NULL)
    n++;

  return n;
}

const PaCredentialField *
pa_platform_info_find_field (const PaPlatformInfo *info,
                             const char           *field)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; info->fields[i].name != NULL; i++)
    {
      if (g_str_equal (info->fields[i].name, field))
        return &info->fields[i];
    }

  return NULL;
}

char *
pa_platform_info_dup_id_list (void)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (platforms); i++)
    {
      if (i > 0)
        g_string_append (list, ", ");
      g_string_append (list, platforms[i].id);
    }

  return g_string_free (list, FALSE);
}

void
pa_platform_info_set_unknown_error (GError    **error,
                                    const char *id)
{
  g_autofree char *ids = pa_platform_info_dup_id_list ();

  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("Unknown platform “%s”. Choose one of: %s."),
               id != NULL ? id : "", ids);
}
