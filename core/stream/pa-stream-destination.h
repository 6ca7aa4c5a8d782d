/* pa-stream-destination.h — where a stream goes live: Agora's Media
 * Gateway or any RTMP/RTMPS server, and the full publish URL of each
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-agora.h"
#include "pa-secrets.h"
#include "pa-store.h"
#include "pa-stream-preset.h"

G_BEGIN_DECLS

/* A saved custom destination is a row of the store's accounts table
 * (platform "rtmp", profile = its name, base_url = the server URL, which
 * is no secret) and its stream key in the keyring (platform "rtmp",
 * profile = its name, field "stream-key"). */
#define PA_STREAM_DESTINATION_PLATFORM  "rtmp"
#define PA_STREAM_DESTINATION_KEY_FIELD "stream-key"

/* The URL a stream is published to carries its key: it is resolved only
 * when going live, handed to the stream and never logged or shown. What
 * may be shown is pa_stream_mask_rtmp_url()'s. */

/* Checks an RTMP URL: rtmp:// or rtmps://, a host, no user name or
 * password, no control characters or spaces, at most
 * PA_LIMIT_STREAM_URL_BYTES. @with_key: a full publish URL (server,
 * application and key: at least two path segments); else a server URL
 * (at least the application, no query). PA_ERROR_INVALID_INPUT with a
 * message that never quotes the URL (it may hold a key). */
gboolean    pa_stream_check_rtmp_url        (const char   *url,
                                             gboolean      with_key,
                                             GError      **error);
/* "rtmp://host:port/app/••••": the URL with everything after its first
 * path segment (the key) hidden, for showing. Any text that is not a
 * valid RTMP URL is hidden whole. */
char       *pa_stream_mask_rtmp_url         (const char   *url);
/* A stream key: not empty, printable ASCII without spaces or "/", at
 * most PA_LIMIT_STREAM_KEY_BYTES. */
gboolean    pa_stream_check_stream_key      (const char   *key,
                                             GError      **error);
/* A destination's name: not empty, no control characters, at most
 * PA_LIMIT_STREAM_DESTINATION_NAME_BYTES. */
gboolean    pa_stream_check_destination_name (const char  *name,
                                             GError      **error);

#define PA_TYPE_STREAM_DESTINATION (pa_stream_destination_get_type ())
G_DECLARE_FINAL_TYPE (PaStreamDestination, pa_stream_destination, PA, STREAM_DESTINATION, GObject)

/* A custom server: @server_url (checked with pa_stream_check_rtmp_url(),
 * @with_key FALSE) and the key saved in @secrets for @name. NULL with
 * @error set when a name or the URL is not valid. */
PaStreamDestination *pa_stream_destination_new_rtmp   (const char  *name,
                                                       const char  *server_url,
                                                       PaSecrets   *secrets,
                                                       GError     **error);
/* Agora's Media Gateway in @agora's region, for @channel and host @uid
 * (not empty, not "0"). Resolving reuses the stream key made for that
 * channel and uid before (kept in the keyring with the account: platform
 * "agora", the account's profile, field "stream-key:CHANNEL:UID") while
 * Agora still knows it, and makes a new one otherwise. */
PaStreamDestination *pa_stream_destination_new_agora  (PaAgora     *agora,
                                                       PaSecrets   *secrets,
                                                       const char  *channel,
                                                       const char  *uid,
                                                       GError     **error);

PaStreamDestinationKind pa_stream_destination_get_kind (PaStreamDestination *self);
/* The destination's name, or for Agora "agora:CHANNEL". */
const char          *pa_stream_destination_get_name   (PaStreamDestination *self);
/* The server, without the key: the custom server's URL, or Agora's
 * region ingest server. */
const char          *pa_stream_destination_get_server_url (PaStreamDestination *self);

/* Looks the key up (and for Agora checks or makes it) and completes with
 * the full publish URL; free it with pa_secrets_free(). Errors:
 * PA_ERROR_NOT_FOUND when a custom destination's key is no longer in the
 * keyring, the keyring's errors, Agora's errors. */
void                 pa_stream_destination_resolve_async  (PaStreamDestination  *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
char                *pa_stream_destination_resolve_finish (PaStreamDestination  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Saved custom destinations ---------------------------------------------- */

/* Saves (or replaces) the custom destination @name: the key into the
 * keyring first, then the row, so that a listed destination has its key.
 * Checks the name, URL and key first. Blocking: for the CLI and threads. */
gboolean             pa_stream_destination_save_sync  (PaStore       *store,
                                                       PaSecrets     *secrets,
                                                       const char    *name,
                                                       const char    *server_url,
                                                       const char    *stream_key,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
/* The same, the keyring asked asynchronously; the row is written on
 * completion, in the caller's context. */
void                 pa_stream_destination_save_async (PaStore             *store,
                                                       PaSecrets           *secrets,
                                                       const char          *name,
                                                       const char          *server_url,
                                                       const char          *stream_key,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean             pa_stream_destination_save_finish (GAsyncResult       *result,
                                                        GError            **error);

/* The saved custom destinations, by name: a GPtrArray of
 * PaStreamDestination. Reads no key. */
GPtrArray           *pa_stream_destination_list_saved (PaStore       *store,
                                                       PaSecrets     *secrets,
                                                       GError       **error);
/* The saved destination @name; PA_ERROR_NOT_FOUND when there is none. */
PaStreamDestination *pa_stream_destination_load       (PaStore       *store,
                                                       PaSecrets     *secrets,
                                                       const char    *name,
                                                       GError       **error);
/* Forgets @name: its key, then its row. PA_ERROR_NOT_FOUND when there is
 * no such destination. Blocking. */
gboolean             pa_stream_destination_remove_sync (PaStore       *store,
                                                        PaSecrets     *secrets,
                                                        const char    *name,
                                                        GCancellable  *cancellable,
                                                        GError       **error);

G_END_DECLS
