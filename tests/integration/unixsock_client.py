"""A raw client of the unixsock protocol for the integration tests.

  unixsock_client.py transcript SOCKET FILE [--codes]
      Plays FILE against SOCKET and checks the replies. FILE holds
      "> command" lines, each followed by the "< reply" lines expected
      (the status line, then the lines it announces); "#" lines are
      comments, and "\\xNN" stands for that byte. Without --codes every
      command goes over one connection and every reply must match byte
      for byte. With --codes (against collectd 5.12) each command gets a
      connection of its own, only the status code of the first reply line
      is compared, and a command after a comment line starting
      "# @peer-differs" is skipped.

  unixsock_client.py stress SOCKET CONNECTIONS PUTVALS
      Opens CONNECTIONS connections at once; each sends PUTVALS valid
      PUTVALs (stress/conn-<i>/gauge-<j>, pipelined) and one invalid one
      every hundred, and checks every reply. Prints "ok <n>" with the
      number of successful PUTVALs.

  unixsock_client.py abuse SOCKET
      The misbehaving clients (a 1 MiB line, binary junk, a client that
      leaves mid-line, one that never reads), each next to a well-behaved
      one whose replies must come back as usual.

  unixsock_client.py send SOCKET TEXT
      Sends TEXT (with \\n escapes), prints the reply up to the end of
      the stream or a short silence after its first byte.
"""
import re
import socket
import sys
import threading
import time

TIMEOUT = 20.0


def connect(path):
    # A socket with a timeout fails at once with EAGAIN when the listen
    # backlog is full (many clients connecting together, a busy daemon):
    # try again until the deadline rather than give up.
    deadline = time.monotonic() + TIMEOUT
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def unescape(text):
    return re.sub(rb"\\x([0-9a-fA-F]{2})",
                  lambda m: bytes([int(m.group(1), 16)]), text)


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def reply(self):
        status = self.line()
        lines = [status]
        try:
            n = int(status.split(b" ", 1)[0])
        except ValueError:
            raise ValueError("not a status line: %r" % status)
        for _ in range(max(n, 0)):
            lines.append(self.line())
        return lines


def read_transcript(path):
    cases = []
    differs = False
    with open(path, "rb") as f:
        for raw in f:
            raw = raw.rstrip(b"\n")
            if raw.startswith(b"#"):
                if raw.startswith(b"# @peer-differs"):
                    differs = True
                continue
            if raw.startswith(b"> "):
                cases.append([unescape(raw[2:]), [], differs])
                differs = False
            elif raw.startswith(b"< "):
                cases[-1][1].append(unescape(raw[2:]))
            elif raw == b"<":
                cases[-1][1].append(b"")
            elif raw.strip():
                raise ValueError("bad transcript line: %r" % raw)
    return cases


def transcript(path, file, codes_only):
    failures = 0
    cases = read_transcript(file)
    sock = None if codes_only else connect(path)
    reader = None if codes_only else Reader(sock)
    compared = 0
    for command, expected, differs in cases:
        if codes_only:
            if differs:
                continue
            s = connect(path)
            s.sendall(command + b"\n")
            got = Reader(s).reply()
            s.close()
            # 5.12 updates its cache from the write threads: give them a
            # moment before the next command reads it.
            time.sleep(0.05)
            want_code = expected[0].split(b" ", 1)[0]
            got_code = got[0].split(b" ", 1)[0]
            ok = want_code == got_code
        else:
            sock.sendall(command + b"\n")
            got = reader.reply()
            ok = got == expected
        compared += 1
        if not ok:
            failures += 1
            print("MISMATCH for %r\n  expected: %r\n  got:      %r"
                  % (command, expected, got))
    if sock:
        sock.close()
    print("%d commands, %d mismatches" % (compared, failures))
    return 1 if failures else 0


def stress(path, connections, putvals):
    errors = []
    ok_count = [0]
    lock = threading.Lock()
    # Bounded: a client that cannot connect breaks the barrier for all,
    # and the test fails with its reason instead of hanging.
    start = threading.Barrier(connections, timeout=TIMEOUT)

    def client(i):
        try:
            try:
                s = connect(path)
            except Exception:
                start.abort()
                raise
            start.wait()
            lines = []
            expect = []
            for j in range(putvals):
                lines.append(b"PUTVAL stress/conn-%d/gauge-%d N:%d\n"
                             % (i, j, j))
                expect.append(b"0 Success: 1 value has been dispatched.")
                if j % 100 == 99:
                    lines.append(b"PUTVAL stress/conn-%d/nosuchtype N:1\n" % i)
                    expect.append(b"-1 1 Type `nosuchtype' isn't defined.")
            # Pipelined in chunks, while the replies are read.
            payload = b"".join(lines)
            sender = threading.Thread(target=s.sendall, args=(payload,))
            sender.start()
            r = Reader(s)
            good = 0
            for want in expect:
                got = r.line()
                if got != want:
                    raise ValueError("conn %d: %r instead of %r"
                                     % (i, got, want))
                if want.startswith(b"0 "):
                    good += 1
            sender.join()
            s.close()
            with lock:
                ok_count[0] += good
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append("conn %d: %s" % (i, e))

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors[:10]:
        print(e)
    print("ok %d" % ok_count[0])
    return 1 if errors else 0


def expect_listval_works(path, what):
    s = connect(path)
    s.sendall(b"LISTVAL\n")
    status = Reader(s).line()
    s.close()
    if not re.match(rb"^\d+ Values? found$", status):
        raise ValueError("%s: LISTVAL answered %r" % (what, status))


def abuse(path):
    failures = []

    def check(what, fn):
        try:
            fn()
            print("ok: %s" % what)
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append("%s: %s" % (what, e))
            print("FAILED: %s: %s" % (what, e))

    def long_line():
        s = connect(path)
        s.sendall(b"PUTVAL " + b"x" * (1 << 20) + b"\nLISTVAL\n")
        r = Reader(s)
        got = r.line()
        if not got.startswith(b"-1 Line too long"):
            raise ValueError("reply %r" % got[:80])
        if not re.match(rb"^\d+ Values? found$", r.reply()[0]):
            raise ValueError("connection unusable after the long line")
        s.close()

    def junk():
        s = connect(path)
        s.sendall(bytes(range(1, 256)).replace(b"\n", b"") + b"\n"
                  + b"\x00\xff\xfe\n" + b"LISTVAL\n")
        r = Reader(s)
        got = r.line()
        if not got.startswith(b"-1 Unknown command: "):
            raise ValueError("reply %r" % got[:80])
        if not re.match(rb"^\d+ Values? found$", r.reply()[0]):
            raise ValueError("connection unusable after junk")
        s.close()

    def leave_mid_line():
        for _ in range(50):
            s = connect(path)
            s.sendall(b"PUTVAL abuse/mid/gauge N:")
            s.close()
        expect_listval_works(path, "after clients left mid-line")

    def never_reads():
        # Fills its socket with replies it never reads, stays connected.
        lazy = connect(path)
        lazy.setblocking(False)
        chunk = b"LISTVAL\n" * 4096
        sent = 0
        deadline = time.time() + 3
        while time.time() < deadline:
            try:
                sent += lazy.send(chunk)
            except BlockingIOError:
                time.sleep(0.05)
        # Meanwhile everybody else is served (within the client's timeout:
        # how fast depends on the machine, not on the lazy client).
        expect_listval_works(path, "next to a client that never reads")
        lazy.close()

    check("1 MiB line", long_line)
    check("binary junk", junk)
    check("clients leaving mid-line", leave_mid_line)
    check("a client that never reads", never_reads)
    return 1 if failures else 0


def send(path, text):
    s = connect(path)
    s.sendall(text.encode().decode("unicode_escape").encode("latin1"))
    # The first byte may be a while coming on a busy machine (a LISTVAL of
    # 200000 values); after it, a short silence ends the reply.
    out = b""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            out += data
            s.settimeout(0.5)
    except socket.timeout:
        pass
    sys.stdout.buffer.write(out)
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "transcript":
        return transcript(argv[2], argv[3], "--codes" in argv[4:])
    if len(argv) == 5 and argv[1] == "stress":
        return stress(argv[2], int(argv[3]), int(argv[4]))
    if len(argv) == 3 and argv[1] == "abuse":
        return abuse(argv[2])
    if len(argv) == 4 and argv[1] == "send":
        return send(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
