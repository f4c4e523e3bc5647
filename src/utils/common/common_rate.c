/* Counters and rates: the arithmetic that turns successive readings into
 * per-second rates and back, including counter wrap-around. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

counter_t counter_diff(counter_t old_value, counter_t new_value) {
  if (new_value >= old_value)
    return new_value - old_value;

  /* The counter went down: it wrapped. A previous value that fits in 32
   * bits means a 32-bit counter (most SNMP and kernel counters are). */
  counter_t width_max = (old_value <= UINT32_MAX) ? UINT32_MAX : UINT64_MAX;
  return (width_max - old_value) + new_value + 1;
}

/* The integer part of `amount` as a value of `ds_type`, stored in *ret;
 * returns the fraction that was left over. `accumulate` adds the integer
 * part to the value instead of replacing it. */
static gauge_t take_whole(value_t *ret, gauge_t amount, int ds_type,
                          bool accumulate) {
  switch (ds_type) {
  case DS_TYPE_DERIVE: {
    derive_t whole = (derive_t)amount;
    ret->derive = accumulate ? ret->derive + whole : whole;
    return amount - (gauge_t)whole;
  }
  case DS_TYPE_COUNTER: {
    counter_t whole = (counter_t)amount;
    ret->counter = accumulate ? ret->counter + whole : whole;
    return amount - (gauge_t)whole;
  }
  default: { /* DS_TYPE_ABSOLUTE: a value is the amount since the last one */
    absolute_t whole = (absolute_t)amount;
    ret->absolute = whole;
    return amount - (gauge_t)whole;
  }
  }
}

int rate_to_value(value_t *ret_value, gauge_t rate,
                  rate_to_value_state_t *state, int ds_type, cdtime_t t) {
  if (ds_type == DS_TYPE_GAUGE) {
    state->last_value.gauge = rate;
    state->last_time = t;
    *ret_value = state->last_value;
    return 0;
  }
  if (ds_type != DS_TYPE_DERIVE && ds_type != DS_TYPE_COUNTER &&
      ds_type != DS_TYPE_ABSOLUTE)
    return EINVAL;

  /* Counters cannot go down: forget the state, so that the next valid rate
   * starts over. */
  if (rate < 0.0 && ds_type != DS_TYPE_DERIVE) {
    memset(state, 0, sizeof(*state));
    return EINVAL;
  }

  /* Time must move forward. A reading at or before the last one (another
   * thread got there first, or the clock stepped back) invalidates the
   * state, so the next call starts over. */
  if (state->last_time != 0 && t <= state->last_time) {
    memset(state, 0, sizeof(*state));
    return EINVAL;
  }

  /* First call: seed the running value with the rate itself. */
  if (state->last_time == 0) {
    state->residual = take_whole(&state->last_value, rate, ds_type, false);
    state->last_time = t;
    return EAGAIN;
  }

  gauge_t amount =
      rate * CDTIME_T_TO_DOUBLE(t - state->last_time) + state->residual;
  state->residual = take_whole(&state->last_value, amount, ds_type, true);
  state->last_time = t;
  *ret_value = state->last_value;
  return 0;
}

int value_to_rate(gauge_t *ret_rate, value_t value, int ds_type, cdtime_t t,
                  value_to_rate_state_t *state) {
  if (ds_type != DS_TYPE_GAUGE && ds_type != DS_TYPE_DERIVE &&
      ds_type != DS_TYPE_COUNTER && ds_type != DS_TYPE_ABSOLUTE)
    return EINVAL;

  /* As in rate_to_value(): time must move forward, else start over. This
   * also keeps the division below away from zero. */
  if (state->last_time != 0 && t <= state->last_time) {
    memset(state, 0, sizeof(*state));
    return EINVAL;
  }

  if (state->last_time == 0) {
    state->last_value = value;
    state->last_time = t;
    return EAGAIN;
  }

  gauge_t seconds = CDTIME_T_TO_DOUBLE(t - state->last_time);

  switch (ds_type) {
  case DS_TYPE_GAUGE:
    *ret_rate = value.gauge;
    break;
  case DS_TYPE_DERIVE:
    *ret_rate = (gauge_t)(value.derive - state->last_value.derive) / seconds;
    break;
  case DS_TYPE_COUNTER:
    *ret_rate =
        (gauge_t)counter_diff(state->last_value.counter, value.counter) /
        seconds;
    break;
  case DS_TYPE_ABSOLUTE:
    *ret_rate = (gauge_t)value.absolute / seconds;
    break;
  }

  state->last_value = value;
  state->last_time = t;
  return 0;
}
