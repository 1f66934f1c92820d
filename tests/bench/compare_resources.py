"""What each tool costs a node, for the side-by-side benchmark (compare.py).

Per tool, on a fresh lab with its cluster up: WINDOW_S idle, then WINDOW_S containing three
failovers (the master's redis-server killed, then started again once another node is master,
so it rejoins), and for redkeep also WINDOW_S under a flood of 10,000 adverts per second
(tests/lab/fault_scenarios.py). Redis itself is not counted: every tool runs the same.

  resident memory  every SAMPLE_S, the sum of VmRSS over the tool's processes on the node
                   (its daemons and their descendants: keepalived's VRRP child, the forks of
                   its check and notify scripts); the mean and the peak, per node. Pages two
                   of them share (keepalived's parent and VRRP child) count twice there, so
                   the mean of the sum of their Pss is given too. Scripts live milliseconds:
                   a 200 ms sample catches few of them;
  CPU seconds      per process seen, utime + stime + cutime + cstime at its last sample less
                   at its first, summed: a script's CPU reaches the total through its reaper's
                   cutime when it exits (a script alive at two samples adds the part between
                   them twice: scripts live milliseconds, samples are 200 ms apart).
"""

import os
import threading
import time

import compare_tools as ct
from helpers import proc_status
from lab import wait_for

WINDOW_S = 60.0
SAMPLE_S = 0.2
FAILOVERS = 3
TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """(ppid, utime + stime + cutime + cstime in seconds) from /proc/PID/stat, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), sum(int(x) for x in fields[11:15]) / TICK


def rss_kib(pid):
    return proc_status(pid, "VmRSS") or 0


def pss_kib(pid):
    """Pss from /proc/PID/smaps_rollup, KiB; 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def children_map():
    """{ppid: [pid, ...]} from one pass over /proc."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            s = stat(int(d))
            if s:
                children.setdefault(s[0], []).append(int(d))
    return children


def tree(roots, children):
    """The roots and every descendant."""
    out, todo = [], list(roots)
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


class Meter(threading.Thread):
    """Samples the tool's processes on every node until stopped."""

    def __init__(self, tool, lab):
        super().__init__(daemon=True)
        self.tool, self.lab, self.halt = tool, lab, threading.Event()
        self.rss = {n.name: [] for n in lab.nodes}
        self.pss = {n.name: [] for n in lab.nodes}
        self.started = time.monotonic()
        self.cpu_first, self.cpu_last = {}, {}  # pid -> seconds
        self.start()

    def run(self):
        while not self.halt.is_set():
            children = children_map()
            for n in self.lab.nodes:
                pids = tree(self.tool.roots(n), children)
                self.rss[n.name].append(sum(rss_kib(p) for p in pids))
                self.pss[n.name].append(sum(pss_kib(p) for p in pids))
                for p in pids:
                    s = stat(p)
                    if s:
                        self.cpu_first.setdefault((n.name, p), s[1])
                        self.cpu_last[(n.name, p)] = s[1]
            self.halt.wait(SAMPLE_S)

    def stop(self):
        self.halt.set()
        self.join(timeout=10)
        window = time.monotonic() - self.started
        out = {}
        for n in self.lab.nodes:
            samples = self.rss[n.name] or [0]
            pss = self.pss[n.name] or [0]
            cpu = sum(self.cpu_last[k] - self.cpu_first[k] for k in self.cpu_last
                      if k[0] == n.name)
            out[n.name] = {"rss_mean_mib": round(sum(samples) / len(samples) / 1024, 2),
                           "rss_peak_mib": round(max(samples) / 1024, 2),
                           "pss_mean_mib": round(sum(pss) / len(pss) / 1024, 2),
                           # CPU seconds per WINDOW_S, should the window have overrun.
                           "cpu_s": round(cpu * WINDOW_S / window, 3),
                           "window_s": round(window, 1)}
        return out


def measure(tool, lab, during=None):
    """The tool's figures per node over WINDOW_S, while `during()` runs (it must return
    within the window)."""
    meter = Meter(tool, lab)
    end = time.monotonic() + WINDOW_S
    try:
        if during:
            during(end)
        time.sleep(max(0.0, end - time.monotonic()))
    finally:
        figures = meter.stop()
    return figures


def master_of(lab):
    """The node whose Redis is master with replicas (a killed master started again is a master
    without any until the tool makes it a replica)."""
    for n in lab.nodes:
        try:
            r = n.role()
            if r[:1] == ["master"] and len(r) > 2:
                return n
        except Exception:  # noqa: BLE001
            pass
    return None


def three_failovers(lab):
    def run(end):
        for i in range(FAILOVERS):
            slot = (end - time.monotonic()) / (FAILOVERS - i)
            t = time.monotonic()
            old = wait_for("a master", lambda: master_of(lab), timeout=slot)
            old.kill_redis()
            wait_for(f"another master than {old.name}",
                     lambda: (m := master_of(lab)) is not None and m is not old,
                     timeout=max(1.0, t + slot - time.monotonic() - 0.5))
            old.start_redis()
            time.sleep(max(0.0, t + slot - time.monotonic() - 0.2))
    return run


def flood(lab, res):
    """Sends the flood of fault_scenarios.py for the window; records the rate achieved in
    res["flood_adverts_per_s"] (a busy machine sends fewer than it aims for)."""
    import fault_scenarios as fs

    def run(end):
        procs, started = fs.flood(lab, int(end - time.monotonic()) - 1, "compare")
        sent, elapsed = fs.finish_flood(lab, procs, started, "compare")
        res["flood_adverts_per_s"] = round(sum(sent.values()) / elapsed)
    return run


def one_tool(tool, prefix, logs_dir):
    """{"idle": {...}, "failovers": {...}[, "flood": {...}]}, each per node; or an error."""
    lab = tool.lab(prefix)
    res = {"tool": tool.key}
    with ct.lab_run(lab, res, logs_dir / f"resources-{tool.key}"):
        tool.start_cluster(lab)
        res["idle"] = measure(tool, lab)
        res["failovers"] = measure(tool, lab, three_failovers(lab))
        if isinstance(tool, ct.Redkeep):
            res["flood"] = measure(tool, lab, flood(lab, res))
    return res
