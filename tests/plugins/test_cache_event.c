/* test_cache_event: an unloadable plugin with a cache-event callback that
 * writes down every event it hears, one line each, to a file:
 *
 *   new <name> wanted|ignored
 *   update <name>
 *   expired <name>
 *
 * and asks for the updates and expiry of the values whose name matches a
 * regular expression.
 *
 *   <Plugin test_cache_event>
 *     File "/path/to/events"   # required
 *     Interested "^itest/a/"   # extended regex; default: nothing
 *   </Plugin>
 *
 * It registers everything under the name it was loaded as, so the same
 * object copied to test_cache_event_b.so is a second, independent plugin
 * (its own statics, its own callback, its own <Plugin> block). */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <regex.h>

/* Written by the config and shutdown callbacks only, which never run
 * while the event callback may (the plugin is not ready then). */
static char tce_name[DATA_MAX_NAME_LEN] = "test_cache_event";
static char *tce_file;
static regex_t tce_regex;
static bool tce_have_regex;

/* tce_lock protects tce_out: events come from every dispatching thread. */
static pthread_mutex_t tce_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *tce_out;

static void tce_forget(void) {
  free(tce_file);
  tce_file = NULL;
  if (tce_have_regex)
    regfree(&tce_regex);
  tce_have_regex = false;
}

static int tce_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;
    if (strcasecmp(opt->key, "File") == 0) {
      if (cf_util_get_string(opt, &tce_file) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "Interested") == 0) {
      char *re = NULL;
      if (cf_util_get_string(opt, &re) != 0)
        return -EINVAL;
      if (tce_have_regex)
        regfree(&tce_regex);
      tce_have_regex = regcomp(&tce_regex, re, REG_EXTENDED | REG_NOSUB) == 0;
      if (!tce_have_regex)
        ERROR("%s: bad regular expression \"%s\"", tce_name, re);
      free(re);
      if (!tce_have_regex)
        return -EINVAL;
    } else {
      ERROR("%s: unknown option \"%s\"", tce_name, opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static int tce_init(void) {
  if (tce_file == NULL) {
    ERROR("%s: no File configured", tce_name);
    return -EINVAL;
  }
  pthread_mutex_lock(&tce_lock);
  if (tce_out == NULL)
    tce_out = fopen(tce_file, "a");
  bool ok = tce_out != NULL;
  pthread_mutex_unlock(&tce_lock);
  if (!ok) {
    ERROR("%s: cannot open \"%s\": %s", tce_name, tce_file, STRERRNO);
    return -EIO;
  }
  return 0;
}

static int tce_event(cache_event_t *event, user_data_t *ud) {
  const char *name = event->value_list_name;
  const char *what = "expired";
  const char *answer = "";
  if (event->type == CE_VALUE_NEW) {
    what = "new";
    bool want = tce_have_regex && regexec(&tce_regex, name, 0, NULL, 0) == 0;
    event->ret = want;
    answer = want ? " wanted" : " ignored";
  } else if (event->type == CE_VALUE_UPDATE) {
    what = "update";
  }

  pthread_mutex_lock(&tce_lock);
  if (tce_out != NULL) {
    /* Whole lines, at once: the test reads the file while we write. */
    fprintf(tce_out, "%s %s%s\n", what, name, answer);
    fflush(tce_out);
  }
  pthread_mutex_unlock(&tce_lock);
  return 0;
}

static int tce_shutdown(void) {
  pthread_mutex_lock(&tce_lock);
  if (tce_out != NULL)
    fclose(tce_out);
  tce_out = NULL;
  pthread_mutex_unlock(&tce_lock);
  tce_forget();
  return 0;
}

void module_register(void) {
  plugin_ctx_t ctx = plugin_get_ctx();
  if (ctx.name != NULL)
    sstrncpy(tce_name, ctx.name, sizeof(tce_name));
  plugin_register_unloadable(tce_name);
  plugin_register_complex_config(tce_name, tce_config);
  plugin_register_init(tce_name, tce_init);
  plugin_register_cache_event(tce_name, tce_event, NULL);
  plugin_register_shutdown(tce_name, tce_shutdown);
}
