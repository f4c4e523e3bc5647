/* The targets built into the daemon: return, stop, write (to some or all
 * write plugins) and jump (to another chain). */
#include "filter_chain/fc_internal.h"
#include "utils/common/common.h"

static int invoke_return(const data_set_t *ds, value_list_t *vl,
                         notification_meta_t **meta, void **ud) {
  return FC_TARGET_RETURN;
}

static int invoke_stop(const data_set_t *ds, value_list_t *vl,
                       notification_meta_t **meta, void **ud) {
  return FC_TARGET_STOP;
}

/* Options these two do not take are reported, and ignored as collectd
 * ignores them. */
static int create_plain(const oconfig_item_t *ci, void **ud) {
  for (int i = 0; i < ci->children_num; i++) {
    const char *file = "?";
    int line = 0;
    oconfig_item_source(&ci->children[i], &file, &line);
    char key[OCONFIG_EXCERPT_SIZE];
    WARNING("%s:%d: the built-in target \"%s\" takes no option %s; ignored",
            file, line,
            ci->values_num > 0 && ci->values[0].type == OCONFIG_TYPE_STRING
                ? ci->values[0].value.string
                : "?",
            oconfig_excerpt(ci->children[i].key, true, key, sizeof(key)));
  }
  *ud = NULL;
  return 0;
}

/* ---- write --------------------------------------------------------------- */

/* The write plugins (write callback names) to write to; none: all. */
typedef struct {
  size_t num;
  _Atomic long failures; /* for logging failures without flooding */
  char names[][DATA_MAX_NAME_LEN];
} write_targets_t;

static bool write_callback_exists(const char *name) {
  cb_snapshot_t *s = cb_list_acquire(CB_WRITE);
  bool found = false;
  for (size_t i = 0; s != NULL && i < s->num && !found; i++)
    found = strcasecmp(s->cb[i]->name, name) == 0;
  cb_list_release(s);
  return found;
}

static int create_write(const oconfig_item_t *ci, void **ud) {
  size_t num = 0;
  for (int i = 0; i < ci->children_num; i++)
    if (strcasecmp(ci->children[i].key, "Plugin") == 0)
      num += (size_t)ci->children[i].values_num;
  write_targets_t *w = calloc(1, sizeof(*w) + num * DATA_MAX_NAME_LEN);
  if (w == NULL)
    return -ENOMEM;

  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *opt = ci->children + i;
    const char *file = "?";
    int line = 0;
    oconfig_item_source(opt, &file, &line);
    if (strcasecmp(opt->key, "Plugin") != 0) {
      char key[OCONFIG_EXCERPT_SIZE];
      WARNING("%s:%d: the built-in target \"write\" takes no option %s; "
              "ignored",
              file, line, oconfig_excerpt(opt->key, true, key, sizeof(key)));
      continue;
    }
    for (int j = 0; j < opt->values_num; j++) {
      if (opt->values[j].type != OCONFIG_TYPE_STRING) {
        ERROR("%s:%d: target \"write\": Plugin takes plugin names", file,
              line);
        free(w);
        return -EINVAL;
      }
      const char *name = opt->values[j].value.string;
      size_t len = strlen(name);
      if (len >= DATA_MAX_NAME_LEN) {
        ERROR("%s:%d: target \"write\": a plugin name is %zu bytes long; at "
              "most %d fit",
              file, line, len, DATA_MAX_NAME_LEN - 1);
        free(w);
        return -EINVAL;
      }
      sstrncpy(w->names[w->num++], name, DATA_MAX_NAME_LEN);
      /* Not an error: the plugin may be loaded later. */
      if (!write_callback_exists(name))
        WARNING("%s:%d: target \"write\": no write plugin \"%s\" is loaded "
                "(yet); values for it are dropped until one is",
                file, line, name);
    }
  }
  *ud = w;
  return 0;
}

static int destroy_free(void **ud) {
  free(*ud);
  *ud = NULL;
  return 0;
}

/* Logs the 1st, 2nd, 4th, 8th... time something keeps failing. */
static bool worth_logging(_Atomic long *count) {
  long n = atomic_fetch_add(count, 1) + 1;
  return (n & (n - 1)) == 0;
}

static int invoke_write(const data_set_t *ds, value_list_t *vl,
                        notification_meta_t **meta, void **ud) {
  write_targets_t *w = *ud;
  if (w->num == 0) {
    if (plugin_write(NULL, ds, vl) != 0 && worth_logging(&w->failures))
      WARNING("filter chains: target \"write\": no write plugin took the "
              "value (%ld times so far); is any loaded?",
              atomic_load(&w->failures));
    return FC_TARGET_CONTINUE;
  }
  for (size_t i = 0; i < w->num; i++) {
    int status = plugin_write(w->names[i], ds, vl);
    if (status != 0 && worth_logging(&w->failures))
      WARNING("filter chains: target \"write\": writing to \"%s\" failed "
              "(%s; %ld failures so far)",
              w->names[i],
              status == -ENOENT ? "no such write plugin is ready"
                                : "its write callback failed",
              atomic_load(&w->failures));
  }
  return FC_TARGET_CONTINUE;
}

/* ---- jump ---------------------------------------------------------------- */

typedef struct {
  char chain_name[DATA_MAX_NAME_LEN];
  fc_chain_t *chain; /* set once the whole set is built */
  bool resolved;
} jump_t;

static int create_jump(const oconfig_item_t *ci, void **ud) {
  const char *file = "?";
  int line = 0;
  oconfig_item_source(ci, &file, &line);
  const char *name = NULL;
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *opt = ci->children + i;
    if (strcasecmp(opt->key, "Chain") != 0 || name != NULL ||
        opt->values_num != 1 || opt->values[0].type != OCONFIG_TYPE_STRING) {
      ERROR("%s:%d: target \"jump\" takes exactly one option, Chain "
            "\"<name>\"",
            file, line);
      return -EINVAL;
    }
    name = opt->values[0].value.string;
  }
  if (name == NULL) {
    ERROR("%s:%d: target \"jump\" needs the Chain to jump to", file, line);
    return -EINVAL;
  }
  size_t len = strlen(name);
  if (len >= DATA_MAX_NAME_LEN) {
    ERROR("%s:%d: target \"jump\": the chain name is %zu bytes long; at "
          "most %d fit",
          file, line, len, DATA_MAX_NAME_LEN - 1);
    return -EINVAL;
  }
  jump_t *j = calloc(1, sizeof(*j));
  if (j == NULL)
    return -ENOMEM;
  sstrncpy(j->chain_name, name, sizeof(j->chain_name));
  *ud = j;
  return 0;
}

static int invoke_jump(const data_set_t *ds, value_list_t *vl,
                       notification_meta_t **meta, void **ud) {
  jump_t *j = *ud;
  /* A jump to an empty chain does nothing (collectd 5.12 ignores empty
   * chains); a return in the chain jumped to ends only that chain. */
  if (j->chain == NULL)
    return FC_TARGET_CONTINUE;
  return fc__run_chain(j->chain, ds, vl) == FC_TARGET_STOP
             ? FC_TARGET_STOP
             : FC_TARGET_CONTINUE;
}

bool fc__is_jump(const fc_elem_t *e) {
  return e->impl->owner == NULL && e->impl->kind == FC_TARGET &&
         e->impl->target.invoke == invoke_jump;
}

int fc__jump_resolve(fc_elem_t *e, fc_set_t *set) {
  jump_t *j = e->user_data;
  fc_chain_t *c = fc__set_find(set, j->chain_name);
  if (c == NULL)
    return -ENOENT;
  j->chain = c->rules_num > 0 || c->targets_num > 0 ? c : NULL;
  j->resolved = true;
  return 0;
}

fc_chain_t *fc__jump_chain(const fc_elem_t *e) {
  const jump_t *j = e->user_data;
  return j->chain;
}

const char *fc__jump_name(const fc_elem_t *e) {
  const jump_t *j = e->user_data;
  return j->chain_name;
}

/* ---- registration ---------------------------------------------------------- */

void fc__init(void) { fc__builtin_register(); }

void fc__builtin_register(void) {
  if (fc__impl_find(FC_TARGET, "stop") != NULL)
    return;
  /* The core registers them: the calling thread must not look like it is
   * loading a plugin. */
  plugin_thread_ctx_t saved = plugin__enter(NULL, plugin_get_ctx());
  fc_register_target("return", (target_proc_t){.create = create_plain,
                                               .invoke = invoke_return});
  fc_register_target("stop", (target_proc_t){.create = create_plain,
                                             .invoke = invoke_stop});
  fc_register_target("write", (target_proc_t){.create = create_write,
                                              .destroy = destroy_free,
                                              .invoke = invoke_write});
  fc_register_target("jump", (target_proc_t){.create = create_jump,
                                             .destroy = destroy_free,
                                             .invoke = invoke_jump});
  plugin__leave(saved);
}
