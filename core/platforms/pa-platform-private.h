/* pa-platform-private.h — what the platform clients share with each other
 *
 * The steps every client takes the same way: being created, sending a
 * request whose answer must be a JSON object, and saying that a peer's
 * answer made no sense. Not part of the public API.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-platform-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-platform.h"

G_BEGIN_DECLS

/* A client of @type, a subclass of PaPlatform: what each platform's
 * pa_…_new() returns. Arguments as for pa_platform_new(). */
gpointer    pa_platform_new_of_type          (GType                type,
                                              PaHttp              *http,
                                              const char          *profile,
                                              const char          *base_url);

/* Sets PA_ERROR_PROTOCOL: “@peer sent an answer PlayAlter does not
 * understand (@what)”. @peer is the platform's name, or the host for a
 * server that only speaks a platform's API. */
void        pa_platform_set_protocol_error   (GError             **error,
                                              const char          *peer,
                                              const char          *what);

/* The JSON object in @response's body (a new reference to its node), or
 * NULL and an error, a protocol error naming @peer if the body holds
 * anything but an object. */
JsonNode   *pa_platform_response_dup_object  (PaHttpResponse      *response,
                                              const char          *peer,
                                              GError             **error);

/* Sends @request as pa_platform_send_async() does and completes with the
 * JSON object of the answer; a body that is not an object is a protocol
 * error naming the platform. */
void        pa_platform_send_object_async    (PaPlatform          *self,
                                              PaHttpRequest       *request,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* The object, or NULL and @error; *@root holds it (unref that when done). */
JsonObject *pa_platform_send_object_finish   (PaPlatform          *self,
                                              GAsyncResult        *result,
                                              JsonNode           **root,
                                              GError             **error);

/* @id escaped as one segment of a URL path, or NULL and
 * PA_ERROR_INVALID_INPUT when it is empty, "." or "..", or holds '/', '\\',
 * '?', '#', '%' or a control character, any of which could move the
 * request to another endpoint. Every id a client puts into a path goes
 * through here. @what names the id for the message ("Stripe checkout
 * session id"). */
char       *pa_platform_escape_id            (const char          *id,
                                              const char          *what,
                                              GError             **error);

G_END_DECLS
