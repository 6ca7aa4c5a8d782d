/* pa-replicate-types.h — Replicate's predictions, models and files, read from JSON
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  PA_REPLICATE_STATUS_UNKNOWN,     /* absent, or a status newer than this code */
  PA_REPLICATE_STATUS_STARTING,
  PA_REPLICATE_STATUS_PROCESSING,
  PA_REPLICATE_STATUS_SUCCEEDED,
  PA_REPLICATE_STATUS_FAILED,
  PA_REPLICATE_STATUS_CANCELED,
  PA_REPLICATE_STATUS_ABORTED,     /* ended before it started (e.g. Cancel-After) */
} PaReplicateStatus;

PaReplicateStatus  pa_replicate_status_from_string (const char        *status);
const char        *pa_replicate_status_to_string   (PaReplicateStatus  status);
gboolean           pa_replicate_status_is_terminal (PaReplicateStatus  status);

/* A prediction as the platform last described it. */
typedef struct {
  char              *id;          /* NULL in a Cog server's synchronous answer */
  PaReplicateStatus  status;
  char              *status_text; /* as sent, for statuses this code does not know */
  char              *model;       /* may be NULL */
  char              *version;     /* may be NULL */
  JsonNode          *output;      /* NULL while there is none (JSON null too) */
  char              *error;       /* the platform's error text, or NULL */
  char              *logs;        /* all logs so far; never NULL */
  char              *get_url;     /* urls.get, or NULL */
  char              *cancel_url;  /* urls.cancel, or NULL */
  char              *web_url;     /* urls.web, or NULL */
  JsonNode          *json;        /* the whole object as received; NULL if built from an id */
} PaReplicatePrediction;

#define PA_TYPE_REPLICATE_PREDICTION (pa_replicate_prediction_get_type ())
GType                  pa_replicate_prediction_get_type      (void) G_GNUC_CONST;
/* A prediction known only by its id (e.g. read back from the journal),
 * to hand to pa_replicate_wait_async(). */
PaReplicatePrediction *pa_replicate_prediction_new           (const char                  *id);
/* Parses a prediction object. @require_id: the Replicate API always sends
 * one, a Cog server's synchronous answer may not. A missing status, a
 * node that is not an object or an output listing more than
 * PA_LIMIT_REPLICATE_OUTPUTS files is PA_ERROR_PROTOCOL. */
PaReplicatePrediction *pa_replicate_prediction_new_from_json (JsonNode                    *node,
                                                              gboolean                     require_id,
                                                              GError                     **error);
PaReplicatePrediction *pa_replicate_prediction_copy          (const PaReplicatePrediction *self);
void                   pa_replicate_prediction_free          (PaReplicatePrediction       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaReplicatePrediction, pa_replicate_prediction_free)

/* One property of a model's Input schema. */
typedef struct {
  char     *name;
  char     *type;          /* "string", "integer", "number", "boolean", "array",
                              "object"; for an enum by $ref, the enum's type;
                              NULL when the schema gives none */
  char     *format;        /* e.g. "uri" for file inputs; may be NULL */
  char     *title;         /* may be NULL */
  char     *description;   /* may be NULL */
  gboolean  required;
  JsonNode *default_value; /* may be NULL */
  int       order;         /* x-order; G_MAXINT when absent */
} PaReplicateInput;

typedef struct {
  char      *owner;              /* NULL for a Cog server */
  char      *name;               /* NULL for a Cog server */
  char      *description;        /* may be NULL */
  char      *latest_version_id;  /* NULL when the model has no version, and for Cog */
  GPtrArray *inputs;             /* PaReplicateInput, in x-order, then by name */
  JsonNode  *input_schema;       /* components.schemas.Input, or NULL */
  JsonNode  *json;               /* the model (or Cog's openapi.json) as received */
} PaReplicateModel;

#define PA_TYPE_REPLICATE_MODEL (pa_replicate_model_get_type ())
GType                   pa_replicate_model_get_type   (void) G_GNUC_CONST;
/* Reads a model object (GET /models/{owner}/{name}) or, with @cog, a Cog
 * server's /openapi.json; the inputs come from the Input schema. */
PaReplicateModel       *pa_replicate_model_new_from_json (JsonNode          *node,
                                                         gboolean           cog,
                                                         GError           **error);
PaReplicateModel       *pa_replicate_model_copy       (const PaReplicateModel *self);
void                    pa_replicate_model_free       (PaReplicateModel       *self);
const PaReplicateInput *pa_replicate_model_find_input (const PaReplicateModel *self,
                                                       const char             *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaReplicateModel, pa_replicate_model_free)

/* An uploaded file, to pass as a prediction input by its url. */
typedef struct {
  char   *id;            /* NULL for a Cog server */
  char   *url;           /* urls.get; for a Cog server, a data: URL */
  char   *content_type;
  gint64  size;
  char   *sha256;        /* lowercase hex; may be NULL if the platform sent none */
} PaReplicateFile;

#define PA_TYPE_REPLICATE_FILE (pa_replicate_file_get_type ())
GType            pa_replicate_file_get_type (void) G_GNUC_CONST;
/* Reads a file object (POST /files); no id or urls.get is PA_ERROR_PROTOCOL. */
PaReplicateFile *pa_replicate_file_new_from_json (JsonNode              *node,
                                                  GError               **error);
PaReplicateFile *pa_replicate_file_copy     (const PaReplicateFile *self);
void             pa_replicate_file_free     (PaReplicateFile       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaReplicateFile, pa_replicate_file_free)

G_END_DECLS
