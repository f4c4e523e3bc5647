/* Cache-event callbacks and the value cache, through the real dispatcher
 * and callback lists (issue 9, item 5):
 *  - a slot given to a newcomer carries none of its previous holder's
 *    interest: the newcomer hears no CE_VALUE_UPDATE of a value it never
 *    asked for;
 *  - a callback whose plugin becomes ready while values are cached hears
 *    CE_VALUE_NEW of each of them (plugin__cache_event_catch_up()), and the
 *    updates of those it asks for;
 * alone and with threads updating and creating values meanwhile. */
#include "plugin_internal.h"
#include "utils/common/common.h"
#include "utils/metadata/meta_data.h"
#include "utils_cache.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>

static data_source_t src_gauge = {"value", DS_TYPE_GAUGE, NAN, NAN};
static data_set_t ds_gauge = {"gauge", 1, &src_gauge};

/* Dispatches `value` for "h/<plugin>/gauge-<ti>" at `seconds`, interval
 * one hour (nothing expires). */
static int put(const char *plugin, int ti, double value, cdtime_t seconds) {
  value_list_t vl = {.values = &(value_t){.gauge = value},
                     .values_len = 1,
                     .time = TIME_T_TO_CDTIME_T(seconds),
                     .interval = TIME_T_TO_CDTIME_T(3600)};
  sstrncpy(vl.host, "h", sizeof(vl.host));
  sstrncpy(vl.plugin, plugin, sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  snprintf(vl.type_instance, sizeof(vl.type_instance), "%d", ti);
  return uc_update(&ds_gauge, &vl);
}

/* ---- a recording callback ------------------------------------------------ */

/* What one callback heard, as lines "new <name> <+|->", "update <name>",
 * "expired <name>"; it asks for the values whose name starts with
 * `interest` (NULL: none). */
typedef struct {
  const char *interest;
  pthread_mutex_t lock;
  char heard[4096];
  /* What the last CE_VALUE_NEW of a value it asked for carried. */
  value_list_t last_vl;
  gauge_t last_value;
  bool last_meta_ok;
} rec_t;

#define REC_INIT(want)                                                         \
  { .interest = (want), .lock = PTHREAD_MUTEX_INITIALIZER }

static const char *event_word(enum cache_event_type_e type) {
  switch (type) {
  case CE_VALUE_NEW:
    return "new";
  case CE_VALUE_UPDATE:
    return "update";
  default:
    return "expired";
  }
}

static int rec_event(cache_event_t *event, user_data_t *ud) {
  rec_t *r = ud->data;
  const char *name = event->value_list_name;
  bool want = r->interest != NULL &&
              strncmp(name, r->interest, strlen(r->interest)) == 0;
  if (event->type == CE_VALUE_NEW && want)
    event->ret = 1;

  pthread_mutex_lock(&r->lock);
  size_t used = strlen(r->heard);
  snprintf(r->heard + used, sizeof(r->heard) - used, "%s %s%s\n",
           event_word(event->type), name,
           event->type != CE_VALUE_NEW ? ""
           : want                      ? " +"
                                       : " -");
  if (event->type == CE_VALUE_NEW && want) {
    const value_list_t *vl = event->value_list;
    r->last_vl = *vl;
    r->last_value = vl->values_len == 1 ? vl->values[0].gauge : NAN;
    char *v = NULL;
    r->last_meta_ok = vl->meta != NULL &&
                      meta_data_get_string(vl->meta, "k", &v) == 0 &&
                      strcmp(v, "v") == 0;
    free(v);
  }
  pthread_mutex_unlock(&r->lock);
  return 0;
}

static bool heard(rec_t *r, const char *line) {
  pthread_mutex_lock(&r->lock);
  bool found = strstr(r->heard, line) != NULL;
  pthread_mutex_unlock(&r->lock);
  return found;
}

static void forget(rec_t *r) {
  pthread_mutex_lock(&r->lock);
  r->heard[0] = '\0';
  pthread_mutex_unlock(&r->lock);
}

static void add(const char *name, rec_t *r) {
  ck_assert_int_eq(
      plugin_register_cache_event(name, rec_event, &(user_data_t){.data = r}),
      0);
}

/* The slot of the cache-event callback `name`; -2 if it is not listed. */
static int slot_of(const char *name) {
  cb_snapshot_t *s = cb_list_acquire(CB_CACHE_EVENT);
  int slot = -2;
  for (size_t i = 0; s != NULL && i < s->num; i++)
    if (strcmp(s->cb[i]->name, name) == 0)
      slot = s->cb[i]->slot;
  cb_list_release(s);
  return slot;
}

/* A plugin record `name` that registers the callback `name` (recording
 * into r), taken to ready and caught up, as plugin_dynamic_init() does. */
static plugin_t *plugin_up(const char *name, rec_t *r) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create(name, &p), 0);
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  add(name, r);
  plugin__leave(saved);
  ck_assert_int_eq(plugin__set_state(p, PLUGIN_CONFIGURING), 0);
  ck_assert_int_eq(plugin__set_state(p, PLUGIN_READY), 0);
  plugin__cache_event_catch_up(p);
  return p;
}

/* As an unload does: stop calls, drop the callbacks, destroy the record. */
static void plugin_down(plugin_t *p) {
  ck_assert_int_eq(plugin__set_state(p, PLUGIN_UNLOADING), 0);
  cb_list_remove_owner(p);
  ck_assert_int_eq(atomic_load(&p->callbacks), 0);
  plugin__record_destroy(p);
}

static void teardown(void) {
  cb_list_destroy_all();
  uc_shutdown();
}

/* ---- slots --------------------------------------------------------------- */

/* A asks for h/s/gauge-0 and leaves; B gets A's slot and asks for nothing:
 * it must not hear of the value's updates. */
START_TEST(test_reused_slot_hears_no_stale_update) {
  rec_t a = REC_INIT("h/s/"), b = REC_INIT(NULL);
  add("a", &a);
  int slot = slot_of("a");
  ck_assert_int_eq(put("s", 0, 1, 1), 0);
  ck_assert(heard(&a, "new h/s/gauge-0 +"));
  ck_assert_int_eq(plugin_unregister_cache_event("a"), 0);

  add("b", &b);
  ck_assert_int_eq(slot_of("b"), slot);
  ck_assert_int_eq(put("s", 0, 2, 2), 0);
  ck_assert_msg(!heard(&b, "update h/s/gauge-0"), "b heard: %s", b.heard);
  ck_assert_msg(!heard(&a, "update"), "a heard: %s", a.heard);
  teardown();
}
END_TEST

/* The same when the owner is unloaded, and the bits are gone from the
 * cache by the time the unload's wait for the callbacks ends. */
START_TEST(test_unload_clears_bits) {
  rec_t a = REC_INIT("h/s/"), b = REC_INIT("h/t/");
  ck_assert_int_eq(put("s", 0, 1, 1), 0);
  plugin_t *p = plugin_up("pa", &a);
  ck_assert(heard(&a, "new h/s/gauge-0 +"));
  ck_assert_uint_ne(uc__callbacks_mask_get("h/s/gauge-0"), 0);
  plugin_down(p);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/s/gauge-0"), 0);

  p = plugin_up("pb", &b);
  ck_assert(heard(&b, "new h/s/gauge-0 -"));
  ck_assert_int_eq(put("s", 0, 2, 2), 0);
  ck_assert_msg(!heard(&b, "update"), "pb heard: %s", b.heard);
  plugin_down(p);
  teardown();
}
END_TEST

/* A callback that left its list but is still held by a snapshot (a
 * dispatcher may still call it and record its interest) keeps its slot;
 * the slot is given again only once the callback is freed. */
START_TEST(test_slot_kept_while_held) {
  rec_t a = REC_INIT("h/s/"), b = REC_INIT(NULL), c = REC_INIT(NULL);
  add("a", &a);
  int slot = slot_of("a");
  ck_assert_int_eq(put("s", 0, 1, 1), 0);

  cb_snapshot_t *held = cb_list_acquire(CB_CACHE_EVENT);
  ck_assert_int_eq(plugin_unregister_cache_event("a"), 0);
  add("b", &b);
  ck_assert_int_ne(slot_of("b"), slot);
  ck_assert_uint_eq(uc__callbacks_mask_get("h/s/gauge-0"), 1UL << slot);
  cb_list_release(held); /* frees "a": its bit goes */
  ck_assert_uint_eq(uc__callbacks_mask_get("h/s/gauge-0"), 0);

  add("c", &c);
  ck_assert_int_eq(slot_of("c"), slot);
  ck_assert_int_eq(put("s", 0, 2, 2), 0);
  ck_assert_msg(!heard(&b, "update") && !heard(&c, "update"),
                "b heard: %s; c heard: %s", b.heard, c.heard);
  teardown();
}
END_TEST

/* A dispatcher read the mask, then the slot changed hands: it must not
 * tell the newcomer (the epoch read with the mask has moved). */
START_TEST(test_mask_read_before_slot_changed_hands) {
  rec_t a = REC_INIT("h/s/"), b = REC_INIT(NULL);
  add("a", &a);
  int slot = slot_of("a");
  ck_assert_int_eq(put("s", 0, 1, 1), 0);
  unsigned long mask = uc__callbacks_mask_get("h/s/gauge-0");
  uint64_t epoch = uc__callbacks_mask_epoch();
  ck_assert_uint_eq(mask, 1UL << slot);

  ck_assert_int_eq(plugin_unregister_cache_event("a"), 0);
  add("b", &b);
  ck_assert_int_eq(slot_of("b"), slot);
  ck_assert_uint_ne(uc__callbacks_mask_epoch(), epoch);

  value_list_t vl = VALUE_LIST_INIT;
  plugin__dispatch_cache_event(CE_VALUE_UPDATE, mask, epoch, "h/s/gauge-0",
                               &vl);
  ck_assert_msg(!heard(&b, "update"), "b heard: %s", b.heard);
  /* With the epoch unchanged, the mask is taken as read. */
  plugin__dispatch_cache_event(CE_VALUE_UPDATE, 1UL << slot,
                               uc__callbacks_mask_epoch(), "h/s/gauge-0", &vl);
  ck_assert(heard(&b, "update h/s/gauge-0"));
  teardown();
}
END_TEST

/* ---- catching up --------------------------------------------------------- */

/* A plugin that becomes ready with values cached hears CE_VALUE_NEW of
 * each, with its identifier, last value, time, interval and meta data, and
 * then the updates of those it asked for. */
START_TEST(test_catch_up) {
  ck_assert_int_eq(put("s", 0, 5, 10), 0);
  ck_assert_int_eq(put("s", 0, 6, 11), 0);
  ck_assert_int_eq(put("t", 0, 1, 10), 0);
  value_list_t m = {.values = &(value_t){.gauge = 3},
                    .values_len = 1,
                    .time = TIME_T_TO_CDTIME_T(10),
                    .interval = TIME_T_TO_CDTIME_T(60),
                    .meta = meta_data_create()};
  meta_data_add_string(m.meta, "k", "v");
  sstrncpy(m.host, "h", sizeof(m.host));
  sstrncpy(m.plugin, "m", sizeof(m.plugin));
  sstrncpy(m.plugin_instance, "pi", sizeof(m.plugin_instance));
  sstrncpy(m.type, "gauge", sizeof(m.type));
  ck_assert_int_eq(uc_update(&ds_gauge, &m), 0);

  rec_t late = REC_INIT("h/s/"), meta = REC_INIT("h/m-pi/");
  plugin_t *p = plugin_up("late", &late);
  plugin_t *q = plugin_up("meta", &meta);
  ck_assert_msg(heard(&late, "new h/s/gauge-0 +\n") &&
                    heard(&late, "new h/t/gauge-0 -\n") &&
                    heard(&late, "new h/m-pi/gauge -\n"),
                "late heard: %s", late.heard);
  ck_assert(late.last_value == 6);
  ck_assert_uint_eq(late.last_vl.time, TIME_T_TO_CDTIME_T(11));

  const value_list_t *vl = &meta.last_vl;
  ck_assert_str_eq(vl->host, "h");
  ck_assert_str_eq(vl->plugin, "m");
  ck_assert_str_eq(vl->plugin_instance, "pi");
  ck_assert_str_eq(vl->type, "gauge");
  ck_assert_str_eq(vl->type_instance, "");
  ck_assert(meta.last_value == 3);
  ck_assert_uint_eq(vl->time, TIME_T_TO_CDTIME_T(10));
  ck_assert_uint_eq(vl->interval, TIME_T_TO_CDTIME_T(60));
  ck_assert(meta.last_meta_ok);

  forget(&late);
  forget(&meta);
  ck_assert_int_eq(put("s", 0, 7, 12), 0);
  ck_assert_int_eq(put("t", 0, 2, 12), 0);
  m.time = TIME_T_TO_CDTIME_T(12);
  ck_assert_int_eq(uc_update(&ds_gauge, &m), 0);
  meta_data_destroy(m.meta);
  ck_assert_str_eq(late.heard, "update h/s/gauge-0\n");
  ck_assert_str_eq(meta.heard, "update h/m-pi/gauge\n");
  plugin_down(q);
  plugin_down(p);
  teardown();
}
END_TEST

/* Its interest is added to the mask, not put in place of the interest of
 * the callbacks that were there when the value arrived. */
START_TEST(test_catch_up_adds_interest) {
  rec_t early = REC_INIT("h/s/"), late = REC_INIT("h/s/");
  add("early", &early);
  ck_assert_int_eq(put("s", 0, 1, 1), 0);
  plugin_t *p = plugin_up("late", &late);
  forget(&early);
  forget(&late);
  ck_assert_int_eq(put("s", 0, 2, 2), 0);
  ck_assert_str_eq(early.heard, "update h/s/gauge-0\n");
  ck_assert_str_eq(late.heard, "update h/s/gauge-0\n");
  plugin_down(p);
  teardown();
}
END_TEST

/* Only the plugin's own callbacks catch up, and only while it is ready. */
START_TEST(test_catch_up_only_its_own) {
  rec_t other = REC_INIT(NULL), late = REC_INIT(NULL);
  add("other", &other);
  ck_assert_int_eq(put("s", 0, 1, 1), 0);
  forget(&other);
  plugin_t *p = plugin_up("late", &late);
  ck_assert(heard(&late, "new h/s/gauge-0 -"));
  ck_assert_str_eq(other.heard, "");

  forget(&late);
  ck_assert_int_eq(plugin__set_state(p, PLUGIN_UNLOADING), 0);
  plugin__cache_event_catch_up(p);
  ck_assert_str_eq(late.heard, "");
  ck_assert_int_eq(plugin__set_state(p, PLUGIN_READY), 0);
  plugin_down(p);
  teardown();
}
END_TEST

/* ---- with threads -------------------------------------------------------- */

#define NSERIES 64

static int rounds(int dflt) {
  const char *env = getenv("CACHE_EVENT_ROUNDS");
  return env != NULL ? atoi(env) : dflt;
}

static _Atomic bool stop_threads;
static _Atomic long stale_events, updates_heard;

/* A callback that asks for series i when (i + id) % 3 == 0, and counts the
 * updates and expiries it hears of a series it did not ask for. */
typedef struct {
  int id;
  _Atomic bool asked[NSERIES];
} churn_t;

static int churn_event(cache_event_t *event, user_data_t *ud) {
  churn_t *c = ud->data;
  int i = -1;
  if (sscanf(event->value_list_name, "h/u/gauge-%d", &i) != 1 || i < 0 ||
      i >= NSERIES)
    return 0;
  if (event->type == CE_VALUE_NEW) {
    if ((i + c->id) % 3 == 0) {
      atomic_store(&c->asked[i], true);
      event->ret = 1;
    }
  } else if (!atomic_load(&c->asked[i])) {
    atomic_fetch_add(&stale_events, 1);
  } else {
    atomic_fetch_add(&updates_heard, 1);
  }
  return 0;
}

static _Atomic long passes; /* over all the series, by either updater */

/* Updates its half of the series until told to stop. */
static void *updater(void *arg) {
  int half = (int)(intptr_t)arg;
  for (cdtime_t t = 1; !atomic_load(&stop_threads); t++) {
    for (int i = half; i < NSERIES; i += 2)
      put("u", i, (double)t, t);
    atomic_fetch_add(&passes, 1);
  }
  return NULL;
}

static void churn_add(int id) {
  churn_t *c = calloc(1, sizeof(*c));
  ck_assert_ptr_nonnull(c);
  c->id = id;
  char name[32];
  snprintf(name, sizeof(name), "churn%d", id);
  ck_assert_int_eq(
      plugin_register_cache_event(name, churn_event,
                                  &(user_data_t){.data = c, .free_func = free}),
      0);
}

/* Callbacks come and go, each caught up, while two threads update values:
 * none hears of a value it did not ask for, whichever slot it got. */
START_TEST(test_threads_no_stale_update) {
  /* Two are there when the values arrive, and ask for some. */
  churn_add(0);
  churn_add(1);
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, updater, (void *)(intptr_t)i),
                     0);

  int n = rounds(300);
  for (int r = 2; r < n; r++) {
    /* Each change of the list meets a pass of updates. */
    long seen = atomic_load(&passes);
    while (atomic_load(&passes) < seen + 2)
      sched_yield();
    /* The older of the two leaves; a newcomer (maybe in its slot) comes
     * and catches up. */
    char name[32];
    snprintf(name, sizeof(name), "churn%d", r - 2);
    ck_assert_int_eq(plugin_unregister_cache_event(name), 0);
    churn_add(r);
    plugin__cache_event_catch_up(NULL); /* the core's: all of them */
  }
  atomic_store(&stop_threads, true);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);

  ck_assert_int_eq(atomic_load(&stale_events), 0);
  ck_assert_int_gt(atomic_load(&updates_heard), 0);
  teardown();
}
END_TEST

#define CREATORS 2
#define CREATED 2000
#define LATE_PLUGINS 8

/* What a late plugin heard CE_VALUE_NEW of: h/c<k>/gauge-<n>. */
typedef struct {
  _Atomic bool heard[CREATORS][CREATED];
} late_t;

static int late_event(cache_event_t *event, user_data_t *ud) {
  late_t *l = ud->data;
  int k, n;
  if (event->type == CE_VALUE_NEW &&
      sscanf(event->value_list_name, "h/c%d/gauge-%d", &k, &n) == 2 && k >= 0 &&
      k < CREATORS && n >= 0 && n < CREATED)
    atomic_store(&l->heard[k][n], true);
  return 0;
}

static _Atomic int created;

static void *creator(void *arg) {
  char plugin[16];
  snprintf(plugin, sizeof(plugin), "c%d", (int)(intptr_t)arg);
  for (int n = 0; n < CREATED; n++) {
    put(plugin, n, n, 1);
    atomic_fetch_add(&created, 1);
  }
  return NULL;
}

/* Plugins become ready one after the other while two threads create
 * values: each hears CE_VALUE_NEW of every value, from the value's own
 * dispatch or from catching up (maybe both), and misses none. */
START_TEST(test_threads_catch_up_misses_none) {
  pthread_t t[CREATORS];
  for (int i = 0; i < CREATORS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, creator, (void *)(intptr_t)i),
                     0);

  plugin_t *p[LATE_PLUGINS];
  late_t *l[LATE_PLUGINS];
  for (int j = 0; j < LATE_PLUGINS; j++) {
    /* Spread over the creation: wait (bounded by the creators' end) for
     * the next share of values. */
    while (atomic_load(&created) < j * CREATORS * CREATED / LATE_PLUGINS)
      sched_yield();
    char name[16];
    snprintf(name, sizeof(name), "late%d", j);
    ck_assert_int_eq(plugin__record_create(name, &p[j]), 0);
    l[j] = calloc(1, sizeof(*l[j]));
    ck_assert_ptr_nonnull(l[j]);
    plugin_thread_ctx_t saved = plugin__enter(p[j], p[j]->ctx);
    ck_assert_int_eq(
        plugin_register_cache_event(
            name, late_event, &(user_data_t){.data = l[j], .free_func = free}),
        0);
    plugin__leave(saved);
    ck_assert_int_eq(plugin__set_state(p[j], PLUGIN_CONFIGURING), 0);
    ck_assert_int_eq(plugin__set_state(p[j], PLUGIN_READY), 0);
    plugin__cache_event_catch_up(p[j]);
  }
  for (int i = 0; i < CREATORS; i++)
    pthread_join(t[i], NULL);
  ck_assert_uint_eq(uc_get_size(), CREATORS * CREATED);

  for (int j = 0; j < LATE_PLUGINS; j++) {
    int missed = 0;
    for (int k = 0; k < CREATORS; k++)
      for (int n = 0; n < CREATED; n++)
        missed += !atomic_load(&l[j]->heard[k][n]);
    ck_assert_msg(missed == 0, "late%d missed %d of %d values", j, missed,
                  CREATORS * CREATED);
    plugin_down(p[j]); /* frees l[j] */
  }
  teardown();
}
END_TEST

int main(void) {
  Suite *s = suite_create("cache_event");
  TCase *slots = tcase_create("slots");
  tcase_add_test(slots, test_reused_slot_hears_no_stale_update);
  tcase_add_test(slots, test_unload_clears_bits);
  tcase_add_test(slots, test_slot_kept_while_held);
  tcase_add_test(slots, test_mask_read_before_slot_changed_hands);
  suite_add_tcase(s, slots);

  TCase *catch_up = tcase_create("catch_up");
  tcase_add_test(catch_up, test_catch_up);
  tcase_add_test(catch_up, test_catch_up_adds_interest);
  tcase_add_test(catch_up, test_catch_up_only_its_own);
  suite_add_tcase(s, catch_up);

  TCase *threads = tcase_create("threads");
  /* Generous: a loaded machine, valgrind, ThreadSanitizer. */
  tcase_set_timeout(threads, 300);
  tcase_add_test(threads, test_threads_no_stale_update);
  tcase_add_test(threads, test_threads_catch_up_misses_none);
  suite_add_tcase(s, threads);
  return check_main_run(s);
}
