"""UDP on loopback for the integration tests of the network and statsd
plugins.

  udp_peer.py ports N SEED
      Prints N distinct UDP ports that are free on 127.0.0.1, one a line.
      They are probed (bound, all N held at once, then released) between
      20000 and 32767, starting at an offset derived from SEED (the test
      passes its $$), so that tests running at the same time start at
      different places; the range stays below the kernel's ephemeral
      ports (32768 and up), which outgoing sockets take.

  udp_peer.py bound PORT
      Exits 0 if a UDP socket is bound to 127.0.0.1:PORT (or to any
      address at PORT), 1 otherwise; reads /proc/net/udp.

  udp_peer.py send PORT DATAGRAM...
      Sends each DATAGRAM (with "\\n" standing for a newline) as one UDP
      datagram to 127.0.0.1:PORT.
"""
import socket
import sys

LOW = 20000
HIGH = 32767


def ports(n, seed):
    span = HIGH - LOW + 1
    start = (seed * 7919) % span
    held = []
    try:
        for i in range(span):
            if len(held) == n:
                break
            port = LOW + (start + i) % span
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                s.close()
                continue
            held.append(s)
        if len(held) < n:
            print("only %d free UDP ports found" % len(held), file=sys.stderr)
            return 1
        for s in held:
            print(s.getsockname()[1])
    finally:
        for s in held:
            s.close()
    return 0


def bound(port):
    want = {"0100007F:%04X" % port, "00000000:%04X" % port}
    with open("/proc/net/udp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if len(fields) > 1 and fields[1] in want:
                return 0
    return 1


def send(port, datagrams):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for d in datagrams:
        s.sendto(d.replace("\\n", "\n").encode(), ("127.0.0.1", port))
    s.close()
    return 0


def main(argv):
    if len(argv) == 3 and argv[0] == "ports":
        return ports(int(argv[1]), int(argv[2]))
    if len(argv) == 2 and argv[0] == "bound":
        return bound(int(argv[1]))
    if len(argv) >= 2 and argv[0] == "send":
        return send(int(argv[1]), argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
