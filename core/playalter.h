/* playalter.h — the public API of libplayalter
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#define PLAYALTER_INSIDE

#include "pa-error.h"
#include "pa-platform-info.h"
#include "pa-account.h"
#include "pa-account-manager.h"
#include "pa-store.h"
#include "pa-journal.h"
#include "pa-secrets.h"
#include "pa-clock.h"
#include "pa-form.h"
#include "pa-breaker.h"
#include "pa-rate-limiter.h"
#include "pa-http-request.h"
#include "pa-http-response.h"
#include "pa-http.h"
#include "pa-identity.h"
#include "pa-platform.h"

#undef PLAYALTER_INSIDE
