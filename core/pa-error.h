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
} PaErrorCode;

GQuark pa_error_quark (void);

G_END_DECLS
