/* Configuration callbacks: the simple (key/value) and complex (block) kinds,
 * by the name of the <Plugin> block they receive. */
#include "plugin_internal.h"
#include "utils/common/common.h"

#include <pthread.h>

typedef struct config_cb_s config_cb_t;
struct config_cb_s {
  char *name;
  plugin_t *owner;
  plugin_ctx_t ctx;
  int (*simple)(const char *key, const char *value);
  char **keys; /* the keys the simple callback accepts */
  int keys_num;
  int (*complex)(oconfig_item_t *ci);
  /* Calls under way (under config_lock): an entry unregistered during a
   * call is only unlinked (removed), and the call frees it. */
  int calls;
  bool removed;
  config_cb_t *next;
};

/* Protects the list. Configuration runs on the lifecycle path only, never
 * on a dispatch path, so one mutex is enough; it is not held while a
 * callback runs. */
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static config_cb_t *config_cbs;

static void config_cb_free(config_cb_t *c) {
  if (c == NULL)
    return;
  for (int i = 0; i < c->keys_num; i++)
    free(c->keys[i]);
  free(c->keys);
  free(c->name);
  free(c);
}

/* Looks up by name and kind; the caller holds config_lock. */
static config_cb_t *find_locked(const char *name, bool complex) {
  for (config_cb_t *c = config_cbs; c != NULL; c = c->next)
    if (strcasecmp(c->name, name) == 0 && (c->complex != NULL) == complex)
      return c;
  return NULL;
}

static int config_add(config_cb_t *c) {
  plugin_t *owner = plugin__current_owner();
  c->owner = owner;
  c->ctx = owner != NULL ? owner->ctx : plugin_get_ctx();

  pthread_mutex_lock(&config_lock);
  config_cb_t *taken = find_locked(c->name, c->complex != NULL);
  if (taken != NULL) {
    char holder[DATA_MAX_NAME_LEN];
    sstrncpy(holder, taken->owner != NULL ? taken->owner->name : "the core",
             sizeof(holder));
    pthread_mutex_unlock(&config_lock);
    ERROR("plugin_register_%sconfig: %s cannot register a configuration "
          "callback for \"%s\": %s has one already",
          c->complex != NULL ? "complex_" : "",
          owner != NULL ? owner->name : "the core", c->name, holder);
    config_cb_free(c);
    return -EEXIST;
  }
  config_cb_t **tail = &config_cbs;
  while (*tail != NULL)
    tail = &(*tail)->next;
  *tail = c;
  pthread_mutex_unlock(&config_lock);
  return 0;
}

int plugin_register_config(const char *name,
                           int (*callback)(const char *key, const char *val),
                           const char **keys, int keys_num) {
  if (name == NULL || callback == NULL || keys_num < 0 ||
      (keys_num > 0 && keys == NULL))
    return -EINVAL;
  config_cb_t *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return -ENOMEM;
  c->name = strdup(name);
  c->keys = calloc((size_t)keys_num + 1, sizeof(*c->keys));
  if (c->name == NULL || c->keys == NULL) {
    config_cb_free(c);
    return -ENOMEM;
  }
  for (int i = 0; i < keys_num; i++) {
    if ((c->keys[i] = strdup(keys[i])) == NULL) {
      config_cb_free(c);
      return -ENOMEM;
    }
    c->keys_num = i + 1;
  }
  c->simple = callback;
  return config_add(c);
}

int plugin_register_complex_config(const char *type,
                                   int (*callback)(oconfig_item_t *)) {
  if (type == NULL || callback == NULL)
    return -EINVAL;
  config_cb_t *c = calloc(1, sizeof(*c));
  if (c == NULL || (c->name = strdup(type)) == NULL) {
    free(c);
    return -ENOMEM;
  }
  c->complex = callback;
  return config_add(c);
}

static int config_remove(const char *name, bool complex) {
  config_cb_t *found = NULL;
  pthread_mutex_lock(&config_lock);
  for (config_cb_t **pp = &config_cbs; *pp != NULL; pp = &(*pp)->next) {
    if (strcasecmp((*pp)->name, name) == 0 &&
        ((*pp)->complex != NULL) == complex) {
      found = *pp;
      *pp = found->next;
      break;
    }
  }
  if (found != NULL && found->calls > 0) {
    found->removed = true;
    pthread_mutex_unlock(&config_lock);
    return 0;
  }
  pthread_mutex_unlock(&config_lock);
  config_cb_free(found);
  return found != NULL ? 0 : -ENOENT;
}

int plugin_unregister_config(const char *name) {
  return config_remove(name, false);
}
int plugin_unregister_complex_config(const char *name) {
  return config_remove(name, true);
}

void plugin__config_remove_owner(plugin_t *owner) {
  pthread_mutex_lock(&config_lock);
  config_cb_t **pp = &config_cbs;
  while (*pp != NULL) {
    config_cb_t *c = *pp;
    if (c->owner == owner) {
      *pp = c->next;
      /* An unload waited for its calls; a call can only be under way at
       * exit, and then the call frees it. */
      if (c->calls > 0)
        c->removed = true;
      else
        config_cb_free(c);
    } else {
      pp = &c->next;
    }
  }
  pthread_mutex_unlock(&config_lock);
}

/* A call of a configuration callback: the entry is held (counted) so that
 * it is not freed under the call, and the call is counted against its
 * owner like any other call into a plugin's code: an unload sets its state
 * first and then waits for its calls, so a callback whose owner is being
 * unloaded is never entered, and one under way is waited for. Its owner
 * may be configuring (its own block) or ready (a block of another plugin's
 * name), so plugin__call_begin_any() is used rather than the ready check. */
static void config_release(config_cb_t *c) {
  pthread_mutex_lock(&config_lock);
  bool free_it = --c->calls == 0 && c->removed;
  pthread_mutex_unlock(&config_lock);
  if (free_it)
    config_cb_free(c);
}

/* Finds the callback for `name` and enters it; -ENOENT if there is none
 * (or its owner is going away). */
static int config_call(const char *name, bool complex, const char *key,
                       const char *value, oconfig_item_t *ci) {
  pthread_mutex_lock(&config_lock);
  config_cb_t *c = find_locked(name, complex);
  bool key_ok = complex;
  for (int i = 0; c != NULL && !key_ok && i < c->keys_num; i++)
    key_ok = strcasecmp(c->keys[i], key) == 0;
  if (c != NULL && key_ok)
    c->calls++;
  pthread_mutex_unlock(&config_lock);
  if (c == NULL)
    return -ENOENT;
  if (!key_ok) {
    ERROR("%s plugin: the plugin does not accept the option \"%s\"", name,
          key);
    return -EINVAL;
  }

  plugin_t *owner = c->owner;
  if (!plugin__call_begin_any(owner)) {
    config_release(c);
    return -ENOENT;
  }
  plugin_thread_ctx_t saved = plugin__enter(owner, c->ctx);
  int status = complex ? c->complex(ci) : c->simple(key, value);
  plugin__leave(saved);
  config_release(c);
  /* Last: the count keeps the owner's object mapped. */
  plugin__call_end(owner);
  return status == 0 ? 0 : -EINVAL;
}

int plugin__config_simple(plugin_t *p, const char *key, const char *value) {
  return config_call(p->name, false, key, value, NULL);
}

int plugin__config_complex(plugin_t *p, oconfig_item_t *ci) {
  return config_call(p->name, true, NULL, NULL, ci);
}

size_t plugin__config_running(plugin_t *owner, char *names, size_t len) {
  name_list_t l = name_list_init(names, len);
  pthread_mutex_lock(&config_lock);
  for (config_cb_t *c = config_cbs; c != NULL; c = c->next)
    if (c->owner == owner && c->calls > 0)
      name_list_add(&l, "configuration callback \"%s\"", c->name);
  pthread_mutex_unlock(&config_lock);
  return l.num;
}

/* collectd 5.12 exported these under their old names too. */
void cf_register(const char *type, int (*callback)(const char *, const char *),
                 const char **keys, int keys_num) {
  plugin_register_config(type, callback, keys, keys_num);
}
int cf_register_complex(const char *type, int (*callback)(oconfig_item_t *)) {
  return plugin_register_complex_config(type, callback);
}
void cf_unregister(const char *type) { plugin_unregister_config(type); }
void cf_unregister_complex(const char *type) {
  plugin_unregister_complex_config(type);
}
