"""Lab scenarios of the redkeep daemon. Each takes a lab
that is up (namespaces made, nothing running) and raises on failure. They poll
`redkeep status --json`, `ip addr` and Redis ROLE with deadlines, never a
fixed sleep."""

import json
import os
import signal
import threading
import time

from helpers import (STEADY_ACKS, Writer, assert_acked_since_kept, assert_one_master,
                     assert_replica_of, figures, hold_steady, keys_on, wait_takeover,
                     write_through_vip)
from lab import VIP, wait_for


def scenario_cold_start(lab):
    """a. Cold start in order: one VIP holder (n1), its Redis master, the other
    two replicate from its primary address with link up; a key written through
    the VIP is read on all three nodes."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    m = assert_one_master(lab, n1)
    assert m.status()["vip_held"] is True
    for n in (n2, n3):
        assert_replica_of(n, n1)
        assert n.status()["master_address"] == n1.advert_source
    write_through_vip(lab, "lab:a", "cold-start")
    for n in lab.nodes:
        wait_for(f"key on {n.name}", lambda n=n: n.redis_cli("GET", "lab:a").strip() == "cold-start")
    st = n1.status()
    assert st["counters"]["gratuitous_arps"] > 0, st
    assert st["redis"]["role"] == "master", st


def scenario_redis_killed(lab):
    """b. The master's redis-server is killed: another node holds the VIP and is
    Redis master, the third follows it, writes through the VIP resume."""
    redis_killed(lab, takeover_within=10)
    assert "PING -> Failed" in lab.nodes[0].log_text()


def redis_killed(lab, takeover_within):
    """Scenario b's steps and checks, shared with a configuration `redkeep migrate` made from
    the recipe's keepalived.conf (migrate_scenarios.py): the same failover behaviour."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    for n in (n2, n3):
        assert_replica_of(n, n1)
    write_through_vip(lab, "lab:b1", "before")
    # Replication is asynchronous: kill only once the write reached the replicas.
    for n in (n2, n3):
        wait_for(f"lab:b1 on {n.name}", lambda n=n: n.redis_cli("GET", "lab:b1").strip() == "before")
    n1.kill_redis()
    new = assert_one_master(lab, timeout=takeover_within)
    assert new in (n2, n3), new.name
    third = n3 if new is n2 else n2
    assert_replica_of(third, new)
    wait_for("n1 in FAULT", lambda: n1.state() == "FAULT")
    write_through_vip(lab, "lab:b2", "after")
    got = lab.client("GET", "lab:b1").strip()
    assert got == "before", f"GET lab:b1 through the VIP gave {got!r}; on {new.name}: " \
        f"{new.redis_cli('GET', 'lab:b1')!r}"
    lab.assert_inspected(1, new)


def scenario_link_cut(lab):
    """c. The master's link is cut: it goes to Fault and releases the VIP,
    another node takes over; when the link returns it does not preempt
    (nopreempt) and its Redis ends as a replica."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert_replica_of(n2, n1)
    n1.link(False)
    wait_for("n1 in FAULT", lambda: n1.state() == "FAULT", timeout=10)
    wait_for("n1 to release the VIP", lambda: not n1.has_vip(), timeout=5)
    new = assert_one_master(lab, n2, timeout=10)
    write_through_vip(lab, "lab:c", "during-cut")
    n1.link(True)
    wait_for("n1 back to BACKUP", lambda: n1.state() == "BACKUP", timeout=10)
    assert_replica_of(n1, new, timeout=15)
    assert_one_master(lab, n2)
    wait_for("n1 to get the key", lambda: n1.redis_cli("GET", "lab:c").strip() == "during-cut")
    lab.assert_inspected(1, n2)


def scenario_sigterm(lab):
    """d. SIGTERM to the master's redkeep: VIP gone, priority 0 sent; the new
    master took over on the priority-0 advert (Skew_Time path); the old node's
    Redis is a replica of the new master; redkeep exits 0."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert_replica_of(n2, n1)
    code = n1.stop_redkeep(signal.SIGTERM)
    assert code == 0, f"redkeep exit status {code}"
    assert not n1.has_vip()
    new = assert_one_master(lab, n2, timeout=10)
    assert f"Entering MASTER state (priority 0 advert from {n1.advert_source}" in n2.log_text(), \
        n2.log_text()[-2000:]
    assert "master down timer expired" not in n2.log_text()
    assert_replica_of(n1, new)
    assert_replica_of(n3, new)
    lab.assert_inspected(1, n2)


def scenario_sigkill(lab):
    """e. SIGKILL to the master's redkeep, not restarted: its VIP disappears by
    its lifetime and another node takes over; exactly one VIP holder;
    restarted, it rejoins as backup."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    n1.stop_redkeep(signal.SIGKILL)
    wait_for("n1's VIP to expire by its lifetime", lambda: not n1.has_vip(), timeout=10)
    new = assert_one_master(lab, n2, timeout=10)
    assert "master down timer expired" in n2.log_text()
    n1.start_redkeep()
    wait_for("n1 to rejoin as BACKUP", lambda: n1.state() == "BACKUP", timeout=10)
    assert_replica_of(n1, new)
    assert_one_master(lab, n2)


ACTORS = ("advert_io", "vip", "redis_health", "redis_role", "election")


def restarts_of(node, actor):
    return node.status()["counters"]["actor_restarts_by_actor"].get(actor, 0)


def scenario_crash_actors(lab):
    """Each actor crashed in turn on the running master and on
    a backup is restarted, with no VIP flap and no failover; the crash reason
    is in the log."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert_replica_of(n2, n1)
    for node in (n1, n2):
        for actor in ACTORS:
            before = restarts_of(node, actor)
            answer = node.control(f"crash {actor}[HARedis]")
            assert answer == {"crashed": True}, answer
            wait_for(f"{actor} on {node.name} restarted",
                     lambda: restarts_of(node, actor) == before + 1, timeout=5)
            hold_steady(lab, n1, (n2, n3), 1.5)
        assert node.log_text().count("crash requested by test hook") >= len(ACTORS)
    assert_replica_of(n2, n1)
    assert_replica_of(n3, n1)
    write_through_vip(lab, "lab:crash", "survived")


scenario_crash_actors.lab_options = {"test_hooks": True}


def scenario_restart_budget(lab):
    """A child that keeps failing past the restart budget makes the
    daemon release the VIP, send priority 0 and exit non-zero."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    crashes = 0
    while n1.redkeep.poll() is None and crashes < 10:
        if crashes:
            # Restarts less than the 1 s snapshot interval apart: each restored
            # election must stay MASTER (a stale advert deadline once read as a
            # process stall and made it step down before giving up).
            time.sleep(0.7)
            assert n1.state() == "MASTER", f"n1 {n1.state()} before crash {crashes + 1}"
        before = restarts_of(n1, "election")
        n1.control("crash election[HARedis]")
        crashes += 1
        wait_for("election restarted or daemon gone",
                 lambda: n1.redkeep.poll() is not None or restarts_of(n1, "election") > before,
                 timeout=10)
    code = n1.redkeep.wait(timeout=10)
    assert code != 0, "daemon should exit non-zero after the restart budget"
    assert crashes == 6, f"gave up after {crashes} crashes, expected 6 (5 restarts allowed)"
    assert not n1.has_vip()
    assert "giving up" in n1.log_text()
    assert_one_master(lab, n2, timeout=10)
    assert f"Entering MASTER state (priority 0 advert from {n1.ip}" in n2.log_text()


scenario_restart_budget.lab_options = {"test_hooks": True}


def inject(lab, *args):
    """Runs inject.py in the client namespace; returns how many were sent."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "inject.py")
    out = lab.client_run("python3", script, *args)
    return int(out.split()[-1])


# Reason -> inject.py arguments of adverts rejected for it.
REJECTIONS = {
    "auth_password": ["--password", "wrong"],
    "ttl": ["--password", "redkeep1", "--ttl", "64"],
    "checksum": ["--password", "redkeep1", "--bad-checksum"],
    "length": ["--password", "redkeep1", "--truncate", "3"],
    "address_list": ["--password", "redkeep1", "--vip", "192.0.2.99"],
    "version_mismatch": ["--version", "3"],
    "interval": ["--password", "redkeep1", "--interval", "2"],
}
# Over IPv6 (VRRPv3: no authentication, and a Backup takes the Master's interval, RFC 5798
# section 6.4.2); `ttl` is the hop limit; a VRRPv2 advert is the other version.
V6 = ["--dst", "ff02::12", "--src", "fe80::50"]
REJECTIONS6 = {
    "ttl": [*V6, "--version", "3", "--ttl", "64"],
    "checksum": [*V6, "--version", "3", "--bad-checksum"],
    "length": [*V6, "--version", "3", "--truncate", "3"],
    "address_list": [*V6, "--version", "3", "--vip", "fe80::55", "--vip", "2001:db8::99"],
    "version_mismatch": [*V6, "--version", "2"],
}


def scenario_rejections(lab):
    """Invalid adverts are rejected, counted per reason and logged
    at most once per interval per reason, with no role change."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    before = n1.status()["counters"]
    cases = REJECTIONS6 if lab.family == 6 else REJECTIONS
    for reason, args in cases.items():
        sent = inject(lab, "--count", "30", "--rate", "100", *args)
        assert sent == 30
        wait_for(f"{sent} '{reason}' rejections counted on n1",
                 lambda r=reason: n1.status()["counters"]["rejected"].get(r, 0)
                 - before["rejected"].get(r, 0) >= 30, timeout=5)
    log = n1.log_text()
    for reason in cases:
        lines = log.count(f"Rejected advert ({reason})")
        assert lines == 1, f"{lines} log lines for {reason} within 10 s, expected 1"
    hold_steady(lab, n1, (n2, n3), 1.0)
    after = n1.status()["counters"]
    assert after["transitions"] == before["transitions"], (before, after)


def scenario_unicast(lab):
    """unicast_peer mode (no multicast): cold start and a failover
    when the master's Redis is killed; an advert from outside unicast_peer is
    rejected."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert_replica_of(n2, n1)
    assert n2.status()["counters"]["adverts_received"] > 0
    if lab.family == 6:
        inject(lab, "--count", "5", "--version", "3", "--src", lab.client_ip, "--dst", n2.ip)
    else:
        inject(lab, "--count", "5", "--password", "redkeep1", "--dst", n2.ip)
    wait_for("unicast_peer rejection on n2",
             lambda: n2.status()["counters"]["rejected"].get("unicast_peer", 0) >= 5)
    n1.kill_redis()
    new = assert_one_master(lab, n2, timeout=10)
    assert_replica_of(n3, new)


scenario_unicast.lab_options = {"unicast": True}


# ---- Local data safety ----


def fast_restart_round(lab, writer, delay=0.05):
    """Kills the master's redis-server, starts it again `delay` s later, and
    checks that no key that was on a replica at that moment is lost. Returns
    (old master, new master, keys checked)."""
    old = assert_one_master(lab)
    others = [n for n in lab.nodes if n is not old]
    for n in others:
        assert_replica_of(n, old)
    writer.wait_acks(writer.acks() + 50)
    killed_at = time.monotonic()
    old.kill_redis()
    restarter = threading.Thread(
        target=lambda: (time.sleep(max(0.0, killed_at + delay - time.monotonic())),
                        old.start_redis()))
    restarter.start()
    # What the replicas hold at the moment of the fault: they get nothing more
    # from a dead master.
    on_replicas = set().union(*(keys_on(n, writer.prefix) for n in others))
    restarter.join(timeout=20)
    new = assert_one_master(lab, timeout=20)
    assert new is not old, f"{old.name}'s restarted (empty) Redis stayed master"
    for n in lab.nodes:
        if n is not new:
            assert_replica_of(n, new, timeout=20)
    before = writer.acks()
    writer.wait_acks(before + 20)
    final = keys_on(new, writer.prefix)
    lost = on_replicas - final
    assert not lost, f"{len(lost)} keys lost, e.g. {sorted(lost)[:5]}"
    assert len(on_replicas) > 0
    return old, new, len(on_replicas)


def scenario_fast_restart(lab):
    """kill -9 of the master's redis-server, started again 50 ms
    later without persistence, under writes: no key lost; a node that kept the
    data ends master with the VIP; the restarted one re-syncs as a replica.
    $REDKEEP_LAB_ROUNDS rounds in a row (default 3; the benchmark runs 20)."""
    rounds = int(os.environ.get("REDKEEP_LAB_ROUNDS", "3"))
    lab.start_all()
    writer = Writer(lab, "fr")
    try:
        for i in range(rounds):
            old, new, checked = fast_restart_round(lab, writer)
            print(f"round {i + 1}: {old.name} restarted, {new.name} master, "
                  f"{checked} keys checked, none lost", flush=True)
            assert "Redis restarted (run_id" in old.log_text()
    finally:
        summary = writer.stop()
    print(f"writer: {summary['acknowledged']} acknowledged, longest outage "
          f"{summary['longest_outage_s']:.3f} s")


def scenario_self_correction(lab):
    """The VIP holder's Redis made a replica by hand, a backup's
    Redis made a master, a replica pointed at the wrong node: redkeep puts each
    right within one check interval, without a failover, and logs it."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    for n in (n2, n3):
        assert_replica_of(n, n1)
    cases = [(n1, ("REPLICAOF", n2.ip, "6379"), lambda: n1.role()[:1] == ["master"]),
             (n2, ("REPLICAOF", "NO", "ONE"), lambda: n2.role()[:4] == ["slave", n1.ip, "6379", "connected"]),
             (n3, ("REPLICAOF", n2.ip, "6379"), lambda: n3.role()[:4] == ["slave", n1.ip, "6379", "connected"])]
    for node, cmd, fixed in cases:
        assert node.redis_cli(*cmd).strip().startswith("OK"), cmd
        started = time.monotonic()
        wait_for(f"{node.name}'s Redis corrected after {' '.join(cmd)}", fixed, timeout=5)
        # One check interval (1 s) plus the time the change takes.
        assert time.monotonic() - started < 2.5
        assert "but should be" in node.log_text()
    hold_steady(lab, n1, (n2, n3), 1.0)
    assert n1.status()["counters"]["transitions"] == 2  # INIT->BACKUP->MASTER only


def scenario_node_restart(lab):
    """redkeep and Redis die together on the master (a node crash)
    and come back, Redis 50 ms after the crash, redkeep at once: the state file
    tells redkeep that Redis restarted; no key is lost; the node rejoins as a
    replica of the node that kept the data."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "nr")
    try:
        assert_one_master(lab, n1)
        for n in (n2, n3):
            assert_replica_of(n, n1)
        writer.wait_acks(100)
        n1.stop_redkeep(signal.SIGKILL)
        n1.kill_redis()
        crashed = time.monotonic()
        on_replicas = set().union(*(keys_on(n, "nr") for n in (n2, n3)))
        n1.socket.unlink(missing_ok=True)
        n1.start_redkeep()
        time.sleep(max(0.0, crashed + 0.05 - time.monotonic()))
        n1.start_redis()
        new = assert_one_master(lab, timeout=20)
        assert new is not n1, "the emptied node kept or took the VIP"
        for n in lab.nodes:
            if n is not new:
                assert_replica_of(n, new, timeout=20)
        writer.wait_acks(writer.acks() + 20)
        lost = on_replicas - keys_on(new, "nr")
        assert not lost, f"{len(lost)} keys lost"
        assert "Redis restarted (run_id" in n1.log_text()
    finally:
        writer.stop()


def scenario_fast_restart_rdb(lab):
    """A fast restart with RDB: the restarted Redis loads an older snapshot;
    redkeep never keeps a restarted Redis as master, so it fails over as
    without persistence and nothing that the replicas held is lost."""
    scenario_fast_restart(lab)


scenario_fast_restart_rdb.lab_options = {"redis_args": ("--save", "1 1")}


def scenario_fast_restart_aof(lab):
    """A fast restart with AOF only: continuity cannot be proven (Redis restores
    no replication id from AOF): as without persistence."""
    scenario_fast_restart(lab)


scenario_fast_restart_aof.lab_options = {"redis_args": ("--appendonly", "yes")}


# ---- Cluster-wide data safety and stalls ----


def scenario_stalled_master(lab):
    """redkeep on the master stopped (SIGSTOP) for 5 s, then
    continued: exactly one master afterwards (the one elected meanwhile); the
    resumed node notices it was superseded, steps down without taking the VIP
    back, and no write acknowledged by the new master is lost."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "st")
    try:
        assert_one_master(lab, n1)
        assert_replica_of(n2, n1)
        assert_replica_of(n3, n1)
        writer.wait_acks(50)
        stopped = time.monotonic()
        n1.signal_redkeep(signal.SIGSTOP)
        wait_for("n2 to take over", lambda: n2.state() == "MASTER", timeout=10)
        time.sleep(0.5)  # the client follows the gratuitous ARPs to n2
        cut = writer.status()["attempts"]
        writer.wait_acks(writer.acks() + 50)
        time.sleep(max(0.0, stopped + 5.0 - time.monotonic()))
        n1.signal_redkeep(signal.SIGCONT)
        new = assert_one_master(lab, n2, timeout=10)
        wait_for("n1 to become BACKUP", lambda: n1.state() == "BACKUP", timeout=10)
        assert_replica_of(n1, new, timeout=15)
        hold_steady(lab, n2, (n1, n3), 2.0)
        writer.wait_acks(writer.acks() + 20)
        assert "stalled" in n1.log_text(), n1.log_text()[-3000:]
    finally:
        summary = writer.stop()
    assert_acked_since_kept(summary, cut, n2, "st")


def scenario_isolated_master(lab):
    """The master isolated for 10 s with its link up (all its
    packets dropped), so it still believes it is master, under writes. On
    healing exactly one master remains, the side that kept serving, although
    the isolated node has the higher configured priority; the old master's
    Redis ends as a replica and redkeep says how many bytes it had taken."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "iso")
    try:
        assert_one_master(lab, n1)
        for n in (n2, n3):
            assert_replica_of(n, n1)
        writer.wait_acks(STEADY_ACKS)
        isolated = time.monotonic()
        n1.isolate(True)
        before = keys_on(n2, "iso") | keys_on(n3, "iso")
        taker = wait_takeover(lab)
        time.sleep(0.5)
        cut = writer.status()["attempts"]
        # The isolated master keeps its VIP and takes a write of its own.
        n1.redis_cli("SET", "iso:isolated-write", "x")
        wait_for("n1 to notice it lost its replicas",
                 lambda: n1.status()["effective_priority"] == 1, timeout=15)
        time.sleep(max(0.0, isolated + 10 - time.monotonic()))
        n1.isolate(False)
        new = assert_one_master(lab, taker, timeout=15)
        assert_replica_of(n1, new, timeout=20)
        assert_replica_of(({n2, n3} - {taker}).pop(), new, timeout=20)
        hold_steady(lab, taker, [n for n in lab.nodes if n is not taker], 2.0)
        writer.wait_acks(writer.acks() + 20)
        log = n1.log_text()
        assert "reached no member of the cluster" in log, log[-3000:]
        assert "bytes of replication stream after the new master took over" in log, log[-3000:]
    finally:
        summary = writer.stop()
    assert_acked_since_kept(summary, cut, taker, "iso")
    return figures(summary, taker, "iso", before)


def lagging_round(lab, how):
    """The master is lost while one replica lags (its replication
    stream from the master was dropped for a while): the replica with the
    larger offset is promoted although its configured priority is lower, and
    the other re-syncs from it. `how` the master is lost: "redis killed" (its
    redkeep sends priority 0) or "isolated" (all its packets dropped, link
    up: the others only miss its adverts, and the lagging replica's link
    still looks up). Returns the figures."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "lag")
    try:
        assert_one_master(lab, n1)
        for n in (n2, n3):
            assert_replica_of(n, n1)
        writer.wait_acks(STEADY_ACKS)
        n2.drop([f"ip saddr {n1.ip} tcp sport 6379", f"ip daddr {n1.ip} tcp dport 6379"])
        before = writer.acks()
        writer.wait_acks(before + 100)  # n3 gets these, n2 does not
        if how == "isolated":
            n1.isolate(True)
            lost_at = time.monotonic()
        else:
            n1.kill_redis()
        on_n3 = keys_on(n3, "lag")
        before = on_n3 | keys_on(n2, "lag")
        # Isolated, n1 keeps its VIP: no single VIP holder to look for yet.
        new = wait_takeover(lab, timeout=15) if how == "isolated" else \
            assert_one_master(lab, timeout=15)
        assert new is n3, f"{new.name} promoted; n3 holds more data"
        n2.drop(None)
        if how == "isolated":
            time.sleep(max(0.0, lost_at + 10 - time.monotonic()))  # as 7.1
            n1.isolate(False)
            assert_one_master(lab, n3, timeout=15)
            assert_replica_of(n1, n3, timeout=20)
        assert_replica_of(n2, n3, timeout=20)
        writer.wait_acks(writer.acks() + 20)
        lost = on_n3 - keys_on(n3, "lag")
        assert not lost, f"{len(lost)} keys lost"
        assert "another replica holds more" in n2.log_text(), n2.log_text()[-3000:]
    finally:
        summary = writer.stop()
    return figures(summary, n3, "lag", before)


def scenario_lagging_replica(lab):
    """A lagging replica, the master's Redis killed (priority 0 from its redkeep)."""
    return lagging_round(lab, "redis killed")


def scenario_lagging_replica_silent(lab):
    """A lagging replica, the master isolated: found out by missed adverts alone."""
    return lagging_round(lab, "isolated")


def scenario_boot_without_network(lab):
    """A node (re)starts while its link is down for 5 s, and again
    while its packets are dropped for 5 s with the link up: it does not take
    the VIP from the healthy master afterwards and nobody's data is wiped."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    # Make n2 the master, so that n1 (priority 150) is the one that boots.
    assert n1.stop_redkeep(signal.SIGTERM) == 0
    assert_one_master(lab, n2, timeout=10)
    assert_replica_of(n1, n2)
    write_through_vip(lab, "boot:1", "kept")
    writer = Writer(lab, "bootw")
    try:
        writer.wait_acks(50)
        before = keys_on(n2, "bootw")
        for how in ("link down", "packets dropped"):
            if n1.redkeep.poll() is None:
                assert n1.stop_redkeep(signal.SIGTERM) == 0
            if how == "link down":
                n1.link(False)
            else:
                n1.isolate(True)
            n1.socket.unlink(missing_ok=True)
            n1.start_redkeep()
            time.sleep(5)
            if how == "link down":
                n1.link(True)
            else:
                n1.isolate(False)
            new = assert_one_master(lab, n2, timeout=15)
            assert_replica_of(n1, new, timeout=20)
            hold_steady(lab, n2, (n1, n3), 2.0)
            got = lab.client("GET", "boot:1").strip()
            assert got == "kept", f"after booting with {how}: GET boot:1 = {got!r}"
    finally:
        summary = writer.stop()
    f = figures(summary, n2, "bootw", before)
    assert f["acked_lost"] == 0, f
    return f


def scenario_cold_start_order(lab):
    """All nodes stopped; the node with the newest
    persisted data (RDB) starts last, after an emptier master is up: it
    refuses to re-sync from it, keeps its data and says plainly what each
    side holds and which commands settle it; those commands (copy what you
    need, then CONFIG SET replica-read-only no and FLUSHALL on it) work:
    redkeep then makes it a replica of the master."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    lab.client("EVAL", "for i=0,200 do redis.call('SET','cold:'..i,i) end", "0")
    for n in (n2, n3):
        wait_for(f"keys on {n.name}", lambda n=n: n.redis_cli("DBSIZE").strip() == "201")
    for n in lab.nodes:
        # SAVE is refused while a background save (a replica's sync) runs.
        wait_for(f"SAVE on {n.name}", lambda n=n: n.redis_cli("SAVE").strip() == "OK",
                 timeout=15, interval=0.2)
    for n in lab.nodes:
        n.stop_redkeep(signal.SIGKILL)
        n.kill_redis()
        n.socket.unlink(missing_ok=True)
    for n in (n1, n2):
        (n.dir / "dump.rdb").unlink()
    for n in (n1, n2):
        n.start_redis()
    n1.start_redkeep()
    wait_for("n1 MASTER (empty)", lambda: n1.state() == "MASTER", timeout=15)
    n2.start_redkeep()
    assert_replica_of(n2, n1, timeout=15)
    writer = Writer(lab, "after")
    try:
        writer.wait_acks(50)
        n3.start_redis()
        assert n3.redis_cli("DBSIZE").strip() == "201"
        n3.start_redkeep()
        wait_for("n3 to refuse the re-sync", lambda: "refusing to make this Redis a replica"
                 in n3.log_text(), timeout=15)
        time.sleep(2)
        assert n3.redis_cli("DBSIZE").strip() == "201", "n3's data was wiped"
        log = n3.log_text()
        assert "holds 201 keys" in log and "MIGRATE 192.0.2.11 6379" in log, log[-3000:]
        assert "redis-cli -p 6379 CONFIG SET replica-read-only no, then redis-cli -p 6379 " \
            "FLUSHALL" in log, log[-3000:]
        assert_one_master(lab, n1)
        kept = len(keys_on(n3, "cold"))  # n3's newest data, kept on n3
        # The operator settles it as the log says (nothing copied here: discarding n3's data).
        assert n3.redis_cli("CONFIG", "SET", "replica-read-only", "no").strip() == "OK"
        assert n3.redis_cli("FLUSHALL").strip() == "OK"
        assert_replica_of(n3, n1, timeout=15)
        # The writer had 50 acknowledged before n3 started: re-synced, n3 holds them.
        wait_for("n3 to hold the master's keys", lambda: len(keys_on(n3, "after")) >= 50,
                 timeout=15)
    finally:
        summary = writer.stop()
    f = figures(summary, n1, "after")
    f["keys_lost"] = 201 - kept
    return f


def scenario_isolated_master_link(lab):
    """The isolated master, carrier-loss variant: the master's link cut for 10 s under
    writes, then healed: the side that kept serving stays master although the
    cut node has the higher priority; nothing it acknowledged is lost."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "cut")
    try:
        assert_one_master(lab, n1)
        for n in (n2, n3):
            assert_replica_of(n, n1)
        writer.wait_acks(STEADY_ACKS)
        cut_at = time.monotonic()
        n1.link(False)
        before = keys_on(n2, "cut") | keys_on(n3, "cut")
        taker = wait_takeover(lab)
        time.sleep(0.5)
        cut = writer.status()["attempts"]
        time.sleep(max(0.0, cut_at + 10 - time.monotonic()))
        n1.link(True)
        new = assert_one_master(lab, taker, timeout=15)
        assert_replica_of(n1, new, timeout=20)
        hold_steady(lab, taker, [n for n in lab.nodes if n is not taker], 2.0)
        writer.wait_acks(writer.acks() + 20)
    finally:
        summary = writer.stop()
    assert_acked_since_kept(summary, cut, taker, "cut")
    return figures(summary, taker, "cut", before)


def partition_round(lab, isolation_s=10.0):
    """An isolated master with clients on both sides: the master cut off from the other
    nodes for `isolation_s` (its link up, nftables dropping what goes to or
    comes from them and its VRRP multicast) while the client still reaches
    it. One writer goes through the VIP, a second one to the old master's own
    address: a client left on its side of the split. Then healed. Checks: one
    master at the end, the side that kept serving. Returns the figures:
    acknowledged writes of each writer lost (for the VIP writer also those
    from 0.5 s after the takeover on), and the VIP writer's longest outage.
    Without min-replicas the VIP writer also loses writes after the takeover:
    both masters answer ARP for the VIP, so the client flips between them."""
    n1, n2, n3 = lab.nodes
    lab.start_all()
    vip_writer = Writer(lab, "split")
    stale = Writer(lab, "stale", host=n1.ip)
    try:
        assert_one_master(lab, n1)
        for n in (n2, n3):
            assert_replica_of(n, n1)
        for w in (vip_writer, stale):
            w.wait_acks(STEADY_ACKS)
        cut_at = time.monotonic()
        # At the switch: n1's sends succeed and reach the client only.
        lab.switch_filter("rklab_partition", [f'iifname "n1" oifname {{ "n2", "n3" }}',
                                              f'iifname {{ "n2", "n3" }} oifname "n1"'])
        before = keys_on(n2, "split") | keys_on(n3, "split")
        taker = wait_takeover(lab)
        time.sleep(0.5)  # the client follows the gratuitous ARPs to the new master
        cut = vip_writer.status()["attempts"]
        time.sleep(max(0.0, cut_at + isolation_s - time.monotonic()))
        stale_acks_at_heal = stale.acks()
        lab.switch_filter("rklab_partition", None)
        new = assert_one_master(lab, taker, timeout=15)
        assert_replica_of(n1, new, timeout=20)
        assert_replica_of(({n2, n3} - {taker}).pop(), new, timeout=20)
        hold_steady(lab, taker, [n for n in lab.nodes if n is not taker], 2.0)
        vip_writer.wait_acks(vip_writer.acks() + 20)
    finally:
        summary = vip_writer.stop()
        old = stale.stop()
    lost_vip = set(summary["acked_keys"]) - keys_on(taker, "split")
    lost_stale = set(old["acked_keys"]) - keys_on(taker, "stale")
    refused = sum(o["errors"].get("reply:-NOREPLICAS", 0) for o in old["outages"])
    return {"new_master": taker.name,
            "vip_acked": summary["acknowledged"], "vip_lost": len(lost_vip),
            "vip_lost_after_takeover": sum(int(k.split(":")[1]) >= cut for k in lost_vip),
            "stale_acked": old["acknowledged"], "stale_acked_until_heal": stale_acks_at_heal,
            "stale_lost": len(lost_stale), "stale_noreplicas": refused,
            "keys_lost": len(before - keys_on(taker, "split")),
            "longest_outage_s": summary["longest_outage_s"]}


def scenario_partition_min_replicas(lab):
    """With min_replicas_to_write 1 / min_replicas_max_lag 1 in
    the redis block, a master cut off from its replicas (clients still
    reaching it) refuses writes with NOREPLICAS within a few seconds, so
    the writes it takes and the re-sync throws away are bounded: fewer than
    (max_lag + 3) s worth of each writer's writes in the 10 s split. The on/off comparison
    is in tests/lab/safety_bench.py."""
    f = partition_round(lab)
    print(f"partition with min-replicas 1/1: {f}")
    assert f["stale_noreplicas"] > 0, f"the cut-off master never refused a write: {f}"
    assert f["vip_lost_after_takeover"] == 0, f"writes acknowledged by n2 lost: {f}"
    bound = int((1 + 3) / 0.010)  # per writer: max_lag + 3 s of writes every 10 ms
    for lost in ("stale_lost", "vip_lost"):
        assert f[lost] < bound, f"{f}: more than {bound} writes of one writer lost"
    log = next(n for n in lab.nodes if n.name == f["new_master"]).log_text()
    assert "min-replicas-to-write 1 min-replicas-max-lag 1" in log, log[-3000:]
    return f


scenario_partition_min_replicas.lab_options = {"min_replicas": (1, 1)}


def scenario_rolling_restart(lab):
    """Each node in turn: SIGTERM redkeep, SIGTERM redis-server
    (RDB saved at shutdown), 2 s, start redis-server, then redkeep; 10 s
    between nodes; under writes. At every 100 ms poll at most one node holds
    the VIP and its Redis is master; no acknowledged key is lost."""
    lab.start_all()
    writer = Writer(lab, "roll")
    violations = []
    stop = threading.Event()

    def monitor():
        while not stop.is_set():
            holders = lab.vip_holders()
            if len(holders) > 1:
                violations.append(f"{len(holders)} VIP holders: {[h.name for h in holders]}")
            for h in holders:
                role = h.role()
                if role and role[0] != "master":
                    violations.append(f"{h.name} holds the VIP but its Redis is {role[:3]}")
            time.sleep(0.1)

    watcher = threading.Thread(target=monitor)
    try:
        assert_one_master(lab, lab.nodes[0])
        for n in lab.nodes[1:]:
            assert_replica_of(n, lab.nodes[0])
        writer.wait_acks(100)
        watcher.start()
        for n in lab.nodes:
            assert n.stop_redkeep(signal.SIGTERM) == 0
            n.kill_redis(signal.SIGTERM)
            time.sleep(2)
            n.socket.unlink(missing_ok=True)
            n.start_redis()
            n.start_redkeep()
            time.sleep(10)
        stop.set()
        watcher.join(timeout=5)
        master = assert_one_master(lab, timeout=15)
        for n in lab.nodes:
            if n is not master:
                assert_replica_of(n, master, timeout=20)
        writer.wait_acks(writer.acks() + 20)
    finally:
        stop.set()
        summary = writer.stop()
    assert not violations, violations[:5]
    acked = set(summary["acked_keys"])
    missing = acked - keys_on(master, "roll")
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged keys lost, e.g. " \
        f"{sorted(missing)[:5]}"
    print(f"rolling restart: {len(acked)} acknowledged, none lost, longest outage "
          f"{summary['longest_outage_s']:.3f} s")
    return figures(summary, master, "roll")


scenario_rolling_restart.lab_options = {"redis_args": ("--save", "3600 1")}
