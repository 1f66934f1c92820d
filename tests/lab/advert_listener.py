#!/usr/bin/env python3
"""Prints one JSON line per VRRP packet (IP protocol 112) this namespace
receives: source, destination, TTL, version, VRID, priority, address count.
Joins 224.0.0.18 on the given interfaces so multicast adverts are delivered.
Stops on SIGTERM or after --seconds (bounded).

  advert_listener.py --iface p0 --iface p1 --seconds 120
"""
import argparse
import json
import select
import signal
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", action="append", default=[])
    ap.add_argument("--seconds", type=float, default=120.0)
    args = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    for name in args.iface:
        index = socket.if_nametoindex(name)
        mreqn = struct.pack("4s4si", socket.inet_aton("224.0.0.18"), socket.inet_aton("0.0.0.0"),
                            index)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
    print(json.dumps({"listening": args.iface}), flush=True)
    end = time.monotonic() + min(args.seconds, 600.0)
    while not stop and time.monotonic() < end:
        ready, _, _ = select.select([s], [], [], 0.2)
        if not ready:
            continue
        data, _ = s.recvfrom(65535)
        ihl = (data[0] & 0x0F) * 4
        vrrp = data[ihl:]
        if len(vrrp) < 8:
            continue
        print(json.dumps({
            "src": socket.inet_ntoa(data[12:16]), "dst": socket.inet_ntoa(data[16:20]),
            "ttl": data[8], "version": vrrp[0] >> 4, "vrid": vrrp[1], "priority": vrrp[2],
            "count": vrrp[3]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
