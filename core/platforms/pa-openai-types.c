/* pa-openai-types.c — the values OpenAI's calls return
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-openai.h"

PaOpenaiChatResult *
pa_openai_chat_result_copy (const PaOpenaiChatResult *self)
{
  PaOpenaiChatResult *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->text = g_strdup (self->text);
  copy->finish_reason = g_strdup (self->finish_reason);
  copy->model = g_strdup (self->model);
  return copy;
}

void
pa_openai_chat_result_free (PaOpenaiChatResult *self)
{
  if (self == NULL)
    return;

  g_free (self->text);
  g_free (self->finish_reason);
  g_free (self->model);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaOpenaiChatResult, pa_openai_chat_result,
                     pa_openai_chat_result_copy, pa_openai_chat_result_free)

PaOpenaiImage *
pa_openai_image_copy (const PaOpenaiImage *self)
{
  PaOpenaiImage *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaOpenaiImage, 1);
  copy->bytes = self->bytes != NULL ? g_bytes_ref (self->bytes) : NULL;
  copy->url = g_strdup (self->url);
  copy->revised_prompt = g_strdup (self->revised_prompt);
  return copy;
}

void
pa_openai_image_free (PaOpenaiImage *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_free (self->url);
  g_free (self->revised_prompt);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaOpenaiImage, pa_openai_image, pa_openai_image_copy, pa_openai_image_free)

PaOpenaiModeration *
pa_openai_moderation_copy (const PaOpenaiModeration *self)
{
  PaOpenaiModeration *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaOpenaiModeration, 1);
  copy->flagged = self->flagged;
  copy->categories = g_strdupv (self->categories);
  copy->model = g_strdup (self->model);
  return copy;
}

void
pa_openai_moderation_free (PaOpenaiModeration *self)
{
  if (self == NULL)
    return;

  g_strfreev (self->categories);
  g_free (self->model);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaOpenaiModeration, pa_openai_moderation,
                     pa_openai_moderation_copy, pa_openai_moderation_free)
