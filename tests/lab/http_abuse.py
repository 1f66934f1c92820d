#!/usr/bin/env python3
"""Abuses an HTTP endpoint from the namespace it runs in, bounded in count and time, for the
lab's /metrics hardening checks. Prints one JSON object.

  http_abuse.py slow HOST PORT N SECONDS   N connections trickling a header line each second:
                                           {"opened": N, "closed_by_server": K, "after_s": T}
  http_abuse.py big-header HOST PORT BYTES one request with a BYTES-long header:
                                           {"status_line": "..."} ("" when closed unanswered)
Only addresses in 192.0.2.0/24 are accepted.
"""
import ipaddress
import json
import socket
import sys
import time


def connect(host, port):
    s = socket.create_connection((host, port), timeout=2)
    s.setblocking(False)
    return s


def closed(s):
    try:
        data = s.recv(4096)
        return data == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def slow(host, port, n, seconds):
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(host, port))
        except OSError:
            break
    for s in socks:
        try:
            s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            pass
    t0 = time.monotonic()
    gone = set()
    while time.monotonic() - t0 < seconds:
        for i, s in enumerate(socks):
            if i in gone:
                continue
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                gone.add(i)
                continue
            if closed(s):
                gone.add(i)
        time.sleep(1)
    for s in socks:
        s.close()
    return {"opened": len(socks), "closed_by_server": len(gone),
            "after_s": round(time.monotonic() - t0, 1)}


def big_header(host, port, size):
    s = socket.create_connection((host, port), timeout=5)
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
    except OSError:
        pass
    try:
        line = s.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
    except OSError:
        line = ""
    s.close()
    return {"status_line": line}


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if ipaddress.ip_address(host) not in ipaddress.ip_network("192.0.2.0/24"):
        raise SystemExit("only 192.0.2.0/24")
    if mode == "slow":
        out = slow(host, port, min(int(sys.argv[4]), 200), min(float(sys.argv[5]), 30))
    else:
        out = big_header(host, port, min(int(sys.argv[4]), 64 << 20))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
