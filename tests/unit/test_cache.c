/* The value cache against collectd 5.12's behaviour: rate arithmetic, the
 * refusal of old values, expiry, names, lookups by name, meta data, state,
 * hits, history, iteration, and many threads updating at once. The core
 * functions the cache calls are stubs that record their calls. */
#include "collectd.h"

#include "stub_core.h"
#include "utils/metadata/meta_data.h"
#include "utils_cache.h"
#include "utils_cache_internal.h" /* the identifier hash, tested directly */

#include "check_main.h"
#include <check.h>
#include <pthread.h>

#define SEC(s) TIME_T_TO_CDTIME_T_STATIC(s)
#define HOUR SEC(3600)

/* ---- fixtures and helpers
 * ---------------------------------------------------- */

static data_source_t src_gauge = {"value", DS_TYPE_GAUGE, NAN, NAN};
static data_source_t src_derive = {"value", DS_TYPE_DERIVE, NAN, NAN};
static data_source_t src_derive_min0 = {"value", DS_TYPE_DERIVE, 0, NAN};
static data_source_t src_counter = {"value", DS_TYPE_COUNTER, NAN, NAN};
static data_source_t src_absolute = {"value", DS_TYPE_ABSOLUTE, NAN, NAN};
static data_source_t src_percent = {"value", DS_TYPE_GAUGE, 0, 100};
static data_source_t src_pair[2] = {{"rx", DS_TYPE_DERIVE, NAN, NAN},
                                    {"tx", DS_TYPE_GAUGE, NAN, NAN}};

static data_set_t ds_gauge = {"gauge", 1, &src_gauge};
static data_set_t ds_derive = {"derive", 1, &src_derive};
static data_set_t ds_derive_min0 = {"derive", 1, &src_derive_min0};
static data_set_t ds_counter = {"counter", 1, &src_counter};
static data_set_t ds_absolute = {"absolute", 1, &src_absolute};
static data_set_t ds_percent = {"percent", 1, &src_percent};
static data_set_t ds_pair = {"if_octets", 2, src_pair};

/* A value list for host "h", plugin p[-pi], type t[-ti], interval 10 s. */
static value_list_t make_vl(const char *plugin, const char *pi,
                            const char *type, const char *ti, value_t *values,
                            size_t num, cdtime_t time) {
  value_list_t vl = {
      .values = values, .values_len = num, .time = time, .interval = SEC(10)};
  snprintf(vl.host, sizeof(vl.host), "h");
  snprintf(vl.plugin, sizeof(vl.plugin), "%s", plugin);
  snprintf(vl.plugin_instance, sizeof(vl.plugin_instance), "%s", pi);
  snprintf(vl.type, sizeof(vl.type), "%s", type);
  snprintf(vl.type_instance, sizeof(vl.type_instance), "%s", ti);
  return vl;
}

/* Dispatches one value of `ds` (plugin "p", type "t") at `seconds`. */
static int put1(const data_set_t *ds, value_t v, cdtime_t seconds) {
  value_list_t vl = make_vl("p", "", "t", "", &v, 1, SEC(seconds));
  return uc_update(ds, &vl);
}

/* The rate of "h/p/t" (of data source 0). */
static gauge_t rate1(void) {
  gauge_t *r = NULL;
  size_t n = 0;
  ck_assert_int_eq(uc_get_rate_by_name("h/p/t", &r, &n), 0);
  ck_assert_uint_eq(n, 1);
  gauge_t ret = r[0];
  free(r);
  return ret;
}

static value_t value1(void) {
  value_t *v = NULL;
  size_t n = 0;
  ck_assert_int_eq(uc_get_value_by_name("h/p/t", &v, &n), 0);
  ck_assert_uint_eq(n, 1);
  value_t ret = v[0];
  free(v);
  return ret;
}

static void setup(void) {
  stub_reset();
  ck_assert_int_eq(uc_init(), 0);
}

/* Nothing may stay behind: valgrind checks the frees. */
static void teardown(void) {
  uc_shutdown();
  ck_assert_uint_eq(uc_get_size(), 0);
}

/* ---- rates ------------------------------------------------------------------
 */

START_TEST(test_gauge) {
  ck_assert_int_eq(put1(&ds_gauge, (value_t){.gauge = 42.5}, 10), 0);
  ck_assert_double_eq(rate1(), 42.5);
  ck_assert_int_eq(put1(&ds_gauge, (value_t){.gauge = -3.25}, 20), 0);
  ck_assert_double_eq(rate1(), -3.25);
  ck_assert_double_eq(value1().gauge, -3.25);
}
END_TEST

START_TEST(test_derive) {
  ck_assert_int_eq(put1(&ds_derive, (value_t){.derive = 100}, 10), 0);
  ck_assert(isnan(rate1())); /* no rate from one value */
  ck_assert_int_eq(put1(&ds_derive, (value_t){.derive = 150}, 20), 0);
  ck_assert_double_eq(rate1(), 5.0);
  ck_assert_int_eq(put1(&ds_derive, (value_t){.derive = 100}, 30), 0);
  ck_assert_double_eq(rate1(), -5.0);
  ck_assert_int_eq(value1().derive, 100);
}
END_TEST

/* A rate below the data source's minimum reads as NAN (derive types have
 * min 0 in types.db, so a falling derive shows NAN, as with 5.12). */
START_TEST(test_range) {
  ck_assert_int_eq(put1(&ds_derive_min0, (value_t){.derive = 150}, 10), 0);
  ck_assert_int_eq(put1(&ds_derive_min0, (value_t){.derive = 100}, 20), 0);
  ck_assert(isnan(rate1()));
  ck_assert_int_eq(value1().derive, 100);
  ck_assert_int_eq(put1(&ds_derive_min0, (value_t){.derive = 120}, 30), 0);
  ck_assert_double_eq(rate1(), 2.0);

  value_t v = {.gauge = 101};
  value_list_t vl = make_vl("cpu", "", "percent", "", &v, 1, SEC(10));
  ck_assert_int_eq(uc_update(&ds_percent, &vl), 0);
  gauge_t *r = uc_get_rate(&ds_percent, &vl);
  ck_assert_ptr_nonnull(r);
  ck_assert(isnan(r[0]));
  free(r);
}
END_TEST

START_TEST(test_counter) {
  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = 1000}, 10), 0);
  ck_assert(isnan(rate1()));
  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = 1500}, 20), 0);
  ck_assert_double_eq(rate1(), 50.0);
}
END_TEST

/* A previous value that fits 32 bits wraps at 2^32. */
START_TEST(test_counter_wrap32) {
  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = 4294967290ULL}, 10),
                   0);
  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = 5}, 20), 0);
  ck_assert_double_eq(rate1(), 1.1); /* (5 + 1 + 5) / 10 s */
}
END_TEST

/* A larger one wraps at 2^64. */
START_TEST(test_counter_wrap64) {
  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = 4294967296ULL}, 10),
                   0);
  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = 5}, 20), 0);
  counter_t diff = (UINT64_MAX - 4294967296ULL) + 5 + 1;
  ck_assert_double_eq(rate1(), (gauge_t)diff / 10.0);

  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = UINT64_MAX - 9}, 30),
                   0);
  ck_assert_int_eq(put1(&ds_counter, (value_t){.counter = 10}, 40), 0);
  ck_assert_double_eq(rate1(), 2.0); /* 9 + 10 + 1 */
}
END_TEST

/* The first absolute counts over the interval, later ones over the time
 * since the previous value (as 5.12: 100 with interval 4 s reads 25). */
START_TEST(test_absolute) {
  value_t v = {.absolute = 100};
  value_list_t vl = make_vl("p", "", "t", "", &v, 1, SEC(10));
  vl.interval = SEC(4);
  ck_assert_int_eq(uc_update(&ds_absolute, &vl), 0);
  ck_assert_double_eq(rate1(), 25.0);
  vl.time = SEC(20);
  ck_assert_int_eq(uc_update(&ds_absolute, &vl), 0);
  ck_assert_double_eq(rate1(), 10.0);
  ck_assert_uint_eq(value1().absolute, 100);
}
END_TEST

START_TEST(test_two_sources) {
  value_t v[2] = {{.derive = 10}, {.gauge = 1.5}};
  value_list_t vl = make_vl("interface", "eth0", "if_octets", "", v, 2, SEC(1));
  ck_assert_int_eq(uc_update(&ds_pair, &vl), 0);
  v[0].derive = 30;
  v[1].gauge = 2.5;
  vl.time = SEC(3);
  ck_assert_int_eq(uc_update(&ds_pair, &vl), 0);

  gauge_t *r = uc_get_rate(&ds_pair, &vl);
  ck_assert_ptr_nonnull(r);
  ck_assert_double_eq(r[0], 10.0);
  ck_assert_double_eq(r[1], 2.5);
  free(r);
  value_t *raw = uc_get_value(&ds_pair, &vl);
  ck_assert_ptr_nonnull(raw);
  ck_assert_int_eq(raw[0].derive, 30);
  ck_assert_double_eq(raw[1].gauge, 2.5);
  free(raw);

  /* A data set that does not match the entry gets nothing. */
  ck_assert_ptr_null(uc_get_rate(&ds_gauge, &vl));
  ck_assert_ptr_null(uc_get_value(&ds_gauge, &vl));
}
END_TEST

/* ---- refused updates --------------------------------------------------------
 */

START_TEST(test_too_old) {
  value_t v = {.gauge = 1};
  value_list_t vl = make_vl("p", "pi", "t", "ti", &v, 1, SEC(20));
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  ck_assert_uint_eq(stub_log_num, 0);

  v.gauge = 2; /* same time */
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), -1);
  ck_assert_uint_eq(stub_log_num, 1);
  ck_assert_int_eq(stub_log_last_level, LOG_NOTICE);
  ck_assert_str_eq(stub_log_last,
                   "uc_update: Value too old: name = h/p-pi/t-ti; value time "
                   "= 20.000; last cache update = 20.000;");

  vl.time = SEC(19); /* older */
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), -1);
  ck_assert_uint_eq(stub_log_num, 2);

  value_t *raw = uc_get_value(&ds_gauge, &vl);
  ck_assert_ptr_nonnull(raw);
  ck_assert_double_eq(raw[0].gauge, 1); /* unchanged */
  free(raw);
}
END_TEST

START_TEST(test_bad_arguments) {
  value_t v[2] = {{.gauge = 1}, {.gauge = 2}};
  value_list_t vl = make_vl("p", "", "t", "", v, 2, SEC(1));
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), -1); /* 2 values, 1 source */
  ck_assert_int_eq(uc_update(NULL, &vl), -1);
  ck_assert_uint_eq(uc_get_size(), 0);

  vl.values_len = 1;
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  vl.values_len = 2;
  vl.time = SEC(2);
  ck_assert_int_eq(uc_update(&ds_pair, &vl), -1); /* entry has 1 source */
}
END_TEST

/* ---- expiry
 * ------------------------------------------------------------------ */

START_TEST(test_expiry) {
  timeout_g = 2;
  value_t v = {.gauge = 7};
  value_list_t stale =
      make_vl("disk", "sda", "disk_ops", "read", &v, 1, SEC(100));
  stale.interval = MS_TO_CDTIME_T(1); /* expires 2 ms after its update */
  value_list_t fresh = make_vl("load", "", "load", "", &v, 1, SEC(100));
  fresh.interval = HOUR;
  stub_new_event_mask = 0x6; /* some callback wants the expiry */
  ck_assert_int_eq(uc_update(&ds_gauge, &stale), 0);
  stub_new_event_mask = 0;
  ck_assert_int_eq(uc_update(&ds_gauge, &fresh), 0);
  ck_assert_uint_eq(uc_get_size(), 2);

  usleep(20 * 1000);
  stub_reset();
  ck_assert_int_eq(uc_check_timeout(), 0);

  ck_assert_uint_eq(stub_missing_num, 1);
  const value_list_t *m = &stub_missing[0].vl;
  ck_assert_str_eq(m->host, "h");
  ck_assert_str_eq(m->plugin, "disk");
  ck_assert_str_eq(m->plugin_instance, "sda");
  ck_assert_str_eq(m->type, "disk_ops");
  ck_assert_str_eq(m->type_instance, "read");
  ck_assert_uint_eq(m->time, SEC(100));
  ck_assert_uint_eq(m->interval, MS_TO_CDTIME_T(1));
  ck_assert_ptr_null(m->values);
  ck_assert_uint_eq(m->values_len, 0);

  ck_assert_uint_eq(stub_event_num, 1);
  ck_assert_int_eq(stub_event[0].type, CE_VALUE_EXPIRED);
  ck_assert_uint_eq(stub_event[0].mask, 0x6);
  ck_assert_str_eq(stub_event[0].name, "h/disk-sda/disk_ops-read");

  ck_assert_uint_eq(uc_get_size(), 1);
  ck_assert_ptr_null(uc_get_rate(&ds_gauge, &stale));
  gauge_t *r = uc_get_rate(&ds_gauge, &fresh);
  ck_assert_ptr_nonnull(r);
  free(r);

  /* Nothing else is due. */
  ck_assert_int_eq(uc_check_timeout(), 0);
  ck_assert_uint_eq(stub_missing_num, 1);

  /* It comes back as a new identifier. */
  ck_assert_int_eq(uc_update(&ds_gauge, &stale), 0);
  ck_assert_uint_eq(uc_get_size(), 2);
  ck_assert_int_eq(stub_event[stub_event_num - 1].type, CE_VALUE_NEW);
}
END_TEST

/* Expired entries without interested callbacks get no event. */
START_TEST(test_expiry_no_event) {
  value_t v = {.gauge = 1};
  value_list_t vl = make_vl("p", "", "t", "", &v, 1, SEC(1));
  vl.interval = 1;
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  usleep(1000);
  stub_reset();
  ck_assert_int_eq(uc_check_timeout(), 0);
  ck_assert_uint_eq(stub_missing_num, 1);
  ck_assert_uint_eq(stub_event_num, 0);
  ck_assert_uint_eq(uc_get_size(), 0);
}
END_TEST

/* Expired identifiers are announced in name order (strcmp), as collectd
 * 5.12 walks its tree: the order of the threshold plugin's "missing"
 * notifications. The shards alone would give the order of the hashes. */
START_TEST(test_expiry_order) {
  const char *plugins[] = {"zz", "aa", "B", "aa-q", "m", "seq", "seqx", "a"};
  value_t v = {.gauge = 1};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(plugins); i++) {
    value_list_t vl = make_vl(plugins[i], "", "gauge", "", &v, 1, SEC(1));
    vl.interval = 1;
    ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  }
  usleep(1000);
  stub_reset();
  ck_assert_int_eq(uc_check_timeout(), 0);
  const char *want[] = {"B", "a", "aa-q", "aa", "m", "seq", "seqx", "zz"};
  ck_assert_uint_eq(stub_missing_num, STATIC_ARRAY_SIZE(want));
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(want); i++)
    ck_assert_str_eq(stub_missing[i].vl.plugin, want[i]);
  ck_assert_uint_eq(uc_get_size(), 0);
}
END_TEST

/* ---- cache events
 * ------------------------------------------------------------ */

START_TEST(test_events) {
  value_t v = {.gauge = 1};
  value_list_t a = make_vl("a", "", "t", "", &v, 1, SEC(1));
  value_list_t b = make_vl("b", "x", "t", "y", &v, 1, SEC(1));

  ck_assert_int_eq(uc_update(&ds_gauge, &a), 0); /* nobody interested */
  ck_assert_uint_eq(stub_event_num, 1);
  ck_assert_int_eq(stub_event[0].type, CE_VALUE_NEW);
  ck_assert_uint_eq(stub_event[0].mask, 0);
  ck_assert_str_eq(stub_event[0].name, "h/a/t");

  stub_new_event_mask = 0x5;
  ck_assert_int_eq(uc_update(&ds_gauge, &b), 0);
  ck_assert_uint_eq(stub_event_num, 2);
  ck_assert_str_eq(stub_event[1].name, "h/b-x/t-y");

  a.time = b.time = SEC(2);
  ck_assert_int_eq(uc_update(&ds_gauge, &a), 0);
  ck_assert_uint_eq(stub_event_num, 2); /* a: mask 0, no update event */
  ck_assert_int_eq(uc_update(&ds_gauge, &b), 0);
  ck_assert_uint_eq(stub_event_num, 3);
  ck_assert_int_eq(stub_event[2].type, CE_VALUE_UPDATE);
  ck_assert_uint_eq(stub_event[2].mask, 0x5);
  ck_assert_str_eq(stub_event[2].name, "h/b-x/t-y");

  ck_assert_int_eq(uc_set_callbacks_mask("h/nope/t", 1), -1);
}
END_TEST

/* The core's side of the masks: interest is added, never put in place of
 * another callback's; a departed callback's bit leaves every entry and
 * raises the epoch, which the next update's event carries. */
START_TEST(test_event_masks) {
  value_t v = {.gauge = 1};
  value_list_t a = make_vl("a", "", "t", "", &v, 1, SEC(1));
  value_list_t b = make_vl("b", "", "t", "", &v, 1, SEC(1));
  stub_new_event_mask = 0x1;
  ck_assert_int_eq(uc_update(&ds_gauge, &a), 0);
  ck_assert_int_eq(uc_update(&ds_gauge, &b), 0);
  ck_assert_int_eq(uc__callbacks_mask_add("h/a/t", 0x4), 0);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/a/t"), 0x5);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/b/t"), 0x1);
  ck_assert_int_eq(uc__callbacks_mask_add("h/nope/t", 0x4), -1);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/nope/t"), 0);

  uint64_t epoch = uc__callbacks_mask_epoch();
  uc__callbacks_mask_clear(0x1);
  ck_assert_uint_gt(uc__callbacks_mask_epoch(), epoch);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/a/t"), 0x4);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/b/t"), 0);

  stub_reset();
  a.time = b.time = SEC(2);
  ck_assert_int_eq(uc_update(&ds_gauge, &a), 0);
  ck_assert_int_eq(uc_update(&ds_gauge, &b), 0); /* mask 0: no event */
  ck_assert_uint_eq(stub_event_num, 1);
  ck_assert_int_eq(stub_event[0].type, CE_VALUE_UPDATE);
  ck_assert_uint_eq(stub_event[0].mask, 0x4);
  ck_assert_uint_eq(stub_event[0].epoch, uc__callbacks_mask_epoch());
}
END_TEST

/* uc__foreach_copy() callback: counts, checks the copy against the entry,
 * uses the cache (no lock is held), and stops after `stop_after`. */
typedef struct {
  int seen;
  int stop_after;
} walk_t;

static int walk_one(const char *name, const value_list_t *vl, void *ctx) {
  walk_t *w = ctx;
  char expect[128];
  snprintf(expect, sizeof(expect), "h/%s/gauge-%s", vl->plugin,
           vl->type_instance);
  ck_assert_str_eq(name, expect);
  ck_assert_uint_eq(vl->values_len, 1);
  ck_assert_double_eq(vl->values[0].gauge, atoi(vl->type_instance));
  ck_assert_uint_eq(vl->time, SEC(5));
  ck_assert_uint_eq(vl->interval, SEC(10));
  ck_assert_int_eq(uc__callbacks_mask_add(name, 0x2), 0);
  return ++w->seen == w->stop_after;
}

START_TEST(test_foreach_copy) {
  for (int i = 0; i < 300; i++) {
    value_t v = {.gauge = i};
    value_list_t vl = make_vl("w", "", "gauge", "", &v, 1, SEC(5));
    snprintf(vl.type_instance, sizeof(vl.type_instance), "%d", i);
    ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  }
  walk_t all = {.stop_after = -1};
  ck_assert_int_eq(uc__foreach_copy(walk_one, &all), 0);
  ck_assert_int_eq(all.seen, 300);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/w/gauge-123"), 0x2);

  walk_t some = {.stop_after = 7};
  ck_assert_int_eq(uc__foreach_copy(walk_one, &some), 1);
  ck_assert_int_eq(some.seen, 7);
}
END_TEST

/* ---- names and lookups by name
 * ------------------------------------------------ */

START_TEST(test_names) {
  char **names = (char **)1;
  cdtime_t *times = (cdtime_t *)1;
  size_t num = 99;
  ck_assert_int_eq(uc_get_names(&names, &times, &num), 0);
  ck_assert_uint_eq(num, 0);

  const char *plugins[] = {"zz", "aa", "B", "aa-q", "m"};
  value_t v = {.gauge = 1};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(plugins); i++) {
    value_list_t vl = make_vl(plugins[i], "", "gauge", "", &v, 1, SEC(10 + i));
    ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  }
  ck_assert_uint_eq(uc_get_size(), 5);

  /* An identifier a threshold declared missing is not listed. */
  value_list_t m = make_vl("m", "", "gauge", "", &v, 1, 0);
  ck_assert_int_eq(uc_set_state(&ds_gauge, &m, STATE_MISSING), STATE_UNKNOWN);

  ck_assert_int_eq(uc_get_names(&names, &times, &num), 0);
  /* strcmp() order, as the peer's LISTVAL: '-' sorts before '/'. */
  const char *want[] = {"h/B/gauge", "h/aa-q/gauge", "h/aa/gauge",
                        "h/zz/gauge"};
  const cdtime_t want_time[] = {SEC(12), SEC(13), SEC(11), SEC(10)};
  ck_assert_uint_eq(num, 4);
  for (size_t i = 0; i < num; i++) {
    ck_assert_str_eq(names[i], want[i]);
    ck_assert_uint_eq(times[i], want_time[i]);
    free(names[i]);
  }
  free(names);
  free(times);

  /* ret_times is optional. */
  ck_assert_int_eq(uc_get_names(&names, NULL, &num), 0);
  ck_assert_uint_eq(num, 4);
  for (size_t i = 0; i < num; i++)
    free(names[i]);
  free(names);
  ck_assert_int_eq(uc_get_names(NULL, NULL, &num), -1);

  /* The missing one is hidden from readers by name, too. */
  gauge_t *r = NULL;
  ck_assert_int_eq(uc_get_rate_by_name("h/m/gauge", &r, &num), -1);
}
END_TEST

START_TEST(test_by_name) {
  value_t v = {.derive = 5};
  value_list_t vl = make_vl("cpu", "0-1", "cpu", "user-x", &v, 1, SEC(1));
  ck_assert_int_eq(uc_update(&ds_derive, &vl), 0);
  v.derive = 25;
  vl.time = SEC(3);
  ck_assert_int_eq(uc_update(&ds_derive, &vl), 0);

  gauge_t *r = NULL;
  size_t n = 0;
  ck_assert_int_eq(uc_get_rate_by_name("h/cpu-0-1/cpu-user-x", &r, &n), 0);
  ck_assert_uint_eq(n, 1);
  ck_assert_double_eq(r[0], 10.0);
  free(r);

  value_t *raw = NULL;
  ck_assert_int_eq(uc_get_value_by_name("h/cpu-0-1/cpu-user-x", &raw, &n), 0);
  ck_assert_int_eq(raw[0].derive, 25);
  free(raw);

  ck_assert_int_eq(uc_get_rate_by_name("h/cpu-0-1/cpu-user", &r, &n), -1);
  ck_assert_int_eq(uc_get_value_by_name("h/cpu/cpu", &raw, &n), -1);
  ck_assert_int_eq(uc_get_rate_by_name("", &r, &n), -1);
}
END_TEST

/* A value list and its formatted name hash alike, whatever the field
 * lengths (the hash reads eight bytes at a time across field borders), even
 * for a field that fills its whole array without a NUL. */
START_TEST(test_hash_consistency) {
  value_list_t vl = {.values = NULL};
  char name[UC_NAME_MAX];
  unsigned seed = 1;
  for (int round = 0; round < 5000; round++) {
    char *f[UC_FIELDS] = {vl.host, vl.plugin, vl.plugin_instance, vl.type,
                          vl.type_instance};
    for (int i = 0; i < UC_FIELDS; i++) {
      memset(f[i], 'z', DATA_MAX_NAME_LEN); /* garbage after the NUL */
      size_t len = rand_r(&seed) % (round < 100 ? DATA_MAX_NAME_LEN + 1 : 20);
      if (i == 1 || i == 3)
        len = len ? len : 1; /* plugin and type are never empty */
      for (size_t j = 0; j < len; j++)
        f[i][j] = (char)('a' + rand_r(&seed) % 26);
      if (len < DATA_MAX_NAME_LEN)
        f[i][len] = '\0';
    }
    uc__format_name(name, &vl);
    ck_assert_uint_eq(uc__hash_vl(&vl), uc__hash_name(name));
  }
  /* Different identifiers, different hashes (for these, at least). */
  ck_assert_uint_ne(uc__hash_name("h/p/t"), uc__hash_name("h/p/t-"));
  ck_assert_uint_ne(uc__hash_name("h/p/t"), uc__hash_name("h/p/u"));
  ck_assert_uint_ne(uc__hash_name("abcdefgh"), uc__hash_name("abcdefgh\001"));
}
END_TEST

/* A field without its NUL is cut at DATA_MAX_NAME_LEN, and still found. */
START_TEST(test_long_fields) {
  value_t v = {.gauge = 3};
  value_list_t vl = make_vl("p", "", "t", "", &v, 1, SEC(1));
  memset(vl.type_instance, 'x', DATA_MAX_NAME_LEN);
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  vl.time = SEC(2);
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  ck_assert_uint_eq(uc_get_size(), 1);

  char name[UC_NAME_MAX];
  uc__format_name(name, &vl);
  ck_assert_uint_eq(strlen(name), strlen("h/p/t-") + DATA_MAX_NAME_LEN);
  gauge_t *r = NULL;
  size_t n;
  ck_assert_int_eq(uc_get_rate_by_name(name, &r, &n), 0);
  free(r);
}
END_TEST

/* ---- state, hits, meta data
 * ---------------------------------------------------- */

START_TEST(test_state_hits) {
  value_t v = {.gauge = 1};
  value_list_t vl = make_vl("p", "", "t", "", &v, 1, SEC(1));
  value_list_t other = make_vl("q", "", "t", "", &v, 1, SEC(1));
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);

  ck_assert_int_eq(uc_get_state(&ds_gauge, &vl), STATE_UNKNOWN);
  ck_assert_int_eq(uc_set_state(&ds_gauge, &vl, STATE_WARNING), STATE_UNKNOWN);
  ck_assert_int_eq(uc_get_state(&ds_gauge, &vl), STATE_WARNING);
  ck_assert_int_eq(uc_get_state(&ds_gauge, &other), STATE_ERROR);
  ck_assert_int_eq(uc_set_state(&ds_gauge, &other, STATE_OKAY), -1);

  ck_assert_int_eq(uc_get_hits(&ds_gauge, &vl), 0);
  ck_assert_int_eq(uc_inc_hits(&ds_gauge, &vl, 3), 0);
  ck_assert_int_eq(uc_inc_hits(&ds_gauge, &vl, 1), 3);
  ck_assert_int_eq(uc_set_hits(&ds_gauge, &vl, 10), 4);
  ck_assert_int_eq(uc_get_hits(&ds_gauge, &vl), 10);
  ck_assert_int_eq(uc_get_hits(&ds_gauge, &other), STATE_ERROR);
  ck_assert_int_eq(uc_set_hits(&ds_gauge, &other, 1), -1);
  ck_assert_int_eq(uc_inc_hits(&ds_gauge, &other, 1), -1);
}
END_TEST

START_TEST(test_meta) {
  value_t v = {.gauge = 1};
  value_list_t vl = make_vl("p", "", "t", "", &v, 1, SEC(1));
  value_list_t other = make_vl("q", "", "t", "", &v, 1, SEC(1));

  /* The entry starts with a copy of the first value list's meta data. */
  vl.meta = meta_data_create();
  ck_assert_int_eq(meta_data_add_string(vl.meta, "origin", "net"), 0);
  ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  meta_data_destroy(vl.meta);
  vl.meta = NULL;

  char *s = NULL;
  ck_assert_int_eq(uc_meta_data_get_string(&vl, "origin", &s), 0);
  ck_assert_str_eq(s, "net");
  free(s);

  ck_assert_int_eq(uc_meta_data_add_signed_int(&vl, "si", -5), 0);
  ck_assert_int_eq(uc_meta_data_add_unsigned_int(&vl, "ui", 5), 0);
  ck_assert_int_eq(uc_meta_data_add_double(&vl, "d", 0.5), 0);
  ck_assert_int_eq(uc_meta_data_add_boolean(&vl, "b", true), 0);
  ck_assert_int_eq(uc_meta_data_add_string(&vl, "s", "x"), 0);

  int64_t si = 0;
  uint64_t ui = 0;
  double d = 0;
  bool b = false;
  ck_assert_int_eq(uc_meta_data_get_signed_int(&vl, "si", &si), 0);
  ck_assert_int_eq(si, -5);
  ck_assert_int_eq(uc_meta_data_get_unsigned_int(&vl, "ui", &ui), 0);
  ck_assert_uint_eq(ui, 5);
  ck_assert_int_eq(uc_meta_data_get_double(&vl, "d", &d), 0);
  ck_assert_double_eq(d, 0.5);
  ck_assert_int_eq(uc_meta_data_get_boolean(&vl, "b", &b), 0);
  ck_assert(b);
  ck_assert_int_eq(uc_meta_data_get_string(&vl, "s", &s), 0);
  ck_assert_str_eq(s, "x");
  free(s);

  ck_assert_int_eq(uc_meta_data_exists(&vl, "d"), 1);
  ck_assert_int_eq(uc_meta_data_delete(&vl, "d"), 0);
  ck_assert_int_eq(uc_meta_data_exists(&vl, "d"), 0);
  ck_assert_int_lt(uc_meta_data_get_double(&vl, "d", &d), 0);

  char **toc = NULL;
  int n = uc_meta_data_toc(&vl, &toc);
  ck_assert_int_eq(n, 5); /* origin si ui b s */
  for (int i = 0; i < n; i++)
    free(toc[i]);
  free(toc);

  /* Unknown identifiers. */
  ck_assert_int_eq(uc_meta_data_exists(&other, "d"), -1);
  ck_assert_int_eq(uc_meta_data_add_double(&other, "d", 1), -1);
  ck_assert_int_eq(uc_meta_data_get_double(&other, "d", &d), -1);
  ck_assert_int_eq(uc_meta_data_toc(&other, &toc), -1);
}
END_TEST

/* ---- history
 * ---------------------------------------------------------------------- */

START_TEST(test_history) {
  gauge_t h[8];
  ck_assert_int_eq(uc_get_history_by_name("h/p/t", h, 3, 1), -ENOENT);

  ck_assert_int_eq(put1(&ds_gauge, (value_t){.gauge = 1}, 1), 0);
  ck_assert_int_eq(uc_get_history_by_name("h/p/t", h, 3, 2), -EINVAL);

  /* Kept from the first request on. */
  ck_assert_int_eq(uc_get_history_by_name("h/p/t", h, 3, 1), 0);
  for (int i = 0; i < 3; i++)
    ck_assert(isnan(h[i]));

  for (int i = 2; i <= 5; i++) /* 2 3 4 5: the ring of 3 wraps */
    ck_assert_int_eq(put1(&ds_gauge, (value_t){.gauge = i}, i), 0);
  ck_assert_int_eq(uc_get_history_by_name("h/p/t", h, 3, 1), 0);
  ck_assert_double_eq(h[0], 5);
  ck_assert_double_eq(h[1], 4);
  ck_assert_double_eq(h[2], 3);

  /* Growing keeps the order; older steps are unknown. */
  ck_assert_int_eq(uc_get_history_by_name("h/p/t", h, 5, 1), 0);
  ck_assert_double_eq(h[0], 5);
  ck_assert_double_eq(h[1], 4);
  ck_assert_double_eq(h[2], 3);
  ck_assert(isnan(h[3]));
  ck_assert(isnan(h[4]));

  ck_assert_int_eq(put1(&ds_gauge, (value_t){.gauge = 6}, 6), 0);
  value_t v = {.gauge = 0};
  value_list_t vl = make_vl("p", "", "t", "", &v, 1, 0);
  ck_assert_int_eq(uc_get_history(&ds_gauge, &vl, h, 5, 1), 0);
  ck_assert_double_eq(h[0], 6);
  ck_assert_double_eq(h[1], 5);
  ck_assert_double_eq(h[3], 3);
  ck_assert(isnan(h[4]));
  /* Fewer steps than kept. */
  ck_assert_int_eq(uc_get_history(&ds_gauge, &vl, h, 2, 1), 0);
  ck_assert_double_eq(h[0], 6);
  ck_assert_double_eq(h[1], 5);
}
END_TEST

START_TEST(test_history_two_sources) {
  value_t v[2] = {{.derive = 0}, {.gauge = 1}};
  value_list_t vl = make_vl("i", "", "if_octets", "", v, 2, SEC(1));
  ck_assert_int_eq(uc_update(&ds_pair, &vl), 0);
  gauge_t h[4];
  ck_assert_int_eq(uc_get_history(&ds_pair, &vl, h, 2, 2), 0);
  for (int step = 2; step <= 3; step++) {
    v[0].derive = 10 * step;
    v[1].gauge = step;
    vl.time = SEC(step);
    ck_assert_int_eq(uc_update(&ds_pair, &vl), 0);
  }
  ck_assert_int_eq(uc_get_history(&ds_pair, &vl, h, 2, 2), 0);
  ck_assert_double_eq(h[0], 10); /* step 3: rx rate, tx */
  ck_assert_double_eq(h[1], 3);
  ck_assert_double_eq(h[2], 20); /* step 2 */
  ck_assert_double_eq(h[3], 2);
}
END_TEST

/* ---- iteration
 * ---------------------------------------------------------------------- */

START_TEST(test_iterator) {
  const char *plugins[] = {"c", "a", "b", "gone"};
  value_t v = {.gauge = 0};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(plugins); i++) {
    v.gauge = (gauge_t)i;
    value_list_t vl = make_vl(plugins[i], "", "t", "", &v, 1, SEC(10 + i));
    vl.interval = SEC(1 + i);
    ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  }
  value_list_t gone = make_vl("gone", "", "t", "", &v, 1, 0);
  uc_set_state(&ds_gauge, &gone, STATE_MISSING);
  value_list_t a = make_vl("a", "", "t", "", &v, 1, 0);
  ck_assert_int_eq(uc_meta_data_add_signed_int(&a, "k", 7), 0);

  uc_iter_t *iter = uc_get_iterator();
  ck_assert_ptr_nonnull(iter);
  cdtime_t t;
  ck_assert_int_eq(uc_iterator_get_time(iter, &t), -1); /* before the first */

  const char *want[] = {"h/a/t", "h/b/t", "h/c/t"};
  const size_t index[] = {1, 2, 0};
  for (size_t i = 0; i < 3; i++) {
    char *name = NULL;
    ck_assert_int_eq(uc_iterator_next(iter, &name), 0);
    ck_assert_str_eq(name, want[i]); /* borrowed: not freed */
    ck_assert_int_eq(uc_iterator_get_time(iter, &t), 0);
    ck_assert_uint_eq(t, SEC(10 + index[i]));
    ck_assert_int_eq(uc_iterator_get_interval(iter, &t), 0);
    ck_assert_uint_eq(t, SEC(1 + index[i]));
    value_t *values = NULL;
    size_t n = 0;
    ck_assert_int_eq(uc_iterator_get_values(iter, &values, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq(values[0].gauge, (gauge_t)index[i]);
    free(values);
    meta_data_t *md = (meta_data_t *)1;
    ck_assert_int_eq(uc_iterator_get_meta(iter, &md), 0);
    if (i == 0) {
      int64_t k = 0;
      ck_assert_ptr_nonnull(md);
      ck_assert_int_eq(meta_data_get_signed_int(md, "k", &k), 0);
      ck_assert_int_eq(k, 7);
    } else {
      ck_assert_ptr_null(md);
    }
    meta_data_destroy(md);
  }
  ck_assert_int_ne(uc_iterator_next(iter, NULL), 0);
  ck_assert_int_eq(uc_iterator_get_time(iter, &t), -1);
  uc_iterator_destroy(iter);

  ck_assert_int_ne(uc_iterator_next(NULL, NULL), 0);
  uc_iterator_destroy(NULL);
}
END_TEST

/* ---- many threads
 * ------------------------------------------------------------------ */

#define MT_THREADS 4
#define MT_IDS 1000
#define MT_UPDATES 100000 /* per thread */
#define MT_ROUNDS (MT_UPDATES / (MT_IDS / MT_THREADS))

static const data_set_t *mt_ds = &ds_derive;

static void mt_vl(value_list_t *vl, int id, value_t *v) {
  *vl = make_vl("mt", "", "derive", "", v, 1, 0);
  /* The reader runs expiry checks while the writers work; under valgrind on
   * a busy machine one writer may finish long before the others, and its
   * entries must not expire merely because the others are slow. */
  vl->interval = SEC(86400);
  snprintf(vl->plugin_instance, sizeof(vl->plugin_instance), "%d", id % 37);
  snprintf(vl->type_instance, sizeof(vl->type_instance), "id%d", id);
}

/* Thread t owns the identifiers id % MT_THREADS == t and counts each up by
 * `id` per second; the shards and their locks are shared by all. */
static void *mt_writer(void *arg) {
  int t = (int)(intptr_t)arg;
  for (int round = 1; round <= MT_ROUNDS; round++) {
    for (int id = t; id < MT_IDS; id += MT_THREADS) {
      value_t v = {.derive = (derive_t)round * id};
      value_list_t vl;
      mt_vl(&vl, id, &v);
      vl.time = SEC(round);
      if (uc_update(mt_ds, &vl) != 0)
        return (void *)1;
    }
  }
  return NULL;
}

/* Readers at the same time: listing, lookups, iteration, expiry checks. */
/* Tells the reader threads to finish; a mutex rather than an atomic so that
 * valgrind's helgrind understands it too. */
static pthread_mutex_t mt_stop_lock = PTHREAD_MUTEX_INITIALIZER;
static bool mt_stop;

static bool mt_stopped(void) {
  pthread_mutex_lock(&mt_stop_lock);
  bool stop = mt_stop;
  pthread_mutex_unlock(&mt_stop_lock);
  return stop;
}

static void mt_set_stop(bool stop) {
  pthread_mutex_lock(&mt_stop_lock);
  mt_stop = stop;
  pthread_mutex_unlock(&mt_stop_lock);
}

static void *mt_reader(void *arg) {
  while (!mt_stopped()) {
    char **names = NULL;
    size_t num = 0;
    if (uc_get_names(&names, NULL, &num) == 0) {
      for (size_t i = 0; i < num; i++) {
        gauge_t *r = NULL;
        size_t n;
        if (i % 97 == 0 && uc_get_rate_by_name(names[i], &r, &n) == 0)
          free(r);
        free(names[i]);
      }
      free(names);
    }
    uc_iter_t *iter = uc_get_iterator();
    while (uc_iterator_next(iter, NULL) == 0)
      ;
    uc_iterator_destroy(iter);
    uc_check_timeout();
    (void)uc_get_size();
  }
  return NULL;
}

START_TEST(test_threads) {
  pthread_t writers[MT_THREADS], reader;
  mt_set_stop(false);
  ck_assert_int_eq(pthread_create(&reader, NULL, mt_reader, NULL), 0);
  for (int t = 0; t < MT_THREADS; t++)
    ck_assert_int_eq(
        pthread_create(&writers[t], NULL, mt_writer, (void *)(intptr_t)t), 0);
  for (int t = 0; t < MT_THREADS; t++) {
    void *ret;
    ck_assert_int_eq(pthread_join(writers[t], &ret), 0);
    ck_assert_ptr_null(ret);
  }
  mt_set_stop(true);
  ck_assert_int_eq(pthread_join(reader, NULL), 0);

  ck_assert_uint_eq(uc_get_size(), MT_IDS);
  ck_assert_uint_eq(stub_log_num, 0);
  for (int id = 0; id < MT_IDS; id++) {
    value_t v;
    value_list_t vl;
    mt_vl(&vl, id, &v);
    value_t *raw = uc_get_value(mt_ds, &vl);
    gauge_t *rate = uc_get_rate(mt_ds, &vl);
    ck_assert_ptr_nonnull(raw);
    ck_assert_ptr_nonnull(rate);
    ck_assert_int_eq(raw[0].derive, (derive_t)MT_ROUNDS * id);
    ck_assert_double_eq(rate[0], (gauge_t)id);
    free(raw);
    free(rate);
  }
}
END_TEST

/* Entries that expire while writers update them: nothing may crash, leak
 * or race (this is for ThreadSanitizer and valgrind). */
static void *churn_writer(void *arg) {
  for (int round = 1; round <= 20000; round++) {
    value_t v = {.gauge = round};
    value_list_t vl = make_vl("churn", "", "gauge", "", &v, 1, SEC(round));
    snprintf(vl.type_instance, sizeof(vl.type_instance), "%d", round % 16);
    vl.interval = 1; /* expires at once */
    uc_update(&ds_gauge, &vl);
  }
  return NULL;
}

static void *churn_expirer(void *arg) {
  while (!mt_stopped())
    uc_check_timeout();
  return NULL;
}

START_TEST(test_threads_expiry) {
  pthread_t w[2], x;
  stub_new_event_mask = 1;
  mt_set_stop(false);
  ck_assert_int_eq(pthread_create(&x, NULL, churn_expirer, NULL), 0);
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(pthread_create(&w[i], NULL, churn_writer, NULL), 0);
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(pthread_join(w[i], NULL), 0);
  mt_set_stop(true);
  ck_assert_int_eq(pthread_join(x, NULL), 0);
  ck_assert_uint_le(uc_get_size(), 16);
}
END_TEST

/* ---- life cycle
 * ---------------------------------------------------------------------- */

START_TEST(test_shutdown_reuse) {
  ck_assert_int_eq(put1(&ds_gauge, (value_t){.gauge = 1}, 1), 0);
  uc_shutdown();
  ck_assert_uint_eq(uc_get_size(), 0);
  ck_assert_int_eq(uc_init(), 0);
  ck_assert_int_eq(put1(&ds_gauge, (value_t){.gauge = 2}, 1), 0);
  ck_assert_double_eq(rate1(), 2);
}
END_TEST

/* Enough identifiers to make every shard grow its table a few times. */
START_TEST(test_many_identifiers) {
  value_t v = {.gauge = 0};
  for (int i = 0; i < 20000; i++) {
    v.gauge = i;
    value_list_t vl = make_vl("many", "", "gauge", "", &v, 1, SEC(1));
    snprintf(vl.type_instance, sizeof(vl.type_instance), "%d", i);
    ck_assert_int_eq(uc_update(&ds_gauge, &vl), 0);
  }
  ck_assert_uint_eq(uc_get_size(), 20000);
  for (int i = 0; i < 20000; i += 777) {
    char name[64];
    snprintf(name, sizeof(name), "h/many/gauge-%d", i);
    gauge_t *r = NULL;
    size_t n;
    ck_assert_int_eq(uc_get_rate_by_name(name, &r, &n), 0);
    ck_assert_double_eq(r[0], i);
    free(r);
  }
}
END_TEST

static Suite *cache_suite(void) {
  Suite *s = suite_create("utils_cache");

  TCase *rates = tcase_create("rates");
  tcase_add_checked_fixture(rates, setup, teardown);
  tcase_add_test(rates, test_gauge);
  tcase_add_test(rates, test_derive);
  tcase_add_test(rates, test_range);
  tcase_add_test(rates, test_counter);
  tcase_add_test(rates, test_counter_wrap32);
  tcase_add_test(rates, test_counter_wrap64);
  tcase_add_test(rates, test_absolute);
  tcase_add_test(rates, test_two_sources);
  tcase_add_test(rates, test_too_old);
  tcase_add_test(rates, test_bad_arguments);
  suite_add_tcase(s, rates);

  TCase *entries = tcase_create("entries");
  /* Many identifiers under valgrind on a busy machine take minutes. */
  tcase_set_timeout(entries, 300);
  tcase_add_checked_fixture(entries, setup, teardown);
  tcase_add_test(entries, test_expiry);
  tcase_add_test(entries, test_expiry_no_event);
  tcase_add_test(entries, test_expiry_order);
  tcase_add_test(entries, test_events);
  tcase_add_test(entries, test_event_masks);
  tcase_add_test(entries, test_foreach_copy);
  tcase_add_test(entries, test_names);
  tcase_add_test(entries, test_by_name);
  tcase_add_test(entries, test_hash_consistency);
  tcase_add_test(entries, test_long_fields);
  tcase_add_test(entries, test_state_hits);
  tcase_add_test(entries, test_meta);
  tcase_add_test(entries, test_history);
  tcase_add_test(entries, test_history_two_sources);
  tcase_add_test(entries, test_iterator);
  tcase_add_test(entries, test_shutdown_reuse);
  tcase_add_test(entries, test_many_identifiers);
  suite_add_tcase(s, entries);

  TCase *threads = tcase_create("threads");
  tcase_add_checked_fixture(threads, setup, teardown);
  /* Generous: the same tests run under valgrind and ThreadSanitizer. */
  tcase_set_timeout(threads, 300);
  tcase_add_test(threads, test_threads);
  tcase_add_test(threads, test_threads_expiry);
  suite_add_tcase(s, threads);
  return s;
}

int main(void) {
  return check_main_run(cache_suite());
}
