/* The read schedule, driven with explicit times: order, per-callback
 * intervals, back-off after failures up to MaxReadInterval, and recovery. */
#include "plugin_read.h"

#include "check_main.h"
#include <check.h>

#define S(x) TIME_T_TO_CDTIME_T_STATIC(x)

static int dummy_read(void) { return 0; }

static read_cb_t *entry(const char *name, cdtime_t interval) {
  read_cb_t *rc = calloc(1, sizeof(*rc));
  ck_assert_ptr_nonnull(rc);
  rc->name = strdup(name);
  rc->interval = interval;
  rc->fn.simple = dummy_read;
  return rc;
}

/* Takes the next due entry at `now` (asserting it is due) and hands it back
 * with `status`. Returns its name. */
static const char *run_next(cdtime_t *now, int status) {
  read_sched_lock();
  read_cb_t *rc = read_sched_peek();
  ck_assert_ptr_nonnull(rc);
  if (rc->next_due > *now)
    *now = rc->next_due; /* sleep until due */
  rc = read_sched_take();
  ck_assert(rc->running);
  const char *name = rc->name;
  ck_assert(read_sched_done(rc, status, *now));
  read_sched_unlock();
  return name;
}

static void teardown(void) {
  read_sched_clear();
  ck_assert_uint_eq(read_sched_size(), 0);
}

START_TEST(test_order_and_intervals) {
  cdtime_t now = S(1000);
  ck_assert_int_eq(read_sched_insert(entry("fast", S(1)), now), 0);
  ck_assert_int_eq(read_sched_insert(entry("slow", S(3)), now), 0);

  /* Over 6 seconds "fast" runs every second, "slow" every third. */
  int fast = 0, slow = 0;
  for (;;) {
    read_sched_lock();
    cdtime_t due = read_sched_peek()->next_due;
    read_sched_unlock();
    if (due > S(1006))
      break;
    const char *name = run_next(&now, 0);
    if (strcmp(name, "fast") == 0)
      fast++;
    else
      slow++;
  }
  ck_assert_int_eq(fast, 7); /* 1000..1006 */
  ck_assert_int_eq(slow, 3); /* 1000, 1003, 1006 */
  teardown();
}
END_TEST

START_TEST(test_duplicate_name) {
  read_cb_t *dup = entry("same", S(1));
  ck_assert_int_eq(read_sched_insert(entry("same", S(1)), S(1)), 0);
  ck_assert_int_eq(read_sched_insert(dup, S(1)), -EEXIST);
  read_cb_free(dup);
  teardown();
}
END_TEST

START_TEST(test_backoff_and_recovery) {
  read_sched_set_max_interval(S(8));
  cdtime_t now = S(0);
  ck_assert_int_eq(read_sched_insert(entry("flaky", S(1)), now), 0);

  /* Failures double the interval: 2, 4, 8, then capped at 8. */
  const cdtime_t expect[] = {S(2), S(4), S(8), S(8)};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(expect); i++) {
    run_next(&now, -1);
    read_sched_lock();
    read_cb_t *rc = read_sched_peek();
    ck_assert_uint_eq(rc->effective, expect[i]);
    ck_assert_uint_eq(rc->next_due, now + expect[i]);
    ck_assert_uint_eq(rc->failures, i + 1);
    read_sched_unlock();
  }

  /* One success restores the configured interval. */
  run_next(&now, 0);
  read_sched_lock();
  read_cb_t *rc = read_sched_peek();
  ck_assert_uint_eq(rc->effective, S(1));
  ck_assert_uint_eq(rc->failures, 0);
  ck_assert_uint_eq(rc->next_due, now + S(1));
  read_sched_unlock();
  read_sched_set_max_interval(0);
  teardown();
}
END_TEST

START_TEST(test_overrun_does_not_catch_up) {
  cdtime_t now = S(0);
  ck_assert_int_eq(read_sched_insert(entry("slowpoke", S(1)), now), 0);
  read_sched_lock();
  read_cb_t *rc = read_sched_take();
  /* The call took 5.5 intervals: the next one is one interval after it
   * returned, not five missed runs in a row. */
  ck_assert(read_sched_done(rc, 0, S(5) + S(1) / 2));
  ck_assert_uint_eq(read_sched_peek()->next_due, S(6) + S(1) / 2);
  read_sched_unlock();
  teardown();
}
END_TEST

START_TEST(test_remove_while_running) {
  cdtime_t now = S(0);
  ck_assert_int_eq(read_sched_insert(entry("a", S(1)), now), 0);
  ck_assert_int_eq(read_sched_insert(entry("b", S(2)), now + 1), 0);

  read_sched_lock();
  read_cb_t *rc = read_sched_take();
  ck_assert_str_eq(rc->name, "a");
  read_sched_unlock();

  /* Unregistering a running entry only flags it; the name stays taken
   * until its thread hands it back, and then it is not rescheduled. */
  ck_assert_int_eq(read_sched_remove_name("a", NULL), 1);
  ck_assert(rc->removed);
  read_sched_lock();
  ck_assert(!read_sched_done(rc, 0, now));
  read_sched_unlock();
  read_cb_free(rc);

  ck_assert_uint_eq(read_sched_size(), 1);
  ck_assert_int_eq(read_sched_remove_name("a", NULL), 0);
  ck_assert_int_eq(read_sched_remove_name("b", NULL), 1);
  ck_assert_uint_eq(read_sched_size(), 0);
  teardown();
}
END_TEST

START_TEST(test_many_entries_stay_ordered) {
  /* Random intervals; every take must be the earliest due entry. */
  srand(42);
  for (int i = 0; i < 500; i++) {
    char name[32];
    snprintf(name, sizeof(name), "e%d", i);
    ck_assert_int_eq(
        read_sched_insert(entry(name, S(1 + rand() % 50)), S(rand() % 100)),
        0);
  }
  cdtime_t last = 0;
  cdtime_t now = 0;
  for (int i = 0; i < 5000; i++) {
    read_sched_lock();
    read_cb_t *rc = read_sched_take();
    ck_assert_uint_ge(rc->next_due, last);
    last = rc->next_due;
    if (now < last)
      now = last;
    ck_assert(read_sched_done(rc, 0, now));
    read_sched_unlock();
  }
  teardown();
}
END_TEST

/* The entries of a plugin that is still loading are not due until it
 * becomes ready, which moves them to "now"; the entries of a ready plugin
 * keep their times. */
START_TEST(test_due_owner) {
  plugin_t *mine = NULL, *other = NULL;
  ck_assert_int_eq(plugin__record_create("mine", &mine), 0);
  ck_assert_int_eq(plugin__record_create("other", &other), 0);
  ck_assert_int_eq(plugin__set_state(other, PLUGIN_CONFIGURING), 0);
  ck_assert_int_eq(plugin__set_state(other, PLUGIN_READY), 0);
  cdtime_t now = S(1000);
  const char *names[] = {"a", "b", "c", "d", "e", "f"};
  for (int i = 0; i < 6; i++) {
    read_cb_t *rc = entry(names[i], S(10));
    rc->owner = i % 2 ? mine : other;
    ck_assert_int_eq(read_sched_insert(rc, now + S(6 - i)), 0);
  }
  /* f, mine, was inserted with the earliest time, but waits. */
  ck_assert_str_eq(read_sched_peek()->name, "e");
  ck_assert_int_eq(read_sched_due_owner(mine, now), 3);
  /* Entries due before `when` already stay where they are. */
  ck_assert_int_eq(read_sched_due_owner(mine, now + S(100)), 0);

  /* Mine (b, d, f) first, all due now; then e, c, a in their order. */
  for (int i = 0; i < 6; i++) {
    read_sched_lock();
    read_cb_t *rc = read_sched_take();
    ck_assert_ptr_nonnull(rc);
    if (i < 3) {
      ck_assert_ptr_eq(rc->owner, mine);
      ck_assert_uint_eq(rc->next_due, now);
    } else {
      ck_assert_str_eq(rc->name, names[4 - 2 * (i - 3)]);
    }
    /* Back, but far in the future: each is taken once. */
    ck_assert(read_sched_done(rc, 0, now + S(1000)));
    read_sched_unlock();
  }
  teardown();
  plugin__record_destroy(mine);
  plugin__record_destroy(other);
}
END_TEST

/* ---- with the read threads ------------------------------------------------ */

static int count_read(user_data_t *ud) {
  atomic_fetch_add((_Atomic int *)ud->data, 1);
  return 0;
}

static read_cb_t *counted(const char *name, cdtime_t interval,
                          _Atomic int *count) {
  read_cb_t *rc = entry(name, interval);
  rc->complex = true;
  rc->fn.complex = count_read;
  rc->ud.data = (void *)count;
  return rc;
}

/* Whether *count reaches n within a bound far beyond any scheduling delay:
 * a thread that missed its wake-up would leave it short for an hour. */
static bool reaches(_Atomic int *count, int n) {
  cdtime_t deadline = cdtime() + S(30);
  while (atomic_load(count) < n) {
    if (cdtime() > deadline)
      return false;
    nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
  }
  return true;
}

/* One read thread watches the clock, the others sleep until it takes an
 * entry: entries due together are all read, more of them than threads,
 * and an entry that becomes due earlier than the watched one wakes the
 * watcher. */
START_TEST(test_threads_hand_on_the_watch) {
  static _Atomic int first[12], late, moved;
  char name[32];
  for (int i = 0; i < 12; i++) {
    snprintf(name, sizeof(name), "hourly%d", i);
    ck_assert_int_eq(
        read_sched_insert(counted(name, S(3600), &first[i]), cdtime()), 0);
  }
  ck_assert_int_eq(plugin__read_start(3), 0);
  for (int i = 0; i < 12; i++)
    ck_assert_msg(reaches(&first[i], 1), "entry %d not read", i);

  /* Every thread now waits, one of them for an hour from now. */
  ck_assert_int_eq(read_sched_insert(counted("late", S(3600), &late),
                                     cdtime()),
                   0);
  ck_assert(reaches(&late, 1));

  /* Everything moved to now, as the entries of a plugin that became
   * ready are (the core owns all of these): each is read once more. */
  ck_assert_int_eq(read_sched_insert(counted("moved", S(3600), &moved),
                                     cdtime() + S(3600)),
                   0);
  ck_assert_int_eq(atomic_load(&moved), 0);
  ck_assert_int_eq(read_sched_due_owner(NULL, cdtime()), 14);
  ck_assert(reaches(&moved, 1));
  ck_assert(reaches(&late, 2));
  for (int i = 0; i < 12; i++)
    ck_assert_msg(reaches(&first[i], 2), "entry %d not read again", i);
  plugin__read_stop();
  for (int i = 0; i < 12; i++)
    ck_assert_int_eq(atomic_load(&first[i]), 2);
  teardown();
}
END_TEST

/* Short intervals, fewer threads than entries: every entry keeps being
 * read, and the threads stop. */
START_TEST(test_threads_keep_reading) {
  static _Atomic int count[5];
  const int ms[5] = {1, 2, 3, 5, 7};
  for (int i = 0; i < 5; i++) {
    char name[32];
    snprintf(name, sizeof(name), "every%dms", ms[i]);
    ck_assert_int_eq(read_sched_insert(counted(name, MS_TO_CDTIME_T(ms[i]),
                                               &count[i]),
                                       cdtime()),
                     0);
  }
  ck_assert_int_eq(plugin__read_start(3), 0);
  for (int i = 0; i < 5; i++)
    ck_assert_msg(reaches(&count[i], 50), "entry %d read %d times", i,
                  atomic_load(&count[i]));
  plugin__read_stop();
  teardown();
}
END_TEST

int main(void) {
  Suite *s = suite_create("read_schedule");
  TCase *tc = tcase_create("schedule");
  tcase_add_test(tc, test_order_and_intervals);
  tcase_add_test(tc, test_duplicate_name);
  tcase_add_test(tc, test_backoff_and_recovery);
  tcase_add_test(tc, test_overrun_does_not_catch_up);
  tcase_add_test(tc, test_remove_while_running);
  tcase_add_test(tc, test_many_entries_stay_ordered);
  tcase_add_test(tc, test_due_owner);
  suite_add_tcase(s, tc);
  tc = tcase_create("threads");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_threads_hand_on_the_watch);
  tcase_add_test(tc, test_threads_keep_reading);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
