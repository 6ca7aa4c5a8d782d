/* pa-account.h — one signed-in (or not) platform profile
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Where an account stands, as shown to the user. */
typedef enum {
  PA_ACCOUNT_STATUS_NOT_SIGNED_IN,
  PA_ACCOUNT_STATUS_SIGNED_IN,
  PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE,
} PaAccountStatus;

#define PA_TYPE_ACCOUNT (pa_account_get_type ())
G_DECLARE_FINAL_TYPE (PaAccount, pa_account, PA, ACCOUNT, GObject)

PaAccount       *pa_account_new                (const char      *platform,
                                                const char      *profile);
const char      *pa_account_get_platform       (PaAccount       *self);
const char      *pa_account_get_profile        (PaAccount       *self);
/* The base URL the user chose, or NULL for the platform's default. */
const char      *pa_account_get_base_url       (PaAccount       *self);
void             pa_account_set_base_url       (PaAccount       *self,
                                                const char      *base_url);
/* The base URL requests go to: the chosen one, else the default. */
const char      *pa_account_get_effective_base_url (PaAccount   *self);
const char      *pa_account_get_display_name   (PaAccount       *self);
void             pa_account_set_display_name   (PaAccount       *self,
                                                const char      *display_name);
PaAccountStatus  pa_account_get_status         (PaAccount       *self);
void             pa_account_set_status         (PaAccount       *self,
                                                PaAccountStatus  status);
/* Why the status is what it is, e.g. the keyring's error; may be NULL. */
const char      *pa_account_get_status_detail  (PaAccount       *self);
void             pa_account_set_status_detail  (PaAccount       *self,
                                                const char      *detail);
/* Why the last check with the platform failed (bad key, unreachable…),
 * or NULL when it passed or has not run. */
const char      *pa_account_get_check_error    (PaAccount       *self);
void             pa_account_set_check_error    (PaAccount       *self,
                                                const char      *message);
gint64           pa_account_get_validated_at   (PaAccount       *self);
void             pa_account_set_validated_at   (PaAccount       *self,
                                                gint64           validated_at_ms);

const char      *pa_account_status_to_string   (PaAccountStatus  status);
PaAccountStatus  pa_account_status_from_string (const char      *str);

G_END_DECLS
