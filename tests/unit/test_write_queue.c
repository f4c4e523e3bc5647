/* The write queue: delivery of everything accepted, and the drop rules of
 * WriteQueueLimitLow/High. */
#include "plugin_internal.h"
#include "utils_cache.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>

static _Atomic long written;
/* Nanoseconds each write takes, so that values stay queued a while. */
static _Atomic long write_pause_ns;
static int count_write(const data_set_t *ds, const value_list_t *vl,
                       user_data_t *ud) {
  ck_assert_str_eq(ds->type, "gauge");
  ck_assert_uint_eq(vl->values_len, 1);
  long ns = atomic_load(&write_pause_ns);
  if (ns > 0)
    nanosleep(&(struct timespec){.tv_sec = ns / 1000000000,
                                 .tv_nsec = ns % 1000000000},
              NULL);
  atomic_fetch_add(&written, 1);
  return 0;
}

static void setup(void) {
  data_source_t src = {.name = "value", .type = DS_TYPE_GAUGE, .min = NAN,
                       .max = NAN};
  data_set_t ds = {.type = "gauge", .ds_num = 1, .ds = &src};
  ck_assert_int_eq(plugin_register_data_set(&ds), 0);
  ck_assert_int_eq(plugin_register_write("counter", count_write, NULL), 0);
  interval_g = TIME_T_TO_CDTIME_T_STATIC(10);
  timeout_g = 2;
  hostname_set("testhost");
  uc_init();
  atomic_store(&written, 0);
  atomic_store(&write_pause_ns, 0);
}

static int dispatch(int i) {
  value_t v = {.gauge = i};
  value_list_t vl = {.values = &v, .values_len = 1, .time = 0};
  snprintf(vl.plugin, sizeof(vl.plugin), "wq");
  snprintf(vl.type, sizeof(vl.type), "gauge");
  snprintf(vl.type_instance, sizeof(vl.type_instance), "%d", i % 50);
  return plugin_dispatch_values(&vl);
}

START_TEST(test_everything_accepted_is_delivered) {
  ck_assert_int_eq(plugin__write_start(3), 0);
  for (int i = 0; i < 20000; i++)
    ck_assert_int_eq(dispatch(i), 0);
  ck_assert_int_eq(plugin__write_stop(TIME_T_TO_CDTIME_T_STATIC(10)), 0);
  ck_assert_int_eq(atomic_load(&written), 20000);
}
END_TEST

/* Whether `n` value lists have been written, waiting for it with a bound
 * far beyond any scheduling delay: a push whose wake-up got lost stays
 * queued until the threads stop. */
static bool written_reaches(long n) {
  cdtime_t deadline = cdtime() + TIME_T_TO_CDTIME_T_STATIC(20);
  while (atomic_load(&written) < n) {
    if (cdtime() > deadline)
      return false;
    nanosleep(&(struct timespec){.tv_nsec = 10 * 1000}, NULL);
  }
  return true;
}

/* A pause of 0 to 105 us, varied with i: around the time a write thread
 * that ran out of work takes to look once more and go to sleep, so that
 * pushes meet the threads in every phase of it. Not a wait for anything. */
static void vary(int i) {
  long ns = (i % 8) * 15 * 1000;
  if (ns > 0)
    nanosleep(&(struct timespec){.tv_nsec = ns}, NULL);
}

/* Each value dispatched to idle write threads is delivered on its own,
 * whether the threads are still looking for work or asleep. */
START_TEST(test_idle_threads_are_woken) {
  ck_assert_int_eq(plugin__write_start(3), 0);
  for (int i = 0; i < 2000; i++) {
    ck_assert_int_eq(dispatch(i), 0);
    ck_assert_msg(written_reaches(i + 1), "value %d was not delivered", i);
    vary(i);
  }
  ck_assert_int_eq(plugin__write_stop(TIME_T_TO_CDTIME_T_STATIC(10)), 0);
}
END_TEST

static void *dispatch_some(void *arg) {
  int first = *(int *)arg;
  for (int i = first; i < first + 5000; i++) {
    ck_assert_int_eq(dispatch(i), 0);
    if (i % 16 == 0)
      vary(i / 16);
  }
  return NULL;
}

/* Two dispatching threads, in spurts: everything is delivered before the
 * threads are told to stop. */
START_TEST(test_spurts_from_two_threads_delivered) {
  ck_assert_int_eq(plugin__write_start(2), 0);
  pthread_t t[2];
  int first[2] = {0, 5000};
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, dispatch_some, &first[i]),
                     0);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  ck_assert_msg(written_reaches(10000), "%ld of 10000 delivered",
                atomic_load(&written));
  ck_assert_int_eq(plugin__write_stop(TIME_T_TO_CDTIME_T_STATIC(10)), 0);
}
END_TEST

/* An unload's drain returns only when everything queued before it has
 * been handed to the write callbacks. */
START_TEST(test_drain_delivers_what_was_queued) {
  atomic_store(&write_pause_ns, 20 * 1000);
  ck_assert_int_eq(plugin__write_start(3), 0);
  for (int i = 0; i < 5000; i++)
    ck_assert_int_eq(dispatch(i), 0);
  /* Otherwise this test would not test anything. */
  ck_assert_int_gt(plugin__write_queued(), 0);
  ck_assert_int_eq(plugin__write_drain(TIME_T_TO_CDTIME_T_STATIC(30)), 0);
  ck_assert_int_eq(atomic_load(&written), 5000);
  atomic_store(&write_pause_ns, 0);
  ck_assert_int_eq(plugin__write_stop(TIME_T_TO_CDTIME_T_STATIC(10)), 0);
}
END_TEST

/* A drain that cannot finish in time says so. */
START_TEST(test_drain_times_out) {
  atomic_store(&write_pause_ns, 100 * 1000 * 1000);
  ck_assert_int_eq(plugin__write_start(1), 0);
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(dispatch(i), 0);
  ck_assert_int_eq(plugin__write_drain(MS_TO_CDTIME_T(10)), -ETIMEDOUT);
  ck_assert_int_lt(atomic_load(&written), 5);
  atomic_store(&write_pause_ns, 0);
  ck_assert_int_eq(plugin__write_stop(TIME_T_TO_CDTIME_T_STATIC(10)), 0);
  ck_assert_int_eq(atomic_load(&written), 5);
}
END_TEST

START_TEST(test_limits_drop) {
  /* No write thread runs, so the queue only grows. Below Low everything
   * is queued, at or above High everything is dropped, in between some. */
  plugin__write_set_limits(200, 100);
  for (int i = 0; i < 1000; i++)
    ck_assert_int_eq(dispatch(i), 0); /* a drop is not an error */
  long accepted = plugin__write_queued();
  ck_assert_int_ge(accepted, 100);
  ck_assert_int_le(accepted, 200);
  ck_assert_int_eq(plugin__write_dropped(), 1000 - accepted);

  /* Starting the threads delivers exactly what was accepted. */
  ck_assert_int_eq(plugin__write_start(1), 0);
  ck_assert_int_eq(plugin__write_stop(TIME_T_TO_CDTIME_T_STATIC(10)), 0);
  ck_assert_int_eq(atomic_load(&written), accepted);
}
END_TEST

START_TEST(test_single_limit_means_both) {
  plugin__write_set_limits(0, 50);
  for (int i = 0; i < 300; i++)
    dispatch(i);
  ck_assert_int_eq(plugin__write_queued(), 50);
  ck_assert_int_eq(plugin__write_dropped(), 250);
  ck_assert_int_eq(plugin__write_stop(0), 50); /* dropped at stop */
}
END_TEST

START_TEST(test_bad_value_lists_refused) {
  value_t v[2] = {{.gauge = 1}, {.gauge = 2}};
  value_list_t vl = {.values = v, .values_len = 2};
  snprintf(vl.plugin, sizeof(vl.plugin), "wq");
  snprintf(vl.type, sizeof(vl.type), "gauge");
  ck_assert_int_eq(plugin_dispatch_values(&vl), -EINVAL); /* 2 values */
  snprintf(vl.type, sizeof(vl.type), "no_such_type");
  vl.values_len = 1;
  ck_assert_int_eq(plugin_dispatch_values(&vl), -ENOENT);
  vl.type[0] = '\0';
  ck_assert_int_eq(plugin_dispatch_values(&vl), -EINVAL);
  vl.values_len = 0;
  snprintf(vl.type, sizeof(vl.type), "gauge");
  ck_assert_int_eq(plugin_dispatch_values(&vl), -EINVAL);

  /* An empty plugin name is not an error (collectd accepts "h//gauge"). */
  vl.values_len = 1;
  vl.plugin[0] = '\0';
  ck_assert_int_eq(plugin_dispatch_values(&vl), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("write_queue");
  TCase *tc = tcase_create("queue");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_everything_accepted_is_delivered);
  tcase_add_test(tc, test_idle_threads_are_woken);
  tcase_add_test(tc, test_spurts_from_two_threads_delivered);
  tcase_add_test(tc, test_drain_delivers_what_was_queued);
  tcase_add_test(tc, test_drain_times_out);
  tcase_add_test(tc, test_limits_drop);
  tcase_add_test(tc, test_single_limit_means_both);
  tcase_add_test(tc, test_bad_value_lists_refused);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
