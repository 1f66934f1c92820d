#!/usr/bin/env python3
"""A write-availability probe for the lab benchmarks and tests.

Runs INSIDE the lab's client namespace (lab.client_popen or
`ip netns exec <client_ns> python3 writer.py ...`). Every --interval (10 ms) it
sends `SET <prefix>:<n> <n>` to the VIP, port 6379, over a raw RESP connection
(stdlib only), each attempt bounded by --timeout (200 ms) for connect + reply
together. Any error (refused, timeout, reset, -READONLY, ...) closes the socket
and the next attempt reconnects. On SIGTERM/SIGINT or after --duration it writes
a JSON summary (--out, else stdout).

Times are CLOCK_MONOTONIC seconds (time.monotonic()), which is not namespaced,
so the caller can compare them with its own fault time.

Outage (the benchmark's figure): for each run of failed attempts, the span from
the last acknowledged SET before it to the first acknowledged SET after it
(reply times). A run of failures with no ack after it counts up to the end of
the writer and is flagged `recovered: false`; failures before the first ack
are reported separately (`startup_failures`, and `first_ack` the first
acknowledged write's reply time), not as an outage.

With --sentinel HOST:PORT (repeated) and --master-name, it is a Sentinel-aware
client instead: it asks the sentinels, in the order given, for the master's
address (SENTINEL GET-MASTER-ADDR-BY-NAME, 100 ms per sentinel, the first
answer wins and that sentinel moves to the head of the list, as the Sentinel
clients guidelines say) at start and again after every failed write, and
writes there.

While running, --status FILE (optional) is replaced every ~50 ms with
{"attempts", "acks", "last_ack", "last_fail", "now"} so a caller can tell when
writes have been succeeding again for a while.
"""

import argparse
import json
import os
import signal
import socket
import sys
import time

VIP = "192.0.2.100"
MAX_DURATION_S = 3600.0

_stop = False


def _on_signal(_signo, _frame):
    global _stop
    _stop = True


def resp_command(*args):
    """Encodes a command as a RESP array of bulk strings (Redis protocol spec)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class Conn:
    """One TCP connection to the VIP; every operation bounded by a deadline
    (monotonic seconds)."""

    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.sock = None
        self.buf = b""
        self.connects = 0

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def _remaining(self, deadline):
        r = deadline - time.monotonic()
        if r <= 0:
            raise socket.timeout("attempt deadline")
        return r

    def set(self, key, value, deadline):
        """Sends SET and reads one reply line. Returns None when +OK, else an
        error text. Raises OSError on I/O errors and timeouts."""
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port),
                                                 timeout=self._remaining(deadline))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.connects += 1
        self.sock.settimeout(self._remaining(deadline))
        self.sock.sendall(resp_command("SET", key, value))
        while b"\r\n" not in self.buf:
            self.sock.settimeout(self._remaining(deadline))
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed by peer")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        if line == b"+OK":
            return None
        return line.decode(errors="replace")[:120]


def ask_sentinels(sentinels, name, timeout=0.1):
    """The master's (host, port) from the first of `sentinels` (a list of (host, port) pairs)
    that answers SENTINEL GET-MASTER-ADDR-BY-NAME with an address, each asked for at most
    `timeout` s; that sentinel moves to the head of the list. None when none answers (Redis
    documentation, "Sentinel client spec")."""
    for i, (host, port) in enumerate(sentinels):
        deadline = time.monotonic() + timeout
        try:
            with socket.create_connection((host, port), timeout=timeout) as s:
                s.sendall(resp_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name))
                buf = b""
                # The reply: *2 $len host $len port (5 lines), or *-1 / -ERR.
                while buf.count(b"\r\n") < 5 and not buf.startswith((b"*-1", b"-")):
                    s.settimeout(max(deadline - time.monotonic(), 0.001))
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
            lines = buf.split(b"\r\n")
            if lines[0] == b"*2" and len(lines) >= 5:
                sentinels.insert(0, sentinels.pop(i))
                return lines[2].decode(), int(lines[4])
        except (OSError, ValueError):
            continue
    return None


def summarize(records, started, ended, prefix):
    """records: list of (t_start, t_end, ok, error_kind). Returns the summary
    dict described in the module doc."""
    outages = []
    last_ack = None
    fail_run = None  # [first_fail_t, count, kinds]
    startup_failures = 0
    acked = []
    for n, (t0, t1, ok, kind) in enumerate(records):
        if ok:
            acked.append(n)
            if fail_run is not None and last_ack is not None:
                outages.append({"from_ack": last_ack, "to_ack": t1, "duration_s": t1 - last_ack,
                                "first_fail": fail_run[0], "failures": fail_run[1],
                                "errors": fail_run[2], "recovered": True})
            fail_run = None
            last_ack = t1
        else:
            if last_ack is None:
                startup_failures += 1
                continue
            if fail_run is None:
                fail_run = [t0, 0, {}]
            fail_run[1] += 1
            fail_run[2][kind] = fail_run[2].get(kind, 0) + 1
    if fail_run is not None and last_ack is not None:
        outages.append({"from_ack": last_ack, "to_ack": None, "duration_s": ended - last_ack,
                        "first_fail": fail_run[0], "failures": fail_run[1],
                        "errors": fail_run[2], "recovered": False})
    longest = max(outages, key=lambda o: o["duration_s"]) if outages else None
    first_ack = records[acked[0]][1] if acked else None
    return {
        "vip": VIP,
        "started": started,
        "ended": ended,
        "attempts": len(records),
        "acknowledged": len(acked),
        "failed": len(records) - len(acked),
        "startup_failures": startup_failures,
        "first_ack": first_ack,
        "longest_outage_s": longest["duration_s"] if longest else 0.0,
        "longest_outage": longest,
        "outages": outages,
        "key_prefix": prefix,
        "acked_keys": [f"{prefix}:{n}" for n in acked],
    }


def write_json(path, obj):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default=VIP, help="address to write to (default: the VIP)")
    ap.add_argument("--port", type=int, default=6379)
    ap.add_argument("--interval", type=float, default=0.010, help="seconds between attempts")
    ap.add_argument("--timeout", type=float, default=0.200, help="seconds per attempt")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds, at most 3600")
    ap.add_argument("--prefix", default="key", help="key prefix (SET <prefix>:<n> <n>)")
    ap.add_argument("--out", help="summary JSON file (default: stdout)")
    ap.add_argument("--status", help="progress JSON file, replaced every ~50 ms")
    ap.add_argument("--sentinel", action="append", default=[], metavar="HOST:PORT",
                    help="a sentinel to ask for the master (repeat for each)")
    ap.add_argument("--master-name", default="mymaster", help="the master's name in Sentinel")
    a = ap.parse_args()
    duration = min(max(a.duration, 0.0), MAX_DURATION_S)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    sentinels = [(h, int(p)) for h, p in (x.rsplit(":", 1) for x in a.sentinel)]
    conn = Conn(a.host, a.port)
    asked = 0
    if sentinels:
        conn.host = None
    records = []
    started = time.monotonic()
    end = started + duration
    next_t = started
    last_ack = last_fail = None
    acks = 0
    next_status = started
    n = 0
    while not _stop:
        now = time.monotonic()
        if now >= end:
            break
        if now < next_t:
            time.sleep(next_t - now)
            continue
        # A slow attempt skips the slots it overran instead of bursting to catch up.
        next_t += a.interval
        if next_t < now:
            next_t = now + a.interval
        if sentinels and conn.host is None:
            addr = ask_sentinels(sentinels, a.master_name)
            asked += 1
            if addr is not None:
                conn.host, conn.port = addr
        t0 = time.monotonic()
        kind = None
        try:
            if conn.host is None:
                raise ConnectionError("no sentinel named a master")
            err = conn.set(f"{a.prefix}:{n}", n, t0 + a.timeout)
            if err is not None:
                kind = "reply:" + err.split(" ", 1)[0]
        except socket.timeout:
            kind = "timeout"
        except ConnectionRefusedError:
            kind = "refused"
        except ConnectionResetError:
            kind = "reset"
        except OSError as e:
            kind = type(e).__name__ + (f":{e.errno}" if e.errno else "")
        t1 = time.monotonic()
        ok = kind is None
        if not ok:
            conn.close()
            if sentinels:
                conn.host = None  # ask the sentinels again
            last_fail = t1
        else:
            last_ack = t1
            acks += 1
        records.append((t0, t1, ok, kind))
        n += 1
        if a.status and t1 >= next_status:
            next_status = t1 + 0.05
            write_json(a.status, {"attempts": len(records), "acks": acks,
                                  "last_ack": last_ack, "last_fail": last_fail, "now": t1})
    ended = time.monotonic()
    conn.close()
    summary = summarize(records, started, ended, a.prefix)
    summary["host"] = conn.host if sentinels else a.host
    summary["sentinel_queries"] = asked
    summary["connects"] = conn.connects
    summary["interval_s"] = a.interval
    summary["timeout_s"] = a.timeout
    if a.out:
        write_json(a.out, summary)
    else:
        json.dump(summary, sys.stdout)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
