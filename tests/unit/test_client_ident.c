/* Identifier parsing and formatting of the client library, one table row
 * per case; the rows marked 5.12 are what collectd 5.12's collectdctl does
 * with the same string. */
#include "collectd/client.h"

#include "check_main.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *str;
  const char *default_host;
  int status;
  /* On success: the fields and the identifier formatted again. */
  const char *host, *plugin, *plugin_instance, *type, *type_instance;
  const char *formatted;
  /* On failure: the reason. */
  const char *err;
} ident_case_t;

static const ident_case_t cases[] = {
    {.str = "h/p/t", .host = "h", .plugin = "p", .plugin_instance = "",
     .type = "t", .type_instance = "", .formatted = "h/p/t"},
    {.str = "h/p-i/t-j", .host = "h", .plugin = "p", .plugin_instance = "i",
     .type = "t", .type_instance = "j", .formatted = "h/p-i/t-j"},
    /* 5.12: the first '-' starts the instance. */
    {.str = "h/p-i-j/t-u-v", .host = "h", .plugin = "p",
     .plugin_instance = "i-j", .type = "t", .type_instance = "u-v",
     .formatted = "h/p-i-j/t-u-v"},
    /* 5.12: without a host, the default one. */
    {.str = "uptime/uptime", .default_host = "vm", .host = "vm",
     .plugin = "uptime", .plugin_instance = "", .type = "uptime",
     .type_instance = "", .formatted = "vm/uptime/uptime"},
    {.str = "cpu-0/cpu-idle", .default_host = "vm", .host = "vm",
     .plugin = "cpu", .plugin_instance = "0", .type = "cpu",
     .type_instance = "idle", .formatted = "vm/cpu-0/cpu-idle"},
    /* 5.12: the type is the rest, '/' and all; the daemon judges it. */
    {.str = "a/b/c/d", .host = "a", .plugin = "b", .plugin_instance = "",
     .type = "c/d", .type_instance = "", .formatted = "a/b/c/d"},
    /* 5.12: empty fields pass; an empty instance disappears. */
    {.str = "a//b", .host = "a", .plugin = "", .plugin_instance = "",
     .type = "b", .type_instance = "", .formatted = "a//b"},
    {.str = "a/b-/c-", .host = "a", .plugin = "b", .plugin_instance = "",
     .type = "c", .type_instance = "", .formatted = "a/b/c"},
    {.str = "a/b/-c", .host = "a", .plugin = "b", .plugin_instance = "",
     .type = "", .type_instance = "c", .formatted = "a/b/-c"},
    {.str = "/", .default_host = "vm", .host = "vm", .plugin = "",
     .plugin_instance = "", .type = "", .type_instance = "",
     .formatted = "vm//"},
    /* Spaces and quotes are plain characters here (quoting is the wire's
     * business). */
    {.str = "my host/p/temperature-Outlet 1", .host = "my host",
     .plugin = "p", .plugin_instance = "", .type = "temperature",
     .type_instance = "Outlet 1",
     .formatted = "my host/p/temperature-Outlet 1"},
    /* 5.12: no '/' at all. */
    {.str = "bad", .default_host = "vm", .status = -EINVAL,
     .err = "Malformed identifier string: bad"},
    {.str = "", .default_host = "vm", .status = -EINVAL,
     .err = "Malformed identifier string: "},
    /* A host is required when there is no default (LISTVAL replies). */
    {.str = "p/t", .status = -EINVAL, .err = "Malformed identifier string: p/t"},
};

START_TEST(test_parse_format) {
  const ident_case_t *c = &cases[_i];
  cdc_identifier_t id;
  memset(&id, 'X', sizeof(id));
  char err[256] = "";
  int status = cdc_identifier_parse(c->str, c->default_host, &id, err,
                                    sizeof(err));
  ck_assert_msg(status == c->status, "\"%s\": status %d, want %d (%s)",
                c->str, status, c->status, err);
  if (status != 0) {
    if (c->err != NULL)
      ck_assert_str_eq(err, c->err);
    else
      ck_assert_msg(err[0] != '\0', "no reason given");
    /* The identifier is untouched. */
    ck_assert_int_eq(id.host[0], 'X');
    return;
  }
  ck_assert_str_eq(id.host, c->host);
  ck_assert_str_eq(id.plugin, c->plugin);
  ck_assert_str_eq(id.plugin_instance, c->plugin_instance);
  ck_assert_str_eq(id.type, c->type);
  ck_assert_str_eq(id.type_instance, c->type_instance);

  char buf[5 * CDC_NAME_LEN];
  ck_assert_int_eq(cdc_identifier_format(&id, buf, sizeof(buf), err,
                                         sizeof(err)),
                   0);
  ck_assert_str_eq(buf, c->formatted);
}
END_TEST

START_TEST(test_format_buffer_size) {
  cdc_identifier_t id;
  char err[256];
  ck_assert_int_eq(cdc_identifier_parse("h/p-i/t", NULL, &id, err,
                                        sizeof(err)),
                   0);
  char buf[8]; /* "h/p-i/t" and its NUL */
  ck_assert_int_eq(cdc_identifier_format(&id, buf, sizeof(buf), err,
                                         sizeof(err)),
                   0);
  ck_assert_str_eq(buf, "h/p-i/t");
  ck_assert_int_eq(cdc_identifier_format(&id, buf, 7, err, sizeof(err)),
                   -ENOBUFS);
  ck_assert_int_eq(cdc_identifier_parse(NULL, NULL, &id, err, sizeof(err)),
                   -EINVAL);
  ck_assert_int_eq(cdc_identifier_format(NULL, buf, sizeof(buf), NULL, 0),
                   -EINVAL);
}
END_TEST

/* 127 bytes fit a field, 128 do not, in every field and in the default
 * host (5.12 cut fields to 63 bytes silently, naming another value). */
START_TEST(test_field_length) {
  char field[CDC_NAME_LEN + 1];
  char str[3 * CDC_NAME_LEN + 16];
  char err[256];
  cdc_identifier_t id;
  const char *const formats[] = {"%s/p/t", "h/%s/t", "h/p-%s/t", "h/p/%s",
                                 "h/p/t-%s"};
  for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
    for (size_t len = CDC_NAME_LEN - 1; len <= CDC_NAME_LEN; len++) {
      memset(field, 'x', len);
      field[len] = '\0';
      snprintf(str, sizeof(str), formats[f], field);
      int want = len < CDC_NAME_LEN ? 0 : -ENAMETOOLONG;
      ck_assert_msg(cdc_identifier_parse(str, NULL, &id, err, sizeof(err)) ==
                        want,
                    "%s: %s", formats[f], err);
    }
  }
  memset(field, 'h', CDC_NAME_LEN - 1);
  field[CDC_NAME_LEN - 1] = '\0';
  ck_assert_int_eq(cdc_identifier_parse("p/t", field, &id, err, sizeof(err)),
                   0);
  ck_assert_str_eq(id.host, field);
  strcat(field, "h");
  ck_assert_int_eq(cdc_identifier_parse("p/t", field, &id, err, sizeof(err)),
                   -ENAMETOOLONG);
}
END_TEST

static Suite *client_ident_suite(void) {
  Suite *s = suite_create("client_ident");
  TCase *tc = tcase_create("ident");
  tcase_set_timeout(tc, 10);
  tcase_add_loop_test(tc, test_parse_format, 0,
                      sizeof(cases) / sizeof(cases[0]));
  tcase_add_test(tc, test_field_length);
  tcase_add_test(tc, test_format_buffer_size);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return check_main_run(client_ident_suite()); }
