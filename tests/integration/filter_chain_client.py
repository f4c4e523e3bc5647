"""Feeds the daemons of one case of filter_chain_peer.sh (one Python start
per case: on a loaded machine each start costs seconds).

  filter_chain_client.py feed DEADLINE VALUES MARKER_TIME DIR...
      For each DIR (a daemon living there: socket DIR/sock, csv files
      under DIR/csv), sends the PUTVAL lines of the file VALUES over one
      connection; every reply must be a success. Then, for m = 1 and 2:
      puts itest/marker/gauge-m at MARKER_TIME into every daemon and waits,
      at most DEADLINE seconds, until each has written a row of it. Last,
      writes the lines of each daemon's reply to LISTVAL to DIR/listval.
      On failure says what failed on stderr and exits 1.
"""
import glob
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lifecycle_client import Conn  # noqa: E402


def put(path, lines):
    c = Conn(path)
    for text in lines:
        reply = c.command(text)
        if not reply[0].startswith("0 "):
            raise RuntimeError("%s: %r answered %r" % (path, text, reply[0]))
    c.close()


def marker_written(d, m):
    for f in glob.glob("%s/csv/itest/marker/gauge-%d-*" % (d, m)):
        with open(f) as fh:
            if len(fh.readlines()) >= 2:
                return True
    return False


def feed(deadline, values, marker_time, dirs):
    with open(values) as fh:
        lines = [line.rstrip("\n") for line in fh if line.strip()]
    for d in dirs:
        put(d + "/sock", lines)
    # A target may dispatch values while the chain runs (v5upgrade does);
    # 5.12 queues them behind the first marker, never behind the second.
    for m in (1, 2):
        for d in dirs:
            put(d + "/sock", ["PUTVAL itest/marker/gauge-%d interval=60 %s:%d"
                              % (m, marker_time, m)])
        end = time.monotonic() + deadline
        for d in dirs:
            while not marker_written(d, m):
                if time.monotonic() > end:
                    raise RuntimeError("%s wrote no row of marker %d within "
                                       "%ss" % (d, m, deadline))
                time.sleep(0.05)
    for d in dirs:
        c = Conn(d + "/sock")
        reply = c.command("LISTVAL")
        c.close()
        if int(reply[0].split(" ", 1)[0]) < 0:
            raise RuntimeError("%s: LISTVAL answered %r" % (d, reply[0]))
        with open(d + "/listval", "w") as fh:
            fh.writelines(line + "\n" for line in reply[1:])
    return 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "feed":
        try:
            return feed(float(argv[2]), argv[3], argv[4], argv[5:])
        except (RuntimeError, OSError, EOFError, ValueError) as e:
            print(e, file=sys.stderr)
            return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
