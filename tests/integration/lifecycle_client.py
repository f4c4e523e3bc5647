"""A client of the lifecycle commands (LOAD, UNLOAD, RELOAD, LISTPLUGINS)
for the integration tests. Every reply is a status line "<n> <message>",
followed by n more lines when n is positive (LISTPLUGINS, LISTVAL).

  lifecycle_client.py cmd SOCKET LINE...
      Sends each LINE over one connection, one after the other, and prints
      each reply (the status line and the lines it announces). Exits 3 if
      the daemon closes the connection instead of answering.

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
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "cmd":
        return cmd(argv[2], argv[3:])
    if len(argv) == 5 and argv[1] == "race":
        return race(argv[2], int(argv[3]), argv[4])
    if len(argv) == 6 and argv[1] == "cycles":
        return cycles(argv[2], argv[3], int(argv[4]), float(argv[5]))
    if len(argv) == 6 and argv[1] == "putvals":
        return putvals(argv[2], int(argv[3]), argv[4], argv[5])
    if len(argv) >= 5 and argv[1] == "repeat":
        return repeat(argv[2], int(argv[3]), argv[4:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
