/* The permission table of the plugin host protocol (see host_table.h).
 *
 * The plugin's lifecycle, seen through the host:
 *   loading      the host starts and says HELLO; the daemon sends CONFIG
 *                (its options, the <LoadPlugin> and <Plugin> blocks); the
 *                host opens the object, runs module_register() and the
 *                config callbacks, and says READY with its callbacks (a
 *                config callback may already dispatch)
 *   configuring  the daemon sends INIT; the host answers with READY and
 *                its callbacks again (an init callback may register more),
 *                and may dispatch (init callbacks and the threads they
 *                start)
 *   ready        READ, WRITE, FLUSH and MISSING go in; VALUES, NOTIFICATION, LOG and
 *                STATUS come out; log and notification callbacks in the host
 *                receive LOG and NOTIFICATION
 *   unloading    what is queued for the plugin is still written (WRITE,
 *                FLUSH, MISSING), then SHUTDOWN; its shutdown callback and the
 *                threads it stops may still dispatch and log
 *   failed       the host has nothing more to do but log why
 * The daemon may end a host with SHUTDOWN in any state. */
#include "collectd.h"

#include "plugin_host/host_table.h"

#define ALL_STATES ((1u << PLUGIN_STATE_COUNT) - 1)
#define RUNNING (HOST_IN(CONFIGURING) | HOST_IN(READY) | HOST_IN(UNLOADING))
#define SERVING (HOST_IN(READY) | HOST_IN(UNLOADING))

static const host_table_row_t table[HOST_MSG_COUNT] = {
    [HOST_MSG_HELLO] = {.type = HOST_MSG_HELLO, .from_host = HOST_IN(LOADING)},
    [HOST_MSG_READY] = {.type = HOST_MSG_READY,
                        .from_host = HOST_IN(LOADING) | HOST_IN(CONFIGURING)},
    [HOST_MSG_STATUS] = {.type = HOST_MSG_STATUS, .from_host = RUNNING},
    [HOST_MSG_CONFIG] = {.type = HOST_MSG_CONFIG,
                         .from_daemon = HOST_IN(LOADING)},
    [HOST_MSG_INIT] = {.type = HOST_MSG_INIT,
                       .from_daemon = HOST_IN(CONFIGURING)},
    [HOST_MSG_READ] = {.type = HOST_MSG_READ, .from_daemon = HOST_IN(READY)},
    [HOST_MSG_WRITE] = {.type = HOST_MSG_WRITE, .from_daemon = SERVING},
    [HOST_MSG_FLUSH] = {.type = HOST_MSG_FLUSH, .from_daemon = SERVING},
    [HOST_MSG_MISSING] = {.type = HOST_MSG_MISSING, .from_daemon = SERVING},
    [HOST_MSG_SHUTDOWN] = {.type = HOST_MSG_SHUTDOWN,
                           .from_daemon = ALL_STATES},
    [HOST_MSG_VALUES] = {.type = HOST_MSG_VALUES,
                         .from_host = HOST_IN(LOADING) | RUNNING},
    [HOST_MSG_NOTIFICATION] = {.type = HOST_MSG_NOTIFICATION,
                               .from_daemon = SERVING,
                               .from_host = HOST_IN(LOADING) | RUNNING},
    [HOST_MSG_LOG] = {.type = HOST_MSG_LOG,
                      .from_daemon = SERVING,
                      .from_host = ALL_STATES},
};

const host_table_row_t *host_table_row(unsigned type) {
  if (type >= HOST_MSG_COUNT || table[type].type == HOST_MSG_NONE)
    return NULL;
  return &table[type];
}

bool host_msg_permitted(unsigned type, host_sender_t sender,
                        plugin_state_t state) {
  const host_table_row_t *row = host_table_row(type);
  if (row == NULL || (unsigned)state >= PLUGIN_STATE_COUNT)
    return false;
  unsigned states = sender == HOST_FROM_DAEMON ? row->from_daemon
                    : sender == HOST_FROM_HOST ? row->from_host
                                               : 0;
  return (states & (1u << state)) != 0;
}

void host_msg_refusal(unsigned type, host_sender_t sender, plugin_state_t state,
                      char *buf, size_t len) {
  const char *name = host_msg_name(type);
  const char *from = sender == HOST_FROM_DAEMON ? "the daemon" : "the host";
  if (name == NULL || type == HOST_MSG_NONE)
    snprintf(buf, len, "unknown message type %u from %s", type, from);
  else if ((unsigned)state >= PLUGIN_STATE_COUNT)
    snprintf(buf, len, "%s from %s in unknown state %d", name, from,
             (int)state);
  else
    snprintf(buf, len, "%s from %s while the plugin is %s", name, from,
             plugin_state_name(state));
}
