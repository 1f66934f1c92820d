"""The scenarios of the side-by-side benchmark (compare.py), one run each on a fresh lab.

A run: the tool's cluster (n1 master), DATA_KEYS keys written to n1 and held by every node,
the tool's client writing (writer.py: SET every 10 ms, 200 ms timeout; through the VIP, or
asking the sentinels), the fault on n1, then a wait for a stable cluster. Figures:

  outage_s    the writer's longest outage (cold start: from the last node's start to the
              first acknowledged write);
  acked_lost  acknowledged writes missing on the final master;
  keys_lost   of the DATA_KEYS keys held everywhere before the fault, those missing there;
  stable_s    from the fault (the heal of an isolation, the last start of a cold start) to
              the start of the first STABLE_FOR_S during which one Redis is master and
              acknowledges writes (and holds the VIP), and every other node still running
              is its replica with its link up and every byte the master had.
"""

import threading
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


def stable_master(tool, lab, live, writer, since):
    """The master of a stable cluster (module doc), or None."""
    roles = {n.name: role(n) for n in live}
    masters = [n for n in live if roles[n.name][:1] == ["master"]]
    if len(masters) != 1:
        return None
    m = masters[0]
    if tool.vrrp and [n for n in live if n.has_vip()] != [m]:
        return None
    offset = int(roles[m.name][1])  # ROLE on a master: master, offset, replicas...
    for n in live:
        if n is m:
            continue
        r = role(n)  # read after the master's offset: it must have reached it
        if not tool.follows(n, m) or len(r) < 5 or int(r[4]) < offset:
            return None
    s = writer.status()
    if not s or not s["last_ack"] or s["last_ack"] <= since:
        return None
    return m


def wait_stable(tool, lab, live, writer, since, bound=SETTLE_S):
    """(master, seconds from `since` to the start of the stable period); (last seen master
    or None, None) when none held STABLE_FOR_S within `bound`."""
    last, stable_since = None, None
    while time.monotonic() < since + bound:
        now = time.monotonic()
        m = stable_master(tool, lab, live, writer, since)
        if m is None or m is not last:
            stable_since = now if m is not None else None
        last = m
        if stable_since is not None and now - stable_since >= STABLE_FOR_S:
            return m, stable_since - since
        time.sleep(0.1)
    return last, None


def final_master(tool, lab, live):
    """Where writes go at the end: the VIP holder, or the one Redis master."""
    if tool.vrrp:
        holders = [n for n in live if n.has_vip()]
        return holders[0] if len(holders) == 1 else None
    masters = [n for n in live if role(n)[:1] == ["master"]]
    return masters[0] if len(masters) == 1 else None


# ---- the faults: each returns (the nodes still running, the time stability counts from)

def redis_killed(tool, lab, m, _others):
    m.kill_redis()
    return [n for n in lab.nodes if n is not m], time.monotonic()


def node_crash(tool, lab, m, _others):
    m.link(False)
    ct.power_off(m)
    return [n for n in lab.nodes if n is not m], time.monotonic()


def link_cut(tool, lab, m, _others):
    m.link(False)
    return [n for n in lab.nodes if n is not m], time.monotonic()


def isolated(tool, lab, m, _others):
    m.isolate(True)
    try:
        time.sleep(ISOLATION_S)
    finally:
        m.isolate(False)
    return lab.nodes, time.monotonic()


def fast_restart(tool, lab, m, _others):
    t = time.monotonic()
    m.kill_redis()
    time.sleep(max(0.0, t + RESTART_DELAY_S - time.monotonic()))
    m.start_redis()
    return lab.nodes, t


def switchover(tool, lab, m, others):
    t = time.monotonic()
    tool.switchover(lab, m, others[0])
    return lab.nodes, t


FAULTS = {"redis-killed": redis_killed, "node-crash": node_crash, "link-cut": link_cut,
          "isolated": isolated, "fast-restart": fast_restart, "switchover": switchover}


def settle_and_count(tool, lab, live, writer, since, res, data):
    master, res["stable_s"] = wait_stable(tool, lab, live, writer, since)
    summary = writer.stop()
    final = master or final_master(tool, lab, live)
    res["final_master"] = final.name if final else None
    res["acked"] = summary["acknowledged"]
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
        res["fault_wall"] = time.time()
        live, since = FAULTS[scenario](tool, lab, n1, others)
        settle_and_count(tool, lab, live, writer, since, res, data)
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
        first_ack = FirstAck(writer)
        settle_and_count(tool, lab, lab.nodes, writer, t_last, res, data)
        first_ack.stop()
        # No write was acknowledged before the restart: the longest outage is the wait for
        # the first one, from the last start.
        res["outage_s"] = (first_ack.at - t_last) if first_ack.at is not None else None
    finally:
        if writer is not None and writer.proc.poll() is None:
            writer.proc.kill()


class FirstAck(threading.Thread):
    """The monotonic time of the writer's first acknowledged write (its status file is
    rewritten every ~50 ms; attempts are 10 ms apart)."""

    def __init__(self, writer):
        super().__init__(daemon=True)
        self.writer, self.at, self.halt = writer, None, threading.Event()
        self.start()

    def run(self):
        while self.at is None and not self.halt.wait(0.05):
            s = self.writer.status()
            if s and s["acks"] > 0:
                self.at = s["last_ack"] - (s["acks"] - 1) * 0.010

    def stop(self):
        self.halt.set()
        self.join(timeout=5)


def one_run(tool, scenario, run, prefix, logs_dir):
    """One cell run on a fresh lab, always torn down; returns its figures (or its error)."""
    res = {"tool": tool.key, "scenario": scenario, "run": run}
    lab = tool.lab(prefix, redis_args=AOF if scenario == "cold-start" else ())
    started = time.monotonic()
    try:
        lab.up()
        if scenario == "cold-start":
            run_cold_start(tool, lab, res)
        else:
            run_fault(tool, lab, scenario, res)
    except Exception as e:  # noqa: BLE001 - one failed run must not hide the others
        res["error"] = f"{type(e).__name__}: {e}"
    finally:
        try:
            lab.keep_logs(logs_dir / f"{scenario}-{tool.key}-{run}", (".log", ".conf"))
        except OSError:
            pass
        lab.down()
    res["seconds"] = round(time.monotonic() - started, 1)
    return res

