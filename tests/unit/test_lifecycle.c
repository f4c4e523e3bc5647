/* The plugin state machine: every (state, target) pair, legal or not, and
 * the skipping of callbacks whose plugin is not ready. */
#include "plugin_internal.h"
#include "plugin_dynamic.h"
#include "plugin_read.h"
#include "types_list.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>

/* How to reach each state from a new record (which starts in loading). */
static const plugin_state_t path_to[PLUGIN_STATE_COUNT][4] = {
    [PLUGIN_LOADING] = {PLUGIN_STATE_COUNT},
    [PLUGIN_CONFIGURING] = {PLUGIN_CONFIGURING, PLUGIN_STATE_COUNT},
    [PLUGIN_READY] = {PLUGIN_CONFIGURING, PLUGIN_READY, PLUGIN_STATE_COUNT},
    [PLUGIN_UNLOADING] = {PLUGIN_CONFIGURING, PLUGIN_READY, PLUGIN_UNLOADING,
                          PLUGIN_STATE_COUNT},
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
    {PLUGIN_LOADING, PLUGIN_UNLOADING, false},
    {PLUGIN_LOADING, PLUGIN_FAILED, true},
    {PLUGIN_CONFIGURING, PLUGIN_LOADING, false},
    {PLUGIN_CONFIGURING, PLUGIN_CONFIGURING, false},
    {PLUGIN_CONFIGURING, PLUGIN_READY, true},
    {PLUGIN_CONFIGURING, PLUGIN_UNLOADING, true}, /* the exit, after -t */
    {PLUGIN_CONFIGURING, PLUGIN_FAILED, true},
    {PLUGIN_READY, PLUGIN_LOADING, false},
    {PLUGIN_READY, PLUGIN_CONFIGURING, false},
    {PLUGIN_READY, PLUGIN_READY, false},
    {PLUGIN_READY, PLUGIN_UNLOADING, true},
    {PLUGIN_READY, PLUGIN_FAILED, true}, /* an isolated plugin's host died */
    {PLUGIN_UNLOADING, PLUGIN_LOADING, false},
    {PLUGIN_UNLOADING, PLUGIN_CONFIGURING, false},
    {PLUGIN_UNLOADING, PLUGIN_READY, true},
    {PLUGIN_UNLOADING, PLUGIN_UNLOADING, false},
    {PLUGIN_UNLOADING, PLUGIN_FAILED, true},
    {PLUGIN_FAILED, PLUGIN_LOADING, false},
    {PLUGIN_FAILED, PLUGIN_CONFIGURING, false},
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

/* Every dispatch path, each with a callback of the plugin "skipper" that
 * counts its calls. */
static int calls[7];
enum { NOTIFY, FLUSH, MISSING, LOG, WRITE, CACHE_EVENT, READ };
static const char *const path_names[] = {"notification", "flush", "missing",
                                         "log", "write", "cache_event",
                                         "read"};

static int notification_cb(const notification_t *n, user_data_t *ud) {
  calls[NOTIFY]++;
  return 0;
}
static int flush_cb(cdtime_t timeout, const char *id, user_data_t *ud) {
  calls[FLUSH]++;
  return 0;
}
static int missing_cb(const value_list_t *vl, user_data_t *ud) {
  calls[MISSING]++;
  return 0;
}
static void log_cb(int severity, const char *msg, user_data_t *ud) {
  calls[LOG]++;
}
static int write_cb(const data_set_t *ds, const value_list_t *vl,
                    user_data_t *ud) {
  calls[WRITE]++;
  return 0;
}
static int cache_event_cb(cache_event_t *event, user_data_t *ud) {
  calls[CACHE_EVENT]++;
  return 0;
}
static int read_cb(user_data_t *ud) {
  calls[READ]++;
  return 0;
}
static int freed;
static void free_cb(void *data) { freed++; }

/* Sends one call down every path. */
static void dispatch_everything(void) {
  static data_source_t dsrc = {.name = "value", .type = DS_TYPE_GAUGE};
  static data_set_t ds = {.type = "gauge", .ds_num = 1, .ds = &dsrc};
  value_t v = {.gauge = 1};
  value_list_t vl = {.values = &v, .values_len = 1, .time = cdtime()};
  sstrncpy(vl.plugin, "test", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  notification_t n = {.severity = NOTIF_OKAY};

  memset(calls, 0, sizeof(calls));
  plugin_dispatch_notification(&n);
  plugin_flush(NULL, 0, NULL);
  plugin_dispatch_missing(&vl);
  plugin_log(LOG_ERR, "a message");
  plugin_write(NULL, &ds, &vl);
  plugin_dispatch_cache_event(CE_VALUE_NEW, 0, "test/gauge", &vl);
  plugin_read_all_once();
}

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
  ck_assert_int_eq(plugin_register_log("skipper", log_cb, NULL), 0);
  ck_assert_int_eq(plugin_register_write("skipper", write_cb, NULL), 0);
  ck_assert_int_eq(
      plugin_register_cache_event("skipper", cache_event_cb, NULL), 0);
  ck_assert_int_eq(plugin_register_complex_read(NULL, "skipper", read_cb, 0,
                                                NULL),
                   0);
  plugin__leave(saved);
  plugin__log_enable(true);

  /* Through a whole life: only in ready is anything called. */
  const plugin_state_t life[] = {PLUGIN_LOADING, PLUGIN_CONFIGURING,
                                 PLUGIN_READY, PLUGIN_UNLOADING,
                                 PLUGIN_FAILED};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(life); i++) {
    if (i > 0)
      ck_assert_int_eq(plugin__set_state(p, life[i]), 0);
    dispatch_everything();
    for (size_t k = 0; k < STATIC_ARRAY_SIZE(calls); k++)
      ck_assert_msg(calls[k] == (life[i] == PLUGIN_READY),
                    "%s path in state %s: %d calls", path_names[k],
                    plugin_state_name(life[i]), calls[k]);
    /* No call is left counted in flight. */
    ck_assert_int_eq(atomic_load(&p->calls), 0);
  }
  plugin__log_enable(false);

  /* Removing the owner's callbacks frees the user data exactly once, and
   * the record's count of callbacks goes back to zero. */
  long registered = atomic_load(&p->callbacks);
  ck_assert_int_eq(registered, 7);
  cb_list_remove_owner(p);
  plugin__read_remove_owner(p);
  ck_assert_int_eq(freed, 1);
  ck_assert_int_eq(atomic_load(&p->callbacks), 0);
  plugin__record_destroy(p);
  cb_list_destroy_all();
}
END_TEST

/* A call under way is counted, and named, until it returns. */
START_TEST(test_call_bracket) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create("bracket", &p), 0);
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  ck_assert_int_eq(plugin_register_write("bracket", write_cb, NULL), 0);
  plugin__leave(saved);

  cb_snapshot_t *s = cb_list_acquire(CB_WRITE);
  ck_assert_uint_eq(s->num, 1);
  callback_t *cb = s->cb[0];
  ck_assert(!cb_begin(cb)); /* loading */
  ck_assert_int_eq(atomic_load(&p->calls), 0);

  plugin__set_state(p, PLUGIN_CONFIGURING);
  plugin__set_state(p, PLUGIN_READY);
  ck_assert(cb_begin(cb));
  ck_assert_int_eq(atomic_load(&p->calls), 1);
  char names[128];
  ck_assert_uint_eq(cb_list_running(p, names, sizeof(names)), 1);
  ck_assert_str_eq(names, "write callback \"bracket\"");
  /* Unloading stops new calls but not the one under way. */
  plugin__set_state(p, PLUGIN_UNLOADING);
  ck_assert(!cb_begin(cb));
  ck_assert_int_eq(atomic_load(&p->calls), 1);
  cb_end(cb);
  ck_assert_int_eq(atomic_load(&p->calls), 0);
  ck_assert_uint_eq(cb_list_running(p, names, sizeof(names)), 0);
  cb_list_release(s);

  cb_list_remove_owner(p);
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

/* ---- what an unload takes away ------------------------------------------ */

/* A data set a plugin registers goes with it; one it replaced comes
 * back. */
START_TEST(test_data_sets_go_with_their_plugin) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create("typer", &p), 0);
  data_source_t one = {.name = "value", .type = DS_TYPE_GAUGE};
  data_source_t two[2] = {{.name = "rx", .type = DS_TYPE_DERIVE},
                          {.name = "tx", .type = DS_TYPE_DERIVE}};
  data_set_t base = {.type = "shared_type", .ds_num = 1, .ds = &one};
  data_set_t mine = {.type = "own_type", .ds_num = 1, .ds = &one};
  data_set_t over = {.type = "shared_type", .ds_num = 2, .ds = two};
  ck_assert_int_eq(plugin_register_data_set(&base), 0); /* the core's */

  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  ck_assert_int_eq(plugin_register_data_set(&mine), 0);
  ck_assert_int_eq(plugin_register_data_set(&over), 0);
  plugin__leave(saved);
  ck_assert_uint_eq(plugin_get_ds("shared_type")->ds_num, 2);

  types_remove_owner(p);
  ck_assert_ptr_null(plugin_get_ds("own_type"));
  const data_set_t *back = plugin_get_ds("shared_type");
  ck_assert_ptr_nonnull(back);
  ck_assert_uint_eq(back->ds_num, 1);
  ck_assert_str_eq(back->ds[0].name, "value");

  plugin__record_destroy(p);
  types_destroy_all();
}
END_TEST

/* Threads started through plugin_thread_create() are listed on their
 * plugin until they end, however they end. */
static atomic_bool release_threads;
static void *waiting_thread(void *arg) {
  while (!atomic_load(&release_threads))
    nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
  if (arg != NULL)
    pthread_exit(NULL);
  return NULL;
}

START_TEST(test_threads_are_tracked) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create("threader", &p), 0);
  pthread_t a, b;
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  ck_assert_int_eq(plugin_thread_create(&a, waiting_thread, NULL,
                                        "threader returns"),
                   0);
  ck_assert_int_eq(plugin_thread_create(&b, waiting_thread, &a,
                                        "threader exits"),
                   0);
  plugin__leave(saved);

  char names[128];
  ck_assert_uint_eq(plugin__threads_alive(p, names, sizeof(names)), 2);
  ck_assert_ptr_nonnull(strstr(names, "\"threader returns\""));
  ck_assert_ptr_nonnull(strstr(names, "\"threader exits\""));

  atomic_store(&release_threads, true);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  ck_assert_uint_eq(plugin__threads_alive(p, names, sizeof(names)), 0);
  ck_assert_str_eq(names, "");
  plugin__record_destroy(p);
}
END_TEST

/* A cache event callback keeps its bit in the cache's masks when another
 * one is unregistered before it. */
static int first_events, second_events;
static int first_event_cb(cache_event_t *event, user_data_t *ud) {
  first_events++;
  return 0;
}
static int second_event_cb(cache_event_t *event, user_data_t *ud) {
  second_events++;
  event->ret = 1; /* wants updates */
  return 0;
}

START_TEST(test_cache_event_bits_stay) {
  ck_assert_int_eq(plugin_register_cache_event("first", first_event_cb, NULL),
                   0);
  ck_assert_int_eq(
      plugin_register_cache_event("second", second_event_cb, NULL), 0);
  cb_snapshot_t *s = cb_list_acquire(CB_CACHE_EVENT);
  ck_assert_uint_eq(s->num, 2);
  int slot = s->cb[1]->slot;
  ck_assert_int_ne(slot, s->cb[0]->slot);
  cb_list_release(s);

  ck_assert_int_eq(plugin_unregister_cache_event("first"), 0);
  value_list_t vl = VALUE_LIST_INIT;
  plugin_dispatch_cache_event(CE_VALUE_UPDATE, 1UL << slot, "x/y", &vl);
  ck_assert_int_eq(second_events, 1);
  ck_assert_int_eq(first_events, 0);

  /* A newcomer takes a free bit, not the one "second" holds. */
  ck_assert_int_eq(plugin_register_cache_event("third", first_event_cb, NULL),
                   0);
  plugin_dispatch_cache_event(CE_VALUE_UPDATE, 1UL << slot, "x/y", &vl);
  ck_assert_int_eq(second_events, 2);
  ck_assert_int_eq(first_events, 0);
  cb_list_destroy_all();
}
END_TEST

/* RELOAD compares configurations by what they say, not where. */
START_TEST(test_conf_equal) {
  oconfig_item_t *a = NULL, *b = NULL, *c = NULL;
  char err[256];
  ck_assert_int_eq(oconfig_parse_string("<Plugin x>\n  Foo 1\n  Bar \"s\"\n"
                                        "</Plugin>\n",
                                        "a", &a, err, sizeof(err)),
                   0);
  ck_assert_int_eq(oconfig_parse_string("\n\n<Plugin x>\n  foo 1.0\n"
                                        "  Bar \"s\"\n</Plugin>\n",
                                        "b", &b, err, sizeof(err)),
                   0);
  ck_assert_int_eq(oconfig_parse_string("<Plugin x>\n  Foo 1\n  Bar \"S\"\n"
                                        "</Plugin>\n",
                                        "c", &c, err, sizeof(err)),
                   0);
  oconfig_item_t *ba = a->children, *bb = b->children, *bc = c->children;
  plugin_conf_t ca = {.name = "x", .blocks = &ba, .blocks_num = 1};
  plugin_conf_t cb = {.name = "x", .blocks = &bb, .blocks_num = 1};
  plugin_conf_t cc = {.name = "x", .blocks = &bc, .blocks_num = 1};
  ck_assert(plugin_conf_equal(&ca, &cb));
  ck_assert(!plugin_conf_equal(&ca, &cc)); /* strings keep their case */

  plugin_conf_t copy;
  ck_assert_int_eq(plugin_conf_copy(&copy, &ca), 0);
  ck_assert(plugin_conf_equal(&copy, &ca));
  copy.interval = TIME_T_TO_CDTIME_T_STATIC(3);
  ck_assert(!plugin_conf_equal(&copy, &ca));
  copy.interval = 0;
  copy.global = true;
  ck_assert(!plugin_conf_equal(&copy, &ca));
  plugin_conf_free(&copy);
  ck_assert_uint_eq(copy.blocks_num, 0);

  plugin_conf_t none = {.name = "x"};
  ck_assert(!plugin_conf_equal(&none, &ca));
  oconfig_free(a);
  oconfig_free(b);
  oconfig_free(c);
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
  tcase_add_test(skip, test_call_bracket);
  TCase *unload = tcase_create("unloading");
  tcase_add_test(unload, test_data_sets_go_with_their_plugin);
  tcase_add_test(unload, test_threads_are_tracked);
  tcase_add_test(unload, test_conf_equal);
  tcase_add_test(unload, test_cache_event_bits_stay);
  suite_add_tcase(s, unload);
  tcase_add_test(skip, test_flush_interval_adds_periodic_flush);
  suite_add_tcase(s, skip);
  return s;
}

int main(void) {
  _Static_assert(PLUGIN_STATE_COUNT * PLUGIN_STATE_COUNT == 25,
                 "the edge table covers every pair");
  return check_main_run(lifecycle_suite());
}
