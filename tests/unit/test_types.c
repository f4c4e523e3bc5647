/* The types.db parser. */
#include "types_list.h"

#include "check_main.h"
#include <check.h>

static int parse(const char *text, data_set_t *ds, char *err) {
  char line[512];
  snprintf(line, sizeof(line), "%s", text);
  return types_parse_line(line, ds, err, 256);
}

START_TEST(test_valid_lines) {
  data_set_t ds;
  char err[256];
  ck_assert_int_eq(parse("if_octets rx:DERIVE:0:U, tx:DERIVE:0:U\n", &ds, err),
                   0);
  ck_assert_str_eq(ds.type, "if_octets");
  ck_assert_uint_eq(ds.ds_num, 2);
  ck_assert_str_eq(ds.ds[0].name, "rx");
  ck_assert_int_eq(ds.ds[0].type, DS_TYPE_DERIVE);
  ck_assert(ds.ds[0].min == 0.0);
  ck_assert(isnan(ds.ds[0].max));
  ck_assert_str_eq(ds.ds[1].name, "tx");
  free(ds.ds);

  ck_assert_int_eq(parse("percent\tvalue:GAUGE:0:100.1", &ds, err), 0);
  ck_assert_int_eq(ds.ds[0].type, DS_TYPE_GAUGE);
  ck_assert(ds.ds[0].max == 100.1);
  free(ds.ds);

  /* Blanks alone separate sources too (ib_octets in collectd's file). */
  ck_assert_int_eq(parse("ib_octets  rx:DERIVE:0:U tx:DERIVE:0:U", &ds, err),
                   0);
  ck_assert_uint_eq(ds.ds_num, 2);
  ck_assert_str_eq(ds.ds[1].name, "tx");
  free(ds.ds);

  ck_assert_int_eq(parse("c value:COUNTER:U:U,x:ABSOLUTE:-5:5", &ds, err), 0);
  ck_assert_int_eq(ds.ds[0].type, DS_TYPE_COUNTER);
  ck_assert_int_eq(ds.ds[1].type, DS_TYPE_ABSOLUTE);
  ck_assert(ds.ds[1].min == -5.0);
  free(ds.ds);
}
END_TEST

START_TEST(test_blank_and_comments) {
  data_set_t ds;
  char err[256];
  ck_assert_int_eq(parse("", &ds, err), 1);
  ck_assert_int_eq(parse("   \t\n", &ds, err), 1);
  ck_assert_int_eq(parse("# a comment", &ds, err), 1);
  ck_assert_int_eq(parse("load value:GAUGE:0:U # trailing", &ds, err), 0);
  ck_assert_uint_eq(ds.ds_num, 1);
  free(ds.ds);
}
END_TEST

START_TEST(test_bad_lines) {
  data_set_t ds;
  char err[256];
  ck_assert_int_eq(parse("lonely", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "no data sources"));
  ck_assert_int_eq(parse("t value:GAUGE:0", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "name:type:min:max"));
  ck_assert_int_eq(parse("t value:FLOAT:0:U", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "FLOAT"));
  ck_assert_int_eq(parse("t value:GAUGE:zero:U", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "zero"));
}
END_TEST

static void check_file(const char *file) {
  ck_assert_msg(access(file, R_OK) == 0, "%s is missing", file);
  ck_assert_int_eq(read_types_list(file), 0);
  const data_set_t *ds = plugin_get_ds("if_octets");
  ck_assert_ptr_nonnull(ds);
  ck_assert_uint_eq(ds->ds_num, 2);
  ds = plugin_get_ds("load");
  ck_assert_ptr_nonnull(ds);
  ck_assert_uint_eq(ds->ds_num, 3);
  ck_assert_str_eq(ds->ds[2].name, "longterm");
  ck_assert_ptr_null(plugin_get_ds("certainly_not_a_type"));
  types_destroy_all();
  ck_assert_ptr_null(plugin_get_ds("load"));
}

START_TEST(test_our_types_db) {
  char path[PATH_MAX];
  const char *top = getenv("top_srcdir");
  snprintf(path, sizeof(path), "%s/src/types.db", top ? top : ".");
  check_file(path);
}
END_TEST

START_TEST(test_collectd_types_db) {
  /* Any collectd types.db must parse; Debian's is the peer's. */
  check_file("/usr/share/collectd/types.db");
  /* Its ib_octets separates the two sources with blanks only. */
  ck_assert_int_eq(read_types_list("/usr/share/collectd/types.db"), 0);
  ck_assert_uint_eq(plugin_get_ds("ib_octets")->ds_num, 2);
  ck_assert_uint_eq(plugin_get_ds("ib_packets")->ds_num, 2);
  types_destroy_all();
}
END_TEST

START_TEST(test_missing_file) {
  ck_assert_int_eq(read_types_list("/nonexistent/types.db"), -ENOENT);
}
END_TEST

START_TEST(test_register_replace_unregister) {
  data_source_t a = {.name = "a", .type = DS_TYPE_GAUGE};
  data_source_t b[2] = {{.name = "x", .type = DS_TYPE_DERIVE},
                        {.name = "y", .type = DS_TYPE_DERIVE}};
  data_set_t one = {.type = "mine", .ds_num = 1, .ds = &a};
  data_set_t two = {.type = "mine", .ds_num = 2, .ds = b};
  ck_assert_int_eq(plugin_register_data_set(&one), 0);
  ck_assert_uint_eq(plugin_get_ds("MINE")->ds_num, 1);
  ck_assert_int_eq(plugin_register_data_set(&two), 0);
  ck_assert_uint_eq(plugin_get_ds("mine")->ds_num, 2);
  ck_assert_int_eq(plugin_unregister_data_set("mine"), 0);
  ck_assert_ptr_null(plugin_get_ds("mine"));
  ck_assert_int_eq(plugin_unregister_data_set("mine"), -ENOENT);
  types_destroy_all();
}
END_TEST

int main(void) {
  Suite *s = suite_create("types_db");
  TCase *tc = tcase_create("parser");
  tcase_add_test(tc, test_valid_lines);
  tcase_add_test(tc, test_blank_and_comments);
  tcase_add_test(tc, test_bad_lines);
  tcase_add_test(tc, test_our_types_db);
  tcase_add_test(tc, test_collectd_types_db);
  tcase_add_test(tc, test_missing_file);
  tcase_add_test(tc, test_register_replace_unregister);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
