/* pa-account.c — one signed-in (or not) platform profile
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-account.h"

#include "pa-platform-info.h"

struct _PaAccount
{
  GObject          parent_instance;

  char            *platform;
  char            *profile;
  char            *base_url;
  char            *display_name;
  char            *status_detail;
  char            *check_error;
  PaAccountStatus  status;
  gint64           validated_at;
};

G_DEFINE_FINAL_TYPE (PaAccount, pa_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PLATFORM,
  PROP_PROFILE,
  PROP_BASE_URL,
  PROP_EFFECTIVE_BASE_URL,
  PROP_DISPLAY_NAME,
  PROP_STATUS,
  PROP_STATUS_DETAIL,
  PROP_CHECK_ERROR,
  PROP_VALIDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static gboolean
set_str (char       **dest,
         const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;

  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

static void
pa_account_finalize (GObject *object)
{
  PaAccount *self = PA_ACCOUNT (object);

  g_clear_pointer (&self->platform, g_free);
  g_clear_pointer (&self->profile, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->status_detail, g_free);
  g_clear_pointer (&self->check_error, g_free);

  G_OBJECT_CLASS (pa_account_parent_class)->finalize (object);
}

static void
pa_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PaAccount *self = PA_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_PLATFORM:
      g_value_set_string (value, self->platform);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_EFFECTIVE_BASE_URL:
      g_value_set_string (value, pa_account_get_effective_base_url (self));
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_STATUS_DETAIL:
      g_value_set_string (value, self->status_detail);
      break;
    case PROP_CHECK_ERROR:
      g_value_set_string (value, self->check_error);
      break;
    case PROP_VALIDATED_AT:
      g_value_set_int64 (value, self->validated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PaAccount *self = PA_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_PLATFORM:
      self->platform = g_value_dup_string (value);
      break;
    case PROP_PROFILE:
      self->profile = g_value_dup_string (value);
      break;
    case PROP_BASE_URL:
      pa_account_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_DISPLAY_NAME:
      pa_account_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      pa_account_set_status (self, g_value_get_int (value));
      break;
    case PROP_STATUS_DETAIL:
      pa_account_set_status_detail (self, g_value_get_string (value));
      break;
    case PROP_CHECK_ERROR:
      pa_account_set_check_error (self, g_value_get_string (value));
      break;
    case PROP_VALIDATED_AT:
      pa_account_set_validated_at (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_account_class_init (PaAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pa_account_finalize;
  object_class->get_property = pa_account_get_property;
  object_class->set_property = pa_account_set_property;

  properties[PROP_PLATFORM] =
    g_param_spec_string ("platform", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_string ("profile", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EFFECTIVE_BASE_URL] =
    g_param_spec_string ("effective-base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* An int rather than a registered enum keeps the core free of
   * glib-mkenums for one small enum; PaAccountStatus values fit. */
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL,
                      PA_ACCOUNT_STATUS_NOT_SIGNED_IN, PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE,
                      PA_ACCOUNT_STATUS_NOT_SIGNED_IN,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS_DETAIL] =
    g_param_spec_string ("status-detail", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHECK_ERROR] =
    g_param_spec_string ("check-error", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VALIDATED_AT] =
    g_param_spec_int64 ("validated-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_account_init (PaAccount *self)
{
}

PaAccount *
pa_account_new (const char *platform,
                const char *profile)
{
  g_return_val_if_fail (platform != NULL, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  return g_object_new (PA_TYPE_ACCOUNT,
                       "platform", platform,
                       "profile", profile,
                       NULL);
}

const char *
pa_account_get_platform (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), NULL);
  return self->platform;
}

const char *
pa_account_get_profile (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), NULL);
  return self->profile;
}

const char *
pa_account_get_base_url (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), NULL);
  return self->base_url;
}

void
pa_account_set_base_url (PaAccount  *self,
                         const char *base_url)
{
  g_return_if_fail (PA_IS_ACCOUNT (self));

  /* "" and NULL both mean "the platform's default". */
  if (base_url != NULL && base_url[0] == '\0')
    base_url = NULL;

  if (set_str (&self->base_url, base_url))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EFFECTIVE_BASE_URL]);
    }
}

const char *
pa_account_get_effective_base_url (PaAccount *self)
{
  const PaPlatformInfo *info;

  g_return_val_if_fail (PA_IS_ACCOUNT (self), NULL);

  if (self->base_url != NULL)
    return self->base_url;

  info = pa_platform_info_lookup (self->platform);
  return info != NULL ? info->default_base_url : NULL;
}

const char *
pa_account_get_display_name (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

void
pa_account_set_display_name (PaAccount  *self,
                             const char *display_name)
{
  g_return_if_fail (PA_IS_ACCOUNT (self));

  if (set_str (&self->display_name, display_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

PaAccountStatus
pa_account_get_status (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
  return self->status;
}

void
pa_account_set_status (PaAccount       *self,
                       PaAccountStatus  status)
{
  g_return_if_fail (PA_IS_ACCOUNT (self));

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
}

const char *
pa_account_get_status_detail (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), NULL);
  return self->status_detail;
}

void
pa_account_set_status_detail (PaAccount  *self,
                              const char *detail)
{
  g_return_if_fail (PA_IS_ACCOUNT (self));

  if (set_str (&self->status_detail, detail))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_DETAIL]);
}

const char *
pa_account_get_check_error (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), NULL);
  return self->check_error;
}

void
pa_account_set_check_error (PaAccount  *self,
                            const char *message)
{
  g_return_if_fail (PA_IS_ACCOUNT (self));

  if (set_str (&self->check_error, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECK_ERROR]);
}

gint64
pa_account_get_validated_at (PaAccount *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (self), 0);
  return self->validated_at;
}

void
pa_account_set_validated_at (PaAccount *self,
                             gint64     validated_at_ms)
{
  g_return_if_fail (PA_IS_ACCOUNT (self));

  if (self->validated_at != validated_at_ms)
    {
      self->validated_at = validated_at_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALIDATED_AT]);
    }
}

const char *
pa_account_status_to_string (PaAccountStatus status)
{
  switch (status)
    {
    case PA_ACCOUNT_STATUS_SIGNED_IN:
      return "signed-in";
    case PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE:
      return "keyring-unavailable";
    case PA_ACCOUNT_STATUS_NOT_SIGNED_IN:
    default:
      return "not-signed-in";
    }
}

PaAccountStatus
pa_account_status_from_string (const char *str)
{
  if (g_strcmp0 (str, "signed-in") == 0)
    return PA_ACCOUNT_STATUS_SIGNED_IN;
  if (g_strcmp0 (str, "keyring-unavailable") == 0)
    return PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE;
  return PA_ACCOUNT_STATUS_NOT_SIGNED_IN;
}
