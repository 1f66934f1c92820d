#!/usr/bin/env python3
"""Random faults under a writer (Jepsen-style).

A three-node lab (tests/lab/lab.py; its own prefix, so it never meets another
lab on the machine), Redis with AOF (appendonly yes, appendfsync everysec), a
writer through the VIP (tests/lab/writer.py: SET rnd:<n> every 10 ms, 200 ms
timeout). For --duration seconds (90) random faults hit random nodes, one at a
time:

  redis_kill     redis-server SIGKILLed, started again (with its AOF) 0.05-3 s later
  redkeep_kill   redkeep SIGKILLed, started again 0.1-6 s later (before and after
                 Master_Down_Interval, 3.4-3.8 s, and the VIP lifetime, 5 s)
  sigstop        redkeep SIGSTOPped for 2 s, then SIGCONT (less than
                 Master_Down_Interval: nobody should take over)
  link_cut       the node's link set down at the switch for 2-6 s
  island         every frame to or from the node dropped at the switch for 5 s,
                 link up (Node.isolate: its sends succeed and go nowhere)

Faults never overlap: each one ends (process restarted, SIGCONT, link up,
island healed), then the cluster must be steady again (one VIP holder, MASTER,
Redis master; the other two BACKUP, their Redis connected replicas of it)
within 30 s, else the run fails; then a random gap of 2-6 s before the next.
So at most one node is ever down. At the end everything is healed, the cluster
must be steady within 60 s, the writer stops and its acknowledged keys are
compared with the final master's keys.

Every lost acknowledged write must be attributed to a fault by the time the
writer got its acknowledgement (known to about 50 ms from the writer's status
file, sampled every 20 ms). One attribution is allowed:

  redis_kill: unreplicated   the node whose Redis was killed held the VIP, and
                 the write was acknowledged from 0.25 s before the SIGKILL to
                 0.05 s after it. Replication is asynchronous: Redis writes
                 the reply and the replication stream in the same event-loop
                 turn, so at the writer's 10 ms cadence at most the last write
                 or two can be acknowledged and still not have left for a
                 replica; the window is that, widened by the 50 ms to which
                 the script knows an acknowledgement's time. The AOF
                 (appendfsync everysec) would lose up to 1-2 s of writes in a
                 machine crash, not here: a SIGKILLed process leaves what it
                 wrote in the page cache, and redkeep never keeps a restarted
                 Redis as master (it re-syncs from a node that kept the data),
                 so fsync opens no window of its own.

Nothing else may lose an acknowledged write: a replica's Redis killed,
redkeep killed or stopped on any node, a link cut, an island. Any loss
outside the window above is "unattributed" and fails the run, as does a
cluster that is not steady in time.

  python3 tests/lab/random_faults.py                         # random seed, 90 s
  python3 tests/lab/random_faults.py --seed 7                # replay seed 7
  python3 tests/lab/random_faults.py --faults /tmp/f.json    # replay a fault list
  python3 tests/lab/random_faults.py --runs 20 --seed 1      # the benchmark: seeds 1..20

Prints the seed, one line per fault (time, kind, node, master before -> after,
seconds to steady), the figures (faults by kind, acknowledged, lost, lost by
attribution, unattributed) and one JSON line starting with
`RANDOM_FAULTS_JSON `. Every run writes its fault list (--record, default
/tmp/random_faults_seed<seed>.json: {"seed", "faults": [{at, kind, node, ...}]},
`at` in seconds from the first fault's schedule); --faults replays such a file
(each fault at its `at`, or once the cluster is steady if later). A run that
fails keeps the node logs in /tmp/random_faults_logs/seed<seed>/. Needs root
and a built redkeep ($REDKEEP_BINARY, default build/redkeep).
"""

import argparse
import bisect
import json
import os
import random
import signal
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
from lab import Lab, log_time, wait_for  # noqa: E402
from helpers import STEADY_ACKS, Writer, keys_on  # noqa: E402

KINDS = ("redis_kill", "redkeep_kill", "sigstop", "link_cut", "island")
GAP_S = (2.0, 6.0)
STEADY_TIMEOUT_S = 30
FINAL_TIMEOUT_S = 60
UNREPLICATED_BEFORE_S = 0.25
UNREPLICATED_AFTER_S = 0.05
PREFIX = "rnd"
LOG_DIR = Path("/tmp/random_faults_logs")


def draw(rng, names):
    """The next random fault: the gap before it, its kind, node and parameters."""
    f = {"gap": round(rng.uniform(*GAP_S), 2), "kind": rng.choice(KINDS),
         "node": rng.choice(names)}
    if f["kind"] == "redis_kill":
        f["restart_after"] = round(rng.uniform(0.05, 3.0), 2)
    elif f["kind"] == "redkeep_kill":
        f["restart_after"] = round(rng.uniform(0.1, 6.0), 2)
    elif f["kind"] == "sigstop":
        f["seconds"] = 2.0
    elif f["kind"] == "link_cut":
        f["seconds"] = round(rng.uniform(2.0, 6.0), 2)
    else:
        f["seconds"] = 5.0
    return f


def inject(node, f):
    """Carries out fault `f` on `node` and undoes it; returns the monotonic
    times (hit, hit_done, end)."""
    kind = f["kind"]
    hit = time.monotonic()
    if kind == "redis_kill":
        node.kill_redis()
        hit_done = time.monotonic()
        time.sleep(f["restart_after"])
        node.start_redis()
    elif kind == "redkeep_kill":
        node.stop_redkeep(signal.SIGKILL)
        hit_done = time.monotonic()
        time.sleep(f["restart_after"])
        node.socket.unlink(missing_ok=True)
        node.start_redkeep()
    else:
        do, undo = {"sigstop": (lambda: node.signal_redkeep(signal.SIGSTOP),
                                lambda: node.signal_redkeep(signal.SIGCONT)),
                    "link_cut": (lambda: node.link(False), lambda: node.link(True)),
                    "island": (lambda: node.isolate(True), lambda: node.isolate(False))}[kind]
        try:
            do()
            hit_done = time.monotonic()
            time.sleep(f["seconds"])
        finally:
            undo()
    return hit, hit_done, time.monotonic()


def heal(lab):
    """Undoes whatever a fault may have left (also after an exception)."""
    for n in lab.nodes:
        n.signal_redkeep(signal.SIGCONT)
        n.isolate(False)
        n.link(True)
        if n.redis is None or n.redis.poll() is not None:
            n.start_redis()
        if n.redkeep is None or n.redkeep.poll() is not None:
            n.socket.unlink(missing_ok=True)
            n.start_redkeep()


def steady(lab):
    """The master when one node holds the VIP, is MASTER with a master Redis,
    and the other two are BACKUP with their Redis connected to it; else None."""
    holders = lab.vip_holders()
    if len(holders) != 1:
        return None
    m = holders[0]
    if m.state() != "MASTER" or m.role()[:1] != ["master"]:
        return None
    for n in lab.nodes:
        if n is not m and (n.state() != "BACKUP"
                           or n.role()[:4] != ["slave", m.ip, "6379", "connected"]):
            return None
    return m


def holders_text(lab):
    return "+".join(n.name for n in lab.vip_holders()) or "-"


class AckClock:
    """When the writer acknowledged attempt n, to about 50 ms: its status file
    ({"attempts", "now"}, replaced every ~50 ms) sampled every 20 ms."""

    def __init__(self, writer):
        self.writer = writer
        self.attempts, self.nows = [], []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.wait(0.02):
            s = self.writer.status()
            if s and (not self.attempts or s["attempts"] > self.attempts[-1]):
                self.attempts.append(s["attempts"])
                self.nows.append(s["now"])

    def interval(self, n):
        """(earliest, latest) monotonic time at which attempt n ended."""
        i = bisect.bisect_right(self.attempts, n)  # first sample that had finished it
        lo = self.nows[i - 1] if i > 0 else float("-inf")
        hi = self.nows[i] if i < len(self.nows) else float("inf")
        return lo, hi


def attribute(lo, hi, faults):
    """The allowed attribution of a write acknowledged in [lo, hi], or None."""
    for f in faults:
        if f["kind"] == "redis_kill" and f["master_before"] == f["node"] and "hit" in f:
            if (lo <= f["hit_done"] + UNREPLICATED_AFTER_S
                    and hi >= f["hit"] - UNREPLICATED_BEFORE_S):
                return "redis_kill: unreplicated", f
    return None, None


def ranges(numbers):
    """[(first, last)] of runs of consecutive integers."""
    out = []
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def log_lines_near(lab, t0, wall_offset, lo, hi, around=5.0):
    """Redkeep log lines of every node between lo - around and hi + around
    (monotonic), as (seconds from t0, node, text), for the timeline of a loss."""
    out = []
    for n in lab.nodes:
        for line in n.log_text().splitlines():
            at = log_time(line)
            if at is None:
                continue
            wall = at.timestamp()
            t = wall - wall_offset
            if lo - around <= t <= hi + around and (" Entering " in line or "Redis" in line
                                                    or "member" in line or "Master" in line):
                out.append((t - t0, n.name, line[24:]))
    return sorted(out, key=lambda x: x[0])


def one_run(seed, duration, plan=None, record=None, require_all_kinds=False, out=print):
    """One lab run; returns its figures."""
    rng = random.Random(seed)
    lab = Lab(prefix=f"{PREFIX}{os.getpid() % 10000}", redis_args=("--appendonly", "yes"))
    names = [n.name for n in lab.nodes]
    faults, errors = [], []
    result = {"seed": seed, "duration_s": duration, "record": str(record)}
    writer = clock = None
    started = time.monotonic()
    wall_offset = time.time() - time.monotonic()
    t0 = None

    def save():
        if record:
            keys = ("at", "gap", "kind", "node", "restart_after", "seconds", "master_before",
                    "master_after", "steady_s")
            Path(record).write_text(json.dumps(
                {"seed": seed, "duration_s": duration,
                 "faults": [{k: f[k] for k in keys if k in f} for f in faults]}, indent=1) + "\n")

    try:
        lab.up()
        lab.start_all()
        writer = Writer(lab, PREFIX, duration=duration + 900)
        clock = AckClock(writer)
        writer.wait_acks(STEADY_ACKS, timeout=30)
        t0 = time.monotonic()
        ready = t0
        while True:
            if plan is not None:
                if len(faults) >= len(plan):
                    break
                f = {k: v for k, v in plan[len(faults)].items()
                     if k in ("at", "gap", "kind", "node", "restart_after", "seconds")}
                start = max(ready, t0 + f["at"]) if "at" in f else ready + f.get("gap", 0)
            else:
                f = draw(rng, names)
                start = ready + f["gap"]
                if start - t0 >= duration:
                    break
            time.sleep(max(0.0, start - time.monotonic()))
            node = lab.nodes[names.index(f["node"])]
            f["at"] = round(time.monotonic() - t0, 2)
            f["master_before"] = holders_text(lab)
            faults.append(f)
            f["hit"], f["hit_done"], f["end"] = inject(node, f)
            try:
                m = wait_for("a steady cluster", lambda: steady(lab), timeout=STEADY_TIMEOUT_S,
                             interval=0.2)
                f["master_after"] = m.name
                f["steady_s"] = round(time.monotonic() - f["end"], 2)
            except AssertionError:
                f["master_after"] = holders_text(lab)
                errors.append(f"not steady {STEADY_TIMEOUT_S} s after the fault at {f['at']} s")
            ready = time.monotonic()
            detail = (f"restart after {f['restart_after']} s" if "restart_after" in f
                      else f"{f['seconds']} s")
            out(f"  {f['at']:7.2f} s  {f['kind']:<13}{f['node']}  ({detail})  master "
                f"{f['master_before']} -> {f['master_after']}  steady "
                f"{f.get('steady_s', 'NOT') } s after", flush=True)
            save()
        heal(lab)
        try:
            master = wait_for("a steady cluster at the end", lambda: steady(lab),
                              timeout=FINAL_TIMEOUT_S, interval=0.2)
            writer.wait_acks(writer.acks() + 100)
        except AssertionError as e:
            master = None
            errors.append(f"no steady cluster at the end: {e}")
        summary = writer.stop()
        writer = None
        clock.stop.set()
        acked = summary["acked_keys"]
        final = keys_on(master, PREFIX) if master else set()
        lost = sorted(int(k.split(":")[1]) for k in set(acked) - final)
        by_rule, unattributed = {}, []
        for n in lost:
            lo, hi = clock.interval(n)
            rule, _ = attribute(lo, hi, faults)
            if rule:
                by_rule[rule] = by_rule.get(rule, 0) + 1
            else:
                unattributed.append(n)
        for first, last in ranges(lost):
            lo, hi = clock.interval(first)[0], clock.interval(last)[1]
            rule, f = attribute(lo, hi, faults)
            near = min((f for f in faults if "end" in f), default=None,
                       key=lambda f: min(abs(f["hit"] - hi), abs(f["end"] - lo)))
            out(f"  lost {PREFIX}:{first}..{last} ({last - first + 1}), acknowledged "
                f"{lo - t0:.2f}..{hi - t0:.2f} s: "
                + (f"{rule} ({f['node']} at {f['at']} s)" if rule else
                   "UNATTRIBUTED" + (f"; nearest fault {near['kind']} {near['node']} at "
                                     f"{near['at']} s (master {near['master_before']} -> "
                                     f"{near['master_after']})" if near else "")))
            if not rule:
                for t, node, text in log_lines_near(lab, t0, wall_offset, lo, hi):
                    out(f"      {t:7.2f} s {node}: {text}")
        if unattributed:
            errors.append(f"{len(unattributed)} lost acknowledged writes not attributed")
        counts = {k: sum(f["kind"] == k for f in faults) for k in KINDS}
        if require_all_kinds and not all(counts.values()):
            errors.append(f"not every fault kind occurred: {counts}")
        result.update(faults=len(faults), by_kind=counts, acked=len(acked), lost=len(lost),
                      lost_by_attribution=by_rule, unattributed=len(unattributed),
                      unattributed_keys=[f"{a}..{b}" for a, b in ranges(unattributed)],
                      longest_outage_s=round(summary["longest_outage_s"], 3),
                      final_master=master.name if master else None)
    except Exception as e:  # noqa: BLE001 - report the run as failed, then clean up
        traceback.print_exc()
        errors.append(f"{type(e).__name__}: {e}")
    finally:
        if clock:
            clock.stop.set()
        for n in lab.nodes:
            n.signal_redkeep(signal.SIGCONT)
        if writer:
            try:
                writer.stop()
            except Exception:  # noqa: BLE001
                pass
        save()
        result.update(errors=errors, ok=not errors,
                      wall_s=round(time.monotonic() - started, 1))
        if errors and lab.dir.exists():
            dest = LOG_DIR / f"seed{seed}"
            shutil.rmtree(dest, ignore_errors=True)
            result["logs"] = str(lab.keep_logs(dest, (".log", ".json", ".conf")))
        lab.down()
    return result


def print_figures(r, out=print):
    out(f"faults by kind: {r.get('by_kind')}")
    out(f"acknowledged writes: {r.get('acked')}, lost: {r.get('lost')}, by attribution: "
        f"{r.get('lost_by_attribution')}, unattributed: {r.get('unattributed')}"
        + (f" ({', '.join(r['unattributed_keys'])})" if r.get("unattributed_keys") else ""))
    out(f"longest write outage: {r.get('longest_outage_s')} s; final master "
        f"{r.get('final_master')}; {'PASSED' if r['ok'] else 'FAILED: ' + '; '.join(r['errors'])}"
        + (f"; logs kept in {r['logs']}" if r.get("logs") else ""))
    out(f"fault list: {r['record']} (replay: --faults {r['record']})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=90.0, help="seconds of faults (90)")
    ap.add_argument("--seed", type=int, help="RNG seed (default: random, printed)")
    ap.add_argument("--runs", type=int, default=1, help="runs, seeds SEED..SEED+RUNS-1")
    ap.add_argument("--faults", help="replay this fault list (JSON) instead of a seed")
    ap.add_argument("--record", help="fault list written here (default "
                    "/tmp/random_faults_seed<seed>.json; {seed} is replaced)")
    ap.add_argument("--require-all-kinds", action="store_true",
                    help="fail the run unless every fault kind occurred")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("random_faults.py needs root (network namespaces)", file=sys.stderr)
        return 2
    plan = None
    if a.faults:
        data = json.loads(Path(a.faults).read_text())
        plan = data["faults"] if isinstance(data, dict) else data
        a.runs = 1
        if a.seed is None and isinstance(data, dict):
            a.seed = data.get("seed")
    if a.seed is None and plan is None:
        a.seed = random.SystemRandom().randrange(1, 1_000_000)
    seeds = range(a.seed, a.seed + a.runs) if a.seed is not None else ["replay"]
    results = []
    for s in seeds:
        record = (a.record or "/tmp/random_faults_seed{seed}.json").replace("{seed}", str(s))
        if a.record and a.runs > 1 and "{seed}" not in a.record:
            record = f"{a.record}.seed{s}"
        if a.faults and Path(record).resolve() == Path(a.faults).resolve():
            record += ".replay"  # keep the list being replayed
        print(f"random faults: seed {s}, "
              + (f"replaying {len(plan)} faults of {a.faults}" if plan else
                 f"{a.duration:g} s of faults") + f", fault list to {record}", flush=True)
        r = one_run(s, a.duration, plan, record, a.require_all_kinds)
        print_figures(r)
        results.append(r)
    if len(results) > 1:
        print()
        hdr = (f"{'seed':>6} {'faults':>6} {'redis':>5} {'rkeep':>5} {'stop':>4} {'link':>4} "
               f"{'isl':>4} {'acked':>7} {'lost':>5} {'attrib':>6} {'unattr':>6} "
               f"{'outage s':>8} {'wall s':>6}  result")
        print(hdr)
        print("-" * len(hdr))
        for r in results:
            k = r.get("by_kind") or {}
            print(f"{r['seed']:>6} {r.get('faults', 0):>6} "
                  + " ".join(f"{k.get(x, 0):>{w}}" for x, w in zip(KINDS, (5, 5, 4, 4, 4)))
                  + f" {r.get('acked', 0):>7} {r.get('lost', 0):>5} "
                  f"{sum((r.get('lost_by_attribution') or {}).values()):>6} "
                  f"{r.get('unattributed', 0):>6} {r.get('longest_outage_s', 0):>8} "
                  f"{r['wall_s']:>6}  {'ok' if r['ok'] else 'FAILED'}")
    totals = {"runs": len(results), "passed": sum(r["ok"] for r in results),
              "faults": sum(r.get("faults", 0) for r in results),
              "by_kind": {k: sum((r.get("by_kind") or {}).get(k, 0) for r in results)
                          for k in KINDS},
              "acked": sum(r.get("acked", 0) for r in results),
              "lost": sum(r.get("lost", 0) for r in results),
              "unattributed": sum(r.get("unattributed", 0) for r in results)}
    rules = {}
    for r in results:
        for rule, n in (r.get("lost_by_attribution") or {}).items():
            rules[rule] = rules.get(rule, 0) + n
    totals["lost_by_attribution"] = rules
    if len(results) > 1:
        print(f"totals: {totals}")
    print("RANDOM_FAULTS_JSON " + json.dumps({"totals": totals, "runs": results}), flush=True)
    return 0 if totals["passed"] == totals["runs"] else 1


if __name__ == "__main__":
    sys.exit(main())
