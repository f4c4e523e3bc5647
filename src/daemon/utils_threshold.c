/* The threshold table's lookups (see utils_threshold.h). The core only
 * defines the table and searches it; the threshold plugin fills it in and
 * raises the notifications. */
#include "utils_threshold.h"
#include "utils/common/common.h"

c_avl_tree_t *threshold_tree;
pthread_mutex_t threshold_lock = PTHREAD_MUTEX_INITIALIZER;

threshold_t *threshold_get(const char *hostname, const char *plugin,
                           const char *plugin_instance, const char *type,
                           const char *type_instance) {
  if (threshold_tree == NULL)
    return NULL;
  char name[6 * DATA_MAX_NAME_LEN];
  /* The key the threshold plugin inserted with: format_name() of the
   * names, empty ones included. */
  format_name(name, sizeof(name), hostname ? hostname : "",
              plugin ? plugin : "", plugin_instance, type ? type : "",
              type_instance);
  threshold_t *th = NULL;
  if (c_avl_get(threshold_tree, name, (void **)&th) != 0)
    return NULL;
  return th;
}

/* From the most specific to the least: the host before the plugin before
 * the type alone; at each level with the instances, then without. */
threshold_t *threshold_search(const value_list_t *vl) {
  const char *const host[] = {vl->host, ""};
  for (size_t h = 0; h < STATIC_ARRAY_SIZE(host); h++) {
    const struct {
      const char *plugin, *plugin_instance, *type_instance;
    } levels[] = {
        {vl->plugin, vl->plugin_instance, vl->type_instance},
        {vl->plugin, vl->plugin_instance, NULL},
        {vl->plugin, NULL, vl->type_instance},
        {vl->plugin, NULL, NULL},
        {"", NULL, vl->type_instance},
        {"", NULL, NULL},
    };
    for (size_t l = 0; l < STATIC_ARRAY_SIZE(levels); l++) {
      threshold_t *th =
          threshold_get(host[h], levels[l].plugin, levels[l].plugin_instance,
                        vl->type, levels[l].type_instance);
      if (th != NULL)
        return th;
    }
  }
  return NULL;
}

int ut_search_threshold(const value_list_t *vl, threshold_t *ret) {
  if (vl == NULL || ret == NULL)
    return EINVAL;
  pthread_mutex_lock(&threshold_lock);
  threshold_t *th = threshold_search(vl);
  if (th != NULL)
    *ret = *th;
  pthread_mutex_unlock(&threshold_lock);
  if (th == NULL)
    return ENOENT;
  ret->next = NULL;
  return 0;
}
