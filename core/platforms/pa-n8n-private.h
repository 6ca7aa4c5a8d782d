/* pa-n8n-private.h — what the files of PaN8n share
 *
 * pa-n8n.c (the client and the public REST API) and pa-n8n-webhook.c
 * (triggering a workflow's webhook) are one class.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-n8n-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-n8n.h"

G_BEGIN_DECLS

struct _PaN8n
{
  PaPlatform parent_instance;

  char      *api_path;      /* without slashes at either end; may be "" */
  char      *instance_url;
  char      *api_root;
};

/* "n8n at URL answered with something unexpected (@what): …" */
void  pa_n8n_set_protocol_error     (PaN8n           *self,
                                     GError         **error,
                                     const char      *what);
/* The "message" of n8n's error answer, or NULL. */
char *pa_n8n_peer_message           (PaHttpResponse  *response);
/* Completes @task with @error (taken) from a request that got no
 * answer, naming the instance. */
void  pa_n8n_return_transport_error (PaN8n           *self,
                                     GTask           *task,
                                     GError          *error);

/* "host:port/webhook/abcd…": a webhook named without the part of its
 * path that lets anyone call it. */
char *pa_n8n_describe_webhook       (PaN8n           *self,
                                     const char      *path);

G_END_DECLS
