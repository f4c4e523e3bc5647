"""Clients that test how the unixsock plugin treats its connections.

  unixsock_limits.py forget SOCKET N T0
      Sends N PUTVALs of itest/forget/gauge (value i at time T0 + i) in one
      go and closes the socket without reading a reply.

  unixsock_limits.py late SOCKET N T0 WAIT
      Writes N PUTVALs of itest/late/gauge (value i at time T0 + i) from a
      thread of its own while reading nothing for WAIT seconds, then reads
      the N replies and checks that each is a success. Prints "ok N".

  unixsock_limits.py hold SOCKET N FILE
      Opens N connections, checks that each answers LISTVAL, writes
      "held N" to FILE, then keeps them open until standard input ends.

  unixsock_limits.py try SOCKET
      Connects, sends LISTPLUGINS, prints the first line of the reply (or
      "(closed)").

  unixsock_limits.py stall SOCKET N
      Writes N PUTVALs of itest/stall/gauge and reads nothing; prints "cut
      off" once the daemon closes the connection under its writes.

  unixsock_limits.py idle SOCKET
      Connects and sends nothing; prints "closed" once the daemon closes
      the connection.
"""
import socket
import sys
import threading

TIMEOUT = 120.0


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(TIMEOUT)
    return s


def read_line(s, buf):
    while b"\n" not in buf[0]:
        data = s.recv(65536)
        if not data:
            return None
        buf[0] += data
    line, buf[0] = buf[0].split(b"\n", 1)
    return line


def putvals(name, n, t0):
    return b"".join(b"PUTVAL itest/%s/gauge interval=1 %d:%d\n"
                    % (name.encode(), t0 + i, i) for i in range(n))


# Each client builds its lines before it connects: a connection that sends
# nothing meanwhile could meet IdleTimeout.
def forget(path, n, t0):
    data = putvals("forget", n, t0)
    s = connect(path)
    s.sendall(data)
    s.close()
    return 0


def late(path, n, t0, wait):
    data = putvals("late", n, t0)
    s = connect(path)
    failed = []

    def write():
        try:
            s.sendall(data)
        except OSError as e:
            failed.append(e)

    writer = threading.Thread(target=write)
    writer.start()
    # The client is not reading yet: its writes block once the buffers are
    # full, and the daemon must wait for it.
    writer.join(wait)
    buf = [b""]
    for i in range(n):
        line = read_line(s, buf)
        if line is None:
            print("the daemon closed the connection after %d replies" % i)
            return 1
        if not line.startswith(b"0 Success"):
            print("reply %d: %r" % (i, line))
            return 1
    writer.join()
    if failed:
        print("writing failed: %s" % failed[0])
        return 1
    s.close()
    print("ok %d" % n)
    return 0


def hold(path, n, file):
    held = []
    for i in range(n):
        s = connect(path)
        s.sendall(b"LISTVAL\n")
        line = read_line(s, [b""])
        if line is None or b"found" not in line:
            print("connection %d: %r" % (i, line))
            return 1
        held.append(s)
    with open(file, "w") as f:
        f.write("held %d\n" % n)
    sys.stdin.read()
    return 0


def try_(path):
    s = connect(path)
    try:
        s.sendall(b"LISTPLUGINS\n")
    except BrokenPipeError:
        pass  # refused: the reply is still there to read
    line = read_line(s, [b""])
    print("(closed)" if line is None else line.decode("utf-8", "replace"))
    return 0


def stall(path, n):
    data = putvals("stall", n, 1)
    s = connect(path)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        print("cut off")
        return 0
    print("all %d lines went out: the daemon kept reading" % n)
    return 1


def idle(path):
    s = connect(path)
    if s.recv(1) == b"":
        print("closed")
        return 0
    print("the daemon sent something")
    return 1


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "forget" and len(argv) == 5:
        return forget(argv[2], int(argv[3]), int(argv[4]))
    if mode == "late" and len(argv) == 6:
        return late(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    if mode == "hold" and len(argv) == 5:
        return hold(argv[2], int(argv[3]), argv[4])
    if mode == "try" and len(argv) == 3:
        return try_(argv[2])
    if mode == "stall" and len(argv) == 4:
        return stall(argv[2], int(argv[3]))
    if mode == "idle" and len(argv) == 3:
        return idle(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
