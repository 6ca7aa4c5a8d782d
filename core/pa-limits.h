/* pa-limits.h — every bound PlayAlter puts on what it reads or waits for
 *
 * Workflow files are shared between people and servers misbehave, so
 * nothing is read, kept or waited for without a bound. The bounds live
 * here, in one place, so that a reader can see them all at once and a
 * change to one is a change to this file. Each is generous for honest
 * use and small enough that a hostile peer cannot exhaust memory, disk
 * or patience with it.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JSON, wherever it comes from ------------------------------------------ */

/* Deepest nesting of arrays and objects accepted in any JSON text. json-glib
 * parses recursively, so a document nested a hundred thousand levels deep
 * overflows the stack; real documents stay far below this. */
#define PA_LIMIT_JSON_DEPTH 512

/* Workflows --------------------------------------------------------------- */

/* Size of a workflow file, and of a workflow definition sent to `serve`. */
#define PA_LIMIT_WORKFLOW_FILE_BYTES (1024 * 1024)

/* Steps in one workflow. */
#define PA_LIMIT_WORKFLOW_STEPS 500

/* Size of a step's arguments once its templates are resolved (serialised
 * as JSON), so that chained steps which copy each other's output cannot
 * grow as 2ⁿ. */
#define PA_LIMIT_RESOLVED_ARGUMENTS_BYTES (4 * 1024 * 1024)

/* Size of what one step hands to later steps (serialised as JSON). */
#define PA_LIMIT_STEP_OUTPUT_BYTES (4 * 1024 * 1024)

/* Size of a single file a step reads from disk (local.save, uploads). */
#define PA_LIMIT_LOCAL_FILE_BYTES (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)

/* How long a run may wait for the network to come back before it fails
 * with the cause of its last attempt (default; a run may set its own). */
#define PA_LIMIT_NETWORK_WAIT_SECONDS (24 * 60 * 60)

/* Size of a request body sent to `playalter-cli serve`. */
#define PA_LIMIT_TRIGGER_BODY_BYTES (1024 * 1024)

/* Length of the bearer token `serve` reads from its token file. */
#define PA_LIMIT_SERVE_TOKEN_CHARS 1024

/* Keys ------------------------------------------------------------------- */

/* Size of a key read from standard input or a prompt. */
#define PA_LIMIT_SECRET_BYTES (64 * 1024)

/* Length of an Agora token given to be checked, and of its decoded
 * payload. */
#define PA_LIMIT_AGORA_TOKEN_CHARS (64 * 1024)
#define PA_LIMIT_AGORA_TOKEN_PAYLOAD_BYTES (256 * 1024)

/* HTTP, for every platform ------------------------------------------------ */

/* Size of an ordinary (JSON) answer. */
#define PA_LIMIT_RESPONSE_BYTES (32 * 1024 * 1024)

/* Seconds a body may stay silent before the request fails. */
#define PA_LIMIT_BODY_IDLE_SECONDS 60

/* Seconds an ordinary request may take from start to last byte. */
#define PA_LIMIT_REQUEST_DEADLINE_SECONDS (10 * 60)

/* Characters of a server's error text quoted back to the user. */
#define PA_LIMIT_PEER_MESSAGE_CHARS 300

/* Seconds one attempt of an ordinary request may take (connect, send,
 * read), unless the request sets its own. */
#define PA_LIMIT_ATTEMPT_SECONDS 60

/* OpenAI-compatible servers ----------------------------------------------- */

/* Size of one server-sent event (one line of a stream). */
#define PA_LIMIT_SSE_EVENT_BYTES (8 * 1024 * 1024)

/* Seconds a streamed answer may stay silent (a model may think for a
 * while before its first token). */
#define PA_LIMIT_STREAM_IDLE_SECONDS 120

/* Total size of a streamed answer. */
#define PA_LIMIT_STREAM_TOTAL_BYTES (64 * 1024 * 1024)

/* Replicate and local Cog servers ----------------------------------------- */

/* Size of a file uploaded as a prediction's input. */
#define PA_LIMIT_REPLICATE_UPLOAD_BYTES (100 * 1024 * 1024)

/* Files one prediction may produce. */
#define PA_LIMIT_REPLICATE_OUTPUTS 64

/* Size of one downloaded output. */
#define PA_LIMIT_REPLICATE_OUTPUT_BYTES (G_GUINT64_CONSTANT (1) << 30)

/* Total size of all the outputs of one prediction. */
#define PA_LIMIT_REPLICATE_TOTAL_BYTES (G_GUINT64_CONSTANT (4) << 30)

/* Seconds a download may take from start to last byte. */
#define PA_LIMIT_DOWNLOAD_DEADLINE_SECONDS (60 * 60)

/* Seconds to wait for one prediction to finish. */
#define PA_LIMIT_PREDICTION_DEADLINE_SECONDS (2 * 60 * 60)

/* The local database ------------------------------------------------------ */

/* Size of one journal event's payload when the journal is read back. The
 * journal holds what PlayAlter wrote itself (a run's definition and
 * inputs, a step's output), each already bounded above; this only stops
 * a damaged or doctored database from being parsed without a bound. */
#define PA_LIMIT_JOURNAL_PAYLOAD_BYTES (64 * 1024 * 1024)

/* Default retention (DESIGN.md §8), changed with `playalter-cli
 * maintenance retention`; 0 in a setting turns that rule off. The request
 * log answers "what happened lately" (health, a failed step's requests):
 * a month of it, and at most 50,000 rows (about 10 MB), is enough. Runs
 * are history people go back to: a quarter of it, and at most 2,000
 * finished runs. Runs that have not ended are never removed. */
#define PA_LIMIT_RETENTION_LOG_DAYS 30
#define PA_LIMIT_RETENTION_LOG_ROWS 50000
#define PA_LIMIT_RETENTION_RUNS_DAYS 90
#define PA_LIMIT_RETENTION_RUNS 2000

/* How often a long-running process (the app, `serve`) prunes again. */
#define PA_LIMIT_RETENTION_INTERVAL_SECONDS (24 * 60 * 60)

/* Vercel ----------------------------------------------------------------- */

/* Seconds to wait for a deployment to be built. */
#define PA_LIMIT_VERCEL_BUILD_SECONDS (30 * 60)

/* Face swap --------------------------------------------------------------- */

/* Highest face number accepted in a choice of faces ("0,2"), counted from
 * 0 left to right: far more faces than any picture has worth swapping,
 * and small enough that a list of them stays short. */
#define PA_LIMIT_FACE_INDEX 999

/* Stream destinations ---------------------------------------------------- */

/* Length of an RTMP URL, stream key included: real ones stay under 300
 * bytes, and rtmp2sink hands the URL to the server in one message. */
#define PA_LIMIT_STREAM_URL_BYTES 2048

/* Length of a stream key (YouTube's and Twitch's are under 100 bytes). */
#define PA_LIMIT_STREAM_KEY_BYTES 512

/* Length of a destination's name. */
#define PA_LIMIT_STREAM_DESTINATION_NAME_BYTES 100

G_END_DECLS
