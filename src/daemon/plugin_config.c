/* Configuration callbacks: the simple (key/value) and complex (block) kinds,
 * by the name of the <Plugin> block they receive. */
#include "plugin_internal.h"

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
  if (find_locked(c->name, c->complex != NULL) != NULL) {
    pthread_mutex_unlock(&config_lock);
    ERROR("plugin_register_%sconfig: a configuration callback for \"%s\" "
          "is already registered",
          c->complex != NULL ? "complex_" : "", c->name);
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
      config_cb_free(c);
    } else {
      pp = &c->next;
    }
  }
  pthread_mutex_unlock(&config_lock);
}

/* A copy of the entry's call data, so the callback runs unlocked. A simple
 * callback's accepted keys are checked here. */
typedef struct {
  plugin_t *owner;
  plugin_ctx_t ctx;
  int (*simple)(const char *, const char *);
  int (*complex)(oconfig_item_t *);
  bool key_ok;
} config_call_t;

static int config_lookup(const char *name, bool complex, const char *key,
                         config_call_t *call) {
  int status = -ENOENT;
  pthread_mutex_lock(&config_lock);
  config_cb_t *c = find_locked(name, complex);
  if (c != NULL) {
    *call = (config_call_t){.owner = c->owner, .ctx = c->ctx,
                            .simple = c->simple, .complex = c->complex};
    for (int i = 0; key != NULL && i < c->keys_num; i++)
      if (strcasecmp(c->keys[i], key) == 0)
        call->key_ok = true;
    status = 0;
  }
  pthread_mutex_unlock(&config_lock);
  return status;
}

int plugin__config_simple(plugin_t *p, const char *key, const char *value) {
  config_call_t call;
  if (config_lookup(p->name, false, key, &call) != 0)
    return -ENOENT;
  if (!call.key_ok) {
    ERROR("%s plugin: the plugin does not accept the option \"%s\"", p->name,
          key);
    return -EINVAL;
  }
  plugin_thread_ctx_t saved = plugin__enter(call.owner, call.ctx);
  int status = call.simple(key, value);
  plugin__leave(saved);
  return status == 0 ? 0 : -EINVAL;
}

int plugin__config_complex(plugin_t *p, oconfig_item_t *ci) {
  config_call_t call;
  if (config_lookup(p->name, true, NULL, &call) != 0)
    return -ENOENT;
  plugin_thread_ctx_t saved = plugin__enter(call.owner, call.ctx);
  int status = call.complex(ci);
  plugin__leave(saved);
  return status == 0 ? 0 : -EINVAL;
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
