/* interface: network interface counters from /proc/net/dev, per interface
 * (the plugin instance) as the derive pairs (rx, tx) if_octets, if_packets,
 * if_errors and if_dropped.
 *
 * Options: Interface (repeatable, "/regex/" allowed) with IgnoreSelected
 * select the interfaces; ReportInactive false drops interfaces that never
 * sent or received a packet. UniqueName is Solaris-only: as in collectd
 * 5.12 on Linux it is not a key of this plugin, so the core rejects it. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"
#include "utils/ignorelist/ignorelist.h"

#define NET_DEV_PATH "/proc/net/dev"

/* Columns of /proc/net/dev after the "name:" prefix. */
enum {
  NET_DEV_RX_BYTES = 0,
  NET_DEV_RX_PACKETS = 1,
  NET_DEV_RX_ERRS = 2,
  NET_DEV_RX_DROP = 3,
  NET_DEV_TX_BYTES = 8,
  NET_DEV_TX_PACKETS = 9,
  NET_DEV_TX_ERRS = 10,
  NET_DEV_TX_DROP = 11,
  NET_DEV_FIELDS_MIN = 12,
};

typedef struct {
  bool report_inactive;
} interface_options_t;

#define INTERFACE_OPTIONS_DEFAULT                                              \
  { .report_inactive = true }

static interface_options_t interface_opts = INTERFACE_OPTIONS_DEFAULT;
/* Created by the first Interface or IgnoreSelected option; NULL selects all. */
static ignorelist_t *interface_ignorelist;

static const char *interface_config_keys[] = {"Interface", "IgnoreSelected",
                                              "ReportInactive"};

/* The selection list, created on first use with the "collect only the
 * listed interfaces" default. */
static ignorelist_t *interface_get_ignorelist(void) {
  if (interface_ignorelist == NULL)
    interface_ignorelist = ignorelist_create(/* invert = */ 1);
  if (interface_ignorelist == NULL)
    ERROR("interface plugin: out of memory");
  return interface_ignorelist;
}

static int interface_config(const char *key, const char *value) {
  if (strcasecmp(key, "Interface") == 0) {
    ignorelist_t *il = interface_get_ignorelist();
    if (il == NULL)
      return -ENOMEM;
    int status = ignorelist_add(il, value);
    if (status != 0)
      ERROR("interface plugin: cannot add \"%s\" to the selection", value);
    return status;
  }
  if (strcasecmp(key, "IgnoreSelected") == 0) {
    ignorelist_t *il = interface_get_ignorelist();
    if (il == NULL)
      return -ENOMEM;
    ignorelist_set_invert(il, IS_TRUE(value) ? 0 : 1);
    return 0;
  }
  if (strcasecmp(key, "ReportInactive") == 0) {
    interface_opts.report_inactive = IS_TRUE(value);
    return 0;
  }
  ERROR("interface plugin: unknown option \"%s\"", key);
  return -EINVAL;
}

static void interface_submit(const char *dev, const char *type, derive_t rx,
                             derive_t tx) {
  value_t values[] = {{.derive = rx}, {.derive = tx}};
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = values;
  vl.values_len = STATIC_ARRAY_SIZE(values);
  sstrncpy(vl.plugin, "interface", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, dev, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  plugin_dispatch_values(&vl);
}

static derive_t interface_field(char **fields, int i) {
  return (derive_t)strtoull(fields[i], NULL, 10);
}

/* Handles one "  name: n n n ..." line; header lines have no colon. */
static void interface_read_line(char *line) {
  char *colon = strchr(line, ':');
  if (colon == NULL)
    return;
  *colon = '\0';

  char *dev = line;
  while (*dev == ' ' || *dev == '\t')
    dev++;
  if (*dev == '\0')
    return;

  char *fields[16];
  int n = strsplit(colon + 1, fields, STATIC_ARRAY_SIZE(fields));
  if (n < NET_DEV_FIELDS_MIN)
    return;

  if (ignorelist_match(interface_ignorelist, dev) != 0)
    return;

  derive_t rx_packets = interface_field(fields, NET_DEV_RX_PACKETS);
  derive_t tx_packets = interface_field(fields, NET_DEV_TX_PACKETS);
  if (!interface_opts.report_inactive && rx_packets == 0 && tx_packets == 0)
    return;

  interface_submit(dev, "if_octets", interface_field(fields, NET_DEV_RX_BYTES),
                   interface_field(fields, NET_DEV_TX_BYTES));
  interface_submit(dev, "if_packets", rx_packets, tx_packets);
  interface_submit(dev, "if_errors", interface_field(fields, NET_DEV_RX_ERRS),
                   interface_field(fields, NET_DEV_TX_ERRS));
  interface_submit(dev, "if_dropped", interface_field(fields, NET_DEV_RX_DROP),
                   interface_field(fields, NET_DEV_TX_DROP));
}

static int interface_read(void) {
  FILE *fh = fopen(NET_DEV_PATH, "r");
  if (fh == NULL) {
    int err = errno;
    ERROR("interface plugin: cannot open " NET_DEV_PATH ": %s", STRERROR(err));
    return -err;
  }

  char line[1024];
  while (fgets(line, sizeof(line), fh) != NULL)
    interface_read_line(line);
  fclose(fh);
  return 0;
}

/* Frees the selection and restores the defaults: a later load in this
 * process must not inherit this configuration. */
static int interface_shutdown(void) {
  ignorelist_free(interface_ignorelist);
  interface_ignorelist = NULL;
  interface_opts = (interface_options_t)INTERFACE_OPTIONS_DEFAULT;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("interface");
  plugin_register_config("interface", interface_config, interface_config_keys,
                         STATIC_ARRAY_SIZE(interface_config_keys));
  plugin_register_read("interface", interface_read);
  plugin_register_shutdown("interface", interface_shutdown);
}
