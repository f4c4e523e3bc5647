/* Who may send each message of the plugin host protocol, and in which
 * state of the plugin: the table the daemon checks every frame against
 * before it decodes the body (OpenSSH's privilege-separation monitor keeps
 * such a table). A frame from a host that the table does not permit ends
 * that host, with the reason; never the daemon.
 *
 * The table is data only, for now: each row will also name its handler
 * when the daemon and the host speak the protocol (issue 11). */
#ifndef PLUGIN_HOST_HOST_TABLE_H
#define PLUGIN_HOST_HOST_TABLE_H

#include "plugin_host/host_proto.h"
#include "plugin_internal.h"

#pragma GCC visibility push(hidden)

typedef enum {
  HOST_FROM_DAEMON,
  HOST_FROM_HOST,
} host_sender_t;

/* A set of plugin states, one bit per plugin_state_t. */
#define HOST_IN(state) (1u << PLUGIN_##state)

typedef struct {
  host_msg_type_t type;
  unsigned from_daemon; /* HOST_IN() of the states the daemon may send it in */
  unsigned from_host;   /* the same for the host */
} host_table_row_t;

/* The row of `type`, or NULL for a type that is not one. */
const host_table_row_t *host_table_row(unsigned type);

/* May `sender` send a message of `type` while the plugin is in `state`?
 * False for an unknown type or state. */
bool host_msg_permitted(unsigned type, host_sender_t sender,
                        plugin_state_t state);

/* Why not, in words, for the reason a host is ended with:
 * "VALUES from the host while the plugin is loading". */
void host_msg_refusal(unsigned type, host_sender_t sender, plugin_state_t state,
                      char *buf, size_t len);

#pragma GCC visibility pop

#endif /* PLUGIN_HOST_HOST_TABLE_H */
