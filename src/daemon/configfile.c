/* Reading collectd.conf: global options, <LoadPlugin> and <Plugin> blocks.
 *
 * cf_read() parses the files (Include expanded), applies the global
 * options and remembers, per plugin, its LoadPlugin options and Plugin
 * blocks in file order. cf_load_plugins() then takes every plugin through
 * the lifecycle up to its configuration, one at a time, in the order of
 * the file; cf_configure_chains() builds the filter chains and
 * cf_init_plugins() initialises the plugins in the same order. */
#include "configfile_internal.h"
#include "configfile_include.h"
#include "daemon_signals.h"
#include "exit_watch.h"
#include "filter_chain/fc.h"
#include "plugin_control.h"
#include "plugin_dynamic.h"
#include "types_list.h"
#include "utils/common/common.h"

#include <netdb.h>

cdtime_t cf_get_default_interval(void) {
  return interval_g > 0 ? interval_g : TIME_T_TO_CDTIME_T_STATIC(10);
}

/* ---- what the file says about each plugin ---------------------------------- */

typedef struct {
  plugin_conf_t conf;
  bool load;        /* named by LoadPlugin (or auto-loaded) */
  bool isolate_set; /* its <LoadPlugin> says Isolate */
  const char *file; /* where it was first mentioned, for errors */
  int line;
} cf_plugin_t;

/* A file named by TypesDB, and where. */
typedef struct {
  char *path;
  char *where; /* "file:line" of the TypesDB statement */
} types_file_t;

static oconfig_item_t *tree;
static cf_plugin_t *plugins;
static size_t plugins_num;
static types_file_t *types_files;
static size_t types_files_num;
/* The <Chain> blocks (borrowed from the tree), in file order. */
static oconfig_item_t **chain_blocks;
static size_t chain_blocks_num;
/* The file cf_read() read, which LOAD and RELOAD read again. */
static char *config_file;

static void where(const oconfig_item_t *ci, const char **file, int *line) {
  *file = "(unknown)";
  *line = 0;
  oconfig_item_source(ci, file, line);
}

static cf_plugin_t *plugin_entry(const char *name, const oconfig_item_t *ci) {
  for (size_t i = 0; i < plugins_num; i++)
    if (strcasecmp(plugins[i].conf.name, name) == 0)
      return &plugins[i];
  cf_plugin_t *p = realloc(plugins, (plugins_num + 1) * sizeof(*p));
  if (p == NULL)
    return NULL;
  plugins = p;
  p = &plugins[plugins_num++];
  *p = (cf_plugin_t){.conf = {.name = name}};
  where(ci, &p->file, &p->line);
  return p;
}

static int parse_failure_policy(const char *s, plugin_failure_policy_t *ret) {
  if (strcasecmp(s, "Skip") == 0)
    *ret = PLUGIN_ON_FAILURE_SKIP;
  else if (strcasecmp(s, "Shutdown") == 0)
    *ret = PLUGIN_ON_FAILURE_SHUTDOWN;
  else if (strcasecmp(s, "Restart") == 0)
    *ret = PLUGIN_ON_FAILURE_RESTART;
  else
    return -EINVAL;
  return 0;
}

static int load_plugin_option(cf_plugin_t *p, const oconfig_item_t *opt) {
  const char *file;
  int line;
  where(opt, &file, &line);
  plugin_conf_t *c = &p->conf;

  if (strcasecmp(opt->key, "Globals") == 0) {
    bool b;
    if (cf_util_get_boolean(opt, &b) != 0)
      return -EINVAL;
    c->global = b;
  } else if (strcasecmp(opt->key, "Interval") == 0) {
    if (cf_util_get_cdtime(opt, &c->interval) != 0)
      return -EINVAL;
  } else if (strcasecmp(opt->key, "FlushInterval") == 0) {
    if (cf_util_get_cdtime(opt, &c->flush_interval) != 0)
      return -EINVAL;
  } else if (strcasecmp(opt->key, "FlushTimeout") == 0) {
    if (cf_util_get_cdtime(opt, &c->flush_timeout) != 0)
      return -EINVAL;
  } else if (strcasecmp(opt->key, "Isolate") == 0) {
    bool b;
    if (cf_util_get_boolean(opt, &b) != 0)
      return -EINVAL;
    if (b && !cf_isolatable(c->name)) {
      ERROR("%s:%d: Isolate: plugin \"%s\" cannot run in a plugin host: %s",
            file, line, c->name, cf_isolation_refusal(c->name));
      return -EINVAL;
    }
    c->isolate = b;
    p->isolate_set = true;
  } else if (strcasecmp(opt->key, "MemoryLimit") == 0) {
    /* In MiB, fractions allowed. */
    double mib;
    if (cf_util_get_double(opt, &mib) != 0)
      return -EINVAL;
    if (!(mib > 0) || mib > 1024.0 * 1024 * 1024) {
      ERROR("%s:%d: MemoryLimit: %g MiB is not a limit (more than 0, in MiB)",
            file, line, mib);
      return -EINVAL;
    }
    c->memory_limit = (uint64_t)(mib * 1024 * 1024);
  } else if (strcasecmp(opt->key, "OnPluginFailure") == 0) {
    char *s = NULL;
    if (cf_util_get_string(opt, &s) != 0 ||
        parse_failure_policy(s, &c->on_failure) != 0) {
      ERROR("%s:%d: OnPluginFailure must be Skip, Shutdown or Restart", file,
            line);
      free(s);
      return -EINVAL;
    }
    free(s);
  } else {
    char key[OCONFIG_EXCERPT_SIZE];
    WARNING("%s:%d: ignoring unknown LoadPlugin option %s for plugin \"%s\"",
            file, line, oconfig_excerpt(opt->key, true, key, sizeof(key)),
            c->name);
  }
  return 0;
}

/* Takes the options of a <LoadPlugin> block into p. */
static int load_plugin_settings(cf_plugin_t *p, const oconfig_item_t *ci,
                                plugin_failure_policy_t policy) {
  p->load = true;
  p->conf.on_failure = policy;
  where(ci, &p->file, &p->line);
  int status = 0;
  for (int i = 0; i < ci->children_num; i++)
    if (load_plugin_option(p, ci->children + i) != 0)
      status = -EINVAL;
  return status;
}

/* ---- isolation ---------------------------------------------------------------- */

/* Plugins that only work inside the daemon: matches and targets run in
 * the dispatch path of every value, and unixsock serves the daemon's own
 * control socket. */
const char *cf_isolation_refusal(const char *name) {
  if (strncasecmp(name, "match_", 6) == 0)
    return "a match runs inside the daemon's filter chains";
  if (strncasecmp(name, "target_", 7) == 0)
    return "a target runs inside the daemon's filter chains";
  if (strcasecmp(name, "unixsock") == 0)
    return "it serves the daemon's own control socket";
  return NULL;
}

bool cf_isolatable(const char *name) {
  return cf_isolation_refusal(name) == NULL;
}

/* IsolatePlugins for every plugin whose <LoadPlugin> does not say; those
 * that cannot be isolated stay in the daemon. */
static void default_isolation(cf_plugin_t *p) {
  const char *all = global_option_get("IsolatePlugins");
  if (!p->isolate_set && all != NULL && IS_TRUE(all)) {
    if (cf_isolatable(p->conf.name))
      p->conf.isolate = true;
    else
      NOTICE("%s: IsolatePlugins: it stays in the daemon: %s", p->conf.name,
             cf_isolation_refusal(p->conf.name));
  }
  /* Only a host can be held to a limit: the daemon's memory is everyone's. */
  if (p->conf.memory_limit != 0 && !p->conf.isolate) {
    WARNING("%s:%d: MemoryLimit: plugin \"%s\" is not isolated; the limit "
            "applies to isolated plugins only and is ignored",
            p->file != NULL ? p->file : "?", p->line, p->conf.name);
    p->conf.memory_limit = 0;
  }
}

static bool names_plugin(const oconfig_item_t *ci) {
  return ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING;
}

/* The plugin name of a LoadPlugin or <Plugin> (`what`), checked here, where
 * the line is known, rather than when the plugin is loaded. */
static int check_plugin_name(const oconfig_item_t *ci, const char *what) {
  const char *file;
  int line;
  where(ci, &file, &line);
  if (!names_plugin(ci)) {
    ERROR("%s:%d: %s needs exactly one plugin name", file, line, what);
    return -EINVAL;
  }
  const char *name = ci->values[0].value.string;
  size_t len = strlen(name);
  char q[OCONFIG_EXCERPT_SIZE];
  if (len >= DATA_MAX_NAME_LEN)
    ERROR("%s:%d: %s: the plugin name is %zu bytes long; at most %d fit", file,
          line, what, len, DATA_MAX_NAME_LEN - 1);
  else if (!plugin_name_valid(name))
    ERROR("%s:%d: %s: %s is not a plugin name (letters, digits, '_' and '-' "
          "only)",
          file, line, what, oconfig_excerpt(name, true, q, sizeof(q)));
  else
    return 0;
  return -EINVAL;
}

static int handle_load_plugin(const oconfig_item_t *ci,
                              plugin_failure_policy_t policy) {
  const char *file;
  int line;
  where(ci, &file, &line);
  if (check_plugin_name(ci, "LoadPlugin") != 0)
    return -EINVAL;
  cf_plugin_t *p = plugin_entry(ci->values[0].value.string, ci);
  if (p == NULL)
    return -ENOMEM;
  if (p->load) {
    WARNING("%s:%d: plugin \"%s\" is loaded already; ignoring this "
            "LoadPlugin",
            file, line, p->conf.name);
    return 0;
  }
  return load_plugin_settings(p, ci, policy);
}

/* Adds a <Plugin> block (borrowed from the tree) to p's, in file order. */
static int add_block(cf_plugin_t *p, oconfig_item_t *ci) {
  oconfig_item_t **b =
      realloc(p->conf.blocks, (p->conf.blocks_num + 1) * sizeof(*b));
  if (b == NULL)
    return -ENOMEM;
  p->conf.blocks = b;
  b[p->conf.blocks_num++] = ci;
  return 0;
}

static int handle_plugin_block(oconfig_item_t *ci) {
  if (check_plugin_name(ci, "<Plugin>") != 0)
    return -EINVAL;
  cf_plugin_t *p = plugin_entry(ci->values[0].value.string, ci);
  return p != NULL ? add_block(p, ci) : -ENOMEM;
}

/* Chains are built once every plugin is loaded (cf_configure_chains()),
 * so that the matches and targets they use are registered whatever the
 * order of the file. */
static int add_chain_block(oconfig_item_t *ci) {
  oconfig_item_t **b =
      realloc(chain_blocks, (chain_blocks_num + 1) * sizeof(*b));
  if (b == NULL)
    return -ENOMEM;
  chain_blocks = b;
  b[chain_blocks_num++] = ci;
  return 0;
}

static int add_types_file(const oconfig_value_t *v, const char *file,
                          int line) {
  if (v->type != OCONFIG_TYPE_STRING) {
    ERROR("%s:%d: TypesDB takes file names", file, line);
    return -EINVAL;
  }
  size_t len = strlen(v->value.string);
  if (len >= PATH_MAX) {
    ERROR("%s:%d: TypesDB: the path is %zu bytes long; at most %d fit", file,
          line, len, PATH_MAX - 1);
    return -EINVAL;
  }
  types_file_t *f =
      realloc(types_files, (types_files_num + 1) * sizeof(*types_files));
  if (f == NULL)
    return -ENOMEM;
  types_files = f;
  f = &types_files[types_files_num];
  /* Kept absolute: the file is read now, before the daemon changes into
   * BaseDir, and a plugin host, which starts there, must read the same. */
  char cwd[PATH_MAX];
  const char *path = v->value.string;
  if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
    if (asprintf(&f->path, "%s/%s", cwd, path) < 0)
      f->path = NULL;
  } else {
    f->path = strdup(path);
  }
  if (f->path == NULL || asprintf(&f->where, "%s:%d", file, line) < 0) {
    free(f->path);
    return -ENOMEM;
  }
  types_files_num++;
  return 0;
}

static int handle_global(const oconfig_item_t *ci) {
  const char *file;
  int line;
  where(ci, &file, &line);

  /* TypesDB takes several files and may be repeated. */
  if (strcasecmp(ci->key, "TypesDB") == 0) {
    for (int i = 0; i < ci->values_num; i++)
      if (add_types_file(&ci->values[i], file, line) != 0)
        return -EINVAL;
    return 0;
  }

  int status = cf_option_take(ci);
  if (status == -ENOENT) {
    char key[OCONFIG_EXCERPT_SIZE];
    WARNING("%s:%d: unknown global option %s ignored", file, line,
            oconfig_excerpt(ci->key, true, key, sizeof(key)));
    return 0;
  }
  return status;
}

/* ---- applying the global options -------------------------------------------- */

static int init_hostname(void) {
  const char *h = global_option_get("Hostname");
  if (h != NULL && h[0] != '\0') {
    hostname_set(h);
    return 0;
  }
  char buf[256];
  if (gethostname(buf, sizeof(buf)) != 0) {
    ERROR("cannot determine the host name: %s", STRERRNO);
    return -errno;
  }
  buf[sizeof(buf) - 1] = '\0';
  hostname_set(buf);

  const char *fqdn = global_option_get("FQDNLookup");
  if (fqdn == NULL || !IS_TRUE(fqdn))
    return 0;
  struct addrinfo hints = {.ai_flags = AI_CANONNAME};
  struct addrinfo *ai = NULL;
  int status = getaddrinfo(buf, NULL, &hints, &ai);
  if (status != 0) {
    WARNING("FQDNLookup: looking up \"%s\" failed: %s; using the short name",
            buf, gai_strerror(status));
    return 0;
  }
  for (struct addrinfo *a = ai; a != NULL; a = a->ai_next) {
    if (a->ai_canonname != NULL && strchr(a->ai_canonname, '.') != NULL) {
      hostname_set(a->ai_canonname);
      break;
    }
  }
  freeaddrinfo(ai);
  return 0;
}

/* The values were checked as the file was read (configfile_options.c). */
static int apply_globals(void) {
  interval_g =
      global_option_get_time("Interval", TIME_T_TO_CDTIME_T_STATIC(10));
  timeout_g = (int)global_option_get_long("Timeout", 2);

  if (init_hostname() != 0)
    return -EINVAL;

  plugin_dynamic_set_unload_timeout(
      global_option_get_time("UnloadTimeout", TIME_T_TO_CDTIME_T_STATIC(10)));

  plugin__write_set_limits(global_option_get_long("WriteQueueLimitHigh", 0),
                           global_option_get_long("WriteQueueLimitLow", 0));
  plugin_set_dir(global_option_get("PluginDir"));

  int status = 0;
  if (types_files_num == 0) {
    status = read_types_list(PKGDATADIR "/types.db", NULL);
  } else {
    for (size_t i = 0; i < types_files_num; i++)
      if (read_types_list(types_files[i].path, types_files[i].where) != 0)
        status = -EINVAL;
  }
  return status;
}

plugin_failure_policy_t cf_default_failure_policy(void) {
  plugin_failure_policy_t p = PLUGIN_ON_FAILURE_SKIP;
  parse_failure_policy(global_option_get("OnPluginFailure"), &p);
  return p;
}

/* ---- cf_read ------------------------------------------------------------------ */

static int walk_tree(oconfig_item_t *root) {
  int status = 0;
  chain_blocks_num = 0; /* they pointed into the tree read before */
  /* OnPluginFailure may come anywhere at the top; LoadPlugin blocks need
   * it, so look for it first. */
  for (int i = 0; i < root->children_num; i++) {
    oconfig_item_t *ci = root->children + i;
    if (strcasecmp(ci->key, "OnPluginFailure") == 0 && handle_global(ci) != 0)
      status = -EINVAL;
  }
  plugin_failure_policy_t policy = cf_default_failure_policy();

  for (int i = 0; i < root->children_num; i++) {
    oconfig_item_t *ci = root->children + i;
    int ret = 0;
    if (strcasecmp(ci->key, "LoadPlugin") == 0)
      ret = handle_load_plugin(ci, policy);
    else if (strcasecmp(ci->key, "Plugin") == 0)
      ret = handle_plugin_block(ci);
    else if (strcasecmp(ci->key, "OnPluginFailure") == 0)
      continue;
    else if (strcasecmp(ci->key, "Chain") == 0)
      ret = add_chain_block(ci);
    else if (ci->children_num == 0)
      ret = handle_global(ci);
    else {
      const char *file;
      int line;
      where(ci, &file, &line);
      char key[OCONFIG_EXCERPT_SIZE];
      WARNING("%s:%d: unknown block <%s> ignored", file, line,
              oconfig_excerpt(ci->key, false, key, sizeof(key)));
    }
    if (ret != 0)
      status = ret;
  }
  return status;
}

/* Plugin blocks of plugins nobody loads: load them (AutoLoadPlugin) or
 * refuse the configuration, as collectd does. */
static int check_unloaded_blocks(plugin_failure_policy_t policy) {
  const char *autoload = global_option_get("AutoLoadPlugin");
  int status = 0;
  for (size_t i = 0; i < plugins_num; i++) {
    cf_plugin_t *p = &plugins[i];
    if (p->load)
      continue;
    if (autoload != NULL && IS_TRUE(autoload)) {
      p->load = true;
      p->conf.on_failure = policy;
      continue;
    }
    ERROR("%s:%d: there is configuration for the \"%s\" plugin, but the "
          "plugin is not loaded (add \"LoadPlugin %s\")",
          p->file, p->line, p->conf.name, p->conf.name);
    status = -EINVAL;
  }
  return status;
}

void cf_free(void) {
  free(chain_blocks);
  chain_blocks = NULL;
  chain_blocks_num = 0;
  for (size_t i = 0; i < plugins_num; i++)
    free(plugins[i].conf.blocks);
  free(plugins);
  plugins = NULL;
  plugins_num = 0;
  for (size_t i = 0; i < types_files_num; i++) {
    free(types_files[i].path);
    free(types_files[i].where);
  }
  free(types_files);
  types_files = NULL;
  types_files_num = 0;
  oconfig_free(tree);
  tree = NULL;
  free(config_file);
  config_file = NULL;
  cf_options_reset();
}

static void log_parser_warning(const char *message, void *unused) {
  WARNING("configuration: %s", message);
}

int cf_read(const char *filename) {
  oconfig_set_warning_hook(log_parser_warning, NULL);
  free(config_file);
  config_file = strdup(filename);
  char err[1024] = "";
  oconfig_item_t *root = NULL;
  int status = cf_include_read(filename, &root, err, sizeof(err));
  if (status != 0) {
    ERROR("configuration: %s", err[0] ? err : strerror(-status));
    return -1;
  }
  return cf_read_tree(root);
}

int cf_read_tree(oconfig_item_t *root) {
  oconfig_free(tree);
  tree = root;

  int status = walk_tree(root);
  if (apply_globals() != 0)
    status = -1;
  if (check_unloaded_blocks(cf_default_failure_policy()) != 0)
    status = -1;
  for (size_t i = 0; i < plugins_num; i++)
    if (plugins[i].load)
      default_isolation(&plugins[i]);
  return status != 0 ? -1 : 0;
}

/* A failure under OnPluginFailure Shutdown stops the start-up. */
static bool stops_start(const cf_plugin_t *p) {
  if (p->conf.on_failure != PLUGIN_ON_FAILURE_SHUTDOWN)
    return false;
  ERROR("%s: OnPluginFailure is Shutdown; stopping", p->conf.name);
  return true;
}

int cf_load_plugins(bool check_only, bool *shutdown) {
  int failed = 0;
  *shutdown = false;
  /* Told to stop meanwhile: no more plugins (see exit_watch_arm()). */
  for (size_t i = 0; i < plugins_num && !signals_stop_requested(); i++) {
    cf_plugin_t *p = &plugins[i];
    if (!p->load)
      continue;
    p->conf.check_only = true;
    char err[1024], at[PATH_MAX + 16];
    snprintf(at, sizeof(at), "%s:%d", p->file, p->line);
    p->conf.where = at;
    exit_watch_doing("loading %s, %s", p->conf.name, at);
    int status = plugin_dynamic_load(&p->conf, err, sizeof(err));
    p->conf.where = NULL;
    /* A log plugin is initialised at once, so that what the plugins after
     * it say while they load reaches it (log callbacks only run once their
     * plugin is ready); it dispatches no values the chains could miss. */
    plugin_t *record = plugin__record_find(p->conf.name);
    /* A failure before the plugin had a record was not logged. */
    if (status != 0 && status != -EEXIST && record == NULL)
      ERROR("%s: %s", at, err);
    if (status == 0 && !check_only && record != NULL &&
        cb_list_has_owner(CB_LOG, record)) {
      exit_watch_doing("initialising %s, %s", p->conf.name, at);
      status = plugin_dynamic_init(record, err, sizeof(err));
    }
    if (status == 0 || status == -EEXIST)
      continue;
    failed++;
    /* Another daemon in this one's place stops it, whatever the policy. */
    if ((*shutdown = stops_start(p) || plugin_control_start_refused()))
      break;
  }
  return failed ? -1 : 0;
}

int cf_init_plugins(bool *shutdown) {
  int failed = 0;
  *shutdown = false;
  for (size_t i = 0; i < plugins_num && !signals_stop_requested(); i++) {
    cf_plugin_t *p = &plugins[i];
    plugin_t *record = p->load ? plugin__record_find(p->conf.name) : NULL;
    if (record == NULL || atomic_load(&record->state) != PLUGIN_CONFIGURING)
      continue;
    char err[1024];
    exit_watch_doing("initialising %s, %s:%d", p->conf.name, p->file, p->line);
    if (plugin_dynamic_init(record, err, sizeof(err)) == 0)
      continue;
    failed++;
    /* Another daemon in this one's place stops it, whatever the policy. */
    if ((*shutdown = stops_start(p) || plugin_control_start_refused()))
      break;
  }
  return failed ? -1 : 0;
}

/* ---- filter chains -------------------------------------------------------- */

int cf_configure_chains(void) {
  char pre_where[PATH_MAX + 32], post_where[PATH_MAX + 32];
  fc_conf_t conf = {
      .blocks = chain_blocks,
      .blocks_num = chain_blocks_num,
      .pre_cache = global_option_get("PreCacheChain"),
      .pre_cache_set = cf_option_is_set("PreCacheChain"),
      .pre_cache_where =
          cf_option_where("PreCacheChain", pre_where, sizeof(pre_where)),
      .post_cache = global_option_get("PostCacheChain"),
      .post_cache_set = cf_option_is_set("PostCacheChain"),
      .post_cache_where =
          cf_option_where("PostCacheChain", post_where, sizeof(post_where)),
  };
  fc_set_t *set = NULL;
  char err[1024];
  int status = fc__build(&conf, &set, err, sizeof(err));
  if (status != 0) {
    ERROR("filter chains: %s; the configuration is refused", err);
    return status;
  }
  return fc__publish(set, 0);
}

/* ---- an isolated plugin's configuration ------------------------------------ */

static void put_quoted(FILE *f, const char *key, const char *value) {
  fprintf(f, "%s \"", key);
  for (const char *c = value; *c != '\0'; c++) {
    if (*c == '"' || *c == '\\')
      fputc('\\', f);
    fputc(*c, f);
  }
  fputs("\"\n", f);
}

static void put_seconds(FILE *f, const char *key, cdtime_t t) {
  fprintf(f, "%s %.9f\n", key, CDTIME_T_TO_DOUBLE(t));
}

/* The global options and the <LoadPlugin> block, as text. The host runs
 * the plugin in its own process, so it is never isolated there. */
static void put_host_globals(FILE *f, const plugin_conf_t *conf) {
  put_quoted(f, "Hostname", hostname_g != NULL ? hostname_g : "");
  fputs("FQDNLookup false\nIsolatePlugins false\n", f);
  put_seconds(f, "Interval", cf_get_default_interval());
  fprintf(f, "Timeout %d\n", timeout_g);
  put_seconds(f, "UnloadTimeout", global_option_get_time(
                                       "UnloadTimeout",
                                       TIME_T_TO_CDTIME_T_STATIC(10)));
  put_seconds(f, "MaxReadInterval",
              global_option_get_time("MaxReadInterval",
                                     TIME_T_TO_CDTIME_T_STATIC(86400)));
  put_quoted(f, "PluginDir", plugin_get_dir());
  for (size_t i = 0; i < types_files_num; i++)
    put_quoted(f, "TypesDB", types_files[i].path);

  /* A plugin name is letters, digits, '_' and '-' (plugin_name_valid()). */
  fprintf(f, "<LoadPlugin \"%s\">\nGlobals %s\n", conf->name,
          conf->global ? "true" : "false");
  if (conf->interval > 0)
    put_seconds(f, "Interval", conf->interval);
  if (conf->flush_interval > 0)
    put_seconds(f, "FlushInterval", conf->flush_interval);
  if (conf->flush_timeout > 0)
    put_seconds(f, "FlushTimeout", conf->flush_timeout);
  fputs("</LoadPlugin>\n", f);
}

int cf_host_tree(const plugin_conf_t *conf, oconfig_item_t **ret, char *errbuf,
                 size_t errlen) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL) {
    snprintf(errbuf, errlen, "out of memory");
    return -ENOMEM;
  }
  put_host_globals(f, conf);
  if (fclose(f) != 0) {
    free(text);
    snprintf(errbuf, errlen, "out of memory");
    return -ENOMEM;
  }
  oconfig_item_t *root = NULL;
  int status = oconfig_parse_string(text, "(the daemon's options)", &root,
                                    errbuf, errlen);
  free(text);
  if (status != 0)
    return status;

  /* Its <Plugin> blocks, as the files gave them. */
  for (size_t i = 0; i < conf->blocks_num && status == 0; i++) {
    oconfig_item_t *wrap = calloc(1, sizeof(*wrap));
    oconfig_item_t *block = oconfig_clone(conf->blocks[i]);
    if (wrap == NULL || block == NULL) {
      free(wrap);
      oconfig_free(block);
      status = -ENOMEM;
      break;
    }
    block->parent = wrap;
    wrap->children = block;
    wrap->children_num = 1;
    if ((status = oconfig_children_splice(root, root->children_num, 0,
                                          wrap)) != 0)
      oconfig_free(wrap);
  }
  if (status != 0) {
    snprintf(errbuf, errlen, "out of memory");
    oconfig_free(root);
    return status;
  }
  *ret = root;
  return 0;
}

/* ---- one plugin, read again ------------------------------------------------ */

/* Reads the files again into *root; "...; nothing changed" in errbuf. */
static int read_again(oconfig_item_t **root, char *errbuf, size_t errlen) {
  if (config_file == NULL) {
    snprintf(errbuf, errlen, "the daemon was started without a "
                             "configuration file");
    return -ENOENT;
  }
  char err[1024] = "";
  int status = cf_include_read(config_file, root, err, sizeof(err));
  if (status != 0) {
    snprintf(errbuf, errlen, "%s; nothing changed",
             err[0] ? err : strerror(-status));
    return -EINVAL;
  }
  return 0;
}

/* What `root` says about plugin `name` (see cf_plugin_conf()). */
static int conf_from_tree(const oconfig_item_t *root, const char *name,
                          plugin_conf_t *conf, char *errbuf, size_t errlen) {
  int status = 0;
  plugin_failure_policy_t policy = cf_default_failure_policy();
  cf_plugin_t p = {.conf = {.name = name, .on_failure = policy}};
  for (int i = 0; i < root->children_num && status == 0; i++) {
    oconfig_item_t *ci = root->children + i;
    if (!names_plugin(ci) || strcasecmp(ci->values[0].value.string, name))
      continue;
    if (strcasecmp(ci->key, "LoadPlugin") == 0 && !p.load) {
      if (load_plugin_settings(&p, ci, policy) != 0) {
        snprintf(errbuf, errlen, "%s:%d: the <LoadPlugin %s> block is "
                                 "invalid (see the log); nothing changed",
                 p.file, p.line, name);
        status = -EINVAL;
      }
    } else if (strcasecmp(ci->key, "Plugin") == 0 &&
               (status = add_block(&p, ci)) != 0) {
      snprintf(errbuf, errlen, "out of memory");
    }
  }
  const char *autoload = global_option_get("AutoLoadPlugin");
  if (!p.load && p.conf.blocks_num > 0 && autoload != NULL &&
      IS_TRUE(autoload))
    p.load = true;
  /* Also for a plugin the files do not name: LOAD takes it as a bare
   * "LoadPlugin <name>" would be taken. */
  default_isolation(&p);

  if (status == 0 && plugin_conf_copy(conf, &p.conf) != 0) {
    snprintf(errbuf, errlen, "out of memory");
    status = -ENOMEM;
  }
  free(p.conf.blocks);
  if (status == 0 && !p.load) {
    snprintf(errbuf, errlen, "the configuration files do not load it "
                             "(no \"LoadPlugin %s\")",
             name);
    return -ENOENT;
  }
  return status;
}

int cf_plugin_conf(const char *name, plugin_conf_t *conf, char *errbuf,
                   size_t errlen) {
  *conf = (plugin_conf_t){.name = name,
                          .on_failure = cf_default_failure_policy()};
  oconfig_item_t *root = NULL;
  int status = read_again(&root, errbuf, errlen);
  if (status == 0)
    status = conf_from_tree(root, name, conf, errbuf, errlen);
  oconfig_free(root);
  return status;
}

/* ---- the whole configuration, read again ----------------------------------- */

/* The global options, the TypesDB files and the <Chain> blocks of `root`
 * that differ from those the daemon runs with. */
static int globals_changed(const oconfig_item_t *root, char *buf,
                           size_t len) {
  int num = 0;
  buf[0] = '\0';
  cf_options_changed(root, buf, len, &num);

  size_t types = 0, chains = 0;
  bool types_differ = false, chains_differ = false;
  for (int i = 0; i < root->children_num; i++) {
    const oconfig_item_t *ci = root->children + i;
    if (strcasecmp(ci->key, "TypesDB") == 0) {
      for (int j = 0; j < ci->values_num; j++, types++) {
        const char *path = ci->values[j].type == OCONFIG_TYPE_STRING
                               ? ci->values[j].value.string
                               : "";
        /* Relative paths were made absolute from the start directory,
         * which is not the current one: compared by their ends. */
        if (types >= types_files_num) {
          types_differ = true;
          continue;
        }
        const char *known = types_files[types].path;
        size_t a = strlen(known), b = strlen(path);
        if (path[0] == '/' ? strcmp(known, path) != 0
                           : (b > a || strcmp(known + a - b, path) != 0))
          types_differ = true;
      }
    } else if (strcasecmp(ci->key, "Chain") == 0) {
      if (chains >= chain_blocks_num ||
          !oconfig_equal(chain_blocks[chains], ci))
        chains_differ = true;
      chains++;
    }
  }
  if (types_differ || types != types_files_num)
    cf_list_add(buf, len, "TypesDB", &num);
  if (chains_differ || chains != chain_blocks_num)
    cf_list_add(buf, len, "<Chain>", &num);
  return num;
}

int cf_globals_changed(char *buf, size_t len) {
  oconfig_item_t *root = NULL;
  char err[1024];
  buf[0] = '\0';
  if (read_again(&root, err, sizeof(err)) != 0)
    return 0; /* the reload that reads it says why */
  int num = globals_changed(root, buf, len);
  oconfig_free(root);
  return num;
}

int cf_reread(cf_reread_t *r, char *errbuf, size_t errlen) {
  *r = (cf_reread_t){0};
  oconfig_item_t *root = NULL;
  int status = read_again(&root, errbuf, errlen);
  if (status != 0)
    return status;
  /* Every plugin the files mention, in the order they first do. */
  for (int i = 0; i < root->children_num && status == 0; i++) {
    oconfig_item_t *ci = root->children + i;
    if (!names_plugin(ci))
      continue;
    const char *name = ci->values[0].value.string;
    bool seen = false;
    for (size_t j = 0; j < r->num && !seen; j++)
      seen = strcasecmp(r->plugins[j].conf.name, name) == 0;
    if (seen)
      continue;
    cf_reread_plugin_t *more =
        realloc(r->plugins, (r->num + 1) * sizeof(*more));
    if (more == NULL) {
      status = -ENOMEM;
      snprintf(errbuf, errlen, "out of memory; nothing changed");
      break;
    }
    r->plugins = more;
    cf_reread_plugin_t *p = &r->plugins[r->num];
    *p = (cf_reread_plugin_t){0};
    p->name = strdup(name);
    if (p->name == NULL) {
      status = -ENOMEM;
      snprintf(errbuf, errlen, "out of memory; nothing changed");
      break;
    }
    r->num++;
    p->conf.name = p->name;
    p->status = conf_from_tree(root, p->name, &p->conf, p->why,
                               sizeof(p->why));
    p->conf.name = p->name;
  }
  if (status == 0)
    r->restart_num = globals_changed(root, r->restart, sizeof(r->restart));
  oconfig_free(root);
  if (status != 0)
    cf_reread_free(r);
  return status;
}

void cf_reread_free(cf_reread_t *r) {
  for (size_t i = 0; i < r->num; i++) {
    plugin_conf_free(&r->plugins[i].conf);
    free(r->plugins[i].name);
  }
  free(r->plugins);
  *r = (cf_reread_t){0};
}
