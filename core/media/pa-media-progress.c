/* pa-media-progress.c — how far a face swap has got
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-media-progress.h"

/* Stable, untranslated names: the CLI's --json progress and the logs use
 * them, so they are part of what scripts read. */
const char *
pa_media_stage_to_string (PaMediaStage stage)
{
  switch (stage)
    {
    case PA_MEDIA_STAGE_LOADING:
      return "loading";
    case PA_MEDIA_STAGE_DETECTING:
      return "detecting";
    case PA_MEDIA_STAGE_SWAPPING:
      return "swapping";
    case PA_MEDIA_STAGE_UPLOADING:
      return "uploading";
    case PA_MEDIA_STAGE_WAITING:
      return "waiting";
    case PA_MEDIA_STAGE_DOWNLOADING:
      return "downloading";
    case PA_MEDIA_STAGE_SAVING:
      return "saving";
    default:
      break;
    }

  g_return_val_if_reached ("unknown");
}
