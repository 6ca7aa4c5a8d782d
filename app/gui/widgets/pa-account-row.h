/* pa-account-row.h — one platform account in the Accounts list
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_ACCOUNT_ROW (pa_account_row_get_type ())
G_DECLARE_FINAL_TYPE (PaAccountRow, pa_account_row, PA, ACCOUNT_ROW, AdwActionRow)

PaAccountRow *pa_account_row_new         (PaAccount    *account);
PaAccount    *pa_account_row_get_account (PaAccountRow *self);

/* What the row says about the account, as shown under its title. */
char         *pa_account_row_describe    (PaAccount    *account);

G_END_DECLS
