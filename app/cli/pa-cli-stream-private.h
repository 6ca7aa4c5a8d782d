/* pa-cli-stream-private.h — what `playalter-cli stream`'s two files share
 *
 * pa-cli-stream.c reads the options into a StreamRun; pa-cli-stream-run.c
 * runs it: the stream, its figures once a second, the recording's asset
 * and the exit status.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-cli.h"

G_BEGIN_DECLS

/* One `stream` command, from the options to the exit. */
typedef struct {
  const PaCliGlobals *globals;
  GMainLoop          *loop;
  GCancellable       *cancellable;
  PaStream           *stream;
  GFile              *recording;
  char               *shown_url;    /* the live URL, its key masked */
  const PaStreamPreset *preset;
  int                 target_fps;   /* the preset's */
  char               *rtmp_url;     /* --rtmp, key included; wiped once handed over */
  PaStreamDestination *destination;
  gboolean            microphone;   /* --audio mic[:DEVICE] */
  PaLiveFaceSwap     *face_swap;    /* --face */
  gboolean            screen;       /* --source screen */
  PaStreamAudioKind   audio;
  PaStreamSource     *source;       /* any other --source */
  char               *microphone_id;
  gboolean            json;
  gboolean            started;
  gboolean            stopping;
  gboolean            finished;
  guint               interrupt_id;
  guint               duration;     /* --duration, in seconds; 0: until Ctrl-C */
  guint               duration_id;
  GError             *failure;      /* why the stream ended early */
  int                 status;
} StreamRun;

/* Runs @run until --duration, Ctrl-C or a failure, with the first face of
 * @face swapped in (NULL: none), and returns the exit status. */
int  _pa_cli_stream_run       (StreamRun *run,
                               GFile     *face);
/* Frees what @run holds, the live URL's key wiped. */
void _pa_cli_stream_run_clear (StreamRun *run);

G_END_DECLS
