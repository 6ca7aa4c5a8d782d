/* pa-error.h — the PA_ERROR domain
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PA_ERROR (pa_error_quark ())

/**
 * PaErrorCode:
 * @PA_ERROR_FAILED: something failed that fits no other code
 * @PA_ERROR_INVALID_INPUT: the caller or the user gave something unusable
 * @PA_ERROR_AUTH: a key is missing, wrong, or the keyring refused access
 * @PA_ERROR_RATE_LIMITED: the platform asked us to slow down
 * @PA_ERROR_UNAVAILABLE: the platform or a local service cannot be reached
 * @PA_ERROR_TIMEOUT: an operation took longer than allowed
 * @PA_ERROR_PROTOCOL: a peer answered with something we cannot understand
 * @PA_ERROR_NOT_FOUND: the thing asked for does not exist
 * @PA_ERROR_CANCELLED: the operation was cancelled
 * @PA_ERROR_CIRCUIT_OPEN: requests to a failing platform are paused
 * @PA_ERROR_STORAGE: the local database or disk failed
 * @PA_ERROR_SERVER: the peer answered with a server error (5xx): it may
 *   or may not have carried the request out, and trying again later may
 *   work; a retry spends an attempt
 * @PA_ERROR_CONNECTION_LOST: the request went out, in part or whole, but
 *   no answer came back (reset, or no response in time): the peer may
 *   have carried it out, so only an idempotent request may be sent again
 * @PA_ERROR_INSECURE: the connection could not be made secure (TLS), or
 *   going on would send a key in clear: trying again will not help
 *
 * %PA_ERROR_UNAVAILABLE means no answer at all with nothing sent (refused,
 * unreachable, unknown host): that, and only that, is "offline" for any
 * request; %PA_ERROR_CONNECTION_LOST and %PA_ERROR_TIMEOUT are offline
 * for idempotent requests only.
 */
typedef enum {
  PA_ERROR_FAILED,
  PA_ERROR_INVALID_INPUT,
  PA_ERROR_AUTH,
  PA_ERROR_RATE_LIMITED,
  PA_ERROR_UNAVAILABLE,
  PA_ERROR_TIMEOUT,
  PA_ERROR_PROTOCOL,
  PA_ERROR_NOT_FOUND,
  PA_ERROR_CANCELLED,
  PA_ERROR_CIRCUIT_OPEN,
  PA_ERROR_STORAGE,
  PA_ERROR_SERVER,
  PA_ERROR_CONNECTION_LOST,
  PA_ERROR_INSECURE,
} PaErrorCode;

GQuark pa_error_quark (void);

G_END_DECLS
