#!/usr/bin/env python3
"""The data-safety benchmark: each data-safety lab scenario run
--runs times (5), each run in a fresh namespace lab with a writer through the
VIP (tests/lab/writer.py: SET every 10 ms, 200 ms timeout), with three
figures per run:

  acked lost    writes the writer had acknowledged that are missing on the
                final master (the whole run, before and after the fault)
  keys lost     keys some replica held just before the fault that are missing
                on the final master (cold_start_order: keys of the node with
                the newest RDB that are gone from it)
  outage        the writer's longest run of failures, from the last
                acknowledged write before it to the first one after, seconds

The scenarios are the lab tests themselves (scenarios.py, fault_scenarios.py):
a run whose assertions fail is reported as FAILED with the error. For the
split with clients on both sides a second writer writes to the
old master's own address; its acknowledged writes count in "acked lost", and
the case runs with min_replicas_to_write 1 / min_replicas_max_lag 1 and
without. The recipe beside (isolated master, rolling restart):
tests/lab/recipe_bench.py.

  python3 tests/lab/safety_bench.py [--runs 5] [--only NAME ...]

Prints one line per run, a table, then one JSON line starting with
`SAFETY_JSON `. Needs root and a built redkeep (REDKEEP_BINARY, default
build/redkeep).
"""

import argparse
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
import fault_scenarios  # noqa: E402
import scenarios  # noqa: E402
from lab import Lab  # noqa: E402


def split(lab):
    f = scenarios.partition_round(lab)
    return {"acked": f["vip_acked"] + f["stale_acked"],
            "acked_lost": f["vip_lost"] + f["stale_lost"], "keys_lost": f["keys_lost"],
            "longest_outage_s": round(f["longest_outage_s"], 3),
            "detail": {k: f[k] for k in ("vip_lost", "vip_lost_after_takeover", "stale_lost",
                                         "stale_acked", "stale_noreplicas")}}


# (name, issue item, what, function, lab options)
CASES = [
    ("isolated_master", "7.1", "master's packets dropped 10 s, link up",
     scenarios.scenario_isolated_master, {}),
    ("isolated_master_link", "7.1", "master's link cut 10 s",
     scenarios.scenario_isolated_master_link, {}),
    ("split", "7.1/7.7", "split 10 s, clients on both sides, min-replicas off", split, {}),
    ("split_min_replicas", "7.1/7.7", "the same, min_replicas_to_write 1, max_lag 1", split,
     {"min_replicas": (1, 1)}),
    ("lagging_replica", "7.2", "master's Redis dies while one replica lags",
     scenarios.scenario_lagging_replica, {}),
    ("lagging_replica_silent", "7.2", "the same, the master isolated (adverts stop, no priority 0)",
     scenarios.scenario_lagging_replica_silent, {}),
    ("loading_replica", "7.3", "master's Redis dies while a replica is LOADING",
     fault_scenarios.scenario_loading_replica_passed_over, {}),
    ("unsynced_replica", "7.3", "master's Redis dies while a replica has not synced",
     fault_scenarios.scenario_unsynced_replica_passed_over, {}),
    ("boot_without_network", "7.4", "node boots with link down, then packets dropped",
     scenarios.scenario_boot_without_network, {}),
    ("cold_start_order", "7.5", "newest RDB started last after an empty master",
     scenarios.scenario_cold_start_order, {}),
    ("rolling_restart", "7.6", "each node: SIGTERM redkeep, redis; restart; 10 s apart",
     scenarios.scenario_rolling_restart, scenarios.scenario_rolling_restart.lab_options),
]


def one_run(fn, options, prefix):
    lab = Lab(prefix=prefix, **options)
    try:
        lab.up()
        return fn(lab)
    finally:
        lab.down()


def spread(values):
    """median [min-max] of the runs that produced a figure."""
    vals = [v for v in values if v is not None]
    if not vals:
        return "-"
    fmt = (lambda v: f"{v:.3f}") if isinstance(vals[0], float) else str
    med = statistics.median(vals)
    return f"{fmt(med)} [{fmt(min(vals))}-{fmt(max(vals))}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", action="append", default=[], choices=[c[0] for c in CASES])
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("safety_bench.py needs root (network namespaces)", file=sys.stderr)
        return 2
    prefix = f"rsb{os.getpid() % 10000}"
    cases = [c for c in CASES if not a.only or c[0] in a.only]
    results = []
    for name, item, what, fn, options in cases:
        for r in range(1, a.runs + 1):
            t = time.monotonic()
            res = {"case": name, "run": r}
            try:
                res.update(one_run(fn, options, prefix))
                res["ok"] = True
            except Exception as e:  # noqa: BLE001 - one failed run must not hide the others
                traceback.print_exc()
                res.update(ok=False, error=str(e)[:300])
            results.append(res)
            shown = {k: v for k, v in res.items() if k not in ("case", "run")}
            print(f"{name} run {r}: {shown} [{time.monotonic() - t:.0f} s]", flush=True)
    print()
    hdr = (f"{'item':<8}{'case':<22}{'passed':>7}  {'acked lost':<18}{'keys lost':<16}"
           f"{'longest outage s':<24}what")
    print(hdr)
    print("-" * (len(hdr) + 40))
    rows = []
    for name, item, what, _, _ in cases:
        rs = [r for r in results if r["case"] == name]
        ok = [r for r in rs if r["ok"]]
        row = {"case": name, "item": item, "what": what, "runs": len(rs), "passed": len(ok),
               "acked": [r.get("acked") for r in ok],
               "acked_lost": [r.get("acked_lost") for r in ok],
               "keys_lost": [r.get("keys_lost") for r in ok],
               "longest_outage_s": [r.get("longest_outage_s") for r in ok]}
        rows.append(row)
        print(f"{item:<8}{name:<22}{len(ok):>3}/{len(rs):<3}  {spread(row['acked_lost']):<18}"
              f"{spread(row['keys_lost']):<16}{spread(row['longest_outage_s']):<24}{what}")
    print("figures: median [min-max] over the passed runs")
    failed = [r for r in results if not r["ok"]]
    if failed:
        print(f"\n{len(failed)} run(s) failed: " +
              "; ".join(f"{r['case']} run {r['run']}: {r['error']}" for r in failed))
    print("SAFETY_JSON " + json.dumps({"rows": rows, "runs": results}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
