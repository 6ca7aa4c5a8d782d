/* pa-agora-token.h — Agora AccessToken2 ("007…") tokens: build, parse, verify
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Service types inside a token. */
typedef enum {
  PA_AGORA_SERVICE_RTC  = 1,
  PA_AGORA_SERVICE_RTM  = 2,
  PA_AGORA_SERVICE_FPA  = 4,
  PA_AGORA_SERVICE_CHAT = 5,
} PaAgoraServiceType;

/* Privileges of the RTC service. */
typedef enum {
  PA_AGORA_PRIVILEGE_JOIN_CHANNEL        = 1,
  PA_AGORA_PRIVILEGE_PUBLISH_AUDIO       = 2,
  PA_AGORA_PRIVILEGE_PUBLISH_VIDEO       = 3,
  PA_AGORA_PRIVILEGE_PUBLISH_DATA_STREAM = 4,
} PaAgoraRtcPrivilege;

/* The one privilege of the RTM service. */
#define PA_AGORA_PRIVILEGE_RTM_LOGIN 1

typedef enum {
  PA_AGORA_ROLE_PUBLISHER  = 1,  /* join + publish audio, video and data */
  PA_AGORA_ROLE_SUBSCRIBER = 2,  /* join only */
} PaAgoraRole;

/* ---- building -------------------------------------------------------- */

typedef struct _PaAgoraToken PaAgoraToken;

/* A token issued at @issue_ts (Unix seconds) with @salt, valid for
 * @expire_s seconds after it. Nothing is checked until build. The
 * certificate is copied and wiped when the builder is freed. */
PaAgoraToken *pa_agora_token_new       (const char     *app_id,
                                        const char     *app_certificate,
                                        guint32         issue_ts,
                                        guint32         salt,
                                        guint32         expire_s);
void          pa_agora_token_free      (PaAgoraToken   *self);

/* Adds (or replaces) the RTC service. @uid is the user id as a string:
 * "" for uid 0, "2882341273" for a numeric uid, or a user account.
 * @privilege_expire_s counts from the issue time; 0 means the privileges
 * have no limit of their own (the token's expiry applies). */
void          pa_agora_token_add_rtc   (PaAgoraToken   *self,
                                        const char     *channel,
                                        const char     *uid,
                                        PaAgoraRole     role,
                                        guint32         privilege_expire_s);
/* Adds (or replaces) the RTM service with the login privilege. */
void          pa_agora_token_add_rtm   (PaAgoraToken   *self,
                                        const char     *user_id,
                                        guint32         privilege_expire_s);

/* "007" + base64(zlib(signature + content)). PA_ERROR_INVALID_INPUT when
 * the app id or certificate is not 32 hex digits, no service was added,
 * or a string is too long for the format. */
char         *pa_agora_token_build     (PaAgoraToken   *self,
                                        GError        **error);

/* The usual RTC token: issued now with a random salt, valid for
 * @expire_s seconds, privileges for as long. @uid 0 means "any user". */
char         *pa_agora_build_rtc_token (const char     *app_id,
                                        const char     *app_certificate,
                                        const char     *channel,
                                        guint32         uid,
                                        PaAgoraRole     role,
                                        guint32         expire_s,
                                        GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaAgoraToken, pa_agora_token_free)

/* ---- parsing and verifying -------------------------------------------- */

typedef struct {
  guint16  id;          /* PaAgoraRtcPrivilege, PA_AGORA_PRIVILEGE_RTM_LOGIN… */
  guint32  expire_s;    /* as stored: seconds after the issue time, 0 = none */
  gint64   expires_at;  /* Unix seconds: its own limit, else the token's */
  gboolean expired;     /* at the time given to the parser */
} PaAgoraPrivilege;

typedef struct {
  guint16  type;        /* PaAgoraServiceType */
  char    *channel;     /* RTC: the channel name; else NULL */
  char    *user;        /* RTC: the uid string; RTM, chat: the user id; else NULL */
  GArray  *privileges;  /* PaAgoraPrivilege, in the order stored (by id) */
} PaAgoraService;

typedef struct {
  char      *version;    /* "007" */
  char      *app_id;
  guint32    issue_ts;
  guint32    expire_s;
  guint32    salt;
  gint64     expires_at; /* issue_ts + expire_s */
  gboolean   expired;
  GPtrArray *services;   /* PaAgoraService, in the order stored (by type) */
  GBytes    *signature;
} PaAgoraTokenInfo;

/* Decodes @token without checking its signature. Every length is
 * checked: anything malformed (wrong version, bad base64, bad zlib data,
 * truncated or trailing bytes, an unknown service) gives
 * PA_ERROR_INVALID_INPUT. Expiry flags are computed for now. */
PaAgoraTokenInfo *pa_agora_token_parse            (const char        *token,
                                                   GError           **error);
/* The same, with expiry flags computed for @now (Unix seconds). */
PaAgoraTokenInfo *pa_agora_token_parse_at         (const char        *token,
                                                   gint64             now,
                                                   GError           **error);
void              pa_agora_token_info_free        (PaAgoraTokenInfo  *info);
/* The service of @type, or NULL. */
const PaAgoraService *pa_agora_token_info_get_service (const PaAgoraTokenInfo *info,
                                                       guint16                 type);
/* The privilege @id of @service, or NULL. */
const PaAgoraPrivilege *pa_agora_service_get_privilege (const PaAgoraService *service,
                                                        guint16               id);
/* TRUE when the token or any of its privileges has expired. */
gboolean          pa_agora_token_info_has_expired (const PaAgoraTokenInfo *info);

/* TRUE when @token was signed with @app_certificate: the signature is
 * recomputed over the packed content and compared in constant time. A
 * malformed token gives PA_ERROR_INVALID_INPUT, a wrong signature
 * PA_ERROR_AUTH. Expiry is not checked: see pa_agora_token_parse(). */
gboolean          pa_agora_token_verify           (const char        *token,
                                                   const char        *app_certificate,
                                                   GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaAgoraTokenInfo, pa_agora_token_info_free)

G_END_DECLS
