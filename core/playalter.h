/* playalter.h — the public API of libplayalter
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#define PLAYALTER_INSIDE

#include "pa-error.h"
#include "pa-limits.h"
#include "pa-json-guard.h"
#include "pa-private-dir.h"
#include "pa-text.h"
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
#include "pa-credential-provider.h"
#include "pa-http-request.h"
#include "pa-http-response.h"
#include "pa-http.h"
#include "pa-identity.h"
#include "pa-platform.h"
#include "pa-keyring-credentials.h"
#include "pa-request-log.h"
#include "pa-stripe.h"
#include "pa-stripe-webhook.h"
#include "pa-openai.h"
#include "pa-sse-parser.h"
#include "pa-replicate.h"
#include "pa-replicate-types.h"
#include "pa-replicate-download.h"
#include "pa-vercel.h"
#include "pa-n8n.h"
#include "pa-agora.h"
#include "pa-agora-token.h"
#include "pa-template.h"
#include "pa-action.h"
#include "pa-file-policy.h"
#include "pa-action-context.h"
#include "pa-workflow.h"
#include "pa-engine.h"
#include "pa-trigger-server.h"

#undef PLAYALTER_INSIDE
