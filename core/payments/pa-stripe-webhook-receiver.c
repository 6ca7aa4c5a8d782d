/* pa-stripe-webhook-receiver.c — (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-stripe-webhook-receiver.h"
