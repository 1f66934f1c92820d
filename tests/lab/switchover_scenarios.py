"""Lab scenarios of planned maintenance: `redkeep switchover` run on the node that
is to become master. Each scenario takes a lab that is up and raises on failure; it polls
`redkeep status --json`, `ip addr` and Redis ROLE with deadlines, never a fixed sleep.

  python3 tests/lab/run.py switchover_each_replica   # see the scenario_* names below
"""

import re
import subprocess
import threading
import time

from helpers import Writer, STEADY_ACKS, assert_one_master, assert_replica_of, keys_on
from interop_scenarios import interop, start_cluster, assert_keepalived_follows_vip
from lab import wait_for


def switchover(node, timeout=5.0, instance=None):
    """Runs `redkeep switchover` in the node's namespace; returns (exit status, output)."""
    args = ["ip", "netns", "exec", node.ns, str(node.lab.binary), "switchover", "--socket",
            str(node.socket), "--timeout", str(timeout)]
    if instance:
        args += ["--instance", instance]
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout + 120)
    return r.returncode, (r.stdout + r.stderr).strip()


def assert_acked_kept(summary, master):
    """Every write the writer had acknowledged is on `master` at the end."""
    missing = set(summary["acked_keys"]) - keys_on(master, summary["prefix"])
    assert summary["acked_keys"] and not missing, \
        f"{len(missing)} of {len(summary['acked_keys'])} acknowledged writes lost, " \
        f"e.g. {sorted(missing)[:5]}"


def wait_synced(node, master):
    """Until the node's daemon has seen its Redis a synced replica of `master` (its reports
    come every check_interval): only then may it be a switchover's target."""
    def synced():
        r = node.status()["redis"]
        return r["master_host"] == master.ip and r["master_link_status"] == "up"
    wait_for(f"{node.name}'s redkeep to see its Redis synced with {master.name}", synced,
             timeout=10)


def switch_to(lab, target, writer=None):
    """One switchover to `target` under the writer: exit 0, `target` the only master with the
    VIP, every other node's Redis its replica, writes acknowledged again. Returns the
    `redkeep switchover` wall time, seconds."""
    old = assert_one_master(lab)
    wait_synced(target, old)
    t0 = time.monotonic()
    code, out = switchover(target)
    took = time.monotonic() - t0
    assert code == 0, f"switchover to {target.name} exited {code}: {out}"
    assert "Switchover done" in out, out
    assert_one_master(lab, target, timeout=5)
    for n in lab.nodes:
        if n is not target:
            assert_replica_of(n, target, timeout=10)
    if writer:
        writer.wait_acks(writer.acks() + 50)
    wait_for(f"the pause lifted on {old.name}",
             lambda: f"Switchover: writes unpaused on {old.ip}:6379" in target.log_text())
    return took


def scenario_switchover_each_replica(lab):
    """Under a writer through the VIP (SET every 10 ms), a switchover to n2, then
    to n3, then back to n1: each ends with the target master and the others its replicas, and
    no acknowledged write is lost. With nopreempt (the lab's default) each target returns to
    its configured priority after Master_Down_Interval, and nobody takes Master back; before
    then, a switchover to a node that would lose the tie at 254 is refused."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "sw")
    try:
        writer.wait_acks(STEADY_ACKS // 2)
        for target in (n2, n3, n1):
            took = switch_to(lab, target, writer)
            print(f"switchover to {target.name}: {took:.3f} s", flush=True)
            if target is n3:
                # n3 (192.0.2.13) at 254 for Master_Down_Interval: n2's 254 cannot win yet.
                code, out = switchover(n2)
                assert code == 1 and "wins the address tie-break" in out, f"exit {code}: {out}"
            wait_for(f"{target.name} back at priority {target.priority}",
                     lambda t=target: t.status()["effective_priority"] == t.priority, timeout=10)
            assert target.state() == "MASTER"
    finally:
        summary = writer.stop()
    summary["prefix"] = "sw"
    assert_acked_kept(summary, n1)
    print(f"writer: {summary['acknowledged']} acknowledged, none lost, longest outage "
          f"{summary['longest_outage_s']:.3f} s")


def replication_port(node):
    """The local port of the node's replication link (its redis-server's connection to a
    master's 6379), from `ss`."""
    out = node.exec("ss", "-tnpH", "state", "established", "dport", "= :6379")
    for line in out.splitlines():
        if "redis-server" in line:
            return int(line.split()[2].rsplit(":", 1)[1])
    raise AssertionError(f"no replication link on {node.name}: {out}")


def scenario_switchover_lagging(lab):
    """The target's replication link blocked (its packets dropped, the link still
    "up" in INFO), so it cannot catch up: `redkeep switchover --timeout 2` aborts with the
    reason and exit 1, nothing changes (n1 stays master with the VIP all along) and the master
    keeps taking writes. With every connection to the master's Redis blocked, the link goes
    down, the target is not eligible and the switchover is refused at once."""
    lab.redis_args = ("--repl-timeout", "4")
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "lag")
    try:
        writer.wait_acks(200)
        port = replication_port(n2)
        n2.drop([f"tcp sport {port}", f"tcp dport {port}"])
        writer.wait_acks(writer.acks() + 20)
        t0 = time.monotonic()
        code, out = switchover(n2, timeout=2)
        took = time.monotonic() - t0
        assert code == 1, f"exit {code}: {out}"
        assert "did not catch up within 2000 ms" in out, out
        assert "writes unpaused" in out, out
        assert took < 6, f"abort took {took:.1f} s"
        assert lab.vip_holders() == [n1] and n1.state() == "MASTER", lab.vip_holders()
        assert n2.state() == "BACKUP" and n2.status()["effective_priority"] == n2.priority
        acks = writer.acks()
        writer.wait_acks(acks + 50, timeout=5)  # the master takes writes again
        # Every connection to n1's Redis blocked, the link times out (repl-timeout 4) and stays
        # down: not synced, not eligible, refused at once.
        n2.drop([f"ip daddr {n1.ip} tcp dport 6379", f"ip saddr {n1.ip} tcp sport 6379"])
        wait_for("n2's replication link down",
                 lambda: n2.status()["redis"]["master_link_status"] == "down", timeout=15)
        code, out = switchover(n2, timeout=2)
        assert code == 1 and "Switchover not done" in out, f"exit {code}: {out}"
        assert re.search(r"not eligible|not a synced replica", out), out
        n2.drop(None)
        assert_replica_of(n2, n1, timeout=20)
    finally:
        summary = writer.stop()
    summary["prefix"] = "lag"
    assert_acked_kept(summary, n1)
    assert_one_master(lab, n1)
    assert "Switchover failed: aborted, nothing changed" in n2.log_text()


def scenario_switchover_refused(lab):
    """A node that is not eligible refuses at once with the reason and pauses
    nothing: the master itself, and a node in FAULT (its Redis killed). The CLI's other
    answers: an unknown instance, and no daemon."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    code, out = switchover(n1)
    assert code == 1 and "this node is already Master" in out, f"exit {code}: {out}"
    code, out = switchover(n2, instance="Nope")
    assert code == 1 and "no vrrp_instance named Nope" in out, f"exit {code}: {out}"
    n3.kill_redis()
    wait_for("n3 in FAULT", lambda: n3.state() == "FAULT", timeout=15)
    code, out = switchover(n3)
    assert code == 1 and "FAULT state" in out, f"exit {code}: {out}"
    assert_one_master(lab, n1)
    assert "CLIENT PAUSE" not in n1.redis_cli("CLIENT", "LIST")
    n3.stop_redkeep()
    code, out = switchover(n3)
    assert code == 3, f"exit {code}: {out}"


@interop(version=2, keepalived=(1,))
def scenario_switchover_keepalived(lab):
    """A mixed cluster, keepalived with the recipe's scripts on n1 (150, nopreempt),
    redkeep on n2 (master) and n3: a switchover from n2 to n3 and back under a writer. The
    keepalived node follows the new master (BACKUP, its Redis a replica of the VIP), and no
    acknowledged write is lost."""
    n1, n2, n3 = lab.nodes
    start_cluster(lab, n2)
    assert_one_master(lab, n2)
    writer = Writer(lab, "mix")
    try:
        writer.wait_acks(200)
        for target in (n3, n2):
            wait_synced(target, n2 if target is n3 else n3)
            code, out = switchover(target)
            assert code == 0, f"switchover to {target.name} exited {code}: {out}"
            assert_one_master(lab, target, timeout=5)
            other = n2 if target is n3 else n3
            assert_replica_of(other, target, timeout=10)
            wait_for("keepalived BACKUP", lambda: n1.ka.state() == "BACKUP", timeout=5)
            assert_keepalived_follows_vip(n1)
            writer.wait_acks(writer.acks() + 50)
            assert n1.ka.state() == "BACKUP" and lab.vip_holders() == [target]
            # n3 (192.0.2.13) at 254 would win the tie against n2's 254: wait for its priority.
            wait_for(f"{target.name} back at priority {target.priority}",
                     lambda t=target: t.status()["effective_priority"] == t.priority, timeout=10)
    finally:
        summary = writer.stop()
    summary["prefix"] = "mix"
    assert_acked_kept(summary, n2)
    wait_for("every acknowledged write on the keepalived node",
             lambda: not set(summary["acked_keys"]) - keys_on(n1, "mix"), timeout=10)


def scenario_switchover_concurrent(lab):
    """One switchover at a time across nodes: while n3's switchover holds the pause
    on n1's Redis (n3 lagging, its replication port blocked), one on n2 is refused at once and
    leaves the pause alone; once n3's link flows again it catches up and takes Master, and no
    acknowledged write is lost."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "conc")
    try:
        writer.wait_acks(200)
        wait_synced(n3, n1)
        n3.drop([f"tcp sport {replication_port(n3)}", f"tcp dport {replication_port(n3)}"])
        writer.wait_acks(writer.acks() + 20)
        result = {}
        first = threading.Thread(target=lambda: result.update(n3=switchover(n3, timeout=8)))
        first.start()
        wait_for("n3's switchover to pause n1's Redis",
                 lambda: "Switchover to this node" in n3.log_text())
        code, out = switchover(n2, timeout=1)
        assert code == 1 and "another node's switchover" in out, f"exit {code}: {out}"
        assert first.is_alive(), result
        n3.drop(None)
        first.join(timeout=30)
        code, out = result["n3"]
        assert code == 0, f"n3's switchover exited {code}: {out}"
        assert_one_master(lab, n3, timeout=5)
        writer.wait_acks(writer.acks() + 50)
    finally:
        summary = writer.stop()
    summary["prefix"] = "conc"
    assert_acked_kept(summary, n3)
