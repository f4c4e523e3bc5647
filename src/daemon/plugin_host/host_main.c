/* The plugin host: the daemon binary started by the daemon in host mode
 * (`collectd --plugin-host NAME`, its channel on descriptor 3) to hold one
 * isolated plugin.
 *
 * The host runs the core's own code for its plugin: the configuration the
 * daemon sends is applied as a file would be (cf_read_tree()), and the
 * plugin is opened, registered, configured and initialised by the one
 * lifecycle (plugin_dynamic.c). What the plugin dispatches and logs goes
 * to the daemon (plugin__forward) through a sender thread; its reads run
 * on a thread of their own when the daemon says READ; the main thread
 * serves the channel, and hands WRITE to the plugin's write callbacks:
 *
 *   host                             daemon
 *   HELLO (pid, plugin)         ->
 *                               <-   CONFIG (globals, LoadPlugin, blocks)
 *   READY (status, callbacks)   ->   open, register and config done
 *                               <-   INIT
 *   STATUS (INIT)               ->
 *                               <-   READ          (each interval)
 *   VALUES..., STATUS (READ)    ->
 *                               <-   WRITE, FLUSH  (a write plugin's)
 *                               <-   MISSING       (a missing callback's)
 *                               <-   SHUTDOWN
 *   STATUS (SHUTDOWN), exit     ->
 *
 * Values, notifications and logs come at any time from the plugin's
 * threads too. The host leaves when the channel ends: without the daemon
 * it has no purpose. */
#include "collectd.h"

#include "configfile_internal.h"
#include "daemon_signals.h"
#include "plugin_dynamic.h"
#include "plugin_host/host_chan.h"
#include "plugin_host/host_main.h"
#include "plugin_host/host_table.h"
#include "plugin_read.h"
#include "utils/common/common.h"
#include "utils_cache.h"

static host_chan_t chan;
static const char *plugin_name;
static plugin_t *plugin; /* its record, once loaded */

/* What goes to the daemon is encoded, in the order it is made, into the
 * buffer being filled, under out_lock; a sender thread sends it. While it
 * sends one buffer the other fills, so that a plugin that dispatches fast
 * goes out in large batches and one that dispatches now and then goes out
 * at once. A daemon that reads slowly makes the dispatchers wait once
 * OUT_HIGH bytes are queued. */
#define OUT_HIGH (4u * 1024 * 1024)
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t out_cond = PTHREAD_COND_INITIALIZER;
static host_writer_t out[2];
static int filling;
static bool sender_idle;
static bool out_broken; /* the daemon is gone: what is queued is dropped */
/* Frames queued and sent so far, counted in buffers: out_flush() waits
 * until what was queued before it is sent. */
static uint64_t out_queued, out_sent;

/* Value lists dispatched one after the other go into one VALUES frame,
 * open in the buffer being filled until another frame follows or the
 * buffer is sent. */
static host_batch_enc_t values_batch;
static bool values_open;

static void values_close(void) {
  host_batch_close(&out[filling], &values_batch, &values_open);
}

/* Waits for room; out_lock held. */
static host_writer_t *out_room(void) {
  while (out[filling].len >= OUT_HIGH && !out_broken)
    pthread_cond_wait(&out_cond, &out_lock);
  return &out[filling];
}

/* The buffer to encode a frame other than VALUES into; out_lock held. */
static host_writer_t *out_begin(void) {
  host_writer_t *w = out_room();
  values_close();
  return w;
}

/* A frame was added; out_lock held. */
static void out_added(void) {
  out_queued++;
  if (sender_idle)
    pthread_cond_broadcast(&out_cond);
}

static void *sender_main(void *unused) {
  (void)unused;
  pthread_mutex_lock(&out_lock);
  for (;;) {
    while (out[filling].len == 0) {
      sender_idle = true;
      pthread_cond_wait(&out_cond, &out_lock);
    }
    sender_idle = false;
    values_close();
    host_writer_t *w = &out[filling];
    filling ^= 1;
    uint64_t upto = out_queued;
    pthread_mutex_unlock(&out_lock);
    int status = out_broken ? -EPIPE : host_chan_send(&chan, w);
    host_writer_reset(w);
    pthread_mutex_lock(&out_lock);
    if (status != 0)
      out_broken = true;
    out_sent = upto;
    pthread_cond_broadcast(&out_cond);
  }
  return NULL;
}

/* Waits until everything queued so far has been sent (or cannot be). */
static void out_flush(void) {
  pthread_mutex_lock(&out_lock);
  uint64_t want = out_queued;
  while (out_sent < want && !out_broken)
    pthread_cond_wait(&out_cond, &out_lock);
  pthread_mutex_unlock(&out_lock);
}

/* ---- what the plugin dispatches --------------------------------------------- */

static int forward_values(const value_list_t *vl) {
  pthread_mutex_lock(&out_lock);
  int status = host_batch_push(out_room(), HOST_MSG_VALUES, &values_batch,
                               &values_open, vl);
  out_added();
  pthread_mutex_unlock(&out_lock);
  return status;
}

static int forward_notification(const notification_t *n) {
  pthread_mutex_lock(&out_lock);
  int status = host_encode_notification(out_begin(), n);
  out_added();
  pthread_mutex_unlock(&out_lock);
  return status;
}

static void forward_log(int level, const char *msg) {
  host_log_t log = {.severity = (uint8_t)(level >= 0 &&
                                                  level <= LOG_DEBUG
                                              ? level
                                              : LOG_ERR)};
  sstrncpy(log.message, msg, sizeof(log.message));
  pthread_mutex_lock(&out_lock);
  host_encode_log(out_begin(), &log);
  out_added();
  pthread_mutex_unlock(&out_lock);
}

static const plugin_forward_t forward = {
    .values = forward_values,
    .notification = forward_notification,
    .log = forward_log,
};

/* ---- replies ----------------------------------------------------------------- */

static void send_status(host_msg_type_t reply_to, int status,
                        const char *reason) {
  host_status_t st = {
      .status = status >= HOST_PROTO_MIN_STATUS && status <= 0 ? status : -EIO,
      .reply_to = (uint16_t)reply_to,
  };
  sstrncpy(st.reason, reason != NULL ? reason : "", sizeof(st.reason));
  pthread_mutex_lock(&out_lock);
  host_encode_status(out_begin(), &st);
  out_added();
  pthread_mutex_unlock(&out_lock);
}

/* The callbacks the plugin registered, for the daemon to stand in for. */
static uint32_t registered_callbacks(plugin_t *p) {
  static const struct {
    cb_kind_t kind;
    uint32_t bit;
  } kinds[] = {
      {CB_INIT, HOST_CB_INIT},
      {CB_SHUTDOWN, HOST_CB_SHUTDOWN},
      {CB_WRITE, HOST_CB_WRITE},
      {CB_FLUSH, HOST_CB_FLUSH},
      {CB_MISSING, HOST_CB_MISSING},
      {CB_CACHE_EVENT, HOST_CB_CACHE_EVENT},
      {CB_LOG, HOST_CB_LOG},
      {CB_NOTIFICATION, HOST_CB_NOTIFICATION},
  };
  uint32_t bits = 0;
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(kinds); i++)
    if (cb_list_has_owner(kinds[i].kind, p))
      bits |= kinds[i].bit;
  if (read_sched_size() > 0)
    bits |= HOST_CB_READ;
  return bits;
}

/* "step: reason" of a failed plugin, for READY and STATUS. */
static void failure_of(plugin_t *p, char *buf, size_t len) {
  if (p == NULL)
    snprintf(buf, len, "load: the plugin was not loaded");
  else
    snprintf(buf, len, "%s: %s", p->failed_step, p->failed_reason);
}

/* ---- requests ------------------------------------------------------------------ */

/* The plugin's state as the daemon sees it, for the permission table. */
static plugin_state_t daemon_view = PLUGIN_LOADING;

static void handle_config(oconfig_item_t *tree) {
  host_ready_t ready = {0};
  if (cf_read_tree(tree) != 0) {
    ready.status = -EINVAL;
    snprintf(ready.reason, sizeof(ready.reason),
             "config: the plugin host could not apply the daemon's options "
             "(see the log)");
  } else {
    bool stop = false;
    cf_load_plugins(true, &stop);
    plugin = plugin__record_find(plugin_name);
  }
  if (ready.status == 0 && plugin != NULL &&
      atomic_load(&plugin->state) == PLUGIN_CONFIGURING) {
    ready.callbacks = registered_callbacks(plugin);
    daemon_view = PLUGIN_CONFIGURING;
  } else if (ready.status == 0) {
    ready.status = -EINVAL;
    failure_of(plugin, ready.reason, sizeof(ready.reason));
  }
  pthread_mutex_lock(&out_lock);
  host_encode_ready(out_begin(), &ready);
  out_added();
  pthread_mutex_unlock(&out_lock);
}

/* INIT is answered with READY, as CONFIG is: a plugin may register
 * callbacks in its init callback (Debian's network.so registers its write
 * and notification callbacks there), and the daemon must stand in for
 * those too. */
static void handle_init(void) {
  char err[1024];
  host_ready_t ready = {.status = plugin_dynamic_init(plugin, err, sizeof(err))};
  /* The daemon names the step itself. */
  if (ready.status != 0) {
    sstrncpy(ready.reason, plugin->failed_reason, sizeof(ready.reason));
  } else {
    ready.callbacks = registered_callbacks(plugin);
    daemon_view = PLUGIN_READY;
  }
  pthread_mutex_lock(&out_lock);
  host_encode_ready(out_begin(), &ready);
  out_added();
  pthread_mutex_unlock(&out_lock);
}

/* The first failed read callback, for READ's STATUS. */
static void first_failure(const read_cb_t *rc, int status, void *arg) {
  char *reason = arg;
  if (reason[0] == '\0')
    snprintf(reason, HOST_PROTO_MAX_TEXT + 1,
             "read callback \"%s\" returned %d", rc->name, status);
}

/* Runs every read callback of the plugin once, as a read thread would,
 * and reports the first failure. Callbacks the plugin registers during
 * the reads run from the next READ on; the daemon's schedule says when
 * the next READ is due. */
static void run_reads(void) {
  char reason[HOST_PROTO_MAX_TEXT + 1] = "";
  size_t failed = read_sched_call_each_once(first_failure, reason);
  send_status(HOST_MSG_READ, failed > 0 ? -EIO : 0, reason);
}

/* The reads run on a thread of their own, as in the daemon, so that the
 * main thread goes on taking WRITE and FLUSH meanwhile (a plugin may wait
 * in its read for what its write callback gets). The daemon sends one READ
 * at a time. */
static pthread_mutex_t read_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t read_cond = PTHREAD_COND_INITIALIZER;
static bool read_due;

static void *reader_main(void *unused) {
  (void)unused;
  for (;;) {
    pthread_mutex_lock(&read_lock);
    while (!read_due)
      pthread_cond_wait(&read_cond, &read_lock);
    read_due = false;
    pthread_mutex_unlock(&read_lock);
    run_reads();
  }
  return NULL;
}

static void handle_read(void) {
  pthread_mutex_lock(&read_lock);
  read_due = true;
  pthread_cond_signal(&read_cond);
  pthread_mutex_unlock(&read_lock);
}

/* Hands each value list to the plugin's write callbacks, after the host's
 * own cache, so that uc_get_rate() and friends answer for the values the
 * plugin was given (and only those). */
static void handle_write(host_vl_batch_t *batch) {
  for (size_t i = 0; i < batch->num; i++) {
    value_list_t *vl = &batch->vl[i];
    const data_set_t *ds = plugin_get_ds(vl->type);
    if (ds == NULL || ds->ds_num != vl->values_len) {
      ERROR("plugin host of %s: WRITE: %s/%s does not match its type in the "
            "host's types.db; not written",
            plugin_name, vl->plugin, vl->type);
      continue;
    }
    uc_update(ds, vl);
    plugin_write(NULL, ds, vl);
  }
}

/* Hands the identifiers that left the daemon's cache to the plugin's missing
 * callbacks. The host's own cache keeps them (it has no expiry of its own);
 * the daemon's is the one that timed them out. */
static void handle_missing(const host_vl_batch_t *batch) {
  for (size_t i = 0; i < batch->num; i++)
    plugin_dispatch_missing(&batch->vl[i]);
}

static void handle_flush(const host_flush_t *f) {
  plugin_flush(NULL, f->timeout, f->has_identifier ? f->identifier : NULL);
}

/* Runs the plugin's shutdown as the daemon's exit would, says so, and
 * leaves. Threads the plugin did not stop end with the process. */
static _Noreturn void handle_shutdown(void) {
  daemon_view = PLUGIN_UNLOADING;
  int status = plugin_dynamic_shutdown_all(NULL);
  send_status(HOST_MSG_SHUTDOWN, status == 0 ? 0 : -EIO,
              status == 0 ? "" : "a shutdown callback failed (see the log)");
  out_flush();
  _exit(EXIT_SUCCESS);
}

static bool check_from_daemon(unsigned type, void *arg, char *err,
                              size_t errlen) {
  (void)arg;
  if (host_msg_permitted(type, HOST_FROM_DAEMON, daemon_view))
    return true;
  host_msg_refusal(type, HOST_FROM_DAEMON, daemon_view, err, errlen);
  return false;
}

int host_main(const char *name) {
  host_chan_init(&chan, HOST_CHANNEL_FD);
  host_writer_init(&out[0]);
  host_writer_init(&out[1]);
  if (signals_init() != 0)
    return EXIT_FAILURE;
  pthread_t sender, reader;
  if (pthread_create(&sender, NULL, sender_main, NULL) != 0 ||
      pthread_create(&reader, NULL, reader_main, NULL) != 0)
    return EXIT_FAILURE;
  plugin_init_ctx();
  plugin__forward = &forward;
  /* Its log callbacks get what the daemon sends it (plugin__log_local()). */
  plugin__log_enable(true);
  /* The host's cache holds what its plugin was given to write, for the
   * plugin's uc_* lookups. */
  uc_init();
  uc__quiet_too_old();
  plugin_name = name;

  host_hello_t hello = {.version = HOST_PROTO_VERSION, .pid = getpid()};
  sstrncpy(hello.plugin, name, sizeof(hello.plugin));
  pthread_mutex_lock(&out_lock);
  host_encode_hello(out_begin(), &hello);
  out_added();
  pthread_mutex_unlock(&out_lock);

  host_msg_t m;
  host_msg_init(&m);
  for (;;) {
    char err[256];
    int status = host_chan_recv(&chan, &m, check_from_daemon, NULL, err,
                                sizeof(err));
    if (status == 0)
      _exit(EXIT_SUCCESS); /* the daemon closed the channel */
    if (status < 0) {
      /* Not forwarded: the channel is what broke. */
      _exit(EXIT_FAILURE);
    }
    switch (m.type) {
    case HOST_MSG_CONFIG:
      handle_config(m.u.config);
      m.u.config = NULL; /* cf_read_tree() took it */
      break;
    case HOST_MSG_INIT:
      handle_init();
      break;
    case HOST_MSG_READ:
      handle_read();
      break;
    case HOST_MSG_WRITE:
      handle_write(&m.batch);
      break;
    case HOST_MSG_FLUSH:
      handle_flush(&m.u.flush);
      break;
    case HOST_MSG_MISSING:
      handle_missing(&m.batch);
      break;
    case HOST_MSG_NOTIFICATION:
      plugin__notification_local(&m.u.notif);
      break;
    case HOST_MSG_LOG:
      plugin__log_local(m.u.log.severity, m.u.log.message);
      break;
    case HOST_MSG_SHUTDOWN:
      handle_shutdown();
    default:
      ERROR("plugin host of %s: %s is not handled yet", name,
            host_msg_name(m.type));
      break;
    }
    host_msg_clear(&m);
  }
}
