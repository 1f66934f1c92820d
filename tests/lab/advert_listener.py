#!/usr/bin/env python3
"""Prints one JSON line per VRRP packet (IP protocol 112) this namespace
receives over IPv4 or IPv6: source, destination, TTL (IPv6: the hop limit),
version, VRID, priority, address count. Joins 224.0.0.18 and ff02::12 on the
given interfaces so multicast adverts are delivered. Stops on SIGTERM or after
--seconds (bounded).

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
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 112)
    # A raw IPv6 socket delivers no IP header: hop limit and destination come beside the data.
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    for name in args.iface:
        index = socket.if_nametoindex(name)
        mreqn = struct.pack("4s4si", socket.inet_aton("224.0.0.18"), socket.inet_aton("0.0.0.0"),
                            index)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
        mreq6 = socket.inet_pton(socket.AF_INET6, "ff02::12") + struct.pack("@I", index)
        s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6)
    print(json.dumps({"listening": args.iface}), flush=True)
    end = time.monotonic() + min(args.seconds, 600.0)
    while not stop and time.monotonic() < end:
        ready, _, _ = select.select([s, s6], [], [], 0.2)
        for sock in ready:
            if sock is s:
                data, _ = s.recvfrom(65535)
                ihl = (data[0] & 0x0F) * 4
                vrrp = data[ihl:]
                src, dst = socket.inet_ntoa(data[12:16]), socket.inet_ntoa(data[16:20])
                ttl = data[8]
            else:
                vrrp, ancillary, _, peer = s6.recvmsg(65535, 256)
                src, dst, ttl = peer[0].split("%")[0], None, None
                for level, kind, value in ancillary:
                    if level != socket.IPPROTO_IPV6:
                        continue
                    if kind == socket.IPV6_HOPLIMIT:
                        ttl = struct.unpack("@i", value[:4])[0]
                    elif kind == socket.IPV6_PKTINFO:
                        dst = socket.inet_ntop(socket.AF_INET6, value[:16])
            if len(vrrp) < 8:
                continue
            print(json.dumps({
                "src": src, "dst": dst, "ttl": ttl, "version": vrrp[0] >> 4, "vrid": vrrp[1],
                "priority": vrrp[2], "count": vrrp[3]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
