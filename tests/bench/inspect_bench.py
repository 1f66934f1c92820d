#!/usr/bin/env python3
"""Throughput and memory of `redkeep inspect` on large generated logs (the target: a
1 GB log read in under 30 s, with memory that does not grow with the file).

Generates the logs of a three-node cluster (n1 and n3 in text, n2 in JSON lines, as
`redkeep run --log-format` writes them) of a given total size under a temporary directory:
one block per simulated minute, mostly noise (PING -> PONG, rejected adverts with
"[N more since last report]", Redis's own lines, a few garbage lines) and one failover per
minute, master moving n1 -> n2 -> n3 -> n1 ... (Redis killed on the master, or the master's
link cut, in turn: health FAILED, Entering FAULT/MASTER/BACKUP, VIP removed/added, Redis
promoted and the old master made a replica). Six block templates are made once; each minute
writes one with its minute's time put in (seconds and milliseconds are in the template), so
the generator runs at disk speed. Two input shapes:

  files    three files n1.log, n2.log, n3.log, each in time order;
  compose  one file interleaved as `docker compose logs` writes it ("node1-1  | " prefixes,
           nodes' lines shifted against each other by up to 300 ms, each node's own order kept).

For each shape, at 1/10 of the size and at the size: `REDKEEP_BINARY inspect FILES >/dev/null`
(text) and `... inspect --json FILES >OUT` (OUT is a file in the temporary directory: its last
line, the summary, is checked). Wall time is taken here; CPU time (user + sys) and the
maximum resident set size of inspect from GNU time (/usr/bin/time, Debian package `time`:
`apt-get install time`). Its presence is checked at start; without it the figures come from
os.wait4, whose max RSS cannot be below the peak RSS of this Python (~20 MB; Linux keeps the
peak of the memory a child had before its exec), so a smaller inspect does not show: a warning
says so. Prints a table (shape, format, size, lines, seconds, CPU seconds, MB/s, max RSS), the
ratio of max RSS between the two sizes (about 1.0 when memory does not grow with the file) and
the seconds per GB at the full size against the 30 s target.

Checks (exit 1 when one fails; this keeps the benchmark honest): the --json summary counts
exactly the failovers written, not_understood equals the garbage lines written, lines and
redis_lines equal the lines and Redis lines written, stepped_back is 0. Timings are not
checked: they depend on the machine and on what else runs on it (other jobs make them noisy;
CPU seconds are steadier than wall seconds). The files are read right after being written,
so mostly from the page cache: this measures parsing, not the disk.

  python3 tests/bench/inspect_bench.py [--size 1G] [--shape files|compose|both] [--dir /tmp]
  REDKEEP_BINARY=build/redkeep tests/bench/inspect_bench.py --size 20M   # CI smoke, seconds

--size takes K, M or G (powers of 1024; MB in the table is 2^20 bytes), default 1G, the total
of the input files. Needs about --size of free space in --dir (one shape and one size at a
time). The generated files are removed at the end, also on failure or Ctrl-C.
REDKEEP_BINARY selects the binary (default build/redkeep of this checkout).
"""

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEFAULT_BINARY = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build",
    "redkeep")
NODES = ["n1", "n2", "n3"]
JSON_NODES = {"n2"}
ADDR = {"n1": "192.0.2.11", "n2": "192.0.2.12", "n3": "192.0.2.13"}
PRIO = {"n1": 150, "n2": 100, "n3": 50}
VIP = "192.0.2.100/24"
INSTANCE = "HARedis"
MINUTE_MS = 60_000
FAILOVER_AT = 40_000  # ms into the minute
MAX_JITTER_MS = 300   # compose shape: nodes' lines shifted against each other by up to this
ISO = "\x00"          # placeholder: "2026-12-01T09:31" (the minute, ISO 8601)
RDS = "\x01"          # placeholder: "01 Dec 2026 09:31" (the minute, as Redis writes it)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
EPOCH = datetime.datetime(2026, 12, 1, 0, 0)
REJECT_REASONS = [("checksum", 40), ("ttl", 40), ("length", 37), ("auth_password", 40)]


# ----------------------------------------------------------------------------------------
# One line, rendered once into a template (the minute left as a placeholder).

def event_of(text):
    """The event name and fields redkeep's JSON line carries for one of its sentences (the
    ones this generator writes; mirrors inspect/log_line.cpp classify_text)."""
    f = {}
    if text.startswith("Entering ") and " state" in text:
        f["to"] = text[9:].split(" ", 1)[0]
        inside = text[text.find("(") + 1:text.rfind(")")]
        if ", priority " in inside:
            inside, f["priority"] = inside.rsplit(", priority ", 1)
        f["cause"] = inside
        return "state_change", f
    if text.startswith("Master is now "):
        who = text[14:]
        if who.startswith("this node"):
            f["master"] = who[who.find("(") + 1:who.rfind(")")]
            f["self"] = "true"
        else:
            f["master"] = who
        return "master_change", f
    if text.startswith("Master unknown"):
        return "master_change", f
    if text.startswith("VIP "):
        f["vip"] = text.split(" ")[1]
        f["interface"] = "eth0"
        return ("vip_added" if " added on " in text else "vip_removed"), f
    if text.startswith("Redis is now "):
        rest = text[13:]
        f["role"] = rest.split(" (", 1)[0]
        if " (" in rest:
            f["detail"] = rest[rest.find("(") + 1:rest.rfind(")")]
        return "redis_role", f
    if text.startswith("Redis role change not yet done: "):
        return "role_failed", f
    if text.startswith("PING -> "):
        f["result"] = text[8:]
        return "redis_check", f
    if text.startswith("Redis ") and (" is healthy" in text or " is FAILED" in text):
        f["redis"] = "127.0.0.1:6379"
        f["healthy"] = "true" if " is healthy" in text else "false"
        return "health", f
    if text.startswith("Not eligible to be master: "):
        reason = text[27:]
        f["reason"] = reason[:reason.rfind("; advertising priority")]
        f["priority"] = "1"
        return "not_eligible", f
    if text.startswith("Eligible to be master again"):
        return "eligible", f
    if text.startswith("Rejected advert ("):
        f["reason"] = text[17:text.find(")")]
        f["detail"] = text[text.find(": ") + 2:].split(" [", 1)[0]
        f["suppressed"] = text[text.rfind(" [") + 2:].split(" ", 1)[0] if " more since" in text \
            else "0"
        return "advert_rejected", f
    if text.startswith("Connection to Redis closed"):
        return "redis_connection", f
    if text.startswith("Started on "):
        return "started", f
    if text.startswith("Interface "):
        return "link", f
    if text.startswith("Sent ") and "gratuitous ARP" in text:
        f["count"] = "5"
        f["interface"] = "eth0"
        return "garp", f
    raise ValueError(f"no event for {text!r}")


def stamp(ms):
    """':SS.mmm' of an offset into the minute."""
    return f":{ms // 1000:02d}.{ms % 1000:03d}"


def render(node, ms, kind, level, text):
    """One line of `node` at `ms` into the minute. kind: 'event' (redkeep's sentence, text or
    JSON by node), 'redis' (text is 'PID:ROLE' and the message), 'raw' (written as is)."""
    if kind == "raw":
        return text
    if kind == "redis":
        pid_role, message = text
        return f"{pid_role} {RDS}{stamp(ms)} * {message}"
    if node in JSON_NODES:
        event, fields = event_of(text)
        rest = {"level": level, "node": node, "instance": INSTANCE, "event": event, "text": text}
        rest.update(fields)
        return '{"ts":"' + ISO + stamp(ms) + 'Z",' + json.dumps(rest, separators=(",", ":"))[1:]
    return f"{ISO}{stamp(ms)}+00:00 {node} {level} [{INSTANCE}] {text}"


# ----------------------------------------------------------------------------------------
# What each node logs in one minute.

class Minute:
    def __init__(self):
        self.lines = {n: [] for n in NODES}  # node -> [(ms, seq, kind, rendered)]
        self.garbage = 0
        self.redis = 0
        self.failovers = 0

    def add(self, node, ms, text, level="info", kind="event"):
        assert 0 <= ms < MINUTE_MS, ms
        if kind == "raw":
            self.garbage += 1
        elif kind == "redis":
            self.redis += 1
        self.lines[node].append((ms, len(self.lines[node]), render(node, ms, kind, level, text)))

    def redis_line(self, node, ms, pid_role, message):
        self.add(node, ms, (pid_role, message), kind="redis")

    def ordered(self, node):
        return [line for _, _, line in sorted(self.lines[node])]


def noise(m, masters, quiet):
    """The minute's noise on every node. masters: node -> role letter for Redis's lines;
    quiet: node -> (from, to) ms where its Redis is down (no PING -> PONG)."""
    for i, node in enumerate(NODES):
        lo, hi = quiet.get(node, (MINUTE_MS, MINUTE_MS))
        for k in range(30):  # PING every 2 s
            ms = 150 + 37 * i + 2000 * k
            if lo <= ms <= hi:
                if ms > lo + 500:
                    m.add(node, ms, "PING -> Failed (connect 127.0.0.1:6379: refused "
                          "(Connection refused))", level="warning")
            else:
                m.add(node, ms, "PING -> PONG")
        for k in range(6):  # rate-limited rejected adverts every 10 s
            for j, (reason, size) in enumerate(REJECT_REASONS):
                ms = 2845 + 10_000 * k + 8 * j + i
                more = 16_000 + 97 * k + 13 * j + 5 * i
                m.add(node, ms, f"Rejected advert ({reason}): {size}-byte packet from "
                      f"192.0.2.50 [{more} more since last report]", level="warning")
        role = masters[node]
        for k in range(4):  # Redis's own lines: a background save every 15 s
            ms = 7000 + 15_000 * k + 11 * i
            if lo <= ms <= hi:
                continue
            if role == "M":
                m.redis_line(node, ms, "1:M", "100 changes in 15 seconds. Saving...")
                m.redis_line(node, ms + 1, "1:M", f"Background saving started by pid {4100 + k}")
                m.redis_line(node, ms + 40, f"{4100 + k}:C", "DB saved on disk")
                m.redis_line(node, ms + 41, f"{4100 + k}:C",
                             "Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB")
                m.redis_line(node, ms + 102, "1:M", "Background saving terminated with success")
            else:
                m.redis_line(node, ms, "1:S", "100 changes in 15 seconds. Saving...")
                m.redis_line(node, ms + 1, "1:S", f"Background saving started by pid {4200 + k}")
                m.redis_line(node, ms + 40, f"{4200 + k}:C", "DB saved on disk")
                m.redis_line(node, ms + 102, "1:S", "Background saving terminated with success")
        # A few lines nobody can read (a stack trace, a bad level, a cut JSON line).
        if node in JSON_NODES:
            m.add(node, 12_345, '{"ts":"' + ISO + stamp(12_345) + 'Z","level":"info","node":"'
                  + node + '","instance":"HARedis","event":"redis_ch', kind="raw")
            m.add(node, 33_210, '{"msg":"log rotated","pid":4242}', kind="raw")
        else:
            m.add(node, 12_345, f"{ISO}{stamp(12_345)}+00:00 {node} notice [HARedis] "
                  "this level is not one of redkeep's", kind="raw")
            m.add(node, 33_210, "    at redkeep::actors::Vrrp::on_timer (vrrp.cpp:412)",
                  kind="raw")


def preamble():
    """Minute 0: the three nodes start, n1 becomes master, n2 and n3 replicas (no failover)."""
    m = Minute()
    for i, node in enumerate(NODES):
        t = 100 + 60 * i
        m.redis_line(node, t, "1:C", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
        m.redis_line(node, t + 5, "1:M", "Ready to accept connections tcp")
        m.add(node, t + 20, f"Started on eth0 (primary address {ADDR[node]}, VRID 55, priority "
              f"{PRIO[node]}, VRRPv2)")
        m.add(node, t + 21, f"Entering BACKUP state (startup, priority {PRIO[node]})")
        m.add(node, t + 22, "Interface eth0 is up")
        m.add(node, t + 23, "PING -> PONG")
    m.add("n1", 3520, "Entering MASTER state (master down timer expired, priority 150)")
    m.add("n1", 3520, f"Master is now this node ({ADDR['n1']})")
    m.add("n1", 3521, "Redis is now master (was already master)")
    m.add("n1", 3521, f"VIP {VIP} added on eth0")
    m.add("n1", 3522, "Sent 5 gratuitous ARP(s) on eth0")
    for node in ("n2", "n3"):
        m.add(node, 4521, f"Master is now {ADDR['n1']}")
        m.add(node, 4523, f"Redis is now replica of {ADDR['n1']} (REPLICAOF {ADDR['n1']} 6379, "
              "killed 0 client connection(s))")
        m.redis_line(node, 4524, "1:S", f"Connecting to MASTER {ADDR['n1']}:6379")
        m.redis_line(node, 4530, "1:S", "MASTER <-> REPLICA sync: Finished with success")
    noise(m, {"n1": "M", "n2": "S", "n3": "S"}, {n: (0, 5000) for n in NODES})
    return m


def failover_minute(index):
    """Minute of template `index` (0..5): master NODES[index % 3] fails over to the next node;
    Redis killed (index < 3) or link cut (index >= 3)."""
    old, new = NODES[index % 3], NODES[(index + 1) % 3]
    third = NODES[(index + 2) % 3]
    m = Minute()
    m.failovers = 1
    F = FAILOVER_AT + 7 * index
    a_old, a_new = ADDR[old], ADDR[new]
    if index < 3:  # Redis killed on the master
        m.add(old, F, "Connection to Redis closed by the server; reconnecting", "warning")
        m.add(old, F + 1, "PING -> Failed (CLIENT SETNAME on 127.0.0.1:6379 failed: command on "
              "127.0.0.1:6379: closed (Connection reset by peer))", "warning")
        m.add(old, F + 1, "Redis 127.0.0.1:6379 is FAILED", "error")
        m.add(old, F + 1, "Not eligible to be master: Redis not healthy; advertising priority 1",
              "warning")
        m.add(old, F + 1, "Entering FAULT state (health check failed)")
        m.add(old, F + 1, "Master unknown")
        m.add(old, F + 1, f"VIP {VIP} removed on eth0")
        m.add(new, F + 2, "Master unknown")
        m.add(third, F + 2, "Master unknown")
        took = F + 611
        m.add(new, took, f"Entering MASTER state (priority 0 advert from {a_old}, priority "
              f"{PRIO[new]})")
        m.add(old, took, f"Master is now {a_new}")
        m.add(old, took + 1, "Redis role change not yet done: refused: connect 127.0.0.1:6379: "
              "refused (Connection refused) (retrying)", "warning")
        back = F + 3100
        m.redis_line(old, back, "1:C", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
        m.redis_line(old, back + 4, "1:M", "Ready to accept connections tcp")
        m.add(old, back + 10, "PING -> PONG")
        m.add(old, back + 10, "Redis 127.0.0.1:6379 is healthy")
        m.add(old, back + 12, f"Redis is now replica of {a_new} (REPLICAOF {a_new} 6379, killed "
              "0 client connection(s))")
        m.add(old, back + 13, "Eligible to be master again")
        m.add(old, back + 13, f"Entering BACKUP state (health check passed, priority "
              f"{PRIO[old]})")
        quiet = {old: (F, back + 10)}
    else:  # the master's link cut
        m.add(old, F, "Interface eth0 is down")
        m.add(old, F, "Entering FAULT state (interface down)")
        m.add(old, F, "Master unknown")
        m.add(old, F, f"VIP {VIP} removed on eth0")
        m.add(new, F + 3000, "Master unknown")
        m.add(third, F + 3001, "Master unknown")
        took = F + 3412
        m.add(new, took, f"Entering MASTER state (master down timer expired, priority "
              f"{PRIO[new]})")
        back = F + 6300
        m.add(old, back, "Interface eth0 is up")
        m.add(old, back, f"Entering BACKUP state (interface up, priority {PRIO[old]})")
        m.add(old, back + 1, f"Master is now {a_new}")
        m.add(old, back + 3, f"Redis is now replica of {a_new} (REPLICAOF {a_new} 6379; it took "
              "59 bytes of replication stream after the new master took over (offset 21051, "
              "the new master continued from 20992; client writes, or Redis's own PINGs of 14 "
              "bytes every repl-ping-replica-period): the re-sync discards them, killed 5 "
              "client connection(s))")
        m.redis_line(old, back + 4, "1:S", f"Connecting to MASTER {a_new}:6379")
        m.redis_line(old, back + 9, "1:S", "MASTER <-> REPLICA sync: Finished with success")
        quiet = {}
    m.add(new, took, f"Master is now this node ({a_new})")
    m.add(new, took + 1, "Redis is now master (REPLICAOF NO ONE)")
    m.redis_line(new, took + 1, "1:M", "MASTER MODE enabled (user request from 'id=7 "
                 "addr=127.0.0.1:51234 laddr=127.0.0.1:6379 fd=9 name=redkeep age=60 idle=0')")
    m.add(new, took + 1, f"VIP {VIP} added on eth0")
    m.add(new, took + 2, "Sent 5 gratuitous ARP(s) on eth0")
    m.add(new, took + 5002, "Sent 5 gratuitous ARP(s) on eth0")
    m.add(third, took + 1, f"Master is now {a_new}")
    m.add(third, took + 3, f"Redis is now replica of {a_new} (REPLICAOF {a_new} 6379)")
    m.redis_line(third, took + 4, "1:S", f"Connecting to MASTER {a_new}:6379")
    m.redis_line(third, took + 6, "1:S", "Successful partial resynchronization with master.")
    roles = {n: "S" for n in NODES}
    roles[old] = "M"
    noise(m, roles, quiet)
    return m


# ----------------------------------------------------------------------------------------
# Templates and the generator.

class Template:
    """One minute's text per output file, placeholders left in; its figures."""

    def __init__(self, minute, shape, rng):
        self.failovers, self.garbage, self.redis = minute.failovers, minute.garbage, minute.redis
        if shape == "files":
            self.parts = ["\n".join(minute.ordered(n)) + "\n" for n in NODES]
        else:
            keyed = []
            for n in NODES:
                key = -1
                prefix = f"node{n[1:]}-1  | "
                for index, (ms, seq, line) in enumerate(sorted(minute.lines[n])):
                    key = max(key, ms + rng.randint(0, MAX_JITTER_MS))  # own order kept,
                    keyed.append((key, n, index, prefix + line))        # ties included
            keyed.sort()
            self.parts = ["\n".join(k[3] for k in keyed) + "\n"]
        self.lines = sum(p.count("\n") for p in self.parts)
        self.bytes = sum(len(p.replace(ISO, "2026-12-01T00:00").replace(RDS, "01 Dec 2026 00:00"))
                         for p in self.parts)


def minute_prefixes(minute):
    t = EPOCH + datetime.timedelta(minutes=minute)
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}",
            f"{t.day:02d} {MONTHS[t.month - 1]} {t.year:04d} {t.hour:02d}:{t.minute:02d}")


def generate(directory, shape, size, seed=18):
    """Writes the logs (about `size` bytes in all); returns (paths, figures written)."""
    rng = random.Random(seed)
    first = Template(preamble(), shape, rng)
    cycle = [Template(failover_minute(i), shape, rng) for i in range(6)]
    names = [f"{n}.log" for n in NODES] if shape == "files" else ["compose.log"]
    paths = [os.path.join(directory, n) for n in names]
    files = [open(p, "w", encoding="ascii", newline="\n", buffering=1 << 20) for p in paths]
    figures = {"bytes": 0, "lines": 0, "failovers": 0, "garbage": 0, "redis": 0, "minutes": 0}
    try:
        minute = 0
        tmpl = first
        while True:
            iso, rds = minute_prefixes(minute)
            for f, part in zip(files, tmpl.parts):
                f.write(part.replace(ISO, iso).replace(RDS, rds))
            for k in ("failovers", "garbage", "redis", "lines", "bytes"):
                figures[k] += getattr(tmpl, k)
            minute += 1
            if figures["bytes"] >= size:
                break
            tmpl = cycle[(minute - 1) % len(cycle)]
        figures["minutes"] = minute
    finally:
        for f in files:
            f.close()
    actual = sum(os.path.getsize(p) for p in paths)
    assert actual == figures["bytes"], (actual, figures["bytes"])
    return paths, figures


# ----------------------------------------------------------------------------------------
# Running inspect.

TIME = "/usr/bin/time"  # GNU time (Debian package `time`)


def measure(binary, args, stdout_path, scratch):
    """Runs `binary inspect ARGS` with stdout to `stdout_path`; returns (exit status, wall s,
    CPU s, max RSS in KiB, stderr). Under GNU time when there is one: os.wait4's ru_maxrss of
    a child of this Python is never below this Python's own peak RSS (Linux keeps the peak of
    the memory the child had before its exec), which would hide inspect's few MB."""
    figures = os.path.join(scratch, "time.out")
    timed = os.access(TIME, os.X_OK)
    command = ([TIME, "-f", "%U %S %M", "-o", figures] if timed else []) + \
        [binary, "inspect", *args]
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        # Its own process group: an interruption stops inspect as well as GNU time.
        proc = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: stop it before its files are removed
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    if timed:
        with open(figures) as f:
            last = f.read().strip().splitlines()[-1].split()  # "Command exited ..." first
        cpu, rss = float(last[0]) + float(last[1]), int(last[2])
    return proc.returncode, wall, cpu, rss, stderr


def last_line(path):
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(max(0, end - (1 << 20)))
        tail = f.read().rstrip(b"\n")
    return tail.rsplit(b"\n", 1)[-1].decode()


def check(summary, figures):
    """What the summary got wrong, against what was written ([] when nothing)."""
    want = {"failovers": figures["failovers"], "not_understood": figures["garbage"],
            "lines": figures["lines"], "redis_lines": figures["redis"], "stepped_back": 0}
    return [f"{k}: {summary.get(k)} in the report, {v} written" for k, v in want.items()
            if summary.get(k) != v]


def parse_size(text):
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("B")
    unit = t[-1:] if t[-1:] in "KMG" else ""
    try:
        value = float(t[:len(t) - len(unit)])
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 20M, 1G)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    return int(value * units[unit])


def mb(n):
    return n / (1 << 20)


def run(binary, sizes, shapes, directory):
    """Generates, inspects and checks every shape at every size; returns (ok, rows)."""
    rows, problems = [], []
    for shape in shapes:
        for size in sizes:
            work = tempfile.mkdtemp(prefix="inspect-bench-", dir=directory)
            try:
                t0 = time.monotonic()
                paths, fig = generate(work, shape, size)
                gen = time.monotonic() - t0
                print(f"{shape} {mb(fig['bytes']):.0f} MB: generated in {gen:.1f} s: "
                      f"{fig['lines']} lines, {fig['minutes']} minutes, {fig['failovers']} "
                      f"failovers, {fig['redis']} Redis lines, {fig['garbage']} garbage lines",
                      flush=True)
                for fmt in ("text", "json"):
                    out = os.devnull if fmt == "text" else os.path.join(work, "report.jsonl")
                    args = (["--json"] if fmt == "json" else []) + paths
                    code, wall, cpu, rss, err = measure(binary, args, out, work)
                    row = {"shape": shape, "format": fmt, "size": size, "bytes": fig["bytes"],
                           "lines": fig["lines"], "wall": wall, "cpu": cpu, "rss_kib": rss}
                    rows.append(row)
                    print(f"  {fmt}: {wall:.2f} s, {cpu:.2f} s CPU, max RSS {rss / 1024:.1f} MB",
                          flush=True)
                    if code != 0:
                        problems.append(f"{shape} {fmt}: inspect exited {code}: {err[-2000:]}")
                        continue
                    if fmt == "json":
                        row["out_bytes"] = os.path.getsize(out)
                        try:
                            summary = json.loads(last_line(out))
                        except ValueError:
                            summary = {}
                        if summary.get("type") != "summary":
                            problems.append(f"{shape} json: the last line is no summary")
                            continue
                        wrong = check(summary, fig)
                        problems += [f"{shape} {mb(fig['bytes']):.0f} MB: {w}" for w in wrong]
                        print(f"  summary: {summary['failovers']} failovers, "
                              f"{summary['not_understood']} not understood, "
                              f"{summary['redis_lines']} Redis lines, {summary['lines']} lines, "
                              f"{summary['split_brains']} split brains, "
                              f"{summary['stepped_back']} stepped back: "
                              f"{'as written' if not wrong else 'WRONG'}", flush=True)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return problems, rows


def report(rows, sizes):
    print()
    head = (f"{'shape':8} {'format':6} {'size MB':>8} {'lines':>11} {'seconds':>8} "
            f"{'CPU s':>7} {'MB/s':>7} {'max RSS MB':>10}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['shape']:8} {r['format']:6} {mb(r['bytes']):8.0f} {r['lines']:11d} "
              f"{r['wall']:8.2f} {r['cpu']:7.2f} {mb(r['bytes']) / r['wall']:7.1f} "
              f"{r['rss_kib'] / 1024:10.1f}")
    print()
    if len(sizes) == 2:
        small, big = sizes
        for r in rows:
            if r["size"] != big:
                continue
            s = next(x for x in rows if x["shape"] == r["shape"] and x["format"] == r["format"]
                     and x["size"] == small)
            print(f"{r['shape']:8} {r['format']:6} max RSS {mb(r['bytes']):.0f} MB / "
                  f"{mb(s['bytes']):.0f} MB input: {r['rss_kib'] / 1024:.1f} / "
                  f"{s['rss_kib'] / 1024:.1f} MB = {r['rss_kib'] / s['rss_kib']:.2f}x; "
                  f"{r['wall'] * (1 << 30) / r['bytes']:.1f} s per GB "
                  f"({r['cpu'] * (1 << 30) / r['bytes']:.1f} s CPU; target 30 s)")
    print("Timings are wall clock on a shared machine (other jobs may run): noisy; CPU s is "
          "steadier. Input read from the page cache.")
    figures = [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
               for r in rows]
    print("INSPECT_BENCH_JSON " + json.dumps(figures), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=parse_size, default=parse_size("1G"),
                    help="total size of the generated logs (K, M, G); also run at 1/10 of it")
    ap.add_argument("--shape", choices=["files", "compose", "both"], default="both")
    ap.add_argument("--dir", default="/tmp", help="where the temporary files go")
    a = ap.parse_args()
    binary = os.environ.get("REDKEEP_BINARY", DEFAULT_BINARY)
    if not os.access(binary, os.X_OK):
        print(f"inspect_bench: {binary} is not an executable (set REDKEEP_BINARY)",
              file=sys.stderr)
        return 2
    if not os.access(TIME, os.X_OK):
        floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"inspect_bench: no {TIME} (apt-get install time): max RSS from os.wait4, which "
              f"cannot be below this Python's own peak RSS (now {floor:.1f} MB); a smaller "
              "inspect does not show", file=sys.stderr)
    shapes = ["files", "compose"] if a.shape == "both" else [a.shape]
    sizes = [a.size // 10, a.size]
    print(f"redkeep inspect benchmark: {binary}, {mb(a.size):.0f} MB and "
          f"{mb(a.size // 10):.1f} MB, shapes {', '.join(shapes)}, in {a.dir}", flush=True)
    # SIGTERM as Ctrl-C: the `finally`s remove the files.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        problems, rows = run(binary, sizes, shapes, a.dir)
    except KeyboardInterrupt:
        print("inspect_bench: interrupted; generated files removed", file=sys.stderr)
        return 130
    report(rows, sizes)
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
