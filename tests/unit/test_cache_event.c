/* Cache-event callbacks and the value cache, through the real dispatcher
 * and callback lists (issue 9, item 5): a slot given to a newcomer carries
 * none of its previous holder's interest, so the newcomer hears no
 * CE_VALUE_UPDATE of a value it never asked for. */
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

int main(void) {
  Suite *s = suite_create("cache_event");
  TCase *slots = tcase_create("slots");
  tcase_add_test(slots, test_reused_slot_hears_no_stale_update);
  tcase_add_test(slots, test_slot_kept_while_held);
  tcase_add_test(slots, test_mask_read_before_slot_changed_hands);
  suite_add_tcase(s, slots);

  return check_main_run(s);
}
