#!/usr/bin/env python3
"""redkeep, the keepalived recipe and Redis Sentinel side by side, in one run on one machine.

Every tool runs on the same namespace lab (tests/lab/lab.py: three nodes, real redis-server
7.0 without persistence unless a scenario needs it, the same writer in a client namespace),
with fresh labs per run. Runs are interleaved: run 1 of every scenario with every tool, then
run 2, ..., the tools' order rotating, so drift of the machine hits them alike.

Tools (compare_tools.py): redkeep VRRPv2 advert_int 1 with the recipe's check settings
(check_interval 2, fall 3), redkeep VRRPv3 advert_int 0.1 (check_interval 1, fall 3), the
keepalived recipe (Debian's keepalived 2.2.7, the recipe's config and scripts), Redis Sentinel
(one per node, quorum 2) with down-after-milliseconds 5000 and, on SENTINEL_FAST_SCENARIOS
only, 1000. Scenarios and figures: compare_faults.py. Resources: compare_resources.py.

  python3 tests/bench/compare.py [--runs 3] [--scenario S ...] [--tool T ...]
                                 [--no-resources] [--out DIR] [--smoke]
                                 [--scale] [--fast-profile [--fast-load-seconds 600]]
                                 [--no-comparison]

--scale and --fast-profile add the parts of compare_scale.py (about 4 and 11 minutes).

Prints Markdown tables, writes DIR/compare.json and DIR/compare.svg (the chart: median
outage per scenario per tool, log scale, made by compare_chart.py with Debian's
python3-matplotlib). --smoke checks that every cell got at least SMOKE_MIN_ACKED acknowledged
writes after the fault and that writes came back, and exits 1 otherwise (CI). Needs root.
The method and a run's results: docs/compare.md.
"""

import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
import compare_faults as cf  # noqa: E402
import compare_resources as cr  # noqa: E402
import compare_scale as cscale  # noqa: E402
import compare_tools as ct  # noqa: E402

SENTINEL_FAST_SCENARIOS = ("redis-killed", "node-crash", "isolated")
SMOKE_MIN_ACKED = 100
DEBIAN_PYTHON = "/usr/bin/python3"  # has python3-matplotlib; `python3` may be another one


def plan(tools, scenarios, runs):
    """(run, scenario, tool) in the order they run: interleaved, tools rotating."""
    out = []
    for r in range(1, runs + 1):
        for i, sc in enumerate(scenarios):
            chosen = [t for t in tools
                      if t.key != "sentinel-1000" or sc in SENTINEL_FAST_SCENARIOS]
            if not chosen:
                continue
            k = (r + i) % len(chosen)
            out += [(r, sc, t) for t in chosen[k:] + chosen[:k]]
    return out


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def cell_figures(rs):
    """One tool x scenario cell from its runs."""
    ok = [r for r in rs if "error" not in r]
    # A run whose writes never came back has no finite outage: counted apart, not hidden.
    outages = [r["outage_s"] for r in ok if r.get("outage_recovered")]
    stable = [r["stable_s"] for r in ok if r.get("stable_s") is not None]

    def total(key):
        vals = [r.get(key) for r in ok]
        return None if not vals or None in vals else sum(vals)
    return {"runs": len(rs), "errors": [r["error"] for r in rs if "error" in r],
            "outage_median_s": statistics.median(outages) if outages else None,
            "outage_max_s": max(outages) if outages else None,
            "unrecovered_runs": len(ok) - len(outages),
            "acked": sum(r.get("acked", 0) for r in ok),
            "acked_after_fault": min((r.get("acked_after_fault", 0) for r in ok), default=0),
            "acked_lost": total("acked_lost"), "keys_lost": total("keys_lost"),
            "data_keys": cf.DATA_KEYS * len(ok),
            "stable_median_s": statistics.median(stable) if stable else None,
            "unstable_runs": len(ok) - len(stable)}


def cells(results, tools, scenarios):
    out = {}
    for sc in scenarios:
        for t in tools:
            rs = [r for r in results if r["scenario"] == sc and r["tool"] == t.key]
            if rs:
                out[f"{sc}/{t.key}"] = cell_figures(rs)
    return out


def table(title, tools, scenarios, by_cell, show):
    lines = [f"\n**{title}**\n", "| scenario | " + " | ".join(t.label for t in tools) + " |",
             "|---|" + "---|" * len(tools)]
    for sc in scenarios:
        row = []
        for t in tools:
            c = by_cell.get(f"{sc}/{t.key}")
            if c is None:
                row.append("not run")
            elif c["runs"] == len(c["errors"]):
                row.append("error")
            else:
                row.append(show(c) + (f" ({len(c['errors'])} errors)" if c["errors"] else ""))
        lines.append(f"| {sc} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def tables(tools, scenarios, by_cell):
    return "\n".join([
        table("Longest write outage, s: median (max)", tools, scenarios, by_cell,
              lambda c: f"{fmt(c['outage_median_s'])} ({fmt(c['outage_max_s'])})"
              + (f", {c['unrecovered_runs']} never recovered" if c["unrecovered_runs"] else "")),
        table("Acknowledged writes lost / acknowledged", tools, scenarios, by_cell,
              lambda c: f"{c['acked_lost'] if c['acked_lost'] is not None else '?'} / "
                        f"{c['acked']}"),
        table(f"Keys lost / keys written before the fault ({cf.DATA_KEYS} a run), all runs",
              tools, scenarios, by_cell,
              lambda c: f"{c['keys_lost'] if c['keys_lost'] is not None else '?'} / "
                        f"{c['data_keys']}"),
        table(f"Time to a stable cluster, s: median (runs not stable within {cf.SETTLE_S:g} s)",
              tools, scenarios, by_cell,
              lambda c: fmt(c["stable_median_s"], 1)
              + (f" ({c['unstable_runs']} not)" if c["unstable_runs"] else "")),
    ])


def resources_table(tools, resources):
    flood = "flood of ~10,000 adverts/s"
    lines = ["\n**Per node (the mean of the three; the peak of the highest): resident memory "
             "MiB, mean / peak of the sum of VmRSS (mean of the sum of Pss); CPU seconds in "
             "60 s**\n",
             f"| tool | idle memory | idle CPU s | 3 failovers memory | 3 failovers CPU s | "
             f"{flood} memory | {flood} CPU s |", "|---|---|---|---|---|---|---|"]
    for t in tools:
        r = resources.get(t.key)
        if r is None:
            continue
        if "error" in r:
            lines.append(f"| {t.label} | error: {r['error']} |")
            continue
        row = []
        for part in ("idle", "failovers", "flood"):
            nodes = list(r.get(part, {}).values())
            if not nodes:
                row += ["n/a", "n/a"]
                continue
            row += [f"{statistics.mean(n['rss_mean_mib'] for n in nodes):.1f} / "
                    f"{max(n['rss_peak_mib'] for n in nodes):.1f} "
                    f"({statistics.mean(n['pss_mean_mib'] for n in nodes):.1f})",
                    f"{statistics.mean(n['cpu_s'] for n in nodes):.2f}"]
        lines.append(f"| {t.label} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def smoke_failures(by_cell):
    """Cells where a run failed, got fewer than SMOKE_MIN_ACKED acknowledged writes after the
    fault, or whose writes never came back."""
    bad = []
    for key, c in by_cell.items():
        if c["errors"]:
            bad.append(f"{key}: {c['errors']}")
        elif c["acked_after_fault"] < SMOKE_MIN_ACKED:
            bad.append(f"{key}: {c['acked_after_fault']} acknowledged writes after the fault")
        elif c["unrecovered_runs"]:
            bad.append(f"{key}: writes never came back in {c['unrecovered_runs']} run(s)")
    return bad


def chart(json_path, svg_path):
    r = subprocess.run([DEBIAN_PYTHON, str(HERE / "compare_chart.py"), str(json_path),
                        str(svg_path)], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"compare_chart.py failed: {r.stderr.strip()}")


def optional_parts(a, prefix, logs, found, save):
    """--scale and --fast-profile, into `found`."""
    if a.scale:
        found["scale"] = []
        for count in cscale.SCALES:
            found["scale"].append(cscale.one_scale(count, prefix, logs))
            save()
            print(f"scale {count}: {json.dumps(found['scale'][-1])}", flush=True)
    if a.fast_profile:
        fast = ct.tools([ct.FAST_PROFILE])[0]
        crashes = []
        for r in range(1, a.runs + 1):
            crashes.append(cf.one_run(fast, "node-crash", r, prefix, logs))
            crashes[-1]["takeover_s"] = cscale.takeover_s(crashes[-1], logs)
        found["fast_profile"] = {"node_crash": crashes}
        save()
        found["fast_profile"]["load"] = cscale.fast_load(fast, prefix, logs,
                                                         a.fast_load_seconds)
        save()
        print(f"fast profile: {json.dumps(found['fast_profile'])}", flush=True)


def print_optional(extra):
    if "scale" in extra:
        print("\n**One redkeep per node serving N Redis servers** (per node: mean of the three; "
              "adverts sent by n1, the Master of every instance)\n")
        print("| instances | RSS MiB | threads | CPU s per minute | adverts/s sent by n1 | "
              "failover outage s | other instances' transitions |\n|---|---|---|---|---|---|---|")
        for s in extra["scale"]:
            if "error" in s:
                print(f"| {s['instances']} | error: {s['error']} |")
                continue
            nodes = list(s["nodes"].values())
            print(f"| {s['instances']} | "
                  f"{statistics.mean(n['rss_mean_mib'] for n in nodes):.1f} | "
                  f"{max(n['threads'] for n in nodes)} | "
                  f"{statistics.mean(n['cpu_s_per_min'] for n in nodes):.2f} | "
                  f"{s['nodes']['n1']['adverts_sent_per_s']} | {s['failover_outage_s']} | "
                  f"{s['other_transitions']} |")
    if "fast_profile" in extra:
        f = extra["fast_profile"]
        outages = [r.get("outage_s") for r in f["node_crash"]]
        load = f["load"]
        takeovers = [r.get("takeover_s") for r in f["node_crash"]]
        print(f"\n**Fast profile (VRRPv3 advert_int 0.02)**: node crash: write outage s "
              f"{', '.join(fmt(o, 3) for o in outages)} (the client's 200 ms timeout included: "
              f"a write sent to the crashed node waits it out), another node MASTER after s "
              f"{', '.join(fmt(t, 3) for t in takeovers)}; transitions over "
              f"{load['load_s']:g} s with both cores saturated: "
              f"{load.get('transitions', load.get('error'))}")


def versions():
    """What the tools' programs say they are."""
    out = {}
    for name, cmd in (("redis-server", ["redis-server", "--version"]),
                      ("keepalived", ["keepalived", "--version"]),
                      ("redkeep", [os.environ.get("REDKEEP_BINARY", "build/redkeep"),
                                   "--version"])):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            out[name] = (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            out[name] = None
    return out


def stop_on_sigterm():
    """SIGTERM ends the run like Ctrl-C: the current lab is torn down by its `finally`."""
    def handler(_signo, _frame):
        raise SystemExit(143)
    signal.signal(signal.SIGTERM, handler)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scenario", action="append", choices=list(cf.SCENARIOS), default=[])
    ap.add_argument("--tool", action="append", choices=[t.key for t in ct.tools()], default=[])
    ap.add_argument("--no-resources", action="store_true", help="skip the resource windows")
    ap.add_argument("--smoke", action="store_true",
                    help=f"exit 1 unless every cell got {SMOKE_MIN_ACKED} acknowledged writes "
                         "and a finite outage")
    ap.add_argument("--no-comparison", action="store_true",
                    help="skip the scenarios (to run --scale or --fast-profile alone)")
    ap.add_argument("--scale", action="store_true",
                    help="one redkeep per node serving 1, 10 and 50 Redis servers")
    ap.add_argument("--fast-profile", action="store_true",
                    help="VRRPv3 advert_int 0.02: node crash, then transitions under load")
    ap.add_argument("--fast-load-seconds", type=float, default=cscale.FAST_LOAD_S)
    ap.add_argument("--out", default=f"/tmp/redkeep-compare-{os.getpid()}")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("compare.py needs root (network namespaces)", file=sys.stderr)
        return 2
    stop_on_sigterm()
    tools = ct.tools(a.tool)
    scenarios = a.scenario or list(cf.SCENARIOS)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    prefix = f"cmp{os.getpid() % 10000}"
    started = time.monotonic()
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Linux "
                       f"{platform.release()}",
            "command": "python3 tests/bench/compare.py " + " ".join(sys.argv[1:]),
            "versions": versions(),
            "runs": a.runs, "tools": {t.key: t.label for t in tools},
            "scenarios": cf.SCENARIOS}
    found = {"meta": meta, "cells": {}, "runs": [], "resources": {}}
    json_path = out / "compare.json"

    def save():
        """compare.json as it stands: a run stopped halfway keeps what it measured."""
        meta["minutes"] = round((time.monotonic() - started) / 60, 1)
        found["cells"] = cells(found["runs"], tools, scenarios)
        json_path.write_text(json.dumps(found, indent=1))

    steps = [] if a.no_comparison else plan(tools, scenarios, a.runs)
    print(f"{len(steps)} runs; logs and results under {out}", flush=True)
    for i, (r, sc, t) in enumerate(steps, 1):
        res = cf.one_run(t, sc, r, prefix, out / "logs")
        found["runs"].append(res)
        save()
        print(f"[{i}/{len(steps)}] {sc} {t.key} run {r}: "
              + (f"ERROR {res['error']}" if "error" in res else
                 f"outage {fmt(res.get('outage_s'), 3)} s, acked lost {res.get('acked_lost')} "
                 f"of {res.get('acked')}, keys lost {res.get('keys_lost')}, stable after "
                 f"{fmt(res.get('stable_s'))} s, final master {res.get('final_master')}")
              + f" [{res['seconds']} s]", flush=True)
    if not (a.no_resources or a.no_comparison):
        for t in tools:
            if t.key == "sentinel-1000":
                continue  # Sentinel's cost does not depend on down-after-milliseconds
            found["resources"][t.key] = cr.one_tool(t, prefix, out / "logs")
            save()
            print(f"resources {t.key}: {json.dumps(found['resources'][t.key])}", flush=True)
    optional_parts(a, prefix, out / "logs", found, save)
    save()
    print(f"\n{meta['date']}, {meta['machine']}: `{meta['command']}` "
          f"({meta['minutes']} min)")
    if found["cells"]:
        print(tables(tools, scenarios, found["cells"]))
    if found["resources"]:
        print(resources_table(tools, found["resources"]))
    print_optional(found)
    if found["cells"]:
        chart(json_path, out / "compare.svg")
        print(f"\nchart {out / 'compare.svg'}")
    print(f"JSON {json_path}")
    if a.smoke:
        bad = smoke_failures(found["cells"])
        for b in bad:
            print(f"smoke: {b}")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
