#!/usr/bin/env python3
"""Cold start after a power failure, measured in the namespace lab (a benchmark;
outside CI).

Each cell is cold_start_scenarios.run_cell in a fresh lab (one cell, one lab,
always torn down): three redkeep nodes (150/100/50, nopreempt, advert_int 1),
K = 500 keys through the VIP held by all three, the stale node dies, 500 more
held by the two others, power failure (every redkeep and redis-server
SIGKILLed, the VIP address gone), then a restart in the cell's order with the
cell's gaps (from one node's start to the next), a writer through the VIP
(writer.py, SET every 10 ms, 200 ms timeout) from the last start on.

The matrix: persistence (none; RDB, SAVE on every node before its power goes;
AOF, appendfsync always) x stale node (n1, n2, n3) x the 6 start orders x two
gap variants: short, both gaps drawn from U(0, 2) s, and long, both 10 s +
U(0, 2) s (the first node alone, then the first two together, for longer than
twice Master_Down_Interval, 7.6 s for n3: a stale node alone that long is
the failing case). Every order is run, not a subset: which node comes
first (alone) and which last (meeting a master) is the whole question. 108
cells, about 1.5 hours. The gaps are drawn from a generator seeded with
(--seed, the cell, the run), so one seed reproduces a cell's gaps whatever
else runs; the seed is printed.

The repeated row (--repeat ROW, default aof/n3, the failing case's row): its 6
start orders --runs times each (20), fresh short gaps each run (or
--repeat-gaps long).

The failing case beside the recipe (--recipe): the lab scenario's cell (AOF, n3
stale, n3 first, n2 15 s later, n1 1 s after n2) with redkeep, and with the
keepalived recipe instead of redkeep on every node (recipe_bench.RecipeLab:
Debian's keepalived 2.2.7, notify scripts REPLICAOF NO ONE / REPLICAOF <VIP>;
killed with SIGKILL to its process group at the power failure).

Per cell: acknowledged writes lost (the 2K before the power failure, except
without persistence where they are gone by design, plus the writer's after
the restart, missing on the final master), seconds from the last start (just
before the last node's redis-server starts) to the writer's first
acknowledged write (a writable VIP), pass/fail with the violations
(cold_start_scenarios.py module doc).

  python3 tests/lab/cold_start_bench.py                   everything
  python3 tests/lab/cold_start_bench.py --matrix [--only aof/n3 --only '*/n1/*/long']
  python3 tests/lab/cold_start_bench.py --repeat [aof/n3] [--runs 20]
  python3 tests/lab/cold_start_bench.py --recipe
  python3 tests/lab/cold_start_bench.py --smoke          one cell (the first --only selects)
  options: --seed N, --gaps short|long|both, --keep-logs DIR

Prints one line per cell, then tables, then one JSON line starting with
`COLD_START_JSON `. Node logs of each cell are kept under --keep-logs (default
/tmp/redkeep-cold-start-bench-<pid>). REDKEEP_BINARY selects the redkeep
binary (default build/redkeep). Needs root. Exit 1 if a cell failed.
"""

import argparse
import fnmatch
import itertools
import json
import os
import statistics
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
import cold_start_scenarios as cs  # noqa: E402
from lab import Lab  # noqa: E402
from recipe_bench import RecipeLab  # noqa: E402

PERSISTENCES = ("none", "rdb", "aof")
STALE = (1, 2, 3)
ORDERS = tuple(itertools.permutations((1, 2, 3)))
VARIANTS = ("short", "long")
FAILING_CASE = cs.Cell("aof", 3, (3, 2, 1), (15.0, 1.0), "fixed")
SMOKE_DEFAULT = "aof/n3/321/short"


def selected(cell, only):
    """--only patterns: a prefix of the cell's key (aof, aof/n3, aof/n3/321) or an
    fnmatch pattern of it (*/n1/*/long)."""
    key = cell.key()
    return not only or any(key.startswith(p) or fnmatch.fnmatch(key, p) for p in only)


def matrix_cells(seed, gaps, only):
    variants = VARIANTS if gaps == "both" else (gaps,)
    cells = [cs.make_cell(p, s, o, v, seed)
             for p in PERSISTENCES for s in STALE for v in variants for o in ORDERS]
    return [c for c in cells if selected(c, only)]


def repeat_cells(row, runs, seed, variant, only):
    p, s = row.split("/")
    s = int(s.lstrip("n"))
    cells = [cs.make_cell(p, s, o, variant, seed, run)
             for o in ORDERS for run in range(1, runs + 1)]
    return [c for c in cells if selected(c, only)]


def one_cell(cell, prefix, logs_dir, lab_class=Lab):
    lab = lab_class(prefix=prefix, **cs.options(cell.persistence))
    started = time.monotonic()
    try:
        lab.up()
        res = cs.run_cell(lab, cell, log=lambda *_: None)
    except Exception as e:  # noqa: BLE001 - one broken cell must not hide the others
        traceback.print_exc()
        res = {"cell": cell.key(), **asdict(cell), "passed": False, "error": str(e),
               "violations": [f"error: {e}"], "acked_lost": None, "to_writable_s": None}
    finally:
        try:
            lab.keep_logs(logs_dir, (".log", ".conf"))
        except OSError:
            pass
        lab.down()
    res["seconds"] = round(time.monotonic() - started)
    return res


def brief(res):
    """The JSON record of one cell: its figures, without the writers' key lists."""
    out = {k: res.get(k) for k in ("persistence", "stale", "order", "variant", "seed", "seconds",
                                   "error")}
    out.update(cs.figures_of(res))
    return out


def report(tag, n, total, cell, res):
    print(f"[{tag} {n}/{total}] {cell.label()}: {cs.summary_line(res)} [{res['seconds']} s]",
          flush=True)
    for v in res["violations"]:
        print(f"      - {v}", flush=True)


def mark(res):
    if res is None:
        return "-"
    lost = res.get("acked_lost")
    t = res.get("to_writable_s")
    return (f"{'ok' if res['passed'] else 'FAIL'} {lost if lost is not None else '?'}/"
            f"{f'{t:.1f}' if t is not None else '-'}")


def matrix_table(results):
    print("\nmatrix: acked writes lost / seconds from the last start to a writable VIP "
          "(ok = passed)")
    hdr = f"{'persistence':<11} {'stale':<5} {'gaps':<5} " + " ".join(
        f"{'-'.join(map(str, o)):>13}" for o in ORDERS)
    print(hdr)
    print("-" * len(hdr))
    rows = {}
    for r in results:
        rows.setdefault((r["persistence"], r["stale"], r["variant"]), {})[tuple(r["order"])] = r
    for (p, s, v), by_order in rows.items():
        print(f"{p:<11} n{s:<4} {v:<5} " + " ".join(f"{mark(by_order.get(o)):>13}"
                                                   for o in ORDERS))
    passed = sum(r["passed"] for r in results)
    print(f"{passed} of {len(results)} cells passed")


def repeat_table(row, results):
    print(f"\nrepeated row {row}: per start order")
    hdr = (f"{'order':<6} {'runs':>4} {'passed':>6}  {'acked lost (sum, max)':<22} "
           f"{'to writable s (median, max)':<28}")
    print(hdr)
    print("-" * len(hdr))
    out = []
    for o in ORDERS:
        rs = [r for r in results if tuple(r["order"]) == o]
        if not rs:
            continue
        lost = [r["acked_lost"] for r in rs if r["acked_lost"] is not None]
        ts = [r["to_writable_s"] for r in rs if r["to_writable_s"] is not None]
        row_out = {"order": list(o), "runs": len(rs), "passed": sum(r["passed"] for r in rs),
                   "acked_lost": [r["acked_lost"] for r in rs],
                   "to_writable_s": [r["to_writable_s"] for r in rs]}
        out.append(row_out)
        lost_s = f"{sum(lost)}, {max(lost)}" if lost else "-"
        ts_s = f"{statistics.median(ts):.2f}, {max(ts):.2f}" if ts else "-"
        unknown = len(rs) - len(lost)
        print(f"{'-'.join(map(str, o)):<6} {len(rs):>4} {row_out['passed']:>6}  "
              f"{lost_s + (f' (+{unknown} ?)' if unknown else ''):<22} {ts_s:<28}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--matrix", action="store_true", help="every cell of the matrix once")
    ap.add_argument("--repeat", nargs="?", const="aof/n3", metavar="ROW",
                    help="one row's 6 start orders, --runs times each (default row aof/n3)")
    ap.add_argument("--recipe", action="store_true",
                    help="the failing case with redkeep and with the keepalived recipe")
    ap.add_argument("--smoke", action="store_true", help="one cell only")
    ap.add_argument("--only", action="append", default=[],
                    help="cells whose key (e.g. aof/n3/321/long) starts with or matches this")
    ap.add_argument("--runs", type=int, default=20, help="runs per order of --repeat's row")
    ap.add_argument("--recipe-runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=None, help="gap seed (default: random)")
    ap.add_argument("--gaps", choices=("short", "long", "both"), default="both",
                    help="gap variants of the matrix")
    ap.add_argument("--repeat-gaps", choices=VARIANTS, default="short")
    ap.add_argument("--keep-logs", default=f"/tmp/redkeep-cold-start-bench-{os.getpid()}")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("cold_start_bench.py needs root (network namespaces)", file=sys.stderr)
        return 2
    if not (a.matrix or a.repeat or a.recipe or a.smoke):
        a.matrix, a.repeat, a.recipe = True, "aof/n3", True
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "big")
    binary = Lab(prefix="x").binary
    print(f"seed {seed} (rerun with --seed {seed}); redkeep binary {binary}", flush=True)
    prefix = f"csb{os.getpid() % 10000}"
    logs_root = Path(a.keep_logs)

    plan = []  # (part, cell, lab class)
    if a.smoke:
        cells = [c for c in matrix_cells(seed, "both", a.only or [SMOKE_DEFAULT])]
        plan = [("smoke", cells[0], Lab)] if cells else []
    else:
        if a.matrix:
            plan += [("matrix", c, Lab) for c in matrix_cells(seed, a.gaps, a.only)]
        if a.repeat:
            plan += [("repeat", c, Lab)
                     for c in repeat_cells(a.repeat, a.runs, seed, a.repeat_gaps, a.only)]
        if a.recipe:
            for r in range(a.recipe_runs):
                plan += [("failing-redkeep", FAILING_CASE, Lab),
                         ("failing-recipe", FAILING_CASE, RecipeLab)]
    if not plan:
        print("no cell selected", file=sys.stderr)
        return 2
    print(f"{len(plan)} cell(s); logs under {logs_root}", flush=True)

    results = {}
    try:
        for n, (part, cell, lab_class) in enumerate(plan, 1):
            logs = logs_root / f"{n:03d}-{part}-{cell.key().replace('/', '-')}"
            res = one_cell(cell, prefix, logs, lab_class)
            results.setdefault(part, []).append(res)
            report(part, n, len(plan), cell, res)
    except KeyboardInterrupt:
        print("interrupted: the tables below cover the cells that ran", flush=True)

    out = {"seed": seed, "binary": str(binary), "logs": str(logs_root)}
    for part in ("smoke", "matrix"):
        if part in results:
            matrix_table(results[part])
            out[part] = [brief(r) for r in results[part]]
    if "repeat" in results:
        out["repeat"] = {"row": a.repeat, "gaps": a.repeat_gaps,
                         "orders": repeat_table(a.repeat, results["repeat"]),
                         "cells": [brief(r) for r in results["repeat"]]}
    if "failing-redkeep" in results or "failing-recipe" in results:
        print(f"\nthe failing case ({FAILING_CASE.label()}): redkeep beside the "
              "keepalived recipe")
        out["failing_case"] = {}
        for part, name in (("failing-redkeep", "redkeep"), ("failing-recipe", "recipe")):
            for r in results.get(part, []):
                print(f"  {name:<8} {cs.summary_line(r)}")
            out["failing_case"][name] = [brief(r) for r in results.get(part, [])]
    failed = sum(not r["passed"] for rs in results.values() for r in rs)
    print(f"\n{failed} of {sum(len(rs) for rs in results.values())} cell(s) failed")
    print("COLD_START_JSON " + json.dumps(out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
