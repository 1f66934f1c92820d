"""Lab scenarios of a node cut off from the cluster: it must never
win the cluster back, whatever its priority. Islands are made at the switch
(Node.isolate: its sends succeed and go nowhere). Each scenario takes a lab
that is up (namespaces made, nothing running) and raises on failure.

  python3 tests/lab/run.py island_backup
"""

import os
import signal
import time

from lab import wait_for
from helpers import (STEADY_ACKS, Writer, assert_one_master, assert_replica_of, figures,
                       hold_steady, keys_on)

# Island durations of the report (seconds); REDKEEP_ISLANDS="4.5 30" runs a subset.
ISLANDS = tuple(float(s) for s in os.environ.get("REDKEEP_ISLANDS", "4.5 5 8 10 30").split())


def nothing_lost(name, summary, master, prefix, detail=""):
    """The run's figures; fails when an acknowledged write is missing on `master`."""
    result = figures(summary, master, prefix)
    assert result["acked_lost"] == 0, result
    print(f"{name}: {detail}{result}")
    return result


def island_round(lab, island, master, writer, prefix, seconds):
    """Cuts `island` off for `seconds` while `master` serves the writer, heals
    it, and checks: `master` is still the one master, `island` follows it, and
    no write acknowledged so far is missing there. Returns the round's figures
    and what the island advertised as Master (None if it did not take Master)."""
    others = [n for n in lab.nodes if n is not master]
    before = set().union(*(keys_on(n, prefix) for n in lab.nodes if n is not island))
    island.isolate(True)
    cut = time.monotonic()
    took = None
    while time.monotonic() < cut + seconds:
        st = island.status()
        if took is None and st["state"] == "MASTER":
            took = st["effective_priority"]
        time.sleep(0.05)
    island.isolate(False)
    assert_one_master(lab, master, timeout=15)
    assert_replica_of(island, master, timeout=20)
    hold_steady(lab, master, others, 2.0)
    writer.wait_acks(writer.acks() + 20)
    return before, took


def scenario_island_backup(lab):
    """The island case with the recipe's settings (150/100/50,
    nopreempt, advert_int 1) under a writer through the VIP: the priority-150
    node's redkeep is restarted (SIGTERM, start), so the priority-100 node
    takes over and the 150 node rejoins as a synced replica; then the 150 node
    alone is cut off at the switch for 4.5, 5, 8, 10 and 30 s. On its island it
    takes Master at the floor priority (it reached no member since its Master's
    adverts stopped); on healing the serving master keeps Master, the island
    node ends as its replica, and no acknowledged write is lost."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "isl")
    results = []
    try:
        writer.wait_acks(100)
        n1.stop_redkeep(signal.SIGTERM)
        n1.start_redkeep()
        assert_one_master(lab, n2, timeout=15)
        for n in (n1, n3):
            assert_replica_of(n, n2, timeout=20)
        wait_for("n1 to know its members", lambda: n1.status()["redis"]["eligible"], timeout=10)
        writer.wait_acks(writer.acks() + STEADY_ACKS)
        for seconds in ISLANDS:
            before, took = island_round(lab, n1, n2, writer, "isl", seconds)
            results.append((seconds, took))
            lost = before - keys_on(n2, "isl")
            assert not lost, f"island of {seconds} s: {len(lost)} keys lost"
            if took is not None:
                assert took == 1, f"island of {seconds} s: n1 took Master at priority {took}"
            print(f"island of {seconds} s: n1 took Master at priority {took}, nothing lost")
    finally:
        summary = writer.stop()
    result = figures(summary, n2, "isl")
    lost = sorted(int(k.split(":")[1]) for k in set(summary["acked_keys"]) - keys_on(n2, "isl"))
    # Attempts are 10 ms apart: the numbers say when the lost writes were acknowledged.
    assert result["acked_lost"] == 0, f"{result}; lost attempts {lost[:5]}..{lost[-5:]}"
    print(f"island_backup: {results}; {result}")
    return result


def scenario_two_node_islands(lab):
    """A two-node cluster (n3 never started) under a writer, each node
    cut off at the switch in turn for 10 s. Each time both end as floor-priority
    Masters (the cut-off one took Master on its island, the other lost its only
    member); on healing they compare Redis histories instead of letting the
    address decide: the one whose history contains the other's (the side the
    clients kept writing to) keeps Master; the first time keys expire on the
    island, so its history is no prefix of the other's, and the bytes each took
    since the fork decide. No acknowledged write is lost."""
    n1, n2, _ = lab.nodes
    for n in (n1, n2):
        n.start_redis()
    n1.start_redkeep()
    wait_for("n1 to become MASTER", lambda: n1.state() == "MASTER", timeout=15)
    n2.start_redkeep()
    assert_replica_of(n2, n1, timeout=20)
    writer = Writer(lab, "two")
    try:
        writer.wait_acks(STEADY_ACKS)
        # Keys that expire while n2 is alone: its island Redis then writes DELs of its own, so
        # its history is no prefix of n1's; the bytes since the fork decide.
        for i in range(20):
            lab.client("SET", f"ttl:{i}", "x", "PX", "6000")
        # n2 (the higher address, which the RFC's tie-break would favour) is cut off.
        n2.isolate(True)
        wait_for("n2 to take Master on its island", lambda: n2.state() == "MASTER", timeout=10)
        wait_for("n1 to notice it lost its member",
                 lambda: n1.status()["effective_priority"] == 1, timeout=10)
        time.sleep(4)
        n2.isolate(False)
        assert_one_master(lab, n1, timeout=15)
        assert_replica_of(n2, n1, timeout=20)
        writer.wait_acks(writer.acks() + 100)
        assert "histories compared" in n1.log_text() and "since the fork ours took" in \
            n1.log_text(), n1.log_text()[-3000:]
        # Now n1, the master, is cut off: n2 takes over for the clients.
        n1.isolate(True)
        wait_for("n2 to take over", lambda: n2.state() == "MASTER", timeout=10)
        time.sleep(6)
        n1.isolate(False)
        assert_one_master(lab, n2, timeout=15)
        assert_replica_of(n1, n2, timeout=20)
        hold_steady(lab, n2, (n1,), 2.0)
        writer.wait_acks(writer.acks() + 50)
    finally:
        summary = writer.stop()
    return nothing_lost("two_node_islands", summary, n2, "two")


def scenario_held_takeover(lab):
    """The Master's adverts stop reaching the others (dropped at the
    switch: multicast filtered) while its Redis keeps serving through the VIP
    and streaming to its replicas. The Backups hold their takeover as long as
    the VIP leads to the Redis they replicate from: one master all along, for
    three Master_Down_Intervals and more. Then the Master's redkeep is stopped
    (SIGTERM, adverts still dropped: its priority 0 advert too): its VIP goes,
    and the priority-100 node takes over. No acknowledged write is lost: every
    write the old master took replicated before the takeover."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "hld")
    try:
        writer.wait_acks(STEADY_ACKS)
        lab.switch_filter("rklab_vrrp", [f'iifname "{n1.name}" ip protocol 112'])
        end = time.monotonic() + 12  # Master_Down_Interval is about 3.6 s at advert_int 1
        while time.monotonic() < end:
            assert [n.state() for n in lab.nodes] == ["MASTER", "BACKUP", "BACKUP"], \
                [n.state() for n in lab.nodes]
            assert lab.vip_holders() == [n1]
            time.sleep(0.05)
        for n in (n2, n3):
            assert n.status()["redis"]["takeover_held"], n.status()
            assert "not taking over while it does" in n.log_text(), n.log_text()[-3000:]
        acks = writer.acks()
        writer.wait_acks(acks + 100)
        n1.stop_redkeep(signal.SIGTERM)
        assert_one_master(lab, n2, timeout=10)
        assert "Takeover no longer held" in n2.log_text(), n2.log_text()[-3000:]
        lab.switch_filter("rklab_vrrp", None)
        n1.start_redkeep()
        assert_replica_of(n1, n2, timeout=20)
        assert_replica_of(n3, n2, timeout=20)
        writer.wait_acks(writer.acks() + 100)
    finally:
        lab.switch_filter("rklab_vrrp", None)
        summary = writer.stop()
    return nothing_lost("held_takeover", summary, n2, "hld")


def scenario_long_sync_preempt(lab):
    """A full sync longer than three Master_Down_Intervals, with
    `preempt` on a higher-priority node, causes no flap. n2 (100) is master;
    n1 (150, preempt) comes back with an empty Redis whose full sync from n2
    is slowed to over 11 s (rdb-key-save-delay). Throughout the sync n2 keeps
    Master at its configured priority (a replica in a full sync follows it),
    n1 stays out of Master; once synced n1 preempts, once. No acknowledged
    write is lost."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "lsp")
    try:
        writer.wait_acks(STEADY_ACKS)
        n1.stop_redkeep(signal.SIGTERM)
        assert_one_master(lab, n2, timeout=15)
        n1.kill_redis()
        n2.redis_cli("DEBUG", "POPULATE", "20000", "fill", "64", timeout=20)
        # 0.8 ms a key: the RDB for n1's full sync takes about 16 s to stream.
        n2.redis_cli("CONFIG", "SET", "rdb-key-save-delay", "800")
        log_from = len(n2.log_text())
        n1.start_redis()
        n1.start_redkeep()
        wait_for("n1's full sync from n2 to start", lambda: n1.role()[:4] == [
            "slave", n2.ip, "6379", "sync"], timeout=15)
        started = time.monotonic()
        while n1.role()[3:4] != ["connected"]:
            assert time.monotonic() - started < 60, "the full sync did not end in 60 s"
            st = n2.status()
            assert st["state"] == "MASTER" and st["effective_priority"] == 100, st
            assert n1.state() != "MASTER" and lab.vip_holders() == [n2]
            time.sleep(0.1)
        took = time.monotonic() - started
        n2.redis_cli("CONFIG", "SET", "rdb-key-save-delay", "0")
        # Master_Down_Interval at advert_int 1 is below 4 s for any priority.
        assert took > 12, f"the full sync took only {took:.1f} s"
        assert_one_master(lab, n1, timeout=15)
        for n in (n2, n3):
            assert_replica_of(n, n1, timeout=20)
        hold_steady(lab, n1, (n2, n3), 2.0)
        entering = [line for line in n2.log_text()[log_from:].splitlines() if "Entering" in line]
        assert len(entering) == 1 and "BACKUP" in entering[0], entering
        writer.wait_acks(writer.acks() + 100)
    finally:
        summary = writer.stop()
    return nothing_lost("long_sync_preempt", summary, n1, "lsp", f"full sync {took:.1f} s; ")


scenario_long_sync_preempt.lab_options = {"nopreempt": False}
