/* pa-agora.h — Agora: Media Gateway REST client and the token check
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-agora-token.h"
#include "pa-platform.h"
#include "pa-secrets.h"

G_BEGIN_DECLS

#define PA_AGORA_DEFAULT_REGION "na"

#define PA_TYPE_AGORA (pa_agora_get_type ())
G_DECLARE_FINAL_TYPE (PaAgora, pa_agora, PA, AGORA, PaPlatform)

/* A Media Gateway streaming key and what it is bound to. */
typedef struct {
  char    *stream_key;
  char    *channel;
  char    *uid;
  gint64   expires_after;  /* seconds after creation; 0 = never expires */
  gint64   created_at;     /* Unix seconds; 0 when not given */
} PaAgoraStreamKey;

/* A stream being pushed into the gateway right now. */
typedef struct {
  char *sid;               /* the streaming session id */
  char *stream_key;        /* may be masked by Agora, e.g. "7B***Qbs" */
  char *channel;
  char *uid;
  char *region;
  char *domain;
  char *begin_at;          /* ISO 8601, as sent; may be NULL */
} PaAgoraOnlineStream;

void pa_agora_stream_key_free    (PaAgoraStreamKey    *key);
void pa_agora_online_stream_free (PaAgoraOnlineStream *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaAgoraStreamKey, pa_agora_stream_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaAgoraOnlineStream, pa_agora_online_stream_free)

/* @base_url NULL means https://api.agora.io. The region is "na" until set. */
PaAgora    *pa_agora_new                  (PaHttp      *http,
                                           const char  *profile,
                                           const char  *base_url);

/* The Media Gateway region: "na", "eu", "ap" or "cn". */
gboolean    pa_agora_region_is_valid      (const char  *region);
const char *pa_agora_get_region           (PaAgora     *self);
void        pa_agora_set_region           (PaAgora     *self,
                                           const char  *region);

/* The keyring the app ID and certificate are read from; one is created
 * when first needed. */
void        pa_agora_set_secrets          (PaAgora     *self,
                                           PaSecrets   *secrets);

/* The RTMP server an encoder pushes to in @region, e.g.
 * "rtmp://rtls-ingress-prod-na.agoramdn.com/live" (NULL for an unknown
 * region), and the full URL with the streaming key appended. */
char       *pa_agora_get_ingest_server    (const char  *region);
char       *pa_agora_build_ingest_url     (const char  *region,
                                           const char  *stream_key);

/* POST /{region}/v1/projects/{appId}/rtls/ingress/streamkeys.
 * @uid is the host's user id as a string (not empty, not "0");
 * @expires_after_s 0 means the key never expires. */
void              pa_agora_create_stream_key_async  (PaAgora             *self,
                                                     const char          *channel,
                                                     const char          *uid,
                                                     guint32              expires_after_s,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PaAgoraStreamKey *pa_agora_create_stream_key_finish (PaAgora             *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* GET …/rtls/ingress/streamkeys/{streamKey}; PA_ERROR_NOT_FOUND when gone. */
void              pa_agora_get_stream_key_async     (PaAgora             *self,
                                                     const char          *stream_key,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PaAgoraStreamKey *pa_agora_get_stream_key_finish    (PaAgora             *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* DELETE …/rtls/ingress/streamkeys/{streamKey}. */
void              pa_agora_delete_stream_key_async  (PaAgora             *self,
                                                     const char          *stream_key,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          pa_agora_delete_stream_key_finish (PaAgora             *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* GET …/rtls/ingress/online-streams[?channel=]; @channel may be NULL.
 * Returns a GPtrArray of PaAgoraOnlineStream. */
void              pa_agora_list_streams_async       (PaAgora             *self,
                                                     const char          *channel,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray        *pa_agora_list_streams_finish      (PaAgora             *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
