/* libFuzzer target for the plugin host protocol's decoder: the input is a
 * byte stream as a host would write it, read frame by frame into one
 * message (so that the batch's arrays are reused, as on the daemon's side).
 * Besides crashes and sanitizer reports (out-of-bounds reads, leaks, UB),
 * it checks that
 *   - a refused header or body comes with a reason that names it;
 *   - a frame that decodes is canonical: the decoded message encodes to
 *     exactly the frame's bytes, which decode again to a message that
 *     encodes to them too;
 *   - the permission table answers for the frame's type in every state.
 *
 * Build: `make fuzz/bin/fuzz_hostproto` (`make fuzz-smoke` builds and runs
 * every target briefly). Run:
 *   fuzz/bin/fuzz_hostproto -max_len=65536 new/ fuzz/corpus/hostproto */
#include "plugin_host/host_proto.h"
#include "plugin_host/host_table.h"

#include "fuzz_util.h"

#include <stdint.h>

static void check_reencodes(const uint8_t *frame, size_t len,
                            const host_msg_t *m) {
  host_writer_t w;
  host_writer_init(&w);
  int status = host_msg_encode(&w, m);
  FUZZ_CHECK_MSG(status == 0, w.reason);
  FUZZ_CHECK(w.len == len);
  FUZZ_CHECK(memcmp(w.buf, frame, len) == 0);

  /* And once more, from the re-encoded bytes. */
  host_frame_t f;
  const uint8_t *body;
  size_t used;
  char err[512];
  FUZZ_CHECK(
      host_frame_next(w.buf, w.len, &f, &body, &used, err, sizeof(err)) == 1);
  FUZZ_CHECK(used == w.len);
  host_msg_t again;
  host_msg_init(&again);
  FUZZ_CHECK_MSG(host_msg_decode(&f, body, &again, err, sizeof(err)) == 0, err);
  host_writer_t w2;
  host_writer_init(&w2);
  FUZZ_CHECK_MSG(host_msg_encode(&w2, &again) == 0, w2.reason);
  FUZZ_CHECK(w2.len == len && memcmp(w2.buf, frame, len) == 0);
  host_writer_free(&w2);
  host_msg_destroy(&again);
  host_writer_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  host_msg_t m;
  host_msg_init(&m);
  char err[512];
  while (size > 0) {
    host_frame_t f;
    const uint8_t *body = NULL;
    size_t used = 0;
    err[0] = '\0';
    int status =
        host_frame_next(data, size, &f, &body, &used, err, sizeof(err));
    if (status < 0) {
      FUZZ_CHECK(status == -EPROTO || status == -EMSGSIZE);
      FUZZ_CHECK(err[0] != '\0');
      break;
    }
    if (status == 0)
      break; /* a frame cut short: a stream would wait for more */
    FUZZ_CHECK(used >= HOST_PROTO_HEADER_SIZE && used <= size);

    for (int s = 0; s <= PLUGIN_STATE_COUNT; s++) {
      bool d = host_msg_permitted(f.type, HOST_FROM_DAEMON, s);
      bool h = host_msg_permitted(f.type, HOST_FROM_HOST, s);
      FUZZ_CHECK(s < PLUGIN_STATE_COUNT || (!d && !h));
    }

    status = host_msg_decode(&f, body, &m, err, sizeof(err));
    if (status == 0) {
      FUZZ_CHECK(m.type == f.type);
      check_reencodes(data, used, &m);
    } else {
      const char *name = host_msg_name(f.type);
      FUZZ_CHECK(status == -EBADMSG || status == -EPROTO);
      FUZZ_CHECK(m.type == HOST_MSG_NONE);
      FUZZ_CHECK_MSG(name != NULL && strncmp(err, name, strlen(name)) == 0,
                     err);
    }
    data += used;
    size -= used;
  }
  host_msg_destroy(&m);
  return 0;
}
