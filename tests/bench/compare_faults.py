"""The scenarios of the side-by-side benchmark (compare.py), one run each on a fresh lab.

A run: the tool's cluster (n1 master), DATA_KEYS keys written to n1 and held by every node,
the tool's client writing (writer.py: SET every 10 ms, 200 ms timeout; through the VIP, or
asking the sentinels), the fault on n1, then a wait for a stable cluster. Figures:

  outage_s    the writer's longest outage (cold start: counting the wait from the last
              node's start to the first acknowledged write as one); outage_recovered
              false when writes never came back;
  acked_lost  acknowledged writes missing on the final master;
  keys_lost   of the DATA_KEYS keys held everywhere before the fault, those missing there;
  stable_s    from the fault (the heal of an isolation, the last start of a cold start) to
              the start of the first STABLE_FOR_S during which one Redis is master, the
              tool points its clients there on every node still on the network (the VIP;
              the sentinels' answer), its last write was acknowledged within 0.5 s, and
              every other node whose Redis runs is its replica with its link up and every
              byte the master had.
"""

import time

import compare_tools as ct
from compare_tools import cs
from helpers import keys_on
from lab import wait_for

ISOLATION_S = 10.0
SCENARIOS = {
    "redis-killed": "the master's redis-server killed (SIGKILL)",
    "node-crash": "the master node crashes: everything on it killed at once, its link down",
    "link-cut": "the master's link cut",
    "isolated": f"the master's packets dropped for {ISOLATION_S:g} s with its link up, then healed",
    "fast-restart": "the master's Redis killed and restarted 50 ms later, no persistence",
    "cold-start": "power loss; the stale node (n3) starts first, n2 15 s later, n1 1 s after",
    "switchover": "planned switchover (redkeep switchover, SENTINEL FAILOVER, keepalived "
                  "stopped on the master)",
}
DATA_KEYS = 1000
RESTART_DELAY_S = 0.05
COLD_GAPS_S = (15.0, 1.0)
STABLE_FOR_S = 2.0
WARMUP_S = 2.0
SETTLE_S = 60.0  # at most, from the fault to a stable cluster; past it the cell says so
AOF = ("--appendonly", "yes", "--appendfsync", "always")
_EVAL = cs._EVAL


def write_data(node, start, end, prefix="data"):
    """SET prefix:start .. end-1 on the node's Redis in one EVAL."""
    out = node.redis_cli("EVAL", _EVAL, "0", str(start), str(end), prefix, timeout=10)
    assert out.strip() == "DONE", f"writing {prefix}:{start}..{end - 1} on {node.name}: {out}"


def role(node):
    try:
        return node.role()
    except Exception:  # noqa: BLE001 - a Redis that is down or restarting
        return []


def serving(writer, since):
    """The writer's last attempt was acknowledged, within the last 0.5 s, after `since`."""
    s = writer.status()
    return (s is not None and s["last_ack"] is not None and s["last_ack"] > since
            and (s["last_fail"] is None or s["last_ack"] > s["last_fail"])
            and s["now"] - s["last_ack"] < 0.5)


def stable_master(tool, live, on_network, writer, since):
    """The master of a stable cluster (module doc) among the nodes whose Redis runs (`live`),
    the tool's own view agreeing on every node still on the network; else None."""
    roles = {n.name: role(n) for n in live}
    masters = [n for n in live if roles[n.name][:1] == ["master"]]
    if len(masters) != 1:
        return None
    m = masters[0]
    if not tool.points_to(on_network, m):
        return None
    offset = int(roles[m.name][1])  # ROLE on a master: master, offset, replicas...
    for n in live:
        if n is m:
            continue
        r = role(n)  # read after the master's offset: it must have reached it
        if not tool.follows(r, m) or int(r[4]) < offset:
            return None
    return m if serving(writer, since) else None


def wait_stable(tool, live, on_network, writer, since, bound=SETTLE_S):
    """(master, seconds from `since` to the start of the stable period); (last seen master
    or None, None) when none held STABLE_FOR_S within `bound`."""
    last, stable_since = None, None
    while time.monotonic() < since + bound:
        now = time.monotonic()
        try:
            m = stable_master(tool, live, on_network, writer, since)
        except Exception:  # noqa: BLE001 - a poll may fail while things move
            m = None
        if m is None or m is not last:
            stable_since = now if m is not None else None
        last = m
        if stable_since is not None and now - stable_since >= STABLE_FOR_S:
            return m, stable_since - since
        time.sleep(0.1)
    return last, None


def final_master(tool, live, on_network):
    """Where writes go at the end: the one Redis master the tool points to."""
    masters = [n for n in live if role(n)[:1] == ["master"] and tool.points_to(on_network, n)]
    return masters[0] if len(masters) == 1 else None


# ---- the faults: each returns (the nodes whose Redis still runs, the nodes still on the
# network, the time stability counts from)

def redis_killed(tool, lab, m, _target):
    m.kill_redis()
    return [n for n in lab.nodes if n is not m], lab.nodes, time.monotonic()


def node_crash(tool, lab, m, _target):
    m.link(False)
    ct.power_off(m)
    rest = [n for n in lab.nodes if n is not m]
    return rest, rest, time.monotonic()


def link_cut(tool, lab, m, _target):
    m.link(False)
    rest = [n for n in lab.nodes if n is not m]
    return rest, rest, time.monotonic()


def isolated(tool, lab, m, _target):
    m.isolate(True)
    try:
        time.sleep(ISOLATION_S)
    finally:
        m.isolate(False)
    return lab.nodes, lab.nodes, time.monotonic()


def fast_restart(tool, lab, m, _target):
    t = time.monotonic()
    m.kill_redis()
    time.sleep(max(0.0, t + RESTART_DELAY_S - time.monotonic()))
    m.start_redis()
    return lab.nodes, lab.nodes, t


def switchover(tool, lab, m, target):
    t = time.monotonic()
    tool.switchover(lab, m, target)
    return lab.nodes, lab.nodes, t


FAULTS = {"redis-killed": redis_killed, "node-crash": node_crash, "link-cut": link_cut,
          "isolated": isolated, "fast-restart": fast_restart, "switchover": switchover}


def settle_and_count(tool, live, on_network, writer, since, res, data):
    master, res["stable_s"] = wait_stable(tool, live, on_network, writer, since)
    summary = writer.stop()
    final = master or final_master(tool, live, on_network)
    res["final_master"] = final.name if final else None
    res["acked"] = summary["acknowledged"]
    res["acked_after_fault"] = summary["acknowledged"] - res.get("acked_before_fault", 0)
    res["outage_s"] = summary["longest_outage_s"]
    res["outage_recovered"] = all(o["recovered"] for o in summary["outages"])
    if final is None:
        res["acked_lost"] = res["keys_lost"] = None
        return summary
    res["acked_lost"] = len(set(summary["acked_keys"]) - keys_on(final, writer.prefix))
    res["keys_lost"] = len(data - keys_on(final, "data"))
    return summary


def run_fault(tool, lab, scenario, res):
    tool.start_cluster(lab)
    n1, others = lab.nodes[0], lab.nodes[1:]
    write_data(n1, 0, DATA_KEYS)
    for n in lab.nodes:
        wait_for(f"{n.name} to hold the data", lambda n=n: cs.dbsize(n) == DATA_KEYS)
    data = {f"data:{i}" for i in range(DATA_KEYS)}
    writer = tool.writer(lab, "w")
    try:
        writer.wait_acks(1, timeout=15)
        time.sleep(WARMUP_S)
        if scenario == "switchover":
            tool.before_switchover(lab, n1, others[0])
        res["acked_before_fault"] = writer.acks()
        res["fault_wall"] = time.time()
        live, on_network, since = FAULTS[scenario](tool, lab, n1, others[0])
        settle_and_count(tool, live, on_network, writer, since, res, data)
    finally:
        if writer.proc.poll() is None:
            writer.proc.kill()


def run_cold_start(tool, lab, res):
    """Power loss with n3 stale (it died while n1 and n2 took more writes), AOF fsynced on
    every write; restart n3 first, n2 15 s later, n1 1 s after n2."""
    tool.start_cluster(lab)
    n1, n2, n3 = lab.nodes
    half = DATA_KEYS // 2
    write_data(n1, 0, half)
    for n in lab.nodes:
        wait_for(f"{n.name} to hold {half} keys", lambda n=n: cs.dbsize(n) == half)
    cs.persist(lab.nodes, "aof")
    ct.power_off(n3)
    write_data(n1, half, DATA_KEYS)
    for n in (n1, n2):
        wait_for(f"{n.name} to hold the data", lambda n=n: cs.dbsize(n) == DATA_KEYS)
    cs.persist((n1, n2), "aof")
    ct.power_off(n1)
    ct.power_off(n2)
    data = {f"data:{i}" for i in range(DATA_KEYS)}
    writer = None
    try:
        for node, gap in zip((n3, n2, n1), (*COLD_GAPS_S, None)):
            t = time.monotonic()
            if gap is None:
                writer = tool.writer(lab, "w")
            node.start_redis()
            tool.start_daemon(node)
            if gap is not None:
                time.sleep(max(0.0, t + gap - time.monotonic()))
        t_last = t
        summary = settle_and_count(tool, lab.nodes, lab.nodes, writer, t_last, res, data)
        # Nothing was acknowledged before the restart: the wait for the first write counts
        # as an outage too, from the last start.
        if summary["first_ack"] is None:
            res["outage_recovered"] = False
            res["outage_s"] = summary["ended"] - t_last
        else:
            res["outage_s"] = max(res["outage_s"], summary["first_ack"] - t_last)
    finally:
        if writer is not None and writer.proc.poll() is None:
            writer.proc.kill()


def one_run(tool, scenario, run, prefix, logs_dir):
    """One cell run on a fresh lab, always torn down; returns its figures (or its error)."""
    res = {"tool": tool.key, "scenario": scenario, "run": run}
    lab = tool.lab(prefix, redis_args=AOF if scenario == "cold-start" else ())
    started = time.monotonic()
    with ct.lab_run(lab, res, logs_dir / f"{scenario}-{tool.key}-{run}"):
        if scenario == "cold-start":
            run_cold_start(tool, lab, res)
        else:
            run_fault(tool, lab, scenario, res)
    res["seconds"] = round(time.monotonic() - started, 1)
    return res

