"""Redis as it is really configured: replica-priority 0, rename-command, passwords and ACLs
(the Redis-side settings that silently break replication or failover)."""

import time

from helpers import assert_one_master, assert_replica_of, known_state, master_down_interval
from lab import wait_for


def stays_backup(lab, node, seconds):
    """For `seconds`, at every 50 ms poll: `node` reports BACKUP, and no node holds the VIP."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        state = known_state(node)
        assert state == "BACKUP", f"{node.name} is {state}, not BACKUP"
        assert not lab.vip_holders(), f"{[n.name for n in lab.vip_holders()]} took the VIP"
        time.sleep(0.05)


def scenario_replica_priority_zero_backup(lab):
    """n2's Redis has replica-priority 0 (set at run time). With n3 gone and n1's Redis killed,
    n2 is the only node left that could take over: it stays BACKUP through three
    Master_Down_Intervals, holds no VIP and its Redis stays a replica. Set back to 100, it takes
    over."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert n2.redis_cli("CONFIG", "SET", "replica-priority", "0").strip() == "OK"
    wait_for("n2 to see replica-priority 0",
             lambda: "Redis has replica-priority 0" in n2.log_text(), timeout=5)
    n3.stop_redkeep()
    n3.kill_redis()
    n1.kill_redis()
    wait_for("n1 in FAULT", lambda: n1.state() == "FAULT", timeout=10)
    stays_backup(lab, n2, 3 * master_down_interval(2, n2.priority, 1))
    assert n2.role()[:1] == ["slave"], n2.role()
    assert "Entering MASTER" not in n2.log_text().split("Redis has replica-priority 0")[-1]
    assert n2.log_text().count("Redis has replica-priority 0") == 1
    assert n2.redis_cli("CONFIG", "SET", "replica-priority", "100").strip() == "OK"
    assert_one_master(lab, n2, timeout=10)
    assert "Redis has replica-priority 100 again: may take Master" in n2.log_text()


def scenario_replica_priority_zero_master(lab):
    """The Master's Redis is given replica-priority 0: it leaves at once with a priority 0
    advert (VIP off), n2 takes over within Skew_Time of that advert plus a check, and n1 follows
    it as a replica without taking Master back."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert n1.redis_cli("CONFIG", "SET", "replica-priority", "0").strip() == "OK"
    asked = time.monotonic()
    assert_one_master(lab, n2, timeout=10)
    took = time.monotonic() - asked
    # CONFIG GET every 2 s, then a priority 0 advert: n2's Skew_Time (0.6 s) after it.
    assert took < 2 + 1 + 1.5, f"n2 took over {took:.2f} s after the change"
    assert "Entering BACKUP state (may never be Master (replica-priority 0)" in n1.log_text()
    assert_replica_of(n1, n2)
    assert_replica_of(n3, n2)
    end = time.monotonic() + 5
    while time.monotonic() < end:
        assert known_state(n1) == "BACKUP", n1.state()
        time.sleep(0.1)
