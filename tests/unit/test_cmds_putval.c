/* PUTVAL: replies as collectd 5.12 sends them, and what lands in the cache
 * and reaches the write callbacks. */
#include "cmds_fixture.h"

/* What the write thread saw, in order. */
typedef struct {
  char name[6 * DATA_MAX_NAME_LEN];
  cdtime_t time, interval;
  size_t values_len;
  value_t values[4];
  char meta[256]; /* "key=value," for each string entry */
} seen_t;
static seen_t seen[64];
static int seen_num;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static int capture(const data_set_t *ds, const value_list_t *vl,
                   user_data_t *ud) {
  pthread_mutex_lock(&seen_lock);
  if (seen_num < (int)STATIC_ARRAY_SIZE(seen)) {
    seen_t *s = seen + seen_num++;
    FORMAT_VL(s->name, sizeof(s->name), vl);
    s->time = vl->time;
    s->interval = vl->interval;
    s->values_len = vl->values_len;
    memcpy(s->values, vl->values, MIN(vl->values_len, 4) * sizeof(*vl->values));
    s->meta[0] = '\0';
    char **toc = NULL;
    int n = meta_data_toc(vl->meta, &toc);
    for (int i = 0; i < n; i++) {
      char *v = NULL;
      meta_data_get_string(vl->meta, toc[i], &v);
      char entry[128];
      snprintf(entry, sizeof(entry), "%s=%s,", toc[i], v ? v : "?");
      strncat(s->meta, entry, sizeof(s->meta) - strlen(s->meta) - 1);
      free(v);
      free(toc[i]);
    }
    free(toc);
  }
  pthread_mutex_unlock(&seen_lock);
  return 0;
}

static void setup(void) {
  seen_num = 0;
  ck_assert_int_eq(plugin_register_write("capture", capture, NULL), 0);
}

/* Waits (bounded) until the write thread has seen n value lists. */
static void wait_seen(int n) {
  for (int i = 0; i < 500; i++) {
    pthread_mutex_lock(&seen_lock);
    int num = seen_num;
    pthread_mutex_unlock(&seen_lock);
    if (num >= n)
      return;
    usleep(10000);
  }
  ck_abort_msg("the write thread saw fewer than %d value lists", n);
}

static bool cached(const char *name) {
  value_t *values = NULL;
  size_t num = 0;
  if (uc_get_value_by_name(name, &values, &num) != 0)
    return false;
  free(values);
  return true;
}

START_TEST(test_success) {
  ck_reply("PUTVAL testhost/test/gauge-a N:1.5",
           "0 Success: 1 value has been dispatched.\n");
  ck_assert(cached("testhost/test/gauge-a"));
  ck_reply("putval testhost/test/gauge-b 1800000000:1 1800000001:2 "
           "1800000002:3",
           "0 Success: 3 values have been dispatched.\n");
  ck_reply("PUTVAL testhost/test/gauge-c interval=10",
           "0 Success: 0 values have been dispatched.\n");
  ck_assert(!cached("testhost/test/gauge-c"));
  ck_reply("PUTVAL \"testhost/te st/gauge-a b\" N:7",
           "0 Success: 1 value has been dispatched.\n");
  ck_assert(cached("testhost/te st/gauge-a b"));
  ck_reply("PUTVAL testhost/test/load 1800000000:1:2:3",
           "0 Success: 1 value has been dispatched.\n");

  /* U for gauges; fewer values than data sources; trailing junk after a
   * number and a trailing ':' are tolerated, as in 5.12. */
  ck_reply("PUTVAL testhost/test/gauge-u N:U",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("PUTVAL testhost/test/if_octets-f N:1",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("PUTVAL testhost/test/gauge-j N:1abc",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("PUTVAL testhost/test/gauge-k N:1:",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("PUTVAL testhost/test/derive-h N:0x10",
           "0 Success: 1 value has been dispatched.\n");

  wait_seen(11);
  pthread_mutex_lock(&seen_lock);
  bool found_u = false, found_f = false, found_h = false;
  for (int i = 0; i < seen_num; i++) {
    if (strcmp(seen[i].name, "testhost/test/gauge-u") == 0)
      found_u = isnan(seen[i].values[0].gauge);
    if (strcmp(seen[i].name, "testhost/test/if_octets-f") == 0)
      found_f = seen[i].values_len == 2 && seen[i].values[0].derive == 1 &&
                seen[i].values[1].derive == 0;
    if (strcmp(seen[i].name, "testhost/test/derive-h") == 0)
      found_h = seen[i].values[0].derive == 16;
  }
  pthread_mutex_unlock(&seen_lock);
  ck_assert(found_u && found_f && found_h);
}
END_TEST

START_TEST(test_errors) {
  ck_reply("PUTVAL", "-1 Missing identifier and/or value-list.\n");
  ck_reply("PUTVAL testhost/test/gauge",
           "-1 Missing identifier and/or value-list.\n");
  ck_reply("PUTVAL testhost/test/nosuch", /* arguments are counted first */
           "-1 Missing identifier and/or value-list.\n");
  ck_reply("PUTVAL test/gauge N:1",
           "-1 Cannot parse identifier `test/gauge'.\n");
  ck_reply("PUTVAL interval=10 testhost/test/gauge N:1",
           "-1 Cannot parse identifier `interval=10'.\n");
  ck_reply("PUTVAL testhost/test/nosuch N:1",
           "-1 1 Type `nosuch' isn't defined.\n");
  ck_reply("PUTVAL testhost/test/gauge/x N:1", /* too many parts */
           "-1 1 Type `gauge/x' isn't defined.\n");
  ck_reply("PUTVAL testhost/test/-x N:1", "-1 1 Type `' isn't defined.\n");
  ck_reply("PUTVAL testhost/test/if_octets N:1:2:3",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge N:abc",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/derive N:U",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/counter N:U",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge interval",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge N:", /* no value */
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge 0:1", /* time 0 */
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge -5:1", /* 5.12: 500 years ahead */
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge 1e20:1",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge =v N:1",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL \"testhost/test/gauge N:1",
           "-1 Unterminated quoted string.\n");
  ck_reply("PUTVAL testhost/test/gauge meta:k=v N:1",
           "-1 Non-string metadata not supported yet\n");
  ck_reply("PUTVAL testhost/test/gauge foo=bar N:1",
           "-1 Unknown option `foo'.\n");
}
END_TEST

START_TEST(test_nothing_dispatched_on_error) {
  /* The whole line is parsed first. */
  ck_reply("PUTVAL testhost/test/gauge-e N:1 N:x N:3",
           "-1 Parsing the values string failed.\n");
  ck_reply("PUTVAL testhost/test/gauge-e N:1 foo=bar N:3",
           "-1 Unknown option `foo'.\n");
  ck_reply("PUTVAL testhost/test/gauge-e N:1 meta:k=v N:3",
           "-1 Non-string metadata not supported yet\n");
  ck_assert(!cached("testhost/test/gauge-e"));
}
END_TEST

START_TEST(test_options) {
  ck_reply("PUTVAL testhost/test/gauge-i1 1800000000:1 interval=3 "
           "1800000001:2 INTERVAL=abc 1800000002:3 interval=-5 1800000003:4 "
           "interval=7x 1800000004:5 interval= 1800000005:6",
           "0 Success: 6 values have been dispatched.\n");
  ck_reply("PUTVAL testhost/test/gauge-m \"meta:k=\\\"a b\\\"\" "
           "meta:k2=\"\\\"x\\\"\" 1800000000:1 \"META:=\\\"\\\"\" "
           "1800000001:2",
           "0 Success: 2 values have been dispatched.\n");

  wait_seen(8);
  pthread_mutex_lock(&seen_lock);
  cdtime_t intervals[6] = {0};
  char metas[2][256] = {"", ""};
  for (int i = 0; i < seen_num; i++) {
    int sec = (int)(CDTIME_T_TO_TIME_T(seen[i].time) - 1800000000);
    if (strcmp(seen[i].name, "testhost/test/gauge-i1") == 0 && sec >= 0 &&
        sec < 6)
      intervals[sec] = seen[i].interval;
    if (strcmp(seen[i].name, "testhost/test/gauge-m") == 0 && sec >= 0 &&
        sec < 2)
      sstrncpy(metas[sec], seen[i].meta, sizeof(metas[sec]));
  }
  pthread_mutex_unlock(&seen_lock);

  /* Unset or ignored: the plugin's interval (here the global one). */
  cdtime_t def = interval_g;
  ck_assert_uint_eq(intervals[0], def);
  ck_assert_uint_eq(intervals[1], TIME_T_TO_CDTIME_T_STATIC(3));
  ck_assert_uint_eq(intervals[2], TIME_T_TO_CDTIME_T_STATIC(3)); /* "abc" */
  ck_assert_uint_eq(intervals[3], TIME_T_TO_CDTIME_T_STATIC(3)); /* -5 */
  ck_assert_uint_eq(intervals[4], TIME_T_TO_CDTIME_T_STATIC(7)); /* "7x" */
  ck_assert_uint_eq(intervals[5], TIME_T_TO_CDTIME_T_STATIC(7)); /* "" */

  ck_assert_str_eq(metas[0], "k=a b,k2=x,");
  ck_assert_str_eq(metas[1], "k=a b,k2=x,=,");
}
END_TEST

START_TEST(test_empty_plugin_name_accepted) {
  /* collectd 5.12 takes an empty plugin name ("host//type"), and so does
   * our core. */
  ck_reply_prefix("PUTVAL testhost//gauge N:1",
                  "0 Success: 1 value has been dispatched.");
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_putval");
  TCase *tc = test_cmds_tcase("putval");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_add_test(tc, test_success);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_nothing_dispatched_on_error);
  tcase_add_test(tc, test_options);
  tcase_add_test(tc, test_empty_plugin_name_accepted);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
