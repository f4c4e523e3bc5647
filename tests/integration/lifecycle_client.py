"""A client of the lifecycle commands (LOAD, UNLOAD, RELOAD, LISTPLUGINS)
for the integration tests. Every reply is a status line "<n> <message>",
followed by n more lines when n is positive (LISTPLUGINS, LISTVAL).

  lifecycle_client.py cmd SOCKET LINE...
      Sends each LINE over one connection, one after the other, and prints
      each reply (the status line and the lines it announces). Exits 3 if
      the daemon closes the connection instead of answering.

  lifecycle_client.py session SOCKET
      Reads lines from standard input and sends each over one connection
      as soon as it arrives, printing its reply (the status line, then the
      lines it announces, each indented by two spaces) and flushing after
      each one; ends at the end of the input. For tests that send many
      commands, or must send one at a chosen moment: on a loaded machine a
      python start-up per command takes seconds (see it_session in lib.sh).

  lifecycle_client.py race SOCKET CLIENTS LINE
      CLIENTS connections send LINE at the same moment; prints each status
      line.

  lifecycle_client.py cycles SOCKET CONF CYCLES SECONDS
      At least CYCLES cycles, and more until SECONDS have passed. In each,
      for each of cpu, memory and interface: UNLOAD, LOAD, RELOAD (or
      RELOAD, UNLOAD, LOAD in odd cycles; the plugin order rotates too),
      every one of which must answer 0. In cycles 25, 75, 125... the
      "LoadPlugin memory" line of CONF becomes a block with "Interval 0.4"
      (and back) right before memory's RELOAD, which must then reconfigure
      the plugin. Prints "<cycles> cycles, <commands> commands, all
      answered 0, <edits> edits of memory".

  lifecycle_client.py putvals SOCKET COUNT FILE PLUGIN
      Sends COUNT PUTVALs itest/test/gauge-<i> (pipelined, one connection)
      and reads every reply. Then prints "lines-before-unload <n>" (the
      lines of FILE at that moment) and the reply of "UNLOAD PLUGIN", sent
      on a second connection.

  lifecycle_client.py repeat SOCKET COUNT LINE...
      Sends the LINEs, in order, COUNT times over one connection; every
      reply must start with "0 ". Prints "<COUNT> rounds, <commands>
      commands, all answered 0".
  lifecycle_client.py stream_reloads SOCKET CONF PLUGIN OLD NEW COUNT
                                     RELOADS RATE OUT
      Streams PUTVALs of itest/test/gauge-x (one connection, about RATE a
      second sent a few at a time without pauses, at most 400 sent and not
      yet answered; the times 1 ms apart from now on) while a second
      connection RELOADs PLUGIN RELOADS times, spread over the first COUNT
      PUTVALs; before each RELOAD the text OLD in CONF becomes NEW (or NEW
      becomes OLD), so that each one reloads. The stream goes on until both
      COUNT PUTVALs and every RELOAD are done (10 times COUNT at most).
      Every RELOAD must answer 0. Writes the time ("%.3f") of each PUTVAL
      answered 0 to OUT, one a line, and prints "sent <n> accepted <a>
      reloads <r>" (and the first refusal, if any). With PLUGIN written
      "all:NAME", each is a RELOAD of the whole configuration, whose reply
      must say that NAME, and nothing else, was reloaded.
"""
import os
import socket
import sys
import threading
import time

TIMEOUT = 60.0


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(path)
    return s


class Conn:
    def __init__(self, path):
        self.sock = connect(path)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed by the daemon")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        lines = [self.line()]
        try:
            n = int(lines[0].split(" ", 1)[0])
        except ValueError:
            raise ValueError("not a status line: %r" % lines[0])
        for _ in range(max(n, 0)):
            lines.append(self.line())
        return lines

    def send(self, text):
        self.sock.sendall(text.encode() + b"\n")

    def command(self, text):
        self.send(text)
        return self.reply()

    def close(self):
        self.sock.close()


def cmd(path, lines):
    c = Conn(path)
    for text in lines:
        try:
            reply = c.command(text)
        except EOFError as e:
            print("(%s)" % e)
            return 3
        for out in reply:
            print(out)
        sys.stdout.flush()
    c.close()
    return 0


def session(path):
    c = Conn(path)
    for text in iter(sys.stdin.readline, ""):
        reply = c.command(text.rstrip("\n"))
        print(reply[0])
        for out in reply[1:]:
            print("  " + out)
        sys.stdout.flush()
    c.close()
    return 0


def race(path, clients, text):
    conns = [Conn(path) for _ in range(clients)]
    start = threading.Barrier(clients)
    replies = [None] * clients

    def client(i):
        start.wait()
        try:
            replies[i] = conns[i].command(text)[0]
        except Exception as e:  # noqa: BLE001 - printed below
            replies[i] = "error: %s" % e

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in replies:
        print(r)
    return 0


MEMORY_LINE = "LoadPlugin memory\n"
MEMORY_BLOCK = "<LoadPlugin memory>\n  Interval 0.4\n</LoadPlugin>\n"


def toggle_memory(conf):
    """Swaps memory's LoadPlugin line for a block with an Interval, or back;
    replaces the file in one rename, so the daemon never reads half of it."""
    with open(conf) as f:
        text = f.read()
    if MEMORY_LINE in text:
        text = text.replace(MEMORY_LINE, MEMORY_BLOCK)
    elif MEMORY_BLOCK in text:
        text = text.replace(MEMORY_BLOCK, MEMORY_LINE)
    else:
        raise ValueError("no memory LoadPlugin line or block in %s" % conf)
    with open(conf + ".new", "w") as f:
        f.write(text)
    os.rename(conf + ".new", conf)


def cycles(path, conf, count, seconds):
    plugins = ["cpu", "memory", "interface"]
    c = Conn(path)
    sent = edits = cycle = 0
    end = time.monotonic() + seconds
    while cycle < count or time.monotonic() < end:
        k = cycle % len(plugins)
        order = (["UNLOAD", "LOAD", "RELOAD"] if cycle % 2 == 0
                 else ["RELOAD", "UNLOAD", "LOAD"])
        for p in plugins[k:] + plugins[:k]:
            for verb in order:
                if verb == "RELOAD" and p == "memory" and cycle % 50 == 25:
                    toggle_memory(conf)
                    edits += 1
                got = c.command("%s %s" % (verb, p))[0]
                sent += 1
                if not got.startswith("0 "):
                    print("cycle %d: %s %s answered %r" % (cycle, verb, p, got))
                    return 1
        cycle += 1
    c.close()
    print("%d cycles, %d commands, all answered 0, %d edits of memory"
          % (cycle, sent, edits))
    return 0


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def putvals(path, count, file, plugin):
    c = Conn(path)
    payload = b"".join(b"PUTVAL itest/test/gauge-%d interval=10 N:%d\n" % (i, i)
                       for i in range(count))
    sender = threading.Thread(target=c.sock.sendall, args=(payload,))
    sender.start()
    for i in range(count):
        got = c.line()
        if not got.startswith("0 "):
            print("PUTVAL %d answered %r" % (i, got))
            return 1
    sender.join()
    print("lines-before-unload %d" % count_lines(file))
    sys.stdout.flush()
    other = Conn(path)
    print(other.command("UNLOAD %s" % plugin)[0])
    other.close()
    c.close()
    return 0


def repeat(path, count, lines):
    c = Conn(path)
    sent = 0
    for i in range(count):
        for text in lines:
            got = c.command(text)[0]
            sent += 1
            if not got.startswith("0 "):
                print("round %d: %s answered %r" % (i, text, got))
                return 1
    c.close()
    print("%d rounds, %d commands, all answered 0" % (count, sent))
def toggle(conf, old, new):
    """OLD becomes NEW in CONF, or NEW becomes OLD; one rename."""
    with open(conf) as f:
        text = f.read()
    if old in text:
        text = text.replace(old, new)
    elif new in text:
        text = text.replace(new, old)
    else:
        raise ValueError("neither %r nor %r in %s" % (old, new, conf))
    with open(conf + ".new", "w") as f:
        f.write(text)
    os.rename(conf + ".new", conf)


def stream_reloads(path, conf, plugin, old, new, count, reloads, rate, out):
    stream = Conn(path)
    control = Conn(path)
    base = int(time.time())
    chunk = 50  # PUTVALs sent at once, at most
    window = 400  # PUTVALs sent and not answered yet, at most
    limit = 10 * count
    state = {"sent": 0, "answered": 0, "stop": False, "error": None}
    reloads_done = threading.Event()
    progress = threading.Condition()

    def stamp(i):
        return "%d.%03d" % (base + i // 1000, i % 1000)

    def post(**changes):
        with progress:
            state.update(changes)
            progress.notify_all()

    def sender():
        start = time.monotonic()
        i = 0
        try:
            while i < count or not reloads_done.is_set():
                if i >= limit:
                    raise RuntimeError("the RELOADs took longer than %d "
                                       "PUTVALs" % limit)
                # What is due at RATE, in small pieces often rather than
                # big ones with pauses between them, so that a RELOAD
                # always happens while values arrive.
                due = min(int((time.monotonic() - start) * rate), i + chunk)
                if due <= i:
                    time.sleep(0.0005)
                    continue
                with progress:
                    while (due - state["answered"] > window and
                           not state["stop"]):
                        progress.wait(1.0)
                    if state["stop"]:
                        break
                lines = b"".join(b"PUTVAL itest/test/gauge-x interval=1 "
                                 b"%s:%d\n" % (stamp(j).encode(), j)
                                 for j in range(i, due))
                stream.sock.sendall(lines)
                i = due
                post(sent=i)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            state["error"] = "sender: %s" % e
        post(stop=True)

    accepted = []
    refused = []

    def reader():
        i = 0
        try:
            while True:
                with progress:
                    while i >= state["sent"] and not state["stop"]:
                        progress.wait(1.0)
                    if i >= state["sent"]:
                        return
                got = stream.line()
                if got.startswith("0 "):
                    accepted.append(stamp(i))
                elif not refused:
                    refused.append("PUTVAL %d answered %r" % (i, got))
                i += 1
                post(answered=i)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            post(error="reader: %s" % e, stop=True)

    threads = [threading.Thread(target=f) for f in (sender, reader)]
    for t in threads:
        t.start()
    done = 0
    failure = None
    try:
        for k in range(1, reloads + 1):
            with progress:
                while (state["sent"] < k * count // (reloads + 1) and
                       not state["stop"]):
                    progress.wait(1.0)
            if state["stop"]:
                failure = "the stream ended before RELOAD %d" % k
                break
            toggle(conf, old, new)
            if plugin.startswith("all:"):
                lines = control.command("RELOAD")
                ok = (" 0 loaded, 0 unloaded, 1 reloaded, 0 rolled back, "
                      "0 refused, 0 failed," in lines[0] and
                      any(x.startswith(plugin[4:] + " reloaded: ")
                          for x in lines[1:]))
                got = " / ".join(lines)
            else:
                got = control.command("RELOAD %s" % plugin)[0]
                ok = got.startswith("0 ")
            if not ok:
                failure = "RELOAD %d answered %r" % (k, got)
                break
            done += 1
    finally:
        reloads_done.set()
        if failure is not None:
            post(stop=True)
        for t in threads:
            t.join()
    with open(out, "w") as f:
        f.write("".join(t + "\n" for t in accepted))
    print("sent %d accepted %d reloads %d"
          % (state["sent"], len(accepted), done))
    for r in refused:
        print(r)
    stream.close()
    control.close()
    if failure is not None or state["error"] is not None:
        print(failure or state["error"])
        return 1
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "cmd":
        return cmd(argv[2], argv[3:])
    if len(argv) == 3 and argv[1] == "session":
        return session(argv[2])
    if len(argv) == 5 and argv[1] == "race":
        return race(argv[2], int(argv[3]), argv[4])
    if len(argv) == 6 and argv[1] == "cycles":
        return cycles(argv[2], argv[3], int(argv[4]), float(argv[5]))
    if len(argv) == 6 and argv[1] == "putvals":
        return putvals(argv[2], int(argv[3]), argv[4], argv[5])
    if len(argv) >= 5 and argv[1] == "repeat":
        return repeat(argv[2], int(argv[3]), argv[4:])
    if len(argv) == 11 and argv[1] == "stream_reloads":
        return stream_reloads(argv[2], argv[3], argv[4], argv[5], argv[6],
                              int(argv[7]), int(argv[8]), float(argv[9]),
                              argv[10])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
