"""Lab scenarios of mixed clusters: redkeep and Debian's keepalived 2.2.7 on one
VRID. One node runs keepalived with the recipe's scripts
(keepalived_lab.py), the others redkeep. Each scenario takes a lab that is up
and raises on failure; they poll `redkeep status --json`, keepalived's log and
JSON stats dump, `ip addr` and Redis ROLE with deadlines, never a fixed sleep.

  python3 tests/lab/run.py keepalived_v2      # see the scenario_* names below
"""

import functools
import signal
import time

from keepalived_lab import KeepalivedLab, hold
from lab import wait_for
import helpers
from helpers import assert_one_master, assert_replica_of, write_through_vip

# keepalived's JSON stats counters of rejected packets (vrrp_json.c).
KEEPALIVED_ERRORS = ("packet_len_err", "advert_interval_err", "ip_ttl_err", "invalid_type_rcvd",
                     "addr_list_err", "invalid_authtype", "authtype_mismatch", "auth_failure")


def interop(**options):
    """Marks a scenario as run in a KeepalivedLab with these options; on
    failure prints every keepalived log (run.py prints the redkeep logs)."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(lab):
            try:
                fn(lab)
            except BaseException:
                for n in lab.keepalived_nodes():
                    print(f"----- {n.name} keepalived log -----")
                    print(n.ka.log_text(whole=True)[-6000:])
                raise
        run.lab_class = KeepalivedLab
        run.lab_options = options
        return run
    return wrap


def master_down_interval(lab, priority):
    """The lab's Master_Down_Interval for `priority`, in seconds."""
    return helpers.master_down_interval(lab.version, priority, lab.advert_int)


def assert_keepalived_follows_vip(node, timeout=15):
    """The recipe's notify_backup/stop: the keepalived node's Redis replicates
    from the VIP, link up."""
    wait_for(f"{node.name} (keepalived) Redis replica of the VIP",
             lambda: node.role()[:4] == ["slave", node.lab.vip, "6379", "connected"],
             timeout=timeout)


def assert_redkeep_clean(node):
    """redkeep rejected nothing: `counters.rejected` is empty."""
    counters = node.status()["counters"]
    assert counters["rejected"] == {}, f"{node.name} rejected adverts: {counters['rejected']}"
    return counters


def assert_keepalived_clean(node, received=True):
    """keepalived rejected nothing: no complaint in its log, every error
    counter of its stats dump 0 (and it did receive adverts, if `received`)."""
    complaints = node.ka.complaints()
    assert not complaints, f"keepalived on {node.name} complains:\n" + "\n".join(complaints)
    stats = node.ka.stats()
    errors = {k: stats[k] for k in KEEPALIVED_ERRORS if stats.get(k)}
    assert not errors, f"keepalived on {node.name} counted rejections: {errors}"
    if received:
        assert stats["advert_rcvd"] > 0, f"keepalived on {node.name} received nothing: {stats}"
    return stats


def start_cluster(lab, first):
    """Starts every Redis, then `first`'s daemon (it becomes MASTER), then the
    others (they become BACKUP)."""
    for n in lab.nodes:
        n.start_redis()
    lab.start(first)
    wait_for(f"{first.name} to become MASTER", lambda: lab.state_of(first) == "MASTER",
             timeout=15)
    others = [n for n in lab.nodes if n is not first]
    for n in others:
        lab.start(n)
    for n in others:
        wait_for(f"{n.name} to become BACKUP", lambda n=n: lab.state_of(n) == "BACKUP",
                 timeout=15)


def handover(lab):
    """Handover both ways with keepalived on n1 (150) and redkeep on n2 (100)
    and n3 (50), nopreempt: keepalived master with redkeep backups, keepalived
    SIGTERM -> n2 takes over on the priority-0 advert, keepalived restarted
    stays BACKUP under a redkeep master, redkeep SIGTERM -> keepalived takes
    over on the priority-0 advert. No side rejects the other's packets."""
    n1, n2, n3 = lab.nodes
    ka = n1.ka

    # keepalived master, redkeep backups.
    start_cluster(lab, n1)
    assert_one_master(lab, n1)
    for n in (n2, n3):
        assert_replica_of(n, n1)
        assert n.status()["master_address"] == n1.advert_source
    write_through_vip(lab, "mixed:1", "keepalived-master")
    for n in lab.nodes:
        wait_for(f"mixed:1 on {n.name}",
                 lambda n=n: n.redis_cli("GET", "mixed:1").strip() == "keepalived-master")
    for n in (n2, n3):
        c = assert_redkeep_clean(n)
        assert c["adverts_received"] > 0, c
    if lab.version == 3:
        assert n2.status()["master_adver_interval_s"] == float(lab.advert_int), n2.status()
    assert_keepalived_clean(n1, received=False)  # a master hears no backup

    # keepalived stopped: priority 0, n2 takes over after its Skew_Time.
    code = ka.stop(signal.SIGTERM)
    assert code == 0, f"keepalived exit status {code}"
    assert "(HARedis) sent 0 priority" in ka.log_text(), ka.log_text()[-2000:]
    assert not n1.has_vip()
    assert_one_master(lab, n2, timeout=10)
    log2 = n2.log_text()
    assert f"Entering MASTER state (priority 0 advert from {n1.advert_source}" in log2, \
        log2[-2000:]
    assert "master down timer expired" not in log2, log2[-2000:]
    assert_replica_of(n3, n2)
    assert_keepalived_follows_vip(n1)  # notify_stop: REPLICAOF <VIP>
    write_through_vip(lab, "mixed:2", "redkeep-master")

    # keepalived restarted (priority 150 > 100, nopreempt): stays BACKUP.
    ka.start()
    wait_for("keepalived on n1 BACKUP", lambda: ka.state() == "BACKUP", timeout=10)
    hold("n2 master, keepalived on n1 backup",
         lambda: ka.states() == ["BACKUP"] and lab.vip_holders() == [n2]
         and n2.state() == "MASTER",
         master_down_interval(lab, n1.priority) + 1.5)
    assert "Receive advertisement timeout" not in ka.log_text()
    assert_keepalived_follows_vip(n1)
    wait_for("mixed:2 on n1", lambda: n1.redis_cli("GET", "mixed:2").strip() == "redkeep-master")
    assert_keepalived_clean(n1, received=True)  # redkeep master, keepalived backup
    for n in (n2, n3):
        assert_redkeep_clean(n)

    # redkeep master stopped: keepalived (the highest backup) takes over on the
    # priority-0 advert, after its Skew_Time, well before Master_Down_Interval.
    t0 = time.monotonic()
    n2.signal_redkeep(signal.SIGTERM)
    wait_for("keepalived on n1 MASTER", lambda: ka.state() == "MASTER", timeout=10,
             interval=0.02)
    took = time.monotonic() - t0
    limit = master_down_interval(lab, n1.priority)
    assert took < limit - 0.5, f"keepalived took {took:.2f} s (Master_Down_Interval {limit:.2f})"
    klog = ka.log_text()
    # keepalived then logs "Receive advertisement timeout": its Skew_Time timer
    # after a priority 0 advert is the ordinary master down timer, shortened.
    assert "(HARedis) Backup received priority 0 advertisement" in klog, klog[-2000:]
    assert n2.redkeep.wait(timeout=20) == 0
    assert_one_master(lab, n1, timeout=10)  # notify_master: REPLICAOF NO ONE
    assert_replica_of(n3, n1)
    assert_replica_of(n2, n1)  # redkeep demotes its Redis to the new master on stop
    assert lab.state_of(n3) == "BACKUP"
    assert "Entering MASTER" not in n3.log_text()
    assert_redkeep_clean(n3)
    stats = assert_keepalived_clean(n1)
    assert stats["pri_zero_rcvd"] >= 1, stats
    write_through_vip(lab, "mixed:3", "keepalived-again")


@interop(version=2)
def scenario_keepalived_v2(lab):
    """Handover both ways, VRRPv2 with PASS auth."""
    handover(lab)


@interop(version=3)
def scenario_keepalived_v3(lab):
    """Handover both ways, VRRPv3 without authentication."""
    handover(lab)


@interop(version=3, family=6)
def scenario_keepalived_ipv6(lab):
    """Handover both ways over IPv6 (VRRPv3 over ff02::12): keepalived's adverts from its
    link-local address, the redkeep nodes' Redis following its Redis through peer_address."""
    handover(lab)


def tiebreak(lab, ka_node, rk_node):
    """keepalived and redkeep with the same priority, both master
    while VRRP is blocked on the keepalived node; once it flows again the one
    with the higher primary address stays master on both implementations:
    exactly one VIP holder, for longer than Master_Down_Interval."""
    n3 = lab.nodes[2]
    assert ka_node.priority == rk_node.priority
    for n in lab.nodes:
        n.start_redis()
    lab.block_vrrp(ka_node, True)
    for n in (ka_node, rk_node, n3):
        lab.start(n)
    wait_for("keepalived MASTER (isolated)", lambda: ka_node.ka.state() == "MASTER", timeout=15)
    wait_for(f"redkeep on {rk_node.name} MASTER", lambda: rk_node.state() == "MASTER",
             timeout=15)
    wait_for("two VIP holders", lambda: set(lab.vip_holders()) == {ka_node, rk_node})
    wait_for("n3 BACKUP", lambda: n3.state() == "BACKUP")

    lab.block_vrrp(ka_node, False)
    winner, loser = (ka_node, rk_node) if ka_node.ip > rk_node.ip else (rk_node, ka_node)
    # The addresses differ in the last octet only: string order is numeric order here.
    assert int(winner.ip.split(".")[-1]) > int(loser.ip.split(".")[-1])
    wait_for(f"{loser.name} BACKUP", lambda: lab.state_of(loser) == "BACKUP", timeout=10)
    assert_one_master(lab, winner, timeout=10)
    hold(f"{winner.name} the only VIP holder, {loser.name} backup",
         lambda: lab.vip_holders() == [winner] and lab.state_of(winner) == "MASTER"
         and lab.state_of(loser) == "BACKUP",
         master_down_interval(lab, loser.priority) + 1.0)
    if loser is ka_node:
        klog = ka_node.ka.log_text()
        assert (f"Master received advert from {winner.ip} with same priority "
                f"{winner.priority} but higher IP address than ours") in klog, klog[-2000:]
        assert_keepalived_follows_vip(ka_node)
    else:
        rlog = rk_node.log_text()
        assert f"Entering BACKUP state (equal priority, higher address {winner.ip}" in rlog, \
            rlog[-2000:]
        assert_replica_of(rk_node, winner)
    assert_replica_of(n3, winner)
    for n in (rk_node, n3):
        assert_redkeep_clean(n)
    # A winning keepalived may never hear the loser: whichever advert comes
    # first after the heal decides, and redkeep yields on keepalived's.
    assert_keepalived_clean(ka_node, received=loser is ka_node)


@interop(keepalived=(1,), priorities=(100, 100, 50))
def scenario_keepalived_tiebreak_redkeep_higher(lab):
    """Equal priorities: keepalived on n1 (192.0.2.11), redkeep on n2 (192.0.2.12),
    both priority 100: n2 wins, keepalived agrees."""
    n1, n2, _ = lab.nodes
    tiebreak(lab, n1, n2)


@interop(keepalived=(2,), priorities=(100, 100, 50))
def scenario_keepalived_tiebreak_keepalived_higher(lab):
    """Equal priorities: redkeep on n1 (192.0.2.11), keepalived on n2 (192.0.2.12),
    both priority 100: keepalived wins, redkeep agrees."""
    n1, n2, _ = lab.nodes
    tiebreak(lab, n2, n1)


def rejected(node, reason):
    return node.status()["counters"]["rejected"].get(reason, 0)


def log_lines(node, reason):
    return [line for line in node.log_text().splitlines()
            if f"Rejected advert ({reason})" in line]


def assert_rejects_keepalived(lab, reason, keepalived_complaint):
    """n3's keepalived (priority 200, misconfigured) on the redkeep cluster's
    VRID: n1 and n2 count every one of its adverts under `reason`, log it once
    per 10 s (the second line says how many were not logged), and keep their
    roles although its priority is higher than theirs."""
    n1, n2, n3 = lab.nodes
    before = {n.name: n.status()["counters"] for n in (n1, n2)}

    def counted(n):
        return rejected(n, reason) - before[n.name]["rejected"].get(reason, 0)

    def steady():
        return (n1.state() == "MASTER" and n1.has_vip() and n2.state() == "BACKUP"
                and not n2.has_vip())

    n3.ka.start()
    wait_for("keepalived on n3 MASTER (it rejects the cluster too)",
             lambda: n3.ka.state() == "MASTER", timeout=15)
    assert keepalived_complaint in n3.ka.log_text(), n3.ka.log_text()[-2000:]
    first = wait_for(f"first '{reason}' rejection logged on n1",
                     lambda: log_lines(n1, reason) and time.monotonic(), timeout=5)
    wait_for(f"its first advert rejected on n2 too", lambda: counted(n2) >= 1, timeout=5)
    # keepalived 2.2.7's master re-arms its advert timer on every packet it
    # receives, even one it rejects: while it hears the redkeep master each
    # second it sends nothing after its first advert. Deaf, it advertises each
    # second (its own adverts still go out).
    lab.block_vrrp(n3, True, outgoing=False)
    wait_for(f"6 '{reason}' rejections counted on n1 and n2",
             lambda: counted(n1) >= 6 and counted(n2) >= 6, timeout=10)
    assert steady()
    assert time.monotonic() - first < 9.5, "too slow to check the 10 s log interval"
    for n in (n1, n2):
        lines = log_lines(n, reason)
        assert len(lines) == 1, f"{n.name}: {len(lines)} log lines for {reason}:\n" + \
            "\n".join(lines)
    # Past the 10 s interval: the second report carries the count not logged.
    hold("redkeep roles unchanged", steady, first + 11.5 - time.monotonic())
    for n in (n1, n2):
        lines = log_lines(n, reason)
        assert len(lines) == 2, f"{n.name}: {len(lines)} log lines for {reason} in ~11.5 s:\n" + \
            "\n".join(lines)
        assert "more since last report]" in lines[1], lines
        now = n.status()["counters"]
        assert now["transitions"] == before[n.name]["transitions"], (before[n.name], now)
        grew = {k for k, v in now["rejected"].items()
                if v != before[n.name]["rejected"].get(k, 0)}
        assert grew == {reason}, (before[n.name]["rejected"], now["rejected"])
    assert n1.status()["master_address"] == n1.ip
    assert n2.status()["master_address"] == n1.ip
    lab.block_vrrp(n3, False)
    # Its priority 0 advert on stop is rejected too.
    was = counted(n1)
    code = n3.ka.stop(signal.SIGTERM)
    assert code == 0, f"keepalived exit status {code}"
    assert "(HARedis) sent 0 priority" in n3.ka.log_text()
    wait_for("keepalived's priority 0 advert rejected on n1", lambda: counted(n1) > was)
    assert steady()


@interop(keepalived=(3,), priorities=(150, 100, 200),
         keepalived_options={3: {"password": "other"}})
def scenario_keepalived_mismatch(lab):
    """A keepalived peer on the same VRID with another password,
    then with VRRPv3: redkeep (v2, PASS) counts its adverts as auth_password,
    then version_mismatch, logs them at most once per 10 s, keeps its role."""
    n1, n2, n3 = lab.nodes
    for n in lab.nodes:
        n.start_redis()
    n1.start_redkeep()
    wait_for("n1 MASTER", lambda: n1.state() == "MASTER", timeout=15)
    n2.start_redkeep()
    wait_for("n2 BACKUP", lambda: n2.state() == "BACKUP", timeout=15)
    assert_one_master(lab, n1)
    assert_rejects_keepalived(lab, "auth_password", "received an invalid passwd!")

    # The same peer speaking VRRPv3 (no authentication).
    n3.ka.version = 3
    n3.ka.password = None
    n3.ka.write_files()
    assert_rejects_keepalived(lab, "version_mismatch", "wrong version. Received 2 and expect 3")
