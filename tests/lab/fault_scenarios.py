"""Lab scenarios of faults from outside and inside:
an advert flood, a sick Redis (hung, slow, BUSY, LOADING, NOAUTH, REPLICAOF
refused) and secrets at run time. Each takes a lab that is up (namespaces made,
nothing running) and raises on failure; they poll `redkeep status --json`,
`ip addr`, Redis ROLE/INFO and the logs with deadlines.

  python3 tests/lab/run.py flood      # see the scenario_* names below
"""

import datetime
import os
import re
import signal
import subprocess
import threading
import time

from lab import Lab, Node, log_time, sh, wait_for
from helpers import (STEADY_ACKS, Writer, assert_acked_since_kept, assert_one_master,
                       assert_replica_of, figures, hold_steady, keys_on, proc_status,
                     wait_takeover)

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- helpers ----

def rss_kib(node):
    """VmRSS of the node's redkeep in KiB (ip netns exec execs redkeep, so the
    Popen pid is redkeep's)."""
    rss = proc_status(node.redkeep.pid, "VmRSS")
    assert rss is not None, f"no VmRSS for {node.name}'s redkeep"
    return rss


def assert_alive(lab):
    for n in lab.nodes:
        code = n.redkeep.poll() if n.redkeep else "not started"
        assert code is None, f"{n.name}'s redkeep is gone (exit {code})"


def transitions(lab):
    return {n.name: n.status()["counters"]["transitions"] for n in lab.nodes}


def log_times(node, needle):
    """Timestamps (datetime) of the log lines of `node` that contain `needle`.
    Lines start '2026-11-29T21:01:22.284+00:00 n1 warning [HARedis] ...'."""
    return [log_time(line) for line in node.log_text().splitlines() if needle in line]


def steady_cluster(lab):
    """Starts the lab; n1 master with the VIP, n2 and n3 its replicas."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    for n in (n2, n3):
        assert_replica_of(n, n1)
    return n1, n2, n3


def injector(lab, name, args, rate, seconds):
    """inject.py in the client namespace as a background process."""
    return lab.client_popen(
        ["python3", os.path.join(HERE, "inject.py"), "--rate", str(rate), "--seconds",
         str(seconds), "--count", str(int(rate * seconds)), *args],
        lab.dir / f"inject-{name}.log")


def sent_by(lab, name):
    text = (lab.dir / f"inject-{name}.log").read_text()
    return int(re.findall(r"sent (\d+)", text)[-1])


# ---- A flood of adverts ----

# Kind of advert -> (the reason it is counted under, inject.py arguments). The
# last one is a valid advert of another virtual router: normal traffic on a
# shared segment, counted under `vrid`, not logged.
FLOOD_KINDS = {
    "checksum": ["--password", "redkeep1", "--bad-checksum"],
    "auth_password": ["--password", "wrong"],
    "ttl": ["--password", "redkeep1", "--ttl", "64"],
    "length": ["--password", "redkeep1", "--truncate", "3"],
    "vrid": ["--password", "redkeep1", "--vrid", "56"],
}
# The same over IPv6 (VRRPv3, no authentication): an address list of another
# virtual router's takes the password's place; `ttl` is the hop limit.
V6 = ["--version", "3", "--dst", "ff02::12", "--src", "fe80::50"]
FLOOD_KINDS6 = {
    "checksum": [*V6, "--bad-checksum"],
    "address_list": [*V6, "--vip", "fe80::55", "--vip", "2001:db8::99"],
    "ttl": [*V6, "--ttl", "64"],
    "length": [*V6, "--truncate", "3"],
    "vrid": [*V6, "--vrid", "56"],
}


def flood_kinds(lab):
    return FLOOD_KINDS6 if lab.family == 6 else FLOOD_KINDS


FLOOD_RATE = 10000  # adverts per second, all kinds together
FLOOD_SECONDS = 10
# Resident memory the flood may add to the master's redkeep. Every advert is
# parsed, sent as one message from advert_io to the election and counted in a
# per-reason map that stops growing once each reason has been seen; a leak of
# even 32 bytes per advert would add 3 MB over 100,000 adverts, a mailbox that
# keeps what the election could not take yet far more. 2 MiB leaves room for
# allocator noise (heap pages touched by CAF's per-thread caches and
# spdlog's buffers) measured after a warm-up burst, well below either.
FLOOD_RSS_BOUND_KIB = 2048


def socket_drops(node):
    """Packets the kernel dropped at the node's VRRP raw sockets (protocol 112) because their
    receive buffer was full: the drops column of /proc/net/raw and raw6 in its namespace."""
    drops = 0
    for table in ("/proc/net/raw", "/proc/net/raw6"):
        for line in node.exec("cat", table).splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(":0070"):
                drops += int(fields[-1])
    return drops


def backlog_drops():
    """Packets dropped machine-wide because a CPU's input backlog was full
    (/proc/net/softnet_stat, second column): on a busy machine the flood loses some there,
    before any socket."""
    with open("/proc/net/softnet_stat") as f:
        return sum(int(line.split()[1], 16) for line in f)


def flood(lab, seconds, tag):
    """Sends every flood_kinds() kind at FLOOD_RATE / len(kinds) per second for
    `seconds`, one injector process per kind; returns {kind: sent}, elapsed s."""
    kinds = flood_kinds(lab)
    per_kind = FLOOD_RATE // len(kinds)
    started = time.monotonic()
    procs = {k: injector(lab, f"{tag}-{k}", args, per_kind, seconds)
             for k, args in kinds.items()}
    return procs, started


def finish_flood(lab, procs, started, tag):
    for p in procs.values():
        p.wait(timeout=60)
    elapsed = time.monotonic() - started
    return {k: sent_by(lab, f"{tag}-{k}") for k in procs}, elapsed


def scenario_flood(lab):
    """10,000 adverts per second for 10 s from the client namespace
    (bad checksum, wrong password, TTL 64, truncated, and valid adverts of
    another VRID): no redkeep exits, no role change, every kind counted under
    its reason, each reason logged at most once per 10 s, and the master's
    resident memory grows by less than FLOOD_RSS_BOUND_KIB."""
    n1, n2, n3 = steady_cluster(lab)
    # Warm-up: every reason once, so per-reason state and allocator caches exist
    # before the baseline is taken.
    procs, started = flood(lab, 1, "warmup")
    finish_flood(lab, procs, started, "warmup")
    time.sleep(1)
    base_rss = rss_kib(n1)
    before = {n.name: n.status()["counters"]["rejected"] for n in lab.nodes}
    drops_before = {n.name: socket_drops(n) for n in lab.nodes}
    backlog_before = backlog_drops()
    base_transitions = transitions(lab)
    flood_started_wall = datetime.datetime.now().astimezone()
    procs, started = flood(lab, FLOOD_SECONDS, "flood")
    peak_rss = base_rss
    # Poll roles the whole time; hold_steady's own polls are the load of a
    # monitoring system on top of the flood.
    while any(p.poll() is None for p in procs.values()):
        hold_steady(lab, n1, (n2, n3), 0.5)
        peak_rss = max(peak_rss, rss_kib(n1))
    sent, elapsed = finish_flood(lab, procs, started, "flood")
    total = sum(sent.values())
    # inject.py stops sending after --seconds; on a busy machine it sends fewer than it aims
    # for, and the kernel drops some when redkeep's socket buffer is full. What follows
    # asserts what redkeep did with what was sent: every advert the kernel delivered is
    # counted under its reason.
    print(f"flood: sent {total} adverts (wall {elapsed:.2f} s including start-up): {sent}",
          flush=True)
    assert total > 0, "the generator sent nothing: no flood to test"
    assert_alive(lab)

    def counted(node):
        now = node.status()["counters"]["rejected"]
        return {k: now.get(k, 0) - before[node.name].get(k, 0) for k in flood_kinds(lab)}

    # The counters settle once the election has taken the last message.
    last = {}

    def settled():
        nonlocal last
        c = counted(n1)
        done = c == last
        last = c
        return done

    wait_for("n1's rejection counters to settle", settled, timeout=10, interval=0.5)
    backlog = backlog_drops() - backlog_before
    for node in lab.nodes:
        c = counted(node)
        dropped = socket_drops(node) - drops_before[node.name]
        print(f"{node.name}: counted {c}, dropped by the kernel at its socket {dropped}, "
              f"at input backlogs (machine-wide) {backlog}", flush=True)
        for kind in flood_kinds(lab):
            assert 0 < c[kind] <= sent[kind], \
                f"{node.name}: {c[kind]} '{kind}' adverts counted of {sent[kind]} sent"
        # The few valid adverts of the master are among the dropped too: never fewer.
        assert sum(c.values()) + dropped + backlog >= total, \
            f"{node.name}: {sum(c.values())} counted + {dropped} + {backlog} dropped of {total}"
    hold_steady(lab, n1, (n2, n3), 1.0)
    assert transitions(lab) == base_transitions, (base_transitions, transitions(lab))
    assert_replica_of(n2, n1)
    assert_replica_of(n3, n1)

    for node in lab.nodes:
        for kind in flood_kinds(lab):
            times = log_times(node, f"Rejected advert ({kind})")
            if kind == "vrid":
                assert not times, f"{node.name} logged other-VRID adverts"
                continue
            assert times, f"{node.name} never logged '{kind}'"
            gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
            assert all(g >= 9.9 for g in gaps), f"{node.name} '{kind}' logged {gaps} s apart"
            during = [t for t in times if t >= flood_started_wall]
            assert len(during) <= 2, f"{node.name}: {len(during)} '{kind}' lines in {elapsed:.0f} s"
    assert "more since last report]" in n1.log_text(), "suppressed rejections never reported"

    after_rss = rss_kib(n1)
    print(f"n1 redkeep VmRSS: {base_rss} KiB before, peak {peak_rss} KiB, {after_rss} KiB after "
          f"(bound +{FLOOD_RSS_BOUND_KIB} KiB)", flush=True)
    assert after_rss - base_rss < FLOOD_RSS_BOUND_KIB, \
        f"VmRSS grew by {after_rss - base_rss} KiB over the flood"
    assert peak_rss - base_rss < FLOOD_RSS_BOUND_KIB, \
        f"VmRSS peaked {peak_rss - base_rss} KiB above the baseline during the flood"


# ---- A sick Redis ----
# Lab defaults: check_interval 1 s, check_timeout 1 s, fall 3, rise 2.

def scenario_redis_hung(lab):
    """The master's redis-server stopped (SIGSTOP): its PINGs time
    out and after fall x check_interval the node goes FAULT and another takes
    over (not before ~2 s, by 8 s); after SIGCONT the old node ends as a
    replica of the new master and there is exactly one master."""
    n1, n2, n3 = steady_cluster(lab)
    stopped = time.monotonic()
    os.kill(n1.redis.pid, signal.SIGSTOP)
    try:
        wait_for("a backup to take over", lambda: n2.state() == "MASTER" or n3.state() == "MASTER",
                 timeout=8, interval=0.05)
        took = time.monotonic() - stopped
        print(f"failover {took:.2f} s after SIGSTOP", flush=True)
        assert took >= 2.0, f"failover after only {took:.2f} s (fall 3 x check_interval 1 s)"
        new = assert_one_master(lab, n2, timeout=5)
        wait_for("n1 in FAULT", lambda: n1.state() == "FAULT", timeout=5)
        assert not n1.has_vip()
    finally:
        os.kill(n1.redis.pid, signal.SIGCONT)
    wait_for("n1 back to BACKUP", lambda: n1.state() == "BACKUP", timeout=10)
    assert_replica_of(n1, new, timeout=15)
    assert_replica_of(n3, new, timeout=15)
    hold_steady(lab, n2, (n1, n3), 2.0)
    assert_one_master(lab, n2)
    assert "PING -> Failed (" in n1.log_text()
    assert_alive(lab)


def background_redis_cli(node, *args):
    """redis-cli on the node in the background; returns (Popen, start time)."""
    p = subprocess.Popen(["ip", "netns", "exec", node.ns, "redis-cli", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p, time.monotonic()


def scenario_redis_slow(lab):
    """`DEBUG SLEEP 1.5` on the master's Redis (shorter than fall x
    check_interval): no failover, no flapping, over 5 s."""
    n1, n2, n3 = steady_cluster(lab)
    base = transitions(lab)
    p, started = background_redis_cli(n1, "DEBUG", "SLEEP", "1.5")
    hold_steady(lab, n1, (n2, n3), 5.0)
    out, _ = p.communicate(timeout=10)
    assert out.strip() == "OK", out
    assert time.monotonic() - started >= 1.5
    assert transitions(lab) == base, (base, transitions(lab))
    st = n1.status()
    assert st["state"] == "MASTER" and st["redis"]["health"] == "healthy", st
    seen = "PING -> Failed (" in n1.log_text()
    print(f"redkeep saw a check time out during the sleep: {seen}", flush=True)
    assert_alive(lab)


# 2 s of busy Lua (microsecond TIME, so it is 2 s whatever the start).
BUSY_SCRIPT = ("local t=redis.call('TIME') local s=t[1]*1000000+t[2] while true do "
               "local n=redis.call('TIME') if n[1]*1000000+n[2]-s>=2000000 then break end end")


def scenario_redis_busy(lab):
    """A 2 s Lua script on the master's Redis with
    busy-reply-threshold 100 ms, so PING answers BUSY: redkeep counts it
    toward fall (logs it) but 2 s is short of fall x check_interval: no
    failover, no flapping, over 5 s."""
    n1, n2, n3 = steady_cluster(lab)
    assert n1.redis_cli("CONFIG", "SET", "busy-reply-threshold", "100").strip() == "OK"
    base = transitions(lab)
    p, started = background_redis_cli(n1, "EVAL", BUSY_SCRIPT, "0")
    wait_for("PING to answer BUSY", lambda: n1.redis_cli("PING").startswith("BUSY"), timeout=2)
    hold_steady(lab, n1, (n2, n3), 5.0)
    p.communicate(timeout=10)
    n1.redis_cli("CONFIG", "SET", "busy-reply-threshold", "5000")
    assert transitions(lab) == base, (base, transitions(lab))
    log = n1.log_text()
    assert "PING -> Failed (BUSY" in log, log[-3000:]
    assert "Redis 127.0.0.1:6379 is FAILED" not in log
    st = n1.status()
    assert st["state"] == "MASTER" and st["redis"]["health"] == "healthy", st
    assert_alive(lab)


def restart_loading(node, master):
    """Restarts node's Redis (a replica of `master`) on an RDB of 80,000 keys
    loaded with key-load-delay 40 us (~9 s of LOADING here), in a thread.
    Returns the thread and a list that receives the exception start_redis
    raised."""
    # Written on the master and replicated: the RDB holds the master's history, so the
    # re-sync after the restart replaces nothing the master lacks (the sync gate would refuse
    # keys only this node held).
    assert master.redis_cli("EVAL", "for i=1,80000 do redis.call('SET','load:'..i,'0123456789') "
                            "end", "0", timeout=30).strip() == ""
    wait_for(f"80,000 keys replicated to {node.name}",
             lambda: int(node.redis_cli("DBSIZE").strip()) >= 80000, timeout=30, interval=0.2)
    # SAVE is refused while a background save (a replica's sync) runs.
    wait_for(f"SAVE on {node.name}", lambda: node.redis_cli("SAVE", timeout=30).strip() == "OK",
             timeout=30, interval=0.2)
    node.kill_redis()
    failure = []

    def start():
        try:
            # By default Redis serves clients only every 2 MB of RDB read: with
            # the delay, PING would time out instead of answering LOADING.
            node.start_redis(("--key-load-delay", "40",
                              "--loading-process-events-interval-bytes", "1024"))
        except Exception as e:  # noqa: BLE001 - reported by the caller
            failure.append(e)

    starter = threading.Thread(target=start)
    starter.start()
    return starter, failure


def unfit_replica_passed_over(lab, how):
    """n2 (priority 100) is not eligible when the master's Redis
    dies: `how` = "loading" (its Redis restarted on a large RDB, LOADING) or
    "restarted" (its Redis restarted empty and cannot sync: its replication
    traffic to n1 dropped). n3 (priority 50) takes Master, n2 then syncs from
    n3; no write n3 acknowledged is lost. Returns the figures."""
    n1, n2, n3 = steady_cluster(lab)
    writer = Writer(lab, "unfit")
    starter = None
    try:
        writer.wait_acks(100)
        if how == "loading":
            starter, failure = restart_loading(n2, n1)
            wait_for("n2 LOADING", lambda: "loading:1" in n2.redis_cli("INFO", "persistence"),
                     timeout=10, interval=0.1)
        else:
            n2.drop([f"ip saddr {n1.ip} tcp sport 6379", f"ip daddr {n1.ip} tcp dport 6379"])
            n2.kill_redis()
            n2.start_redis()
        expected = "LOADING" if how == "loading" else "not re-synced"
        wait_for(f"n2 not eligible: {expected}",
                 lambda: expected in (n2.status()["redis"]["not_eligible_because"] or ""),
                 timeout=10, interval=0.1)
        on_n3 = keys_on(n3, "unfit")
        n1.kill_redis()
        assert_one_master(lab, n3, timeout=15)
        cut = writer.status()["attempts"]
        n2.drop(None)
        if starter:
            starter.join(timeout=60)
            assert not failure or n2.redis.poll() is None, failure
        assert_replica_of(n2, n3, timeout=40)
        writer.wait_acks(writer.acks() + 50)
    finally:
        summary = writer.stop()
    f = figures(summary, n3, "unfit", on_n3)
    assert f["keys_lost"] == 0, f"{f['keys_lost']} keys n3 held lost"
    assert_acked_since_kept(summary, cut, n3, "unfit")
    return f


def scenario_loading_replica_passed_over(lab):
    """A LOADING replica does not take Master while an eligible one exists."""
    f = unfit_replica_passed_over(lab, "loading")
    print(f"loading replica passed over: {f}")
    return f


def scenario_unsynced_replica_passed_over(lab):
    """A replica whose Redis restarted and has not synced since
    does not take Master while an eligible one exists."""
    f = unfit_replica_passed_over(lab, "restarted")
    print(f"unsynced replica passed over: {f}")
    return f


def scenario_redis_loading(lab):
    """A backup's Redis restarted on an RDB of 80,000 keys loaded
    with key-load-delay 40 us (~9 s of LOADING here; each usleep takes ~115
    us), answering clients every KiB of RDB read: while INFO says loading:1, redkeep
    reports it alive (health healthy, not a failed check) but not eligible
    (priority 1), and out of Master (FAULT) because its Redis restarted with
    data (the cold-start rule holds it until it has synced); the master
    is untouched; afterwards the node re-syncs and is eligible again."""
    n1, n2, n3 = steady_cluster(lab)
    starter, failure = restart_loading(n2, n1)
    seen = {}

    def loading_seen():
        info = n2.redis_cli("INFO", "persistence")
        if "loading:1" not in info:
            return False
        st = n2.status()
        if st["state"] == "FAULT" and st["redis"]["health"] == "healthy" \
                and st["redis"]["eligible"] is False and st["effective_priority"] == 1:
            # Still loading after the status was read: they describe one moment.
            if "loading:1" in n2.redis_cli("INFO", "persistence"):
                seen.update(st)
                return True
        return False

    wait_for("n2 FAULT, alive and not eligible (priority 1) while LOADING", loading_seen,
             timeout=8, interval=0.1)
    print(f"n2 while loading: {seen['redis']['last_check']!r}, not eligible because "
          f"{seen['redis']['not_eligible_because']!r}", flush=True)
    assert "LOADING" in seen["redis"]["not_eligible_because"], seen["redis"]
    hold_steady(lab, n1, (n2, n3), 1.0)
    starter.join(timeout=60)
    # start_redis waits 10 s for PONG; a slower load is no failure here.
    assert not failure or n2.redis.poll() is None, failure
    wait_for("n2's Redis to finish loading", lambda: n2.redis_cli("PING").strip() == "PONG",
             timeout=30, interval=0.2)
    print("\n".join(l for l in n2.log_text().splitlines() if "restarted" in l), flush=True)
    assert_replica_of(n2, n1, timeout=30)
    wait_for("n2 eligible again", lambda: n2.status()["redis"]["eligible"] is True, timeout=30)
    assert n2.status()["effective_priority"] == 100
    assert_one_master(lab, n1)
    assert_alive(lab)


def scenario_redis_noauth(lab):
    """A backup's Redis starts requiring a password redkeep does
    not have (CONFIG SET requirepass, CLIENT KILL so redkeep reconnects): it
    goes FAULT and logs exactly one configuration-error line over 5 s; with
    the password removed again it recovers to BACKUP."""
    n1, n2, n3 = steady_cluster(lab)
    assert n3.redis_cli("CONFIG", "SET", "requirepass", "x").strip() == "OK"
    n3.exec("redis-cli", "-a", "x", "--no-auth-warning", "CLIENT", "KILL", "TYPE", "normal",
            check=False)
    wait_for("n3 in FAULT", lambda: n3.state() == "FAULT", timeout=5)
    time.sleep(5)  # the time over which the line must not repeat
    st = n3.status()
    assert st["state"] == "FAULT", st
    lines = [l for l in n3.log_text().splitlines() if "configuration error" in l.lower()]
    print("\n".join(lines), flush=True)
    assert len(lines) == 1, f"{len(lines)} configuration-error lines in 5 s"
    assert_one_master(lab, n1)
    out = n3.exec("redis-cli", "-a", "x", "--no-auth-warning", "CONFIG", "SET", "requirepass", "",
                  check=False)
    assert out.strip() == "OK", out
    wait_for("n3 back to BACKUP", lambda: n3.state() == "BACKUP", timeout=10)
    assert_replica_of(n3, n1)
    assert n3.status()["redis"]["health"] == "healthy"
    hold_steady(lab, n1, (n2, n3), 1.0)
    assert_alive(lab)


def at_most_one_vip_holder(lab):
    holders = lab.vip_holders()
    assert len(holders) <= 1, f"VIP on {[n.name for n in holders]}"


def scenario_replicaof_refused(lab):
    """n2's Redis refuses REPLICAOF (ACL: default -replicaof
    -slaveof) and the master's Redis dies, so n2 (next in priority) must be
    promoted and cannot: the refusal is reported once, no redkeep exits, the
    VIP is never on two nodes, and n2 does not stay MASTER with a Redis that
    is no master (it is not eligible and yields, or its Redis is master): a
    master with the VIP and a master Redis exists within 15 s (n2 steps
    down when its Redis refuses REPLICAOF NO ONE for good)."""
    n1, n2, n3 = steady_cluster(lab)
    out = n2.redis_cli("ACL", "SETUSER", "default", "-replicaof", "-slaveof")
    assert out.strip() == "OK", out
    assert n2.redis_cli("REPLICAOF", "NO", "ONE").startswith("NOPERM")
    n1.kill_redis()
    end = time.monotonic() + 15
    master = None
    while time.monotonic() < end and master is None:
        at_most_one_vip_holder(lab)
        assert_alive(lab)
        m = lab.master()
        if m is not None and m.state() == "MASTER" and m.role()[:1] == ["master"]:
            master = m
        time.sleep(0.1)
    refusals = [l for l in n2.log_text().splitlines() if "NOPERM" in l]
    print("\n".join(refusals[:5]), flush=True)
    assert refusals, "n2 never reported the refused REPLICAOF"
    st = n2.status()
    assert master is not None, (
        f"no master with the VIP and a master Redis 15 s after n1's Redis died; n2: state "
        f"{st['state']}, effective priority {st['effective_priority']}, eligible "
        f"{st['redis']['eligible']}, Redis role {st['redis']['role']}")
    assert master is not n2


def scenario_replicaof_refused_replica(lab):
    """n3's Redis refuses REPLICAOF (ACL) and the master's Redis
    dies: n2 takes over; n3 cannot follow it: the refusal is reported (NOPERM,
    once, not once per retry), n3 stays BACKUP and, from its next check on,
    not eligible (priority 1: it does not follow the master), no redkeep exits,
    no VIP on two nodes. With the ACL lifted, n3 follows n2 by itself."""
    n1, n2, n3 = steady_cluster(lab)
    out = n3.redis_cli("ACL", "SETUSER", "default", "-replicaof", "-slaveof")
    assert out.strip() == "OK", out
    n1.kill_redis()
    new = assert_one_master(lab, n2, timeout=10)
    wait_for("n3 to report the refusal", lambda: "NOPERM" in n3.log_text(), timeout=5)
    # Its next check (check_interval 1 s) shows a Redis that does not follow
    # the current master: not eligible, the floor priority.
    wait_for("n3 not eligible (priority 1)", lambda: n3.status()["effective_priority"] == 1,
             timeout=2)
    end = time.monotonic() + 3
    while time.monotonic() < end:
        at_most_one_vip_holder(lab)
        st = n3.status()
        assert st["state"] == "BACKUP" and st["redis"]["eligible"] is False \
            and st["effective_priority"] == 1, st
        time.sleep(0.1)
    lines = [l for l in n3.log_text().splitlines() if "NOPERM" in l]
    print("\n".join(lines), flush=True)
    assert len(lines) == 1, f"{len(lines)} NOPERM lines in 3 s"
    assert n3.role()[:2] == ["slave", n1.ip], n3.role()
    out = n3.redis_cli("ACL", "SETUSER", "default", "+replicaof", "+slaveof")
    assert out.strip() == "OK", out
    assert_replica_of(n3, new, timeout=10)
    wait_for("n3 eligible again", lambda: n3.status()["redis"]["eligible"] is True, timeout=10)
    assert_one_master(lab, n2)
    assert_alive(lab)


# ---- Secrets at run time ----

REDIS_PASSWORD = "Rp9sEcretRedisPw"
AUTH_PASS = "Vq7kZ2mX"  # 8 bytes: VRRPv2 PASS uses no more
WRONG_REDIS_PASSWORD = "Wx4wrongRedisPw"
WRONG_AUTH_PASS = "Jh3tY8nQ"
SECRETS = (REDIS_PASSWORD, AUTH_PASS, WRONG_REDIS_PASSWORD, WRONG_AUTH_PASS)


class SecretNode(Node):
    """A node whose redis-cli authenticates with the lab's Redis password."""

    def redis_cli(self, *args, host="127.0.0.1", timeout=2):
        return self.exec("redis-cli", "-h", host, "-p", "6379", "--no-auth-warning", "-a",
                         REDIS_PASSWORD, *args, check=False, timeout=timeout)


class SecretLab(Lab):
    """The lab with a Redis password (requirepass and masterauth on every
    redis-server, `password` in every redis block) and its own auth_pass.
    `redis_passwords` / `auth_passes` override them per node name."""

    def __init__(self, **options):
        options["redis_args"] = ("--requirepass", REDIS_PASSWORD, "--masterauth", REDIS_PASSWORD,
                                 *options.get("redis_args", ()))
        super().__init__(**options)
        self.nodes = [SecretNode(self, i) for i in (1, 2, 3)]
        self.redis_passwords = {}
        self.auth_passes = {}

    def config_text(self, node):
        text = super().config_text(node)
        auth = self.auth_passes.get(node.name, AUTH_PASS)
        password = self.redis_passwords.get(node.name, REDIS_PASSWORD)
        assert "auth_pass redkeep1\n" in text and "        port 6379\n" in text
        text = text.replace("auth_pass redkeep1\n", f"auth_pass {auth}\n")
        return text.replace("        port 6379\n",
                            f'        port 6379\n        password "{password}"\n')

    def client(self, *args, timeout=2):
        return sh("ip", "netns", "exec", self.client_ns, "redis-cli", "-h", "192.0.2.100", "-p",
                  "6379", "--no-auth-warning", "-a", REDIS_PASSWORD, *args, check=False,
                  timeout=timeout)


def redkeep_cli(lab, node, *args):
    """Runs the redkeep command line in the node's namespace; returns
    (exit status, stdout + stderr)."""
    r = subprocess.run(["ip", "netns", "exec", node.ns, str(lab.binary), *args],
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout + r.stderr


def scenario_secrets(lab):
    """With a Redis password and a VRRP auth_pass, neither (nor a
    wrong one configured on a node) appears in the logs, in `status` (text
    and --json), in the SIGUSR1 status dump, in `check`, in the state file or
    in error messages: through a cold start, the auth failure path (n3
    configured with a wrong Redis password and a wrong auth_pass: FAULT,
    NOAUTH/WRONGPASS reported, adverts rejected), broken configuration files
    that hold the password, and restarts of a backup and of the master."""
    outputs = []  # (what, text) of every command run

    def run(node, *args, what=None):
        code, out = redkeep_cli(lab, node, *args)
        outputs.append((what or f"{node.name}: redkeep {' '.join(args)} (exit {code})", out))
        return code, out

    def snapshot(node):
        run(node, "status", "--config", str(node.config))
        run(node, "status", "--json", "--config", str(node.config))
        run(node, "check", "--config", str(node.config))
        dumps = node.log_text().count("Status: {")
        node.signal_redkeep(signal.SIGUSR1)
        wait_for(f"{node.name}'s SIGUSR1 status dump",
                 lambda: node.log_text().count("Status: {") > dumps, timeout=5)

    def restart(node):
        assert node.stop_redkeep(signal.SIGTERM) == 0
        node.config.write_text(lab.config_text(node))
        node.socket.unlink(missing_ok=True)
        node.start_redkeep()

    n1, n2, n3 = steady_cluster(lab)
    lab.client("SET", "secret:k", "v")
    for n in lab.nodes:
        snapshot(n)

    # The auth failure path: a wrong Redis password and a wrong auth_pass on n3.
    lab.redis_passwords["n3"] = WRONG_REDIS_PASSWORD
    lab.auth_passes["n3"] = WRONG_AUTH_PASS
    restart(n3)
    wait_for("n3 in FAULT (wrong Redis password)", lambda: n3.state() == "FAULT", timeout=10)
    wait_for("n3 to reject n1's adverts (auth_password)",
             lambda: n3.status()["counters"]["rejected"].get("auth_password", 0) >= 2, timeout=10)
    snapshot(n3)
    assert "configuration error" in n3.log_text(), n3.log_text()[-3000:]
    assert "Rejected advert (auth_password)" in n3.log_text()
    assert_one_master(lab, n1)

    # Configuration files that hold the password and are wrong around it.
    broken = {
        "extra-word": lambda t: t.replace(f'password "{REDIS_PASSWORD}"',
                                          f'password "{REDIS_PASSWORD}" {AUTH_PASS}'),
        "unterminated": lambda t: t.replace(f'password "{REDIS_PASSWORD}"',
                                            f'password "{REDIS_PASSWORD}'),
        "misspelt": lambda t: t.replace(f'password "{REDIS_PASSWORD}"',
                                        f'pasword "{REDIS_PASSWORD}"'),
        "auth_pass-twice": lambda t: t.replace(f"auth_pass {AUTH_PASS}\n",
                                               f"auth_pass {AUTH_PASS} {AUTH_PASS}\n"),
        "both-passwords": lambda t: t.replace(f'password "{REDIS_PASSWORD}"',
                                              f'password "{REDIS_PASSWORD}"\n'
                                              f'        password_file /nonexistent/{AUTH_PASS}'),
    }
    good = SecretLab.config_text(lab, n2)
    for name, edit in broken.items():
        path = n2.dir / f"broken-{name}.conf"
        text = edit(good)
        assert text != good, name
        path.write_text(text)
        path.chmod(0o600)
        code, _ = run(n2, "check", "--config", str(path))
        assert code == 1, f"check accepted broken-{name}.conf"
        code, _ = run(n2, "run", "--config", str(path))
        assert code == 1, f"run accepted broken-{name}.conf"
    run(n2, "status", "--socket", str(n2.dir / "nonexistent.sock"))

    # Restarts: n3 with the right secrets again, then the master.
    del lab.redis_passwords["n3"], lab.auth_passes["n3"]
    restart(n3)
    wait_for("n3 back to BACKUP", lambda: n3.state() == "BACKUP", timeout=10)
    assert_replica_of(n3, n1)
    restart(n1)
    new = assert_one_master(lab, n2, timeout=10)
    wait_for("n1 back to BACKUP", lambda: n1.state() == "BACKUP", timeout=10)
    assert_replica_of(n1, new)
    for n in lab.nodes:
        snapshot(n)

    texts = outputs + [(f"{n.name}: redkeep log", n.log_text()) for n in lab.nodes]
    texts += [(f"{n.name}: state file", (n.dir / "state.json").read_text())
              for n in lab.nodes if (n.dir / "state.json").exists()]
    assert len(outputs) >= 30
    leaks = [(what, secret) for what, text in texts for secret in SECRETS if secret in text]
    for what, secret in leaks:
        print(f"LEAK of {secret!r} in {what}", flush=True)
    assert not leaks, f"{len(leaks)} leaks, first in {leaks[0][0]}"
    if os.environ.get("REDKEEP_LAB_VERBOSE"):
        for what, text in outputs:
            print(f"== {what}\n{text}", flush=True)
    # The paths ran: the errors are there, only without the secrets.
    joined = "\n".join(t for _, t in texts)
    assert "***" in joined
    assert "PING -> Failed (auth): configuration error" in joined, "auth failure not reported"
    for what, text in outputs:
        if "broken-" in what:
            assert "error" in text, f"{what}: no error message: {text!r}"


scenario_secrets.lab_class = SecretLab


# ---- A Master whose adverts cannot be sent ----

def block_adverts(node, on):
    """The node's own firewall drops its outgoing VRRP packets (sendto fails
    with EPERM); everything else, Redis replication included, still flows."""
    if not on:
        node.exec("nft", "delete", "table", "inet", "rklab_noadvert", check=False)
        return
    text = ("table inet rklab_noadvert {\n"
            "  chain out { type filter hook output priority 0;\n"
            "    ip protocol vrrp drop\n  }\n}\n")
    subprocess.run(["ip", "netns", "exec", node.ns, "nft", "-f", "-"], input=text, text=True,
                   check=True, timeout=10)


def unsendable_round(lab, fault, heal, cause, errno_text):
    """Cuts n1's adverts with `fault()` while it is master, then heals with
    `heal()`. Asserts: n1 steps down to FAULT (VIP off) within two advert
    intervals of the fault, before anyone else takes over; exactly one other
    node takes Master; the send error is logged once for its cause however
    many probes fail; after healing n1 leaves FAULT for BACKUP and follows the
    new master. Returns (new master, seconds from fault to n1's step-down)."""
    n1, n2, n3 = lab.nodes
    interval = float(lab.advert_int)
    fault()
    faulted_at = datetime.datetime.now().astimezone()  # the rule or route is in place from here
    wait_for("n1 to leave MASTER", lambda: n1.state() == "FAULT", timeout=4 * interval)
    assert not n1.has_vip(), "n1 kept the VIP in FAULT"
    stepped = log_times(n1, "Entering FAULT state (adverts cannot be sent)")
    assert len(stepped) == 1, n1.log_text()[-3000:]
    step_down_s = (stepped[0] - faulted_at).total_seconds()
    # Timer and log jitter: 50 ms beside the two intervals.
    assert step_down_s < 2 * interval + 0.05, f"n1 stepped down {step_down_s:.3f} s after the fault"
    taker = wait_takeover(lab, timeout=10)
    assert_one_master(lab, taker, timeout=10)
    other = ({n2, n3} - {taker}).pop()
    hold_steady(lab, taker, (n1, other), 3 * interval)  # n1 probes every interval meanwhile
    masters = [t for n in (n2, n3) for t in log_times(n, "Entering MASTER state")]
    assert len(masters) == 1, f"{len(masters)} takeovers: {masters}"
    assert stepped[0] < masters[0], "the VIP had two holders: n1 stepped down after the takeover"
    logged = [line for line in n1.log_text().splitlines() if "Cannot send adverts:" in line]
    assert len(logged) == 1 and cause in logged[0] and errno_text in logged[0], logged
    assert n1.status()["counters"]["adverts_unsent"] >= 4, n1.status()["counters"]
    heal()
    wait_for("n1 to send again and return to BACKUP", lambda: n1.state() == "BACKUP",
             timeout=3 * interval)
    assert "Entering BACKUP state (adverts can be sent again" in n1.log_text()
    assert_replica_of(n1, taker, timeout=20)
    assert_one_master(lab, taker, timeout=5)
    hold_steady(lab, taker, (n1, other), 2 * interval)
    return taker, step_down_s


def scenario_unsendable_adverts(lab):
    """The master's own firewall drops its adverts (its link and
    Redis replication stay up) under a writer. It steps down within two advert
    intervals, one backup takes over alone, no acknowledged write is lost, and
    once the firewall lets adverts out it follows the new master."""
    n1, n2, n3 = steady_cluster(lab)
    writer = Writer(lab, "ns")
    try:
        writer.wait_acks(STEADY_ACKS)
        before = keys_on(n2, "ns") | keys_on(n3, "ns")
        taker, step_down_s = unsendable_round(
            lab, lambda: block_adverts(n1, True), lambda: block_adverts(n1, False),
            "to 224.0.0.18 on ifindex", "Operation not permitted")
        writer.wait_acks(writer.acks() + 50)
    finally:
        summary = writer.stop()
    result = figures(summary, taker, "ns", before)
    assert result["acked_lost"] == 0 and result["keys_lost"] == 0, result
    print(f"unsendable_adverts: step-down {step_down_s:.3f} s after the fault, {result}")
    return {**result, "step_down_s": round(step_down_s, 3)}


def scenario_unsendable_adverts_unicast(lab):
    """Adverts that cannot be sent for another cause, in unicast mode: the master's primary
    address (its adverts' source) is removed from its interface, as a DHCP
    client or an operator may do, so sendmsg fails (ENETUNREACH). Same outcome:
    step-down within two intervals, one takeover, back to BACKUP once the
    address is back. No writer: without its address the master's replication
    stream stops too, as for a node cut off from the cluster."""
    n1, n2, n3 = steady_cluster(lab)

    def address(on):
        n1.exec("ip", "addr", "add" if on else "del", f"{n1.ip}/24", "dev", "eth0")
    taker, step_down_s = unsendable_round(lab, lambda: address(False), lambda: address(True),
                                          f"to {n2.ip} on ifindex", "Network is unreachable")
    print(f"unsendable_adverts_unicast: step-down {step_down_s:.3f} s after the fault, "
          f"{taker.name} took over")


scenario_unsendable_adverts_unicast.lab_options = {"unicast": True}
