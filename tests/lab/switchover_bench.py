#!/usr/bin/env python3
"""Switchover under writes, measured in the namespace lab (a benchmark; outside CI
but for a one-run smoke).

One lab (three redkeep nodes 150/100/50, nopreempt, advert_int 1, VRRPv2), a writer through
the VIP (writer.py: SET every 10 ms, 200 ms timeout per attempt), then --runs switchovers
(default 20) in rotation n2, n3, n1, n2, ...: each run waits until the current master is back
at its configured priority and the target's redkeep sees its Redis synced, then runs
`redkeep switchover` on the target and waits for 50 more acknowledged writes.

Per run: the `redkeep switchover` wall time, and the write outage around it (writer.py's
outages that began between the command's start and its end + 1 s: from the last acknowledged
SET before the failures to the first after them; 0 when no write failed). At the end:
acknowledged writes missing on the final master (the goal: 0), the outage's median,
95th percentile and maximum (the target: below 1 s at advert_int 1).

  python3 tests/lab/switchover_bench.py [--runs 20] [--timeout 5]

Prints one line per run, a summary, and one JSON line starting with `SWITCHOVER_JSON `.
REDKEEP_BINARY selects the binary (default build/redkeep). Needs root. Exit 1 when a
switchover failed or an acknowledged write was lost.
"""

import argparse
import json
import statistics
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
from helpers import Writer, assert_one_master, keys_on  # noqa: E402
from lab import Lab, wait_for  # noqa: E402
from switchover_scenarios import switchover, wait_synced  # noqa: E402


def outage_around(summary, start, end):
    """The longest writer outage that began (first failed attempt) within [start, end]."""
    spans = [o["duration_s"] for o in summary["outages"] if start <= o["first_fail"] <= end]
    return max(spans, default=0.0)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(runs, timeout):
    lab = Lab()
    results = []
    ok = False
    try:
        lab.up()
        lab.start_all()
        writer = Writer(lab, "swb", duration=3600)
        try:
            writer.wait_acks(300)
            rotation = [lab.nodes[1], lab.nodes[2], lab.nodes[0]]
            for i in range(runs):
                target = rotation[i % 3]
                old = assert_one_master(lab)
                wait_for(f"{old.name} at its configured priority",
                         lambda: old.status()["effective_priority"] == old.priority, timeout=15)
                wait_synced(target, old)
                t0 = time.monotonic()
                code, out = switchover(target, timeout=timeout)
                t1 = time.monotonic()
                if code != 0:
                    raise AssertionError(f"run {i + 1}: switchover to {target.name} exited "
                                         f"{code}: {out}")
                assert_one_master(lab, target, timeout=5)
                writer.wait_acks(writer.acks() + 50)
                results.append({"run": i + 1, "from": old.name, "to": target.name,
                                "command_s": round(t1 - t0, 3), "t0": t0, "t1": t1})
                print(f"run {i + 1:2d}: {old.name} -> {target.name}, command "
                      f"{t1 - t0:.3f} s", flush=True)
        finally:
            summary = writer.stop()
        master = assert_one_master(lab)
        lost = set(summary["acked_keys"]) - keys_on(master, "swb")
        for r in results:
            r["outage_s"] = round(outage_around(summary, r.pop("t0"), r.pop("t1") + 1.0), 3)
        outages = [r["outage_s"] for r in results]
        figures = {
            "runs": len(results),
            "acknowledged": summary["acknowledged"],
            "acked_lost": len(lost),
            "outage_median_s": round(statistics.median(outages), 3) if outages else None,
            "outage_p95_s": round(percentile(outages, 95), 3) if outages else None,
            "outage_max_s": max(outages, default=None),
            "command_median_s": round(statistics.median(r["command_s"] for r in results), 3)
            if results else None,
            "per_run": results,
        }
        print(f"{len(results)} switchovers, {summary['acknowledged']} writes acknowledged, "
              f"{len(lost)} lost; write outage median {figures['outage_median_s']} s, "
              f"p95 {figures['outage_p95_s']} s, max {figures['outage_max_s']} s; command "
              f"median {figures['command_median_s']} s")
        print("SWITCHOVER_JSON " + json.dumps(figures), flush=True)
        ok = not lost and len(results) == runs
    except BaseException:  # noqa: BLE001 - report, then clean up whatever happened
        traceback.print_exc()
        for n in lab.nodes:
            print(f"----- {n.name} redkeep log -----")
            print(n.log_text()[-4000:])
    finally:
        lab.down()
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=5.0, help="redkeep switchover --timeout")
    a = ap.parse_args()
    return 0 if run(a.runs, a.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
