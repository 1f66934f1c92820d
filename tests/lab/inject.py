#!/usr/bin/env python3
"""Sends hand-made VRRP adverts (RFC 3768 / RFC 5798 section 5 layouts) from the
namespace it runs in to 224.0.0.18, or over IPv6 to ff02::12 (--dst ff02::12,
from --src, a link-local address of --iface), for the lab tests of packet
validation.

  ip netns exec NS python3 inject.py --count 50 --password wrong ...

Bounded: at most --count packets, at most --seconds of sending. Only the VRRP
groups (or --dst inside 192.0.2.0/24 or 2001:db8::/64) are ever a destination.
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


def pack(address):
    """An address in network byte order, 4 or 16 bytes."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return socket.inet_pton(family, address)


def advert(version, vrid, priority, interval, vips, password, src, dst):
    """The VRRP message (no IP header) with a correct checksum (over IPv6: always the
    pseudo-header of RFC 8200 section 8.1)."""
    addrs = b"".join(pack(v) for v in vips)
    if ":" in dst:
        cs = int(round(interval * 100))
        head = struct.pack("!BBBBHH", (version << 4) | 1, vrid, priority, len(vips), cs & 0x0FFF, 0)
        msg = head + addrs
        pseudo = pack(src) + pack(dst) + struct.pack("!I", len(msg)) + b"\0\0\0" + bytes([112])
        csum = checksum(pseudo + msg)
    elif version == 2:
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
    p.add_argument("--iface", default="eth0", help="IPv6: the interface to send on")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--rate", type=float, default=50.0, help="packets per second")
    p.add_argument("--seconds", type=float, default=15.0)
    a = p.parse_args()
    dst = ipaddress.ip_address(a.dst)
    allowed = (dst in (ipaddress.ip_address("224.0.0.18"), ipaddress.ip_address("ff02::12"))
               or (dst.version == 4 and dst in ipaddress.ip_network("192.0.2.0/24"))
               or (dst.version == 6 and dst in ipaddress.ip_network("2001:db8::/64")))
    if not allowed:
        sys.exit("refusing a destination outside 224.0.0.18, ff02::12, 192.0.2.0/24 and "
                 "2001:db8::/64")
    v6 = dst.version == 6
    vips = a.vip or (["fe80::55", "2001:db8::100"] if v6 else ["192.0.2.100"])
    msg = advert(a.version, a.vrid, a.priority, a.interval, vips, a.password, a.src, a.dst)
    if a.bad_checksum:
        msg = msg[:6] + bytes([msg[6] ^ 0xFF, msg[7]]) + msg[8:]
    if a.truncate:
        msg = msg[:-a.truncate]
    msg += b"\0" * a.pad
    if v6:
        index = socket.if_nametoindex(a.iface)
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 112)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, a.ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, a.ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
        s.bind((a.src, 0, 0, index))
        target = (a.dst, 0, 0, index)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.src))
        target = (a.dst, 0)
    end = time.monotonic() + a.seconds
    gap = 1.0 / a.rate if a.rate > 0 else 0
    sent = 0
    next_at = time.monotonic()
    while sent < a.count and time.monotonic() < end:
        s.sendto(msg, target)
        sent += 1
        next_at += gap
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(f"sent {sent}")


if __name__ == "__main__":
    main()
