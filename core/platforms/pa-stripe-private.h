/* pa-stripe-private.h — what the files of PaStripe share
 *
 * pa-stripe.c (the client: errors, requests, the account check),
 * pa-stripe-catalogue.c (customers, products, prices),
 * pa-stripe-payments.c (payment links, checkout sessions, payments,
 * refunds) and pa-stripe-lists.c (walking every page of a list, the
 * events sync) are one class.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-stripe-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-stripe.h"

G_BEGIN_DECLS

/* A request to @path with the pinned Stripe-Version. */
PaHttpRequest *pa_stripe_request        (PaStripe            *self,
                                         const char          *method,
                                         const char          *path);
/* @prefix, then @id escaped (an odd id cannot reach another resource),
 * then @suffix (may be NULL); NULL and PA_ERROR_INVALID_INPUT for an id
 * that pa_platform_escape_id() refuses (@what names it). */
char          *pa_stripe_object_path    (const char          *prefix,
                                         const char          *id,
                                         const char          *suffix,
                                         const char          *what,
                                         GError             **error);
void           pa_stripe_set_metadata   (JsonObject          *params,
                                         JsonObject          *metadata);

/* Sends @request (taking it); the task completes, for
 * pa_stripe_object_finish(), with the answer's JSON object. */
void           pa_stripe_send_object    (PaStripe            *self,
                                         PaHttpRequest       *request,
                                         gpointer             source_tag,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* GET one page of the list at @path: @filter_name=@filter_value when the
 * value is not NULL, then the page size and cursor of the public list
 * calls. */
void           pa_stripe_send_list      (PaStripe            *self,
                                         const char          *path,
                                         const char          *filter_name,
                                         const char          *filter_value,
                                         guint                limit,
                                         const char          *starting_after,
                                         gpointer             source_tag,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* POSTs @params form-encoded to @path, performed at most once per
 * @idempotency_key, like pa_stripe_send_object(). */
void           pa_stripe_send_post      (PaStripe            *self,
                                         const char          *path,
                                         JsonObject          *params,
                                         const char          *idempotency_key,
                                         gpointer             source_tag,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);

G_END_DECLS
