/* pa-breaker.c — a circuit breaker that pauses calls to a failing peer
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-breaker.h"

struct _PaBreaker
{
  GObject         parent_instance;

  guint           threshold;
  gint64          open_us;
  PaClockFunc     clock_func;
  gpointer        clock_data;

  PaBreakerState  state;
  guint           failures;
  gint64          opened_at;
  gboolean        probe_in_flight;
  gint64          probe_started_at;
};

G_DEFINE_FINAL_TYPE (PaBreaker, pa_breaker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_THRESHOLD,
  PROP_OPEN_US,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
pa_breaker_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { PA_BREAKER_CLOSED, "PA_BREAKER_CLOSED", "closed" },
        { PA_BREAKER_OPEN, "PA_BREAKER_OPEN", "open" },
        { PA_BREAKER_HALF_OPEN, "PA_BREAKER_HALF_OPEN", "half-open" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("PaBreakerState"),
                                           values);
      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

const char *
pa_breaker_state_to_string (PaBreakerState state)
{
  switch (state)
    {
    case PA_BREAKER_CLOSED:
      return "closed";
    case PA_BREAKER_OPEN:
      return "open";
    case PA_BREAKER_HALF_OPEN:
      return "half-open";
    default:
      return "unknown";
    }
}

static gint64
now_us (PaBreaker *self)
{
  return pa_clock_now (self->clock_func, self->clock_data);
}

static void
set_state (PaBreaker      *self,
           PaBreakerState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Time only moves the breaker from open to half-open, so that transition
 * happens lazily whenever someone looks. */
static void
refresh (PaBreaker *self,
         gint64     now)
{
  if (self->state == PA_BREAKER_OPEN && now - self->opened_at >= self->open_us)
    {
      self->probe_in_flight = FALSE;
      set_state (self, PA_BREAKER_HALF_OPEN);
    }
}

static void
trip (PaBreaker *self,
      gint64     now)
{
  self->opened_at = now;
  self->probe_in_flight = FALSE;
  set_state (self, PA_BREAKER_OPEN);
}

static void
pa_breaker_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PaBreaker *self = PA_BREAKER (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_uint (value, self->threshold);
      break;
    case PROP_OPEN_US:
      g_value_set_int64 (value, self->open_us);
      break;
    case PROP_STATE:
      g_value_set_enum (value, pa_breaker_get_state (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_breaker_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PaBreaker *self = PA_BREAKER (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      self->threshold = g_value_get_uint (value);
      break;
    case PROP_OPEN_US:
      self->open_us = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_breaker_class_init (PaBreakerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pa_breaker_get_property;
  object_class->set_property = pa_breaker_set_property;

  properties[PROP_THRESHOLD] =
    g_param_spec_uint ("threshold", NULL, NULL,
                       1, G_MAXUINT, PA_BREAKER_DEFAULT_THRESHOLD,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPEN_US] =
    g_param_spec_int64 ("open-us", NULL, NULL,
                        0, G_MAXINT64, PA_BREAKER_DEFAULT_OPEN_US,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       PA_TYPE_BREAKER_STATE, PA_BREAKER_CLOSED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_breaker_init (PaBreaker *self)
{
  self->threshold = PA_BREAKER_DEFAULT_THRESHOLD;
  self->open_us = PA_BREAKER_DEFAULT_OPEN_US;
  self->state = PA_BREAKER_CLOSED;
}

PaBreaker *
pa_breaker_new (guint  threshold,
                gint64 open_us)
{
  return g_object_new (PA_TYPE_BREAKER,
                       "threshold", MAX (threshold, 1u),
                       "open-us", MAX (open_us, (gint64) 0),
                       NULL);
}

void
pa_breaker_set_clock (PaBreaker   *self,
                      PaClockFunc  func,
                      gpointer     data)
{
  g_return_if_fail (PA_IS_BREAKER (self));

  self->clock_func = func;
  self->clock_data = data;
}

gboolean
pa_breaker_allow (PaBreaker *self,
                  gint64    *retry_in_us)
{
  gint64 now;

  g_return_val_if_fail (PA_IS_BREAKER (self), FALSE);

  now = now_us (self);
  refresh (self, now);

  if (retry_in_us != NULL)
    *retry_in_us = 0;

  switch (self->state)
    {
    case PA_BREAKER_CLOSED:
      return TRUE;

    case PA_BREAKER_OPEN:
      if (retry_in_us != NULL)
        *retry_in_us = MAX (self->opened_at + self->open_us - now, 1);
      return FALSE;

    case PA_BREAKER_HALF_OPEN:
      /* A probe that never reported back (its caller vanished) must not
       * keep the breaker shut forever: after one more open period it is
       * taken as lost and another caller may probe. */
      if (!self->probe_in_flight || now - self->probe_started_at >= self->open_us)
        {
          self->probe_in_flight = TRUE;
          self->probe_started_at = now;
          return TRUE;
        }
      if (retry_in_us != NULL)
        *retry_in_us = MAX (self->probe_started_at + self->open_us - now, 1);
      return FALSE;

    default:
      g_assert_not_reached ();
    }
}

void
pa_breaker_record_success (PaBreaker *self)
{
  g_return_if_fail (PA_IS_BREAKER (self));

  refresh (self, now_us (self));

  switch (self->state)
    {
    case PA_BREAKER_CLOSED:
      self->failures = 0;
      break;
    case PA_BREAKER_HALF_OPEN:
      self->failures = 0;
      self->probe_in_flight = FALSE;
      set_state (self, PA_BREAKER_CLOSED);
      break;
    case PA_BREAKER_OPEN:
      /* A late answer to a call admitted before the breaker opened says
       * little about the peer now; only a probe may close it. */
      break;
    default:
      g_assert_not_reached ();
    }
}

void
pa_breaker_record_failure (PaBreaker *self)
{
  gint64 now;

  g_return_if_fail (PA_IS_BREAKER (self));

  now = now_us (self);
  refresh (self, now);

  switch (self->state)
    {
    case PA_BREAKER_CLOSED:
      if (self->failures < G_MAXUINT)
        self->failures++;
      if (self->failures >= self->threshold)
        trip (self, now);
      break;
    case PA_BREAKER_HALF_OPEN:
      if (self->failures < G_MAXUINT)
        self->failures++;
      trip (self, now);
      break;
    case PA_BREAKER_OPEN:
      /* Late failures of earlier calls do not stretch the open period. */
      break;
    default:
      g_assert_not_reached ();
    }
}

void
pa_breaker_release (PaBreaker *self)
{
  g_return_if_fail (PA_IS_BREAKER (self));

  if (self->state == PA_BREAKER_HALF_OPEN)
    self->probe_in_flight = FALSE;
}

PaBreakerState
pa_breaker_get_state (PaBreaker *self)
{
  g_return_val_if_fail (PA_IS_BREAKER (self), PA_BREAKER_CLOSED);

  refresh (self, now_us (self));
  return self->state;
}

guint
pa_breaker_get_threshold (PaBreaker *self)
{
  g_return_val_if_fail (PA_IS_BREAKER (self), 0);

  return self->threshold;
}

gint64
pa_breaker_get_open_us (PaBreaker *self)
{
  g_return_val_if_fail (PA_IS_BREAKER (self), 0);

  return self->open_us;
}

guint
pa_breaker_get_failures (PaBreaker *self)
{
  g_return_val_if_fail (PA_IS_BREAKER (self), 0);

  return self->failures;
}

gint64
pa_breaker_get_retry_in (PaBreaker *self)
{
  gint64 now;

  g_return_val_if_fail (PA_IS_BREAKER (self), 0);

  now = now_us (self);
  refresh (self, now);
  if (self->state != PA_BREAKER_OPEN)
    return 0;
  return MAX (self->opened_at + self->open_us - now, 1);
}

void
pa_breaker_reset (PaBreaker *self)
{
  g_return_if_fail (PA_IS_BREAKER (self));

  self->failures = 0;
  self->probe_in_flight = FALSE;
  set_state (self, PA_BREAKER_CLOSED);
}
