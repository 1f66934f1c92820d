#!/usr/bin/env python3
"""Sends hand-made VRRP adverts (RFC 3768 / RFC 5798 section 5 layouts) from the
namespace it runs in to 224.0.0.18, for the lab tests of packet validation.

  ip netns exec NS python3 inject.py --count 50 --password wrong ...

Bounded: at most --count packets, at most --seconds of sending. Only the VRRP
group (or --dst inside 192.0.2.0/24) is ever a destination.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def advert(version, vrid, priority, interval, vips, password, src, dst):
    """The VRRP message (no IP header) with a correct checksum."""
    addrs = b"".join(socket.inet_aton(v) for v in vips)
    if version == 2:
        auth_type = 1 if password is not None else 0
        head = struct.pack("!BBBBBBH", 0x21, vrid, priority, len(vips), auth_type,
                           int(interval), 0)
        auth = (password or "").encode()[:8].ljust(8, b"\0")
        msg = head + addrs + auth
        csum = checksum(msg)
    else:
        cs = int(round(interval * 100))
        head = struct.pack("!BBBBHH", 0x31, vrid, priority, len(vips), cs & 0x0FFF, 0)
        msg = head + addrs
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 112,
                                                                             len(msg))
        csum = checksum(pseudo + msg)
    return msg[:6] + struct.pack("!H", csum) + msg[8:]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--version", type=int, default=2)
    p.add_argument("--vrid", type=int, default=55)
    p.add_argument("--priority", type=int, default=200)
    p.add_argument("--interval", type=float, default=1)
    p.add_argument("--vip", action="append", default=None)
    p.add_argument("--password", default=None)
    p.add_argument("--ttl", type=int, default=255)
    p.add_argument("--bad-checksum", action="store_true")
    p.add_argument("--truncate", type=int, default=0, help="drop this many trailing bytes")
    p.add_argument("--pad", type=int, default=0, help="append this many zero bytes")
    p.add_argument("--src", default="192.0.2.50")
    p.add_argument("--dst", default="224.0.0.18")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--rate", type=float, default=50.0, help="packets per second")
    p.add_argument("--seconds", type=float, default=15.0)
    a = p.parse_args()
    dst = ipaddress.ip_address(a.dst)
    if not (dst == ipaddress.ip_address("224.0.0.18") or dst in ipaddress.ip_network("192.0.2.0/24")):
        sys.exit("refusing a destination outside 224.0.0.18 and 192.0.2.0/24")
    msg = advert(a.version, a.vrid, a.priority, a.interval, a.vip or ["192.0.2.100"],
                 a.password, a.src, a.dst)
    if a.bad_checksum:
        msg = msg[:6] + bytes([msg[6] ^ 0xFF, msg[7]]) + msg[8:]
    if a.truncate:
        msg = msg[:-a.truncate]
    msg += b"\0" * a.pad
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.src))
    end = time.monotonic() + a.seconds
    gap = 1.0 / a.rate if a.rate > 0 else 0
    sent = 0
    next_at = time.monotonic()
    while sent < a.count and time.monotonic() < end:
        s.sendto(msg, (a.dst, 0))
        sent += 1
        next_at += gap
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(f"sent {sent}")


if __name__ == "__main__":
    main()
