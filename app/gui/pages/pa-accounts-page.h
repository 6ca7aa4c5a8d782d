/* pa-accounts-page.h — the Accounts section: sign in to each platform
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_ACCOUNTS_PAGE (pa_accounts_page_get_type ())
G_DECLARE_FINAL_TYPE (PaAccountsPage, pa_accounts_page, PA, ACCOUNTS_PAGE, AdwPreferencesPage)

GtkWidget        *pa_accounts_page_new         (void);
PaAccountManager *pa_accounts_page_get_manager (PaAccountsPage   *self);
void              pa_accounts_page_set_manager (PaAccountsPage   *self,
                                                PaAccountManager *manager);

G_END_DECLS
