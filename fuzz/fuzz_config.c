/* libFuzzer target for reading collectd.conf as the daemon does: the input
 * is the main configuration file, read through
 *  - cf_include_read() (configfile_include.c): Include of files,
 *    directories and patterns (wordexp), <Include> blocks with Filter,
 *    loops, the depth limit;
 *  - cf_read() (configfile.c): the same files, then the global options,
 *    TypesDB, <LoadPlugin> options, <Plugin> blocks, AutoLoadPlugin;
 *  - cf_configure_chains(): the <Chain> blocks (built-in targets only);
 *  - cf_plugin_conf(): what LOAD and RELOAD read for each plugin named.
 * The input can include the files of a scratch directory (the working
 * directory, as relative paths are relative to it in the daemon; $HOME
 * and ~ name it too, $CONFD is "conf.d"): one.conf,
 * two.conf (includes one.conf), conf.d/ (10-csv.conf, 20-load.conf,
 * sub/30-nested.conf, a README that does not parse and a hidden file),
 * block.conf, bad.conf (unclosed block), empty.conf, loop.conf (includes
 * itself), ping.conf and pong.conf, deep1.conf ... deep9.conf (a chain
 * deeper than the limit), chain.conf, types.conf with types.db,
 * badinclude.conf (an unknown option in an <Include> block), dirloop/
 * (holds a symlink to itself), dangling.conf (a dangling symlink) and sock
 * (a socket).
 *
 * Inputs whose Include or TypesDB paths could leave that directory are
 * skipped, not run: absolute paths, "~user", a component starting with
 * '.' (".." and ".*" among them), a variable other than $HOME and $CONFD,
 * quotes and backslashes (which wordexp() would remove). The daemon
 * follows such paths, as it should; the fuzzer must not walk the host's
 * file system.
 *
 * Checked besides crashes, leaks and undefined behaviour:
 *  - a tree that was read has parent pointers and a source location for
 *    every item, in the main file or the scratch directory, and no Include
 *    statement left;
 *  - a failure says why, naming the main file (as the place of the error
 *    or in "included from fuzz.conf:N") unless the message was cut;
 *  - cf_read() fails if reading failed, and never without logging an
 *    error; a failing cf_configure_chains() logs one too;
 *  - cf_plugin_conf() finds as many <Plugin> blocks for a plugin as the
 *    tree has, says 0 only for a plugin that is loaded and -ENOENT only
 *    for one that is not.
 *
 * Build: `make fuzz/bin/fuzz_config` (`make fuzz-smoke` builds and runs
 * every target briefly). Run:
 *   fuzz/bin/fuzz_config -max_len=4096 -timeout=25 new/ fuzz/corpus/config */
#include "fuzz_core.h"

#include "configfile_include.h"
#include "configfile_internal.h"
#include "filter_chain/fc.h"
#include "plugin_dynamic.h"
#include "types_list.h"
#include "utils/common/common.h"

#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

static const char *dir;

static const struct {
  const char *path;
  const char *text;
} files[] = {
    {"one.conf", "LoadPlugin cpu\n<Plugin cpu>\n  ReportByCpu true\n"
                 "</Plugin>\n"},
    {"two.conf", "Interval 20\nInclude \"one.conf\"\n"},
    {"conf.d/10-csv.conf", "LoadPlugin csv\n<Plugin \"csv\">\n"
                           "  DataDir \"csv\"\n  StoreRates true\n"
                           "</Plugin>\n"},
    {"conf.d/20-load.conf", "<LoadPlugin load>\n  Interval 30\n"
                            "  OnPluginFailure Shutdown\n</LoadPlugin>\n"},
    {"conf.d/sub/30-nested.conf", "<Plugin load>\n  ReportRelative true\n"
                                  "</Plugin>\n"},
    {"conf.d/README", "Not a configuration file: <<<\n"},
    {"conf.d/.hidden.conf", "Broken <\n"},
    {"block.conf", "Option \"from block.conf\"\n<Sub \"x\">\n  Value 1\n"
                   "</Sub>\n"},
    {"bad.conf", "<Plugin cpu>\n  ReportByCpu true\n"},
    {"empty.conf", ""},
    {"loop.conf", "Include \"loop.conf\"\n"},
    {"ping.conf", "Include \"pong.conf\"\n"},
    {"pong.conf", "Include \"ping.conf\"\n"},
    {"chain.conf", "<Chain \"PreCache\">\n  <Rule \"r\">\n"
                   "    Target \"stop\"\n  </Rule>\n  Target \"write\"\n"
                   "</Chain>\n"},
    {"types.conf", "TypesDB \"types.db\"\n"},
    {"types.db", "gauge value:GAUGE:U:U\n"
                 "if_octets rx:DERIVE:0:U, tx:DERIVE:0:U\n"},
    {"badinclude.conf", "<Include \"conf.d\">\n  Filter \"*.conf\"\n"
                        "  Bogus 1\n</Include>\n"},
    {"dirloop/x.conf", "Hostname \"x\"\n"},
};

static void make_files(void) {
  FUZZ_CHECK(mkdir("conf.d", 0700) == 0);
  FUZZ_CHECK(mkdir("conf.d/sub", 0700) == 0);
  FUZZ_CHECK(mkdir("dirloop", 0700) == 0);
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(files); i++)
    fuzz_write_text(files[i].path, files[i].text);
  for (int i = 1; i <= 9; i++) {
    char path[32], text[64];
    snprintf(path, sizeof(path), "deep%d.conf", i);
    if (i < 9)
      snprintf(text, sizeof(text), "Include \"deep%d.conf\"\n", i + 1);
    else
      snprintf(text, sizeof(text), "Hostname \"deep\"\n");
    fuzz_write_text(path, text);
  }
  FUZZ_CHECK(symlink(".", "dirloop/again") == 0);
  FUZZ_CHECK(symlink("nowhere.conf", "dangling.conf") == 0);

  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof(sa.sun_path), "sock");
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  FUZZ_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
  close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  dir = fuzz_dir_create("fuzz_config");
  fuzz_chdir(argc, argv, dir);
  make_files();
  FUZZ_CHECK(setenv("HOME", dir, 1) == 0);
  FUZZ_CHECK(setenv("CONFD", "conf.d", 1) == 0);
  fuzz_log_init();
  fc__init();
  return 0;
}

/* ---- keeping to the scratch directory ------------------------------------ */

static bool is_name_char(char c) {
  return isalnum((unsigned char)c) || c == '_';
}

/* May this Include or TypesDB path be followed? (See the header.) */
static bool path_safe(const char *s) {
  if (s[0] == '/' || strpbrk(s, "\\'\"`") != NULL)
    return false;
  for (const char *p = s; *p != '\0'; p++) {
    if (*p == '~' && !(p == s && (p[1] == '/' || p[1] == '\0')))
      return false;
    if (*p == '.' && (p == s || p[-1] == '/'))
      return false;
    if (*p == '$') {
      size_t len = strncmp(p + 1, "HOME", 4) == 0    ? 4
                   : strncmp(p + 1, "CONFD", 5) == 0 ? 5
                                                     : 0;
      if (len == 0 || is_name_char(p[1 + len]))
        return false;
    }
  }
  return true;
}

static bool tree_safe(const oconfig_item_t *ci) {
  if (ci->key != NULL && (strcasecmp(ci->key, "Include") == 0 ||
                          strcasecmp(ci->key, "TypesDB") == 0))
    for (int i = 0; i < ci->values_num; i++)
      if (ci->values[i].type == OCONFIG_TYPE_STRING &&
          !path_safe(ci->values[i].value.string))
        return false;
  for (int i = 0; i < ci->children_num; i++)
    if (!tree_safe(ci->children + i))
      return false;
  return true;
}

/* ---- invariants --------------------------------------------------------- */

static void check_tree(const oconfig_item_t *ci) {
  const char *file = NULL;
  int line = -1;
  /* The root gathers the files read; the statements come from them: the
   * main file, or a file of the scratch directory, relative or not. */
  if (ci->parent != NULL) {
    FUZZ_CHECK(oconfig_item_source(ci, &file, &line) == 0);
    FUZZ_CHECK(file != NULL && line > 0);
    FUZZ_CHECK_MSG(file[0] != '/' || strncmp(file, dir, strlen(dir)) == 0,
                   file);
  }
  FUZZ_CHECK(ci->key == NULL || strcasecmp(ci->key, "Include") != 0);
  for (int i = 0; i < ci->values_num; i++) {
    int type = ci->values[i].type;
    FUZZ_CHECK(type == OCONFIG_TYPE_STRING || type == OCONFIG_TYPE_NUMBER ||
               type == OCONFIG_TYPE_BOOLEAN);
    FUZZ_CHECK(type != OCONFIG_TYPE_STRING ||
               ci->values[i].value.string != NULL);
  }
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *child = ci->children + i;
    FUZZ_CHECK(child->parent == ci);
    FUZZ_CHECK(child->key != NULL && child->key[0] != '\0');
    check_tree(child);
  }
}

/* The failure message names the main file, unless it was cut. */
static void check_error(const char *err, size_t size) {
  FUZZ_CHECK(err[0] != '\0');
  if (strlen(err) < size - 1)
    FUZZ_CHECK_MSG(strstr(err, "fuzz.conf:") != NULL, err);
}

static bool names(const oconfig_item_t *ci, const char *key, const char *name) {
  return strcasecmp(ci->key, key) == 0 && ci->values_num == 1 &&
         ci->values[0].type == OCONFIG_TYPE_STRING &&
         strcasecmp(ci->values[0].value.string, name) == 0;
}

/* What cf_plugin_conf() says about each plugin named at the top. */
static void check_plugin_confs(const oconfig_item_t *root) {
  const char *autoload = global_option_get("AutoLoadPlugin");
  int checked = 0;
  for (int i = 0; i < root->children_num && checked < 8; i++) {
    const oconfig_item_t *ci = root->children + i;
    if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING &&
        (strcasecmp(ci->key, "LoadPlugin") == 0 ||
         strcasecmp(ci->key, "Plugin") == 0)) {
      const char *name = ci->values[0].value.string;
      bool loaded = false;
      size_t blocks = 0;
      for (int j = 0; j < root->children_num; j++) {
        loaded |= names(root->children + j, "LoadPlugin", name);
        blocks += names(root->children + j, "Plugin", name);
      }
      if (blocks > 0 && autoload != NULL && IS_TRUE(autoload))
        loaded = true;

      plugin_conf_t conf;
      char err[1024] = "";
      int status = cf_plugin_conf(name, &conf, err, sizeof(err));
      FUZZ_CHECK(status == 0 || status == -ENOENT || status == -EINVAL);
      FUZZ_CHECK(status == 0 || err[0] != '\0');
      FUZZ_CHECK(conf.name == name);
      if (status == 0) {
        FUZZ_CHECK(loaded);
        FUZZ_CHECK(conf.blocks_num == blocks);
        for (size_t b = 0; b < conf.blocks_num; b++)
          FUZZ_CHECK(names(conf.blocks[b], "Plugin", name));
      } else if (status == -ENOENT) {
        FUZZ_CHECK(!loaded);
      }
      plugin_conf_free(&conf);
      checked++;
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_write_file("fuzz.conf", data, size);

  /* Only the main file: is it safe to expand? */
  oconfig_item_t *root = NULL;
  char err[1024] = "";
  if (oconfig_parse_file_ex("fuzz.conf", &root, err, sizeof(err)) == 0) {
    bool safe = tree_safe(root);
    oconfig_free(root);
    if (!safe)
      return 0;
  }

  root = NULL;
  int status = cf_include_read("fuzz.conf", &root, err, sizeof(err));
  if (status == 0) {
    FUZZ_CHECK(root != NULL && root->key == NULL && root->parent == NULL);
    check_tree(root);
  } else {
    FUZZ_CHECK(status < 0 && root == NULL);
    check_error(err, sizeof(err));
  }

  /* The daemon's start-up, up to loading the plugins. The host name is
   * given as on the command line, so that no input makes it look up the
   * host's name in the DNS. */
  FUZZ_CHECK(global_option_set("Hostname", "fuzzhost", true) == 0);
  long errors = fuzz_logged(LOG_ERR);
  int read = cf_read("fuzz.conf");
  FUZZ_CHECK(read == 0 || read == -1);
  FUZZ_CHECK(status == 0 || read == -1);
  if (read != 0)
    FUZZ_CHECK(fuzz_logged(LOG_ERR) > errors);
  if (read == 0) {
    errors = fuzz_logged(LOG_ERR);
    if (cf_configure_chains() != 0)
      FUZZ_CHECK(fuzz_logged(LOG_ERR) > errors);
    FUZZ_CHECK(fc__publish(NULL, TIME_T_TO_CDTIME_T(10)) == 0);
  }
  if (root != NULL)
    check_plugin_confs(root);

  oconfig_free(root);
  cf_free();
  types_destroy_all();
  return 0;
}
