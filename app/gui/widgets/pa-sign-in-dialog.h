/* pa-sign-in-dialog.h — keys and server address for one platform account
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_SIGN_IN_DIALOG (pa_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PaSignInDialog, pa_sign_in_dialog, PA, SIGN_IN_DIALOG, AdwWindow)

/* The dialog saves through @manager and, once saved, emits "saved" with a
 * short message for the user, then closes. */
PaSignInDialog *pa_sign_in_dialog_new         (PaAccountManager *manager,
                                               PaAccount        *account);
PaAccount      *pa_sign_in_dialog_get_account (PaSignInDialog   *self);

G_END_DECLS
