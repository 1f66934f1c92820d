"""Helpers every lab script shares: the VRRP timers as redkeep computes them, and the checks
and tools of a running lab (who is master, replicas, a writer through the VIP, acknowledged
writes kept). Scenario modules and benchmarks import from here, not from each other."""

import json
import os
import signal
import time

from lab import VIP, wait_for


# ---- VRRP timers (net/vrrp/timing.cpp: RFC 3768 / RFC 5798 section 6.1, whole microseconds).
# Seconds in, seconds out; `version` 2 or 3; `advert_int` the Advertisement_Interval (for v3
# the Master_Adver_Interval a backup learned; v2 routers all use their own).

def _us(seconds):
    return round(float(seconds) * 1_000_000)


def skew_time(version, priority, advert_int):
    """Skew_Time: v2 (256 - priority) / 256 s, v3 (256 - priority) x Master_Adver_Interval / 256."""
    unit = 1_000_000 if int(version) == 2 else _us(advert_int)
    return ((256 - priority) * unit // 256) / 1e6


def master_down_interval(version, priority, advert_int):
    """Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time."""
    return (3 * _us(advert_int) + _us(skew_time(version, priority, advert_int))) / 1e6


def master_down_interval_for_skew(advert_int, skew):
    """Master_Down_Interval of a router whose Skew_Time is known (read from its status)."""
    return (3 * _us(advert_int) + _us(skew)) / 1e6


# ---- checks and tools of a running lab

def assert_one_master(lab, expected=None, timeout=15):
    """Waits until exactly one node holds the VIP, its daemon reports MASTER and its Redis is
    master (and it is `expected` if given); returns that node."""
    def check():
        holders = lab.vip_holders()
        if len(holders) != 1:
            return None
        m = holders[0]
        if expected is not None and m is not expected:
            return None
        if lab.state_of(m) != "MASTER" or m.role()[:1] != ["master"]:
            return None
        return m
    return wait_for(f"one master{' ' + expected.name if expected else ''} with VIP and "
                    "Redis master", check, timeout=timeout)


def assert_replica_of(node, master, timeout=15, link_up=True):
    def check():
        role = node.role()
        if role[:3] != ["slave", master.ip, "6379"]:
            return False
        return not link_up or role[3] == "connected"
    wait_for(f"{node.name} to replicate from {master.name} ({master.ip})", check, timeout=timeout)


def write_through_vip(lab, key, value, timeout=10):
    wait_for(f"SET {key} through the VIP", lambda: lab.client("SET", key, value).strip() == "OK",
             timeout=timeout, interval=0.1)


def known_state(node, within=1.0):
    """The node's VRRP state, asked again for up to `within` s while its daemon does not answer
    (the control socket busy, an election restarting): unknown is never taken for any state.
    None when it stays unknown."""
    end = time.monotonic() + within
    while True:
        state = node.state()
        if state is not None or time.monotonic() >= end:
            return state
        time.sleep(0.02)


def hold_steady(lab, master, backups, seconds):
    """For `seconds`, at every 50 ms poll: `master` holds the VIP and reports MASTER, every
    backup reports another state and holds no VIP."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert master.has_vip(), f"VIP flapped off {master.name}"
        state = known_state(master)
        assert state == "MASTER", f"{master.name} is {state}, not MASTER"
        for b in backups:
            assert not b.has_vip(), f"{b.name} took the VIP"
            state = known_state(b)
            assert state not in ("MASTER", None), f"{b.name} is {state}"
        time.sleep(0.05)


def proc_status(pid, field):
    """The number of a "Field:  N [kB]" line of /proc/PID/status (VmRSS and RssAnon in KiB,
    Threads, ...); None when the process or the line is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def keys_on(node, prefix):
    out = node.redis_cli("--scan", "--pattern", f"{prefix}:*", timeout=10)
    return set(out.split())


class Writer:
    """tests/lab/writer.py in the client namespace: SET <prefix>:<n> every
    10 ms through the VIP (or to `host`), 200 ms timeout per attempt; `extra`, more of
    writer.py's arguments (--sentinel ...)."""

    def __init__(self, lab, prefix, duration=600, host=None, extra=()):
        self.lab = lab
        self.prefix = prefix
        here = os.path.dirname(os.path.abspath(__file__))
        self.out = lab.dir / f"writer-{prefix}.json"
        self.status_file = lab.dir / f"writer-{prefix}.status"
        self.proc = lab.client_popen(
            ["python3", os.path.join(here, "writer.py"), "--prefix", prefix, "--duration",
             str(duration), "--out", str(self.out), "--status", str(self.status_file),
             "--host", host or lab.vip, *extra],
            lab.dir / f"writer-{prefix}.log")

    def status(self):
        try:
            return json.loads(self.status_file.read_text())
        except (OSError, ValueError):
            return None

    def acks(self):
        s = self.status()
        return s["acks"] if s else 0

    def wait_acks(self, n, timeout=20):
        wait_for(f"{n} acknowledged writes", lambda: self.acks() >= n, timeout=timeout)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)
        return json.loads(self.out.read_text())


# Acknowledged writes (10 ms apart) before a fault that should meet a cluster
# in its steady state: the master's delayed gratuitous ARPs (garp_master_delay
# 5 s) sent, the replicas' fellow replicas learned from the master's INFO.
STEADY_ACKS = 600


def wait_takeover(lab, timeout=10):
    """The backup that took Master after n1 was cut off: n2 by priority, or
    n3 when it holds more of n1's data (the offsets are compared once n1's
    adverts are overdue)."""
    n2, n3 = lab.nodes[1:]
    return wait_for("n2 or n3 to take over",
                    lambda: n2 if n2.state() == "MASTER" else n3 if n3.state() == "MASTER"
                    else None, timeout=timeout)


def figures(summary, master, prefix, before=()):
    """One run's figures for the data-safety benchmark (tests/lab/safety_bench.py):
    acknowledged writes missing on the final master, keys some replica held
    just before the fault (`before`) missing there, the longest write outage."""
    final = keys_on(master, prefix)
    return {"acked": summary["acknowledged"],
            "acked_lost": len(set(summary["acked_keys"]) - final),
            "keys_lost": len(set(before) - final),
            "longest_outage_s": round(summary["longest_outage_s"], 3)}


def assert_acked_since_kept(summary, cut, master, prefix):
    """Every write the writer had acknowledged from attempt number `cut` on
    (after the new master took over) is on `master` at the end."""
    later = {k for k in summary["acked_keys"] if int(k.split(":")[1]) >= cut}
    missing = later - keys_on(master, prefix)
    assert later and not missing, \
        f"{len(missing)} of {len(later)} writes acknowledged by {master.name} lost"
