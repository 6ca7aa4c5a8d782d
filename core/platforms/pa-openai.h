/* pa-openai.h — OpenAI, and servers that speak its API
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-platform.h"

G_BEGIN_DECLS

/* ---- results ---------------------------------------------------------- */

typedef struct {
  char     *text;            /* the first choice's content; never NULL */
  char     *finish_reason;   /* "stop", "length"…; NULL when not given */
  char     *model;           /* NULL when not given */
  gboolean  has_usage;       /* local servers often leave usage out */
  gint64    prompt_tokens;
  gint64    completion_tokens;
  gint64    total_tokens;
} PaOpenaiChatResult;

#define PA_TYPE_OPENAI_CHAT_RESULT (pa_openai_chat_result_get_type ())
GType               pa_openai_chat_result_get_type (void) G_GNUC_CONST;
PaOpenaiChatResult *pa_openai_chat_result_copy     (const PaOpenaiChatResult *self);
void                pa_openai_chat_result_free     (PaOpenaiChatResult       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaOpenaiChatResult, pa_openai_chat_result_free)

typedef struct {
  GBytes *bytes;            /* decoded b64_json; NULL when a URL was given */
  char   *url;              /* NULL when bytes were given */
  char   *revised_prompt;   /* NULL unless the model rewrote the prompt */
} PaOpenaiImage;

#define PA_TYPE_OPENAI_IMAGE (pa_openai_image_get_type ())
GType          pa_openai_image_get_type (void) G_GNUC_CONST;
PaOpenaiImage *pa_openai_image_copy     (const PaOpenaiImage *self);
void           pa_openai_image_free     (PaOpenaiImage       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaOpenaiImage, pa_openai_image_free)

typedef struct {
  gboolean  flagged;        /* any input flagged */
  char    **categories;     /* names of the flagged categories, sorted; never NULL */
  char     *model;          /* NULL when not given */
} PaOpenaiModeration;

#define PA_TYPE_OPENAI_MODERATION (pa_openai_moderation_get_type ())
GType               pa_openai_moderation_get_type (void) G_GNUC_CONST;
PaOpenaiModeration *pa_openai_moderation_copy     (const PaOpenaiModeration *self);
void                pa_openai_moderation_free     (PaOpenaiModeration       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaOpenaiModeration, pa_openai_moderation_free)

typedef enum {
  PA_OPENAI_IMAGE_FORMAT_DEFAULT,   /* send no response_format: GPT image models refuse it */
  PA_OPENAI_IMAGE_FORMAT_URL,
  PA_OPENAI_IMAGE_FORMAT_B64_JSON,
} PaOpenaiImageFormat;

/* Called for each piece of text as it streams in, in order. */
typedef void (*PaOpenaiDeltaFunc) (const char *delta,
                                   gpointer    user_data);

/* ---- the client ------------------------------------------------------- */

#define PA_TYPE_OPENAI (pa_openai_get_type ())
G_DECLARE_FINAL_TYPE (PaOpenai, pa_openai, PA, OPENAI, PaPlatform)

/* @base_url NULL = https://api.openai.com/v1; a local server is e.g.
 * http://localhost:11434/v1. Paths are relative to it. With no key in
 * the keyring, requests go out without credentials (local servers). */
PaOpenai           *pa_openai_new                  (PaHttp               *http,
                                                    const char           *profile,
                                                    const char           *base_url);

/* Adds {"role": @role, "content": @content} to @messages (created when
 * NULL) and returns it: a convenience for building a conversation. */
JsonArray          *pa_openai_messages_add         (JsonArray            *messages,
                                                    const char           *role,
                                                    const char           *content);

/* POST /chat/completions. @messages holds {"role", "content"} objects;
 * @temperature < 0 and @max_tokens == 0 leave those out (server default). */
void                pa_openai_chat_async           (PaOpenai             *self,
                                                    const char           *model,
                                                    JsonArray            *messages,
                                                    double                temperature,
                                                    guint                 max_tokens,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
PaOpenaiChatResult *pa_openai_chat_finish          (PaOpenai             *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* The same with "stream": true: @delta_func gets each piece of text as
 * the server sends it (in the caller's main context), and the result has
 * the whole text. A server that answers with one JSON body instead of a
 * stream is accepted: the whole text is then one delta. Cancelling stops
 * reading at once. The stream fails with PA_ERROR_TIMEOUT when nothing
 * arrives for the idle timeout. */
void                pa_openai_chat_stream_async    (PaOpenai             *self,
                                                    const char           *model,
                                                    JsonArray            *messages,
                                                    double                temperature,
                                                    guint                 max_tokens,
                                                    PaOpenaiDeltaFunc     delta_func,
                                                    gpointer              delta_data,
                                                    GDestroyNotify        delta_destroy,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
PaOpenaiChatResult *pa_openai_chat_stream_finish   (PaOpenai             *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* 0 = the default (120 s): how long a stream may go quiet. */
void                pa_openai_set_stream_idle_timeout (PaOpenai          *self,
                                                       guint              seconds);
/* 0 = the default (PA_LIMIT_STREAM_TOTAL_BYTES): the most a streamed
 * answer may send in all; past it the stream stops with
 * PA_ERROR_PROTOCOL. */
void                pa_openai_set_stream_max_size     (PaOpenai          *self,
                                                       gsize              max_bytes);

/* POST /images/generations. @model and @size NULL and @n 0 leave those
 * to the server. Returns a GPtrArray of PaOpenaiImage. */
void                pa_openai_generate_images_async (PaOpenai            *self,
                                                     const char          *model,
                                                     const char          *prompt,
                                                     const char          *size,
                                                     guint                n,
                                                     PaOpenaiImageFormat  format,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray          *pa_openai_generate_images_finish (PaOpenai           *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);

/* POST /moderations for one text. @model NULL = the server's default. */
void                pa_openai_moderate_async       (PaOpenai             *self,
                                                    const char           *model,
                                                    const char           *input,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
PaOpenaiModeration *pa_openai_moderate_finish      (PaOpenai             *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
