#!/usr/bin/env python3
"""Sanitizer checks of the real daemon in the lab, for an ASan + UBSan build of
redkeep (scripts/sanitize.sh builds it in build-asan and points REDKEEP_BINARY at it).

  leak_check.py --reports DIR --scenario NAME   one lab scenario (tests/lab/run.py's names),
                                                then SIGTERM to every redkeep still running
  leak_check.py --reports DIR [--seconds 60]    the long run: three nodes, a writer through
                                                the VIP, one failover (the master's Redis
                                                killed) in the middle, then SIGTERM to all

Every redkeep process (the daemons and the `redkeep status` calls the lab makes) writes its
sanitizer reports to DIR/redkeep.<pid> (ASAN_OPTIONS/UBSAN_OPTIONS log_path; `ip netns exec`
passes the environment on). LeakSanitizer runs when a daemon exits after SIGTERM, which is why
every daemon is stopped with SIGTERM before the lab is torn down (run.py's teardown uses
SIGKILL, which leaves no leak report). A run fails when:
  - the scenario (or the long run's own checks) fails,
  - a daemon exits non-zero after the final SIGTERM (ASan's exit code after a report at exit),
  - DIR holds an ASan or UBSan error report, or a leak whose stack has a frame in redkeep's
    own code (a source file under this repository, or a function in namespace redkeep).
A leak inside libraries only (CAF, hiredis) is named as such; it still fails the run through
the daemon's exit status until it is added to scripts/lsan.supp (libraries only, never redkeep).
Memory that stays reachable (a growing queue) is no leak to LeakSanitizer: the flood test's
resident-memory check covers that.

The node logs are copied to DIR/<node>-redkeep.log before the lab is removed. Exit status 0 =
passed; the last line is '1 passed, 0 failed' or '0 passed, 1 failed'.
"""
import argparse
import os
import re
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import lab as labmod  # noqa: E402
import run as runmod  # noqa: E402
from helpers import Writer, assert_one_master, assert_replica_of  # noqa: E402

ROOT = labmod.ROOT
DEFAULT_ASAN = "detect_leaks=1:abort_on_error=1"
DEFAULT_UBSAN = f"print_stacktrace=1:halt_on_error=1:suppressions={ROOT}/scripts/ubsan.supp"
DEFAULT_LSAN = f"suppressions={ROOT}/scripts/lsan.supp"


def sanitizer_environment(reports):
    """Sends every sanitizer report of the processes started from here to reports/redkeep.<pid>.
    Keeps the options the caller exported (scripts/sanitize.sh), else uses the same defaults."""
    log = f"log_path={reports}/redkeep"
    os.environ["ASAN_OPTIONS"] = f"{os.environ.get('ASAN_OPTIONS', DEFAULT_ASAN)}:{log}"
    os.environ["UBSAN_OPTIONS"] = f"{os.environ.get('UBSAN_OPTIONS', DEFAULT_UBSAN)}:{log}"
    os.environ.setdefault("LSAN_OPTIONS", DEFAULT_LSAN)


# ---- reading the reports ----

FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ (?:in (?P<func>.*?) )?(?P<where>\S+)$")


def frame_is_own(line):
    """A stack frame in redkeep's own code: a source file of this repository (build trees
    excluded) or, where inlining left only a library header's line, a redkeep:: function."""
    m = FRAME.match(line)
    if not m:
        return False
    where, func = m.group("where"), m.group("func") or ""
    if where.startswith(f"{ROOT}/") and not where.startswith(f"{ROOT}/build"):
        return True
    return func.startswith("redkeep::")


def leak_blocks(text):
    """Splits a LeakSanitizer report into its 'Direct/Indirect leak of ...' blocks (lines)."""
    blocks, current = [], None
    for line in text.splitlines():
        if re.match(r"^(Direct|Indirect) leak of", line):
            current = [line]
            blocks.append(current)
        elif current is not None and line.strip().startswith("#"):
            current.append(line)
        else:
            current = None
    return blocks


def first_frame(block):
    """The innermost frame past the allocator and libstdc++, to name a leak in one line."""
    for line in block[1:]:
        if not re.search(r"asan_|libsanitizer|/c\+\+/|libstdc\+\+|libc\.so", line):
            return line.strip()
    return block[-1].strip() if len(block) > 1 else ""


def read_reports(reports):
    """Returns (failures, notes): lines to print. An ASan/UBSan error or a leak through
    redkeep's own code is a failure; a leak inside libraries only is a note (the daemon's exit
    status fails the run)."""
    failures, notes = [], []
    for path in sorted(Path(reports).glob("redkeep.*")):
        text = path.read_text(errors="replace")
        errors = [ln for ln in text.splitlines()
                  if re.search(r"ERROR: .*Sanitizer|runtime error:|Sanitizer has encountered", ln)
                  and "LeakSanitizer: detected memory leaks" not in ln]
        if errors:
            failures.append(f"{path}: {errors[0].strip()}")
            failures.extend("    " + ln for ln in text.splitlines()[:60])
        for block in leak_blocks(text):
            if any(frame_is_own(ln) for ln in block[1:]):
                failures.append(f"{path}: {block[0].strip()} through redkeep's code:")
                failures.extend("    " + ln.strip() for ln in block[1:25])
            else:
                notes.append(f"{path}: {block[0].strip()} in a library only (scripts/lsan.supp?): "
                             f"{first_frame(block)}")
    return failures, notes


# ---- the lab ----

def stop_all(lab, timeout=30):
    """SIGTERM to every redkeep still running, all at once (as at a shutdown of every node);
    returns {node: exit status}. A daemon that does not exit is killed and reported as None."""
    running = [n for n in lab.nodes
               if getattr(n, "redkeep", None) is not None and n.redkeep.poll() is None]
    for n in running:
        n.signal_redkeep(signal.SIGTERM)
    codes = {}
    for n in running:
        try:
            codes[n.name] = n.redkeep.wait(timeout=timeout)
        except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired: report, then kill
            n.signal_redkeep(signal.SIGKILL)
            codes[n.name] = None
    return codes


def long_run(lab, seconds):
    """Three nodes up, a writer through the VIP for `seconds`; at a third of it the master's
    Redis is killed (failover), and started again 5 s later (it re-syncs as a replica).
    Every node's status is read each second (the control socket and `redkeep status`)."""
    start = time.monotonic()
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    for n in (n2, n3):
        assert_replica_of(n, n1)
    writer = Writer(lab, "leak", duration=seconds + 30)
    failover_at = start + seconds / 3
    restart_at = failover_at + 5
    end = start + seconds
    new = None
    try:
        writer.wait_acks(20)
        while time.monotonic() < end:
            now = time.monotonic()
            if new is None and now >= failover_at:
                n1.kill_redis()
                new = assert_one_master(lab, timeout=15)
                assert new is not n1, "n1 kept the VIP without its Redis"
                print(f"failover at {now - start:.1f} s: {new.name} is master", flush=True)
                before = writer.acks()
                writer.wait_acks(before + 20)
            if new is not None and n1.redis is not None and n1.redis.poll() is not None \
                    and now >= restart_at:
                n1.start_redis()
                assert_replica_of(n1, new, timeout=20)
                print(f"n1's Redis restarted and re-synced from {new.name}", flush=True)
            for n in lab.nodes:
                n.status()
            time.sleep(1)
        assert new is not None, "no failover happened"
        assert n1.redis.poll() is None and n1.role()[:2] == ["slave", new.ip], n1.role()
    finally:
        summary = writer.stop()
    print(f"writer: {summary['acknowledged']} writes acknowledged, longest outage "
          f"{summary['longest_outage_s']:.3f} s", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reports", required=True, help="directory for the sanitizer reports")
    p.add_argument("--scenario", help="a lab scenario (tests/lab/run.py NAME)")
    p.add_argument("--seconds", type=float, default=60, help="length of the long run")
    args = p.parse_args()
    reports = Path(args.reports).resolve()
    if reports.exists():
        shutil.rmtree(reports)
    reports.mkdir(parents=True)
    sanitizer_environment(reports)

    name = args.scenario or f"leak_check {args.seconds:g} s"
    if args.scenario:
        fn = runmod.find(args.scenario)
        if fn is None:
            print(f"unknown scenario {args.scenario}")
            return 2
        lab = getattr(fn, "lab_class", labmod.Lab)(**getattr(fn, "lab_options", {}))
    else:
        fn = lambda lab: long_run(lab, args.seconds)  # noqa: E731
        lab = labmod.Lab()
    problems = []
    started = time.monotonic()
    try:
        lab.up()
        fn(lab)
    except BaseException:  # noqa: BLE001 - report, then stop and clean up whatever happened
        problems.append(f"{name} failed:\n{traceback.format_exc()}")
    finally:
        try:
            codes = stop_all(lab)
            for node, code in codes.items():
                if code != 0:
                    problems.append(f"{node}: redkeep exit status {code} after SIGTERM")
            lab.keep_logs(reports)
        finally:
            lab.down()
    # A report is complete once its process is gone; the daemons are, and `status` calls
    # are waited for by the lab.
    failures, notes = read_reports(reports)
    problems.extend(failures)
    for line in notes:
        print(f"note: {line}")
    for line in problems:
        print(line)
    ok = not problems
    if not ok:
        print(f"node logs: {reports}/n*-redkeep.log")
    print(f"sanitized lab {name}: {'PASSED' if ok else 'FAILED'} "
          f"({time.monotonic() - started:.0f} s, reports in {reports})")
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
