#!/usr/bin/env python3
"""The recipe on keepalived, measured in the namespace lab: the baseline
redkeep's data-safety rules are compared with.

All three nodes run Debian's keepalived 2.2.7 with the recipe's configuration
(DESIGN.md section 1, seed/): state BACKUP, nopreempt, VRID 55, advert_int 1,
PASS auth "1111", priorities 150/100/50, vrrp_script redis_check (`redis-cli
PING` == PONG) interval 2 timeout 2 fall 3, notify_master -> `REPLICAOF NO
ONE`, notify_backup/fault/stop -> `REPLICAOF <VIP> 6379`; redis-server without
persistence (lab.py). keepalived runs as keepalived_lab.py runs it. A writer
(writer.py in the client namespace, SET through the VIP every 10 ms, 200 ms
timeout) runs during each run. A fresh lab per run; every lab is torn down.

  (A) fast-restart: kill -9 of the master's redis-server, started
      again 50 ms later. Keys lost = keys on some replica right after the kill
      that are missing on the final master (the VIP holder at the end).
  (B) isolated-master: the master's packets all dropped for 10 s
      with its link up (Node.isolate), under writes, then healed;
      isolated-master-link: its link cut for 10 s instead (carrier loss). Keys lost =
      writes acknowledged from 0.5 s after the new master took over (as in
      scenarios.scenario_isolated_master) that are missing on the final master.
  (C) rolling-restart: each node in turn: SIGTERM keepalived,
      SIGTERM redis-server (RDB saved at shutdown: --save "3600 1" here), 2 s,
      redis-server, keepalived, 10 s. Keys lost = acknowledged writes missing
      on the final master; a 100 ms poll counts moments with more than one
      VIP holder or a VIP holder whose Redis is not master.

After the fault (A) or the heal (B) it waits until things settle: one VIP
holder whose Redis is master, the other two replicas of the VIP with their
link up, a write acknowledged since, all unchanged for 2 s, and no earlier
than --min-wait (A: 8 s, past three failed checks 2 s apart, so keepalived
would have gone FAULT if it was going to); at most --settle s (15). An
unsettled run is reported as such and counted on the VIP holder anyway.

  python3 tests/lab/recipe_bench.py [--runs 5] [--only SCENARIO ...]

Prints one line per run, a table, then one JSON line starting with
`RECIPE_JSON `. Node logs (keepalived, notify, redis_check, redis) of each run
are kept under --keep-logs (default /tmp/redkeep-recipe-bench-<pid>). Needs root.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
from keepalived_lab import KEEPALIVED_STATE, KeepalivedLab, KeepalivedNode  # noqa: E402
from lab import VIP, wait_for  # noqa: E402
from helpers import Writer, keys_on  # noqa: E402

SCENARIOS = ("fast-restart", "isolated-master", "isolated-master-link", "rolling-restart")
RESTART_DELAY_S = 0.05
ISOLATION_S = 10.0
STABLE_FOR_S = 2.0
WRITER_WARMUP_S = 2.0
MIN_WAIT_S = {"fast-restart": 8.0, "isolated-master": 3.0, "isolated-master-link": 3.0,
              "rolling-restart": 3.0}


class RecipeKeepalivedNode(KeepalivedNode):
    """keepalived with the recipe's vrrp_script exactly: interval 2, timeout 2,
    fall 3 and no rise (keepalived's default); keepalived_lab.py checks every
    second with rise 2 for its interop tests."""

    def config_text(self):
        text = super().config_text()
        old = "    interval 1\n    timeout 2\n    fall 3\n    rise 2\n"
        assert old in text, "keepalived_lab.py's vrrp_script changed: update recipe_bench.py"
        return text.replace(old, "    interval 2\n    timeout 2\n    fall 3\n")


class RecipeLab(KeepalivedLab):
    """Three keepalived nodes with the recipe's configuration, no redkeep."""

    def __init__(self, **kw):
        super().__init__(keepalived=(1, 2, 3), version=2, advert_int="1", nopreempt=True, **kw)
        for n in self.nodes:
            n.ka = RecipeKeepalivedNode(n, password="1111")

    def start_cluster(self):
        """Redis everywhere, then keepalived on n1 (it becomes MASTER after
        Master_Down_Interval), then n2 and n3 (BACKUP, replicas of the VIP)."""
        for n in self.nodes:
            n.start_redis()
        n1 = self.nodes[0]
        n1.ka.start()
        wait_for("n1 MASTER with the VIP and its Redis master",
                 lambda: n1.ka.state() == "MASTER" and self.vip_holders() == [n1]
                 and n1.role()[:1] == ["master"], timeout=15)
        for n in self.nodes[1:]:
            n.ka.start()
        for n in self.nodes[1:]:
            wait_for(f"{n.name} BACKUP, replica of the VIP with its link up",
                     lambda n=n: n.ka.state() == "BACKUP" and replica_of_vip(n), timeout=15)
        return n1


def replica_of_vip(node):
    return node.role()[:4] == ["slave", VIP, "6379", "connected"]


def settled_master(lab, writer, since):
    """The VIP holder if the cluster looks settled (see module doc), else None."""
    holders = lab.vip_holders()
    if len(holders) != 1:
        return None
    m = holders[0]
    if m.role()[:1] != ["master"]:
        return None
    if not all(replica_of_vip(n) for n in lab.nodes if n is not m):
        return None
    s = writer.status()
    if not s or not s["last_ack"] or s["last_ack"] <= since:
        return None
    return m


def wait_settled(lab, writer, since, min_wait, bound):
    """Polls until the same settled master for STABLE_FOR_S and at least
    min_wait s after `since` (monotonic); at most `bound` s. Returns (settled,
    seconds from since to the start of the stable period or None)."""
    deadline = since + bound
    last, stable_since = None, None
    while time.monotonic() < deadline:
        now = time.monotonic()
        try:
            m = settled_master(lab, writer, since)
        except Exception:  # noqa: BLE001 - a poll may fail while things move
            m = None
        if m is None or m is not last:
            stable_since = now if m is not None else None
        last = m
        if (stable_since is not None and now - stable_since >= STABLE_FOR_S
                and now - since >= min_wait):
            return True, stable_since - since
        time.sleep(0.1)
    return False, None


def states_since(lab, offsets):
    """keepalived states each node entered since the log offsets."""
    out = {}
    for n in lab.nodes:
        with open(n.ka.log, "rb") as f:
            f.seek(offsets[n.name])
            text = f.read().decode(errors="replace")
        out[n.name] = [m.group(2) for m in KEEPALIVED_STATE.finditer(text)]
    return out


def log_offsets(lab):
    """Sizes of each node's keepalived log and redis_check.log, to read what
    came after."""
    out = {n.name: n.ka.log.stat().st_size for n in lab.nodes}
    for n in lab.nodes:
        p = n.dir / "redis_check.log"
        out[n.name + "-check"] = p.stat().st_size if p.exists() else 0
    return out


def failed_checks_since(lab, offsets):
    """The recipe's `PING -> Failed`-style lines (any answer but PONG) per node."""
    out = {}
    for n in lab.nodes:
        p = n.dir / "redis_check.log"
        if not p.exists():
            continue
        with open(p, "rb") as f:
            f.seek(offsets[n.name + "-check"])
            lines = f.read().decode(errors="replace").splitlines()
        out[n.name] = sum(1 for x in lines if x.startswith("PING -> ") and x != "PING -> PONG")
    return out


def fast_restart(lab, writer, res, a):
    old = lab.nodes[0]
    others = [n for n in lab.nodes if n is not old]
    offsets = log_offsets(lab)
    killed_at = time.monotonic()
    old.kill_redis()
    restarter = threading.Thread(
        target=lambda: (time.sleep(max(0.0, killed_at + RESTART_DELAY_S - time.monotonic())),
                        old.start_redis()))
    restarter.start()
    # What the replicas hold at the moment of the fault: they get nothing more
    # from a dead master (and re-connect at most once a second).
    on_replicas = set().union(*(keys_on(n, writer.prefix) for n in others))
    restarter.join(timeout=20)
    res["fault"] = f"kill -9 {old.name}'s redis-server, restarted after {RESTART_DELAY_S} s"
    res["settled"], res["settled_after_s"] = wait_settled(
        lab, writer, killed_at, a.min_wait or MIN_WAIT_S["fast-restart"], a.settle)
    res["states_after_fault"] = states_since(lab, offsets)
    res["failed_checks_after_fault"] = failed_checks_since(lab, offsets)
    res["keys_checked"] = len(on_replicas)
    return on_replicas


def isolated_master(lab, writer, res, a, cut_link=False):
    old = lab.nodes[0]
    sever = old.link if cut_link else old.isolate
    offsets = log_offsets(lab)
    isolated_at = time.monotonic()
    sever(not cut_link)  # link(False) cuts, isolate(True) isolates

    def new_master():
        for n in lab.nodes[1:]:
            if n.ka.state() == "MASTER" and n.has_vip():
                return n
        return None
    try:
        taker = wait_for("another node MASTER with the VIP", new_master, timeout=10)
        res["takeover_after_s"] = time.monotonic() - isolated_at
        res["took_over"] = taker.name
        time.sleep(0.5)  # as scenario_isolated_master: the writer has moved by then
        cut = writer.status()["attempts"]
        time.sleep(max(0.0, isolated_at + ISOLATION_S - time.monotonic()))
    finally:
        sever(cut_link)
    healed_at = time.monotonic()
    res["heal_cut"] = writer.status()["attempts"]
    how = "link cut" if cut_link else "isolated (link up)"
    res["fault"] = f"{old.name} {how} {ISOLATION_S:g} s, then healed"
    res["settled"], res["settled_after_s"] = wait_settled(
        lab, writer, healed_at, a.min_wait or MIN_WAIT_S["isolated-master"], a.settle)
    res["states_after_fault"] = states_since(lab, offsets)
    return cut


def rolling_restart(lab, writer, res, a):
    offsets = log_offsets(lab)
    violations = []
    stop = threading.Event()

    def monitor():
        while not stop.is_set():
            try:
                holders = lab.vip_holders()
                if len(holders) > 1 or any(h.role()[:1] != ["master"] for h in holders):
                    violations.append(round(time.monotonic(), 1))
            except Exception:  # noqa: BLE001 - a poll may fail while things move
                pass
            time.sleep(0.1)

    watcher = threading.Thread(target=monitor)
    watcher.start()
    try:
        for n in lab.nodes:
            n.ka.stop(signal.SIGTERM)
            n.kill_redis(signal.SIGTERM)
            time.sleep(2)
            n.start_redis()
            n.ka.start()
            time.sleep(10)
    finally:
        stop.set()
        watcher.join(timeout=5)
    done_at = time.monotonic()
    res["fault"] = "rolling restart: keepalived and redis-server SIGTERM, 2 s, start, 10 s apart"
    res["violation_polls"] = len(violations)
    res["settled"], res["settled_after_s"] = wait_settled(
        lab, writer, done_at, a.min_wait or MIN_WAIT_S["rolling-restart"], a.settle)
    res["states_after_fault"] = states_since(lab, offsets)


def one_run(scenario, run_no, prefix, logs_root, a):
    rdb = {"redis_args": ("--save", "3600 1")} if scenario == "rolling-restart" else {}
    lab = RecipeLab(prefix=prefix, **rdb)
    writer = None
    summary = None
    res = {"scenario": scenario, "run": run_no}
    try:
        lab.up()
        lab.start_cluster()
        writer = Writer(lab, "w", duration=300)
        wait_for("writer's first ack", lambda: writer.acks() > 0, timeout=10)
        time.sleep(WRITER_WARMUP_S)  # a fixed warm-up, as bench.py
        st = writer.status()
        assert st["last_fail"] is None, f"writes failed before the fault: {st}"
        if scenario == "fast-restart":
            checked = fast_restart(lab, writer, res, a)
        elif scenario.startswith("isolated-master"):
            cut = isolated_master(lab, writer, res, a, cut_link=scenario.endswith("-link"))
        else:
            rolling_restart(lab, writer, res, a)
        summary = writer.stop()
        writer = None
        holders = lab.vip_holders()
        final = holders[0] if len(holders) == 1 else None
        res["final_master"] = final.name if final else None
        res["vip_holders"] = [n.name for n in holders]
        final_keys = keys_on(final, "w") if final else None
        if scenario.startswith("isolated-master"):
            checked = {k for k in summary["acked_keys"] if int(k.split(":")[1]) >= cut}
            res["keys_checked"] = len(checked)
            # The part acknowledged by the new master while the old one was cut off.
            during = {k for k in checked if int(k.split(":")[1]) < res["heal_cut"]}
            res["isolation_acked"] = len(during)
            res["isolation_acked_lost"] = (None if final is None
                                           else len(during - final_keys))
        elif scenario == "rolling-restart":
            checked = set(summary["acked_keys"])
            res["keys_checked"] = len(checked)
        res["keys_lost"] = None if final is None else len(checked - final_keys)
        res["acked"] = summary["acknowledged"]
        res["acked_lost"] = (None if final is None
                             else len(set(summary["acked_keys"]) - final_keys))
        res["longest_outage_s"] = summary["longest_outage_s"]
        res["outages"] = [round(o["duration_s"], 3) for o in summary["outages"]]
        return res
    except BaseException:
        for n in lab.nodes:
            if n.ka:
                print(f"----- {n.name} keepalived log (tail) -----", file=sys.stderr)
                print(n.ka.log_text(whole=True)[-3000:], file=sys.stderr)
        raise
    finally:
        if writer is not None and writer.proc.poll() is None:
            writer.proc.kill()
            writer.proc.wait(timeout=5)
        try:
            lab.keep_logs(logs_root / f"{scenario}-{run_no}", (".log", ".conf"))
        except OSError:
            pass
        lab.down()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", choices=SCENARIOS, action="append", default=[])
    ap.add_argument("--settle", type=float, default=15.0,
                    help="longest wait for the cluster to settle after the fault/heal, s")
    ap.add_argument("--min-wait", type=float, default=None,
                    help="shortest wait after the fault/heal, s (A: 8, B: 3)")
    ap.add_argument("--keep-logs", default=f"/tmp/redkeep-recipe-bench-{os.getpid()}")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("recipe_bench.py needs root (network namespaces)", file=sys.stderr)
        return 2
    prefix = f"rcb{os.getpid() % 10000}"
    logs_root = Path(a.keep_logs)
    results, errors = [], []
    for sc in (a.only or SCENARIOS):
        for r in range(1, a.runs + 1):
            t = time.monotonic()
            try:
                res = one_run(sc, r, prefix, logs_root, a)
                results.append(res)
                print(f"{sc} run {r}: keys lost {res['keys_lost']} of {res['keys_checked']}, "
                      f"longest outage {res['longest_outage_s']:.3f} s, final master "
                      f"{res['final_master']}, settled {res['settled']}, "
                      f"{res.get('violation_polls', '-')} polls with more than one VIP holder "
                      f"or a VIP holder not Redis master, states "
                      f"{res['states_after_fault']} [{time.monotonic() - t:.0f} s]", flush=True)
            except Exception as e:  # noqa: BLE001 - one failed run must not hide the others
                traceback.print_exc()
                errors.append({"scenario": sc, "run": r, "error": str(e)})
                print(f"{sc} run {r}: FAILED: {e}", flush=True)
    rows = []
    print()
    hdr = (f"{'scenario':<16} {'runs':>4}  {'keys lost / checked':<32} {'longest outage s':<26} "
           f"{'lost / acked while isolated':<28}")
    print(hdr)
    print("-" * len(hdr))
    for sc in (a.only or SCENARIOS):
        rs = [r for r in results if r["scenario"] == sc]
        row = {"scenario": sc, "runs": len(rs),
               "keys_lost": [r["keys_lost"] for r in rs],
               "keys_checked": [r["keys_checked"] for r in rs],
               "longest_outage_s": [round(r["longest_outage_s"], 3) for r in rs],
               "isolation_acked_lost": [r.get("isolation_acked_lost") for r in rs],
               "isolation_acked": [r.get("isolation_acked") for r in rs],
               "final_master": [r["final_master"] for r in rs],
               "violation_polls": [r.get("violation_polls") for r in rs],
               "settled": [r["settled"] for r in rs]}
        rows.append(row)
        lost = ",".join(f"{x}/{y}" for x, y in zip(row["keys_lost"], row["keys_checked"]))
        out = ",".join(f"{x:.3f}" for x in row["longest_outage_s"])
        iso = ",".join(f"{x}/{y}" for x, y in zip(row["isolation_acked_lost"],
                                                  row["isolation_acked"]) if y is not None)
        print(f"{sc:<16} {len(rs):>4}  {lost:<32} {out:<26} {iso or '-'}")
    print("keys lost: (A) keys on a replica right after the kill, (B) writes acknowledged from "
          "0.5 s after\nthe takeover, (C) all acknowledged writes, missing on the final master "
          "(the VIP holder at the end).\n"
          "lost / acked while isolated: (B) the part of those acknowledged before the heal.")
    if errors:
        print(f"\n{len(errors)} run(s) failed: {errors}")
    print("RECIPE_JSON " + json.dumps({"rows": rows, "runs": results, "errors": errors,
                                       "logs": str(logs_root)}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
