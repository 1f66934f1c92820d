#!/usr/bin/env python3
"""The master's short-isolation sweep: in a three-node lab
with a writer through the VIP (tests/lab/writer.py: SET every 10 ms, 200 ms
timeout), the master is isolated for a duration d, started at a random phase
of the advert interval (measured from one of its adverts as the client
namespace hears it), then healed. Durations run from the floor-priority
Master_Down_Interval - 0.2 s to + 2.7 s in 50 ms steps, where the window
between a Master that floors itself and backups that take over is:

  MDI = 3 x interval + Skew_Time, Skew_Time = (256 - 1) x interval / 256
        (VRRPv3, RFC 5798) or (256 - 1) / 256 s (VRRPv2, RFC 3768)

Two ways to isolate it, two timings:

  own      the node's own firewall (nftables in its namespace) drops all it
           sends and receives on eth0: its sends fail, so it steps to FAULT
           and a backup takes over
  switch   Node.isolate: a bridge filter in the switch namespace; its sends
           succeed and go nowhere, it floors itself (no member reached)
  v2-1     VRRPv2, advert_int 1        v3-0.1   VRRPv3, advert_int 0.1

A trial passes when, after healing, exactly one node is master (VIP, Redis
master, MASTER), the other two replicate from it, this holds for a floor
Master_Down_Interval (a takeover just after the heal, by a timer armed
during the isolation, is waited out), and no write the writer acknowledged
is missing on it. One lab serves all trials of
a timing while it comes back to a steady state between them (one master,
replicas connected, every node eligible and knowing its members, the
master's delayed gratuitous ARPs sent); after a failed trial, or if it does
not settle, a fresh lab is made. Node log excerpts of a failed trial are kept
under --logs.

  python3 tests/lab/isolation_sweep.py [--modes own,switch] [--timings v2-1,v3-0.1]
      [--from -0.2] [--to 2.7] [--step 0.05] [--durations mdi-0.2,mdi+0.5,4.5]
      [--seed N] [--phase FRACTION]

Prints the seed, the floor MDI of each timing, one line per trial, a table
per timing and mode, then one JSON line starting with `SWEEP_JSON `; exits 1
if any trial failed. Needs root and a built redkeep (REDKEEP_BINARY, default
build/redkeep).
"""

import argparse
import datetime
import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
from lab import Lab, log_time, wait_for  # noqa: E402
import helpers  # noqa: E402
from helpers import (Writer, assert_one_master, assert_replica_of, figures,  # noqa: E402
                       hold_steady, keys_on)

TIMINGS = {"v2-1": (2, "1"), "v3-0.1": (3, "0.1")}  # name: (VRRP version, advert_int)
MODES = ("own", "switch")
GARP_MASTER_DELAY_S = 5.0  # the lab's default: the new master's second ARP burst


def floor_mdi(version, interval):
    """Master_Down_Interval at the floor priority 1."""
    return helpers.master_down_interval(version, 1, interval)


def durations_for(mdi, a):
    """--durations items: seconds, or `mdi`, `mdi+X`, `mdi-X`; else the range."""
    if not a.durations:
        n = int(round((a.to - a.frm) / a.step))
        return [round(mdi + a.frm + i * a.step, 3) for i in range(n + 1)]
    out = []
    for item in a.durations.replace(" ", "").split(","):
        m = re.fullmatch(r"mdi([+-][\d.]+)?", item)
        out.append(round(mdi + float(m.group(1) or 0) if m else float(item), 3))
    return out


def isolate(node, mode, on):
    if mode == "switch":
        node.isolate(on)
    else:
        node.drop(['iifname "eth0"', 'oifname "eth0"'] if on else None, table="rklab_sweep")


def seconds_since_takeover(node):
    times = [log_time(line) for line in node.log_text().splitlines()
             if "Entering MASTER state" in line]
    if not times:
        return 1e9
    return (datetime.datetime.now().astimezone() - times[-1]).total_seconds()


def steady(lab, timeout=30):
    """Waits for the cluster's steady state; returns its master."""
    master = assert_one_master(lab, timeout=timeout)
    others = [n for n in lab.nodes if n is not master]
    for n in others:
        assert_replica_of(n, master, timeout=timeout)

    def settled():
        for n in lab.nodes:
            st = n.status()
            if not (st["redis"]["eligible"] and st["redis"]["members"] >= 2
                    and st["effective_priority"] == st["priority"]):
                return False
        return master.state() == "MASTER" and all(n.state() == "BACKUP" for n in others)
    wait_for("every node eligible at its configured priority, knowing its members", settled,
             timeout=timeout)
    wait_for(f"{master.name}'s delayed gratuitous ARPs",
             lambda: seconds_since_takeover(master) > GARP_MASTER_DELAY_S + 0.5, timeout=timeout)
    return master


def settle(lab, hold, timeout=60):
    """After the heal: waits for one master whose VIP and role, with the others
    its replicas, hold for `hold` seconds (a Master_Down_Timer armed before the
    heal may still fire and elect another: then it waits again); returns it."""
    deadline = time.monotonic() + timeout
    while True:
        master = assert_one_master(lab, timeout=20)
        others = [n for n in lab.nodes if n is not master]
        for n in others:
            assert_replica_of(n, master, timeout=20)
        try:
            hold_steady(lab, master, others, hold)
            return master
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def next_advert(lab, master, interval):
    """Monotonic time at which the client namespace heard an advert of
    `master` (tests/lab/advert_listener.py)."""
    p = subprocess.Popen(["ip", "netns", "exec", lab.client_ns, "python3",
                          str(HERE / "advert_listener.py"), "--iface", "eth0", "--seconds", "30"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    try:
        deadline = time.monotonic() + 5 + 4 * interval
        buf = b""
        listening = False
        while time.monotonic() < deadline:
            ready, _, _ = select.select([p.stdout], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            now = time.monotonic()
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                msg = json.loads(line)
                if "listening" in msg:
                    listening = True
                elif listening and msg["src"] == master.ip and msg["priority"] > 0:
                    return now
        raise AssertionError(f"no advert of {master.name} heard in the client namespace")
    finally:
        p.terminate()
        p.wait(timeout=10)


def log_offsets(lab):
    return {n.name: n.log.stat().st_size if n.log.exists() else 0 for n in lab.nodes}


def log_since(node, offsets):
    with open(node.log, "rb") as f:
        f.seek(offsets[node.name])
        return f.read().decode(errors="replace")


def timeline(texts, wall):
    """'n2 MASTER +3.612': state changes and floorings ("Not eligible") logged
    since the isolation began, seconds after it."""
    out = []
    for name, text in texts.items():
        for line in text.splitlines():
            m = re.search(r"Entering (\w+) state|(Not eligible)|(Eligible to be master again)",
                          line)
            if not m:
                continue
            at = log_time(line)
            what = m.group(1) or ("floor" if m.group(2) else "unfloor")
            out.append((round((at - wall).total_seconds(), 3), f"{name} {what}"))
    return [f"{what} {at:+.3f}" for at, what in sorted(out)]


def trial(lab, master, t, interval, logs_dir):
    """Isolates `master`, the master of a steady lab; returns the trial's record."""
    rec = {k: t[k] for k in ("n", "timing", "mode", "d", "offset")}
    others = [n for n in lab.nodes if n is not master]
    rec["isolated"] = master.name
    offsets = log_offsets(lab)
    prefix = f"t{t['n']}"
    writer = Writer(lab, prefix)
    try:
        writer.wait_acks(50)
        heard = next_advert(lab, master, interval)
        at = heard + t["phase"] * interval
        while at < time.monotonic() + 0.005:  # keep the phase; the next period if late
            at += interval
        time.sleep(at - time.monotonic())
        call = time.monotonic()
        isolate(master, t["mode"], True)
        start, wall = time.monotonic(), datetime.datetime.now().astimezone()  # the rule is in place
        rec["phase"] = round((start - heard) % interval, 3)
        rec["isolated_at"] = wall.isoformat(sep=" ", timespec="milliseconds")
        # The isolation itself; the heal's nft call takes about as long as the first.
        time.sleep(max(0.0, call + t["d"] - time.monotonic()))
        isolate(master, t["mode"], False)
        rec["isolated_s"] = round(time.monotonic() - start, 3)
        final = settle(lab, t["mdi"])
        rec["final_master"] = final.name
        writer.wait_acks(writer.acks() + 50)
    except Exception as e:  # noqa: BLE001 - recorded; the sweep goes on
        rec["error"] = str(e)[:300]
    finally:
        summary = writer.stop()
    texts = {n.name: log_since(n, offsets) for n in lab.nodes}
    rec["took_over"] = [n.name for n in others if "Entering MASTER state" in texts[n.name]]
    rec["timeline"] = timeline(texts, wall) if "isolated_at" in rec else []
    final = next((n for n in lab.nodes if n.name == rec.get("final_master")), None)
    role = master.role()
    rec["isolated_ends"] = ("master" if final is master else
                            f"replica of {final.name}" if final and
                            role[:4] == ["slave", final.ip, "6379", "connected"] else
                            " ".join(role[:4]) or "?")
    judge = final or lab.master() or master  # the final master, else the likeliest one
    f = figures(summary, judge, prefix)
    rec.update(acked=f["acked"], lost=f["acked_lost"], outage_s=f["longest_outage_s"])
    if rec["lost"]:  # writer attempts are 10 ms apart: their numbers say when
        missing = set(summary["acked_keys"]) - keys_on(judge, prefix)
        lost = sorted(int(k.split(":")[1]) for k in missing)
        rec["lost_attempts"] = [lost[0], lost[-1]]
        rec.setdefault("error", f"{rec['lost']} acknowledged writes missing on {judge.name}")
    rec["ok"] = "error" not in rec
    if not rec["ok"]:  # keep the nodes' logs and the writer's summary
        rec["logs"] = str(lab.keep_logs(Path(logs_dir) / f"trial{t['n']}"))
        (Path(rec["logs"]) / "writer.json").write_text(json.dumps(summary))
    return rec


def show(rec, total):
    took = ",".join(rec["took_over"]) or "none"
    line = (f"trial {rec['n']}/{total} {rec['timing']} {rec['mode']:<6} d={rec['d']:.3f} s "
            f"(MDI{rec['offset']:+.3f}) phase {rec.get('phase', '-')} s: {rec['isolated']} "
            f"isolated, took Master: {took}; it ends {rec['isolated_ends']}; "
            f"acked {rec['acked']}, lost {rec['lost']}; outage {rec['outage_s']:.3f} s; "
            f"{', '.join(rec['timeline'])}")
    print(f"{line} [{'ok' if rec['ok'] else 'FAILED: ' + rec['error']}]", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modes", default="own,switch")
    ap.add_argument("--timings", default="v2-1,v3-0.1")
    ap.add_argument("--from", dest="frm", type=float, default=-0.2, help="offset from MDI, s")
    ap.add_argument("--to", type=float, default=2.7, help="offset from MDI, s")
    ap.add_argument("--step", type=float, default=0.05)
    ap.add_argument("--durations", help="comma list: seconds, or mdi, mdi+X, mdi-X")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--phase", type=float, default=None,
                    help="fixed phase, a fraction of the interval (replay one trial)")
    ap.add_argument("--logs", default="/tmp/isolation-sweep-logs")
    a = ap.parse_args()
    modes = a.modes.split(",")
    timings = a.timings.split(",")
    if not set(modes) <= set(MODES) or not set(timings) <= set(TIMINGS):
        ap.error(f"modes: {','.join(MODES)}; timings: {','.join(TIMINGS)}")
    if os.geteuid() != 0:
        print("isolation_sweep.py needs root (network namespaces)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on ctest's timeout
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    print(f"seed {seed} (replay: --seed {seed} with the same options)")
    plan = []
    for timing in timings:
        version, interval = TIMINGS[timing]
        mdi = floor_mdi(version, float(interval))
        print(f"{timing}: VRRPv{version}, advert_int {interval} s, floor-priority "
              f"Master_Down_Interval {mdi:.6f} s")
        for d in durations_for(mdi, a):
            # Each trial isolates whoever is master: a random mode order per duration lets
            # both modes meet masters of each priority (a fixed order alternates two nodes).
            for mode in rng.sample(modes, len(modes)):
                phase = a.phase if a.phase is not None else rng.random()
                plan.append({"timing": timing, "mode": mode, "d": d,
                             "offset": round(d - mdi, 3), "phase": phase, "mdi": mdi})
    for i, t in enumerate(plan, 1):
        t["n"] = i
    logs_dir = Path(a.logs) / str(seed)
    prefix = f"swp{os.getpid() % 10000}"
    results = []
    for timing in timings:
        version, interval = TIMINGS[timing]
        lab = None
        try:
            for t in (t for t in plan if t["timing"] == timing):
                began = time.monotonic()
                master = None
                if lab is not None:
                    try:
                        master = steady(lab)
                    except AssertionError as e:  # the last trial's cluster did not settle
                        last = results[-1]
                        last.update(ok=False, error=f"no steady state after it: {str(e)[:200]}",
                                    logs=str(lab.keep_logs(logs_dir / f"unsettled-after-{last['n']}")))
                        print(f"trial {last['n']} FAILED: {last['error']}", flush=True)
                        lab.down()
                        lab = None
                if lab is None:
                    lab = Lab(prefix=prefix, version=version, advert_int=interval)
                    lab.up()
                    lab.start_all()
                    master = steady(lab)
                rec = trial(lab, master, t, float(interval), logs_dir)
                rec["seconds"] = round(time.monotonic() - began, 1)
                results.append(rec)
                show(rec, len(plan))
                if not rec["ok"]:
                    lab.down()
                    lab = None
        finally:
            if lab is not None:
                lab.down()
    return report(seed, plan, results)


def report(seed, plan, results):
    print()
    hdr = (f"{'timing':<8}{'mode':<8}{'trials':>7}{'passed':>8}{'takeovers':>11}"
           f"{'with loss':>11}{'lost':>7}{'max outage s':>14}  isolated n1/n2/n3")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    for timing in dict.fromkeys(t["timing"] for t in plan):
        for mode in MODES:
            rs = [r for r in results if r["timing"] == timing and r["mode"] == mode]
            if not rs:
                continue
            row = {"timing": timing, "mode": mode, "mdi_floor_s":
                   next(t["mdi"] for t in plan if t["timing"] == timing),
                   "trials": len(rs), "passed": sum(r["ok"] for r in rs),
                   "takeovers": sum(bool(r["took_over"]) for r in rs),
                   "with_loss": sum(r["lost"] > 0 for r in rs),
                   "lost": sum(r["lost"] for r in rs),
                   "isolated": {n: sum(r["isolated"] == n for r in rs) for n in ("n1", "n2", "n3")},
                   "max_outage_s": max(r["outage_s"] for r in rs)}
            rows.append(row)
            print(f"{timing:<8}{mode:<8}{row['trials']:>7}{row['passed']:>8}"
                  f"{row['takeovers']:>11}{row['with_loss']:>11}{row['lost']:>7}"
                  f"{row['max_outage_s']:>14.3f}  {'/'.join(map(str, row['isolated'].values()))}")
    failed = [r for r in results if not r["ok"]]
    if failed:
        print(f"\n{len(failed)} trial(s) failed:")
        for r in failed:
            print(f"  trial {r['n']} {r['timing']} {r['mode']} d={r['d']} phase {r.get('phase')}:"
                  f" {r['error']} (logs: {r['logs']})")
    print("SWEEP_JSON " + json.dumps({"seed": seed, "rows": rows, "trials": results}))
    return 1 if failed or len(results) < len(plan) else 0


if __name__ == "__main__":
    sys.exit(main())
