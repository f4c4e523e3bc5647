/* The plugin state machine: every (state, target) pair, legal or not, and
 * the skipping of callbacks whose plugin is not ready. */
#include "plugin_internal.h"
#include "plugin_read.h"

#include "check_main.h"
#include <check.h>

/* How to reach each state from a new record (which starts in loading). */
static const plugin_state_t path_to[PLUGIN_STATE_COUNT][3] = {
    [PLUGIN_LOADING] = {PLUGIN_STATE_COUNT},
    [PLUGIN_CONFIGURING] = {PLUGIN_CONFIGURING, PLUGIN_STATE_COUNT},
    [PLUGIN_READY] = {PLUGIN_CONFIGURING, PLUGIN_READY, PLUGIN_STATE_COUNT},
    [PLUGIN_UNLOADING] = {PLUGIN_UNLOADING, PLUGIN_STATE_COUNT},
    [PLUGIN_FAILED] = {PLUGIN_FAILED, PLUGIN_STATE_COUNT},
};

/* The expected answer for every edge, written out as a table of its own
 * (not derived from the code's table). */
static const struct {
  plugin_state_t from, to;
  bool legal;
} edges[] = {
    {PLUGIN_LOADING, PLUGIN_LOADING, false},
    {PLUGIN_LOADING, PLUGIN_CONFIGURING, true},
    {PLUGIN_LOADING, PLUGIN_READY, false},
    {PLUGIN_LOADING, PLUGIN_UNLOADING, true},
    {PLUGIN_LOADING, PLUGIN_FAILED, true},
    {PLUGIN_CONFIGURING, PLUGIN_LOADING, false},
    {PLUGIN_CONFIGURING, PLUGIN_CONFIGURING, false},
    {PLUGIN_CONFIGURING, PLUGIN_READY, true},
    {PLUGIN_CONFIGURING, PLUGIN_UNLOADING, false},
    {PLUGIN_CONFIGURING, PLUGIN_FAILED, true},
    {PLUGIN_READY, PLUGIN_LOADING, false},
    {PLUGIN_READY, PLUGIN_CONFIGURING, false},
    {PLUGIN_READY, PLUGIN_READY, false},
    {PLUGIN_READY, PLUGIN_UNLOADING, true},
    {PLUGIN_READY, PLUGIN_FAILED, true},
    {PLUGIN_UNLOADING, PLUGIN_LOADING, false},
    {PLUGIN_UNLOADING, PLUGIN_CONFIGURING, false},
    {PLUGIN_UNLOADING, PLUGIN_READY, false},
    {PLUGIN_UNLOADING, PLUGIN_UNLOADING, false},
    {PLUGIN_UNLOADING, PLUGIN_FAILED, true},
    {PLUGIN_FAILED, PLUGIN_LOADING, false},
    {PLUGIN_FAILED, PLUGIN_CONFIGURING, true},
    {PLUGIN_FAILED, PLUGIN_READY, false},
    {PLUGIN_FAILED, PLUGIN_UNLOADING, true},
    {PLUGIN_FAILED, PLUGIN_FAILED, false},
};

static plugin_t *record_in(plugin_state_t state) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create("lifecycle_test", &p), 0);
  for (int i = 0; path_to[state][i] != PLUGIN_STATE_COUNT; i++)
    ck_assert_int_eq(plugin__set_state(p, path_to[state][i]), 0);
  ck_assert_int_eq(atomic_load(&p->state), state);
  return p;
}

START_TEST(test_edge) {
  plugin_t *p = record_in(edges[_i].from);
  int status = plugin__set_state(p, edges[_i].to);
  if (edges[_i].legal) {
    ck_assert_msg(status == 0, "%s -> %s should be legal",
                  plugin_state_name(edges[_i].from),
                  plugin_state_name(edges[_i].to));
    ck_assert_int_eq(atomic_load(&p->state), edges[_i].to);
  } else {
    ck_assert_msg(status == -EINVAL, "%s -> %s should be refused",
                  plugin_state_name(edges[_i].from),
                  plugin_state_name(edges[_i].to));
    ck_assert_int_eq(atomic_load(&p->state), edges[_i].from);
  }
  plugin__record_destroy(p);
  ck_assert_ptr_null(plugin__record_find("lifecycle_test"));
}
END_TEST

START_TEST(test_state_names) {
  ck_assert_str_eq(plugin_state_name(PLUGIN_LOADING), "loading");
  ck_assert_str_eq(plugin_state_name(PLUGIN_CONFIGURING), "configuring");
  ck_assert_str_eq(plugin_state_name(PLUGIN_READY), "ready");
  ck_assert_str_eq(plugin_state_name(PLUGIN_UNLOADING), "unloading");
  ck_assert_str_eq(plugin_state_name(PLUGIN_FAILED), "failed");
  ck_assert_str_eq(plugin_state_name(PLUGIN_STATE_COUNT), "invalid");
}
END_TEST

START_TEST(test_name_reserved) {
  plugin_t *p = NULL, *q = NULL;
  ck_assert_int_eq(plugin__record_create("dup", &p), 0);
  ck_assert_int_eq(plugin__record_create("DUP", &q), -EEXIST);
  ck_assert_ptr_eq(plugin__record_find("dup"), p);
  ck_assert_int_eq(plugin__record_create("", &q), -EINVAL);
  plugin__record_destroy(p);
}
END_TEST

/* ---- skipping ------------------------------------------------------------- */

static int notified;
static int notification_cb(const notification_t *n, user_data_t *ud) {
  notified++;
  return 0;
}
static int flushed;
static int flush_cb(cdtime_t timeout, const char *id, user_data_t *ud) {
  flushed++;
  return 0;
}
static int missed;
static int missing_cb(const value_list_t *vl, user_data_t *ud) {
  missed++;
  return 0;
}
static int freed;
static void free_cb(void *data) { freed++; }

START_TEST(test_skip_unless_ready) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create("skipper", &p), 0);

  /* Register as the plugin would from module_register(). */
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  user_data_t ud = {.data = &freed, .free_func = free_cb};
  ck_assert_int_eq(plugin_register_notification("skipper", notification_cb,
                                                &ud),
                   0);
  ck_assert_int_eq(plugin_register_flush("skipper", flush_cb, NULL), 0);
  ck_assert_int_eq(plugin_register_missing("skipper", missing_cb, NULL), 0);
  plugin__leave(saved);

  notification_t n = {.severity = NOTIF_OKAY};
  value_list_t vl = VALUE_LIST_INIT;

  /* loading, configuring, failed: skipped. */
  plugin_dispatch_notification(&n);
  plugin_flush(NULL, 0, NULL);
  plugin_dispatch_missing(&vl);
  ck_assert_int_eq(notified + flushed + missed, 0);
  plugin__set_state(p, PLUGIN_CONFIGURING);
  plugin_dispatch_notification(&n);
  ck_assert_int_eq(notified, 0);

  plugin__set_state(p, PLUGIN_READY);
  plugin_dispatch_notification(&n);
  plugin_flush("skipper", 0, NULL);
  plugin_dispatch_missing(&vl);
  ck_assert_int_eq(notified, 1);
  ck_assert_int_eq(flushed, 1);
  ck_assert_int_eq(missed, 1);

  plugin__set_state(p, PLUGIN_FAILED);
  plugin_dispatch_notification(&n);
  plugin_flush(NULL, 0, NULL);
  ck_assert_int_eq(notified, 1);
  ck_assert_int_eq(flushed, 1);

  /* Removing the owner's callbacks frees the user data exactly once. */
  cb_list_remove_owner(p);
  ck_assert_int_eq(freed, 1);
  plugin__record_destroy(p);
  cb_list_destroy_all();
}
END_TEST

START_TEST(test_flush_interval_adds_periodic_flush) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create("flusher", &p), 0);
  p->ctx.flush_interval = TIME_T_TO_CDTIME_T_STATIC(5);

  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  ck_assert_int_eq(plugin_register_flush("flusher", flush_cb, NULL), 0);
  plugin__leave(saved);

  /* A read callback named flush-<name> now flushes it every 5 s; it is
   * owned by the plugin and goes away with its flush callback. */
  ck_assert_uint_eq(read_sched_size(), 1);
  read_sched_lock();
  read_cb_t *rc = read_sched_peek();
  ck_assert_str_eq(rc->name, "flush-flusher");
  ck_assert_ptr_eq(rc->owner, p);
  ck_assert_uint_eq(rc->interval, TIME_T_TO_CDTIME_T_STATIC(5));
  read_sched_unlock();

  ck_assert_int_eq(plugin_unregister_flush("flusher"), 0);
  ck_assert_uint_eq(read_sched_size(), 0);
  plugin__record_destroy(p);
  cb_list_destroy_all();
}
END_TEST

START_TEST(test_register_unloadable) {
  plugin_t *p = NULL, *other = NULL;
  ck_assert_int_eq(plugin__record_create("mine", &p), 0);
  ck_assert_int_eq(plugin__record_create("theirs", &other), 0);

  /* Outside any plugin's module_register(): refused. */
  ck_assert_int_eq(plugin_register_unloadable("mine"), -EINVAL);
  ck_assert(!p->unloadable);

  /* From "mine" while it loads: for itself yes, for another plugin no. */
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  ck_assert_int_eq(plugin_register_unloadable("theirs"), -EPERM);
  ck_assert_int_eq(plugin_register_unloadable(NULL), -EPERM);
  ck_assert(!other->unloadable);
  ck_assert_int_eq(plugin_register_unloadable("MINE"), 0);
  ck_assert(p->unloadable);
  plugin__leave(saved);

  /* Once past loading (say from an init callback): refused. */
  ck_assert_int_eq(plugin__set_state(other, PLUGIN_CONFIGURING), 0);
  saved = plugin__enter(other, other->ctx);
  ck_assert_int_eq(plugin_register_unloadable("theirs"), -EINVAL);
  plugin__leave(saved);
  ck_assert(!other->unloadable);

  plugin__record_destroy(p);
  plugin__record_destroy(other);
}
END_TEST

static Suite *lifecycle_suite(void) {
  Suite *s = suite_create("lifecycle");
  TCase *tc = tcase_create("transitions");
  tcase_add_loop_test(tc, test_edge, 0, (int)STATIC_ARRAY_SIZE(edges));
  tcase_add_test(tc, test_state_names);
  tcase_add_test(tc, test_name_reserved);
  tcase_add_test(tc, test_register_unloadable);
  suite_add_tcase(s, tc);
  TCase *skip = tcase_create("skipping");
  tcase_add_test(skip, test_skip_unless_ready);
  tcase_add_test(skip, test_flush_interval_adds_periodic_flush);
  suite_add_tcase(s, skip);
  return s;
}

int main(void) {
  _Static_assert(PLUGIN_STATE_COUNT * PLUGIN_STATE_COUNT == 25,
                 "the edge table covers every pair");
  return check_main_run(lifecycle_suite());
}
