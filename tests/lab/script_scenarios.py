"""Lab scenarios of keepalived's scripts in redkeep: vrrp_script + track_script moving the
master (weight 0 = FAULT, a negative weight lowering the priority), a script killed at its
timeout with its process group, notify scripts run in transition order, a hanging notify
script that delays no failover. Each node's scripts live in its lab directory; a flag file
there makes its check fail (`touch n1/fail`)."""

import re
import time

from helpers import assert_one_master, assert_replica_of, write_through_vip
from lab import Lab, sh, wait_for

# The check every node tracks: fails while the node's flag file exists, hangs (with a child of
# its own) while its `slow` file exists. Written to each node's directory.
CHECK_SH = """#!/bin/sh
dir=$(dirname "$0")
if [ -e "$dir/slow" ]; then
    sleep 30 &
    echo $! >> "$dir/background.pids"
    sleep 30
fi
[ ! -e "$dir/fail" ]
"""

# Records each call: the script's name, its arguments and the time, one line each. `delay`
# makes every call last a while, so that transitions queue behind it.
NOTIFY_SH = """#!/bin/sh
echo "$(basename "$0") $*" >> "$(dirname "$0")/notify.calls"
sleep {delay}
"""


class ScriptLab(Lab):
    """The three-node lab with a tracked check script (CHECK_SH) and optional notify scripts on
    every node."""

    def __init__(self, weight=0, interval="0.5", timeout="2", fall=1, rise=1, notify=None,
                 notify_delay="0", **kw):
        super().__init__(**kw)
        self.script = dict(weight=weight, interval=interval, timeout=timeout, fall=fall,
                           rise=rise)
        # {"notify_master": True, ...}: which notify keywords call NOTIFY_SH.
        self.notify = notify or {}
        self.notify_delay = notify_delay

    def up(self):
        super().up()
        for n in self.nodes:
            check = n.dir / "check.sh"
            check.write_text(CHECK_SH)
            check.chmod(0o755)
            for keyword in self.notify:
                script = n.dir / f"{keyword}.sh"
                script.write_text(NOTIFY_SH.format(delay=self.notify_delay))
                script.chmod(0o755)
        return self

    def config_text(self, node):
        s = self.script
        text = super().config_text(node)
        script = (f"vrrp_script chk {{\n    script \"{node.dir}/check.sh\"\n"
                  f"    interval {s['interval']}\n    timeout {s['timeout']}\n"
                  f"    weight {s['weight']}\n    fall {s['fall']}\n    rise {s['rise']}\n}}\n")
        text = text.replace("vrrp_instance HARedis {", script + "vrrp_instance HARedis {")
        extra = "    track_script {\n        chk\n    }\n"
        for keyword in self.notify:
            extra += f"    {keyword} \"{node.dir}/{keyword}.sh\"\n"
        head, _, _ = text.rstrip().rpartition("}")
        return head + extra + "}\n"


def script_lab(**options):
    """Marks a scenario to run in a ScriptLab with `options` (run.py reads both)."""
    def mark(fn):
        fn.lab_class = ScriptLab
        fn.lab_options = options
        return fn
    return mark


def flag(node, name, on=True):
    path = node.dir / name
    if on:
        path.touch()
    elif path.exists():
        path.unlink()


def state_changes(node):
    """The states `node`'s log says it entered, in order ("MASTER", "BACKUP", "FAULT")."""
    return re.findall(r"Entering (MASTER|BACKUP|FAULT) state", node.log_text())


@script_lab(weight=0)
def scenario_script_fault(lab):
    """A failing check script of weight 0 puts the Master in FAULT: it gives up the VIP and
    another node takes over with its Redis; once the script succeeds again the old Master
    comes back as a Backup (nopreempt) and its Redis replicates from the new one."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    write_through_vip(lab, "script:before", "1")
    flag(n1, "fail")
    wait_for("n1 in FAULT", lambda: n1.state() == "FAULT", timeout=5)
    new = assert_one_master(lab, n2, timeout=10)
    assert_replica_of(n3, new)
    write_through_vip(lab, "script:after", "2")
    assert "VRRP_Script(chk) failed (exited with status 1)" in n1.log_text()
    flag(n1, "fail", False)
    wait_for("n1 back to BACKUP", lambda: n1.state() == "BACKUP", timeout=5)
    assert_replica_of(n1, new)
    wait_for("script:after on n1", lambda: n1.redis_cli("GET", "script:after").strip() == "2")
    assert "VRRP_Script(chk) succeeded" in n1.log_text()
    assert_one_master(lab, n2)
    # `redkeep inspect` tells the story, the script's failure as its first sign.
    lab.assert_inspected(1, n2)
    _, blocks = lab.inspected()
    assert "VRRP_Script(chk) failed" in str(blocks[0]), blocks[0]


@script_lab(weight=-60, nopreempt=False)
def scenario_script_weight(lab):
    """A failing check script of weight -60 lowers the Master's priority from 150 to 90, below
    n2's 100: n2 preempts it (no FAULT anywhere), and n1's Redis follows n2. Once the script
    succeeds again n1 is back at 150 and preempts n2."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    flag(n1, "fail")
    wait_for("n1's effective priority 90", lambda: n1.status()["effective_priority"] == 90,
             timeout=5)
    assert_one_master(lab, n2, timeout=10)
    wait_for("n1 in BACKUP", lambda: n1.state() == "BACKUP")
    assert_replica_of(n1, n2)
    assert_replica_of(n3, n2)
    assert "Effective priority 150 -> 90" in n1.log_text()
    script = n1.status()["scripts"][0]
    assert (script["name"], script["state"], script["weight"]) == ("chk", "failed", -60), script
    assert script["last_run"] == "exited with status 1", script
    assert all("FAULT" not in state_changes(n) for n in lab.nodes), \
        [state_changes(n) for n in lab.nodes]
    write_through_vip(lab, "script:weight", "n2")
    flag(n1, "fail", False)
    wait_for("n1's effective priority 150", lambda: n1.status()["effective_priority"] == 150,
             timeout=5)
    assert_one_master(lab, n1, timeout=15)
    assert_replica_of(n2, n1)
    wait_for("script:weight kept on n1",
             lambda: n1.redis_cli("GET", "script:weight").strip() == "n2")


def pid_gone(pid):
    """True when `pid` no longer runs (gone, or a zombie about to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def check_runs(node):
    """The runs of check.sh going on in the node's namespace. A run is a process group of its
    own: the shell forks (for $(...) and `&`) and each fork shows check.sh until it execs, so
    processes are counted by group."""
    groups = set()
    for pid in sh("ip", "netns", "pids", node.ns, check=False).split():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"check.sh" not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                groups.add(f.read().rsplit(")", 1)[1].split()[2])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return len(groups)


@script_lab(weight=0, interval="0.3", timeout="0.5")
def scenario_script_timeout(lab):
    """A check script that hangs (with a child of its own) is killed at its 0.5 s timeout
    together with that child, counts as failed (n1 goes to FAULT and n2 takes over), and is
    never started twice at once although its interval (0.3 s) is shorter than its timeout."""
    lab.start_all()
    n1, n2, _ = lab.nodes
    assert_one_master(lab, n1)
    flag(n1, "slow")
    wait_for("n1 in FAULT", lambda: n1.state() == "FAULT", timeout=5)
    assert_one_master(lab, n2, timeout=10)
    text = n1.log_text()
    m = re.search(r"VRRP_Script\(chk\) failed \(timed out after (\d+) ms", text)
    assert m, text[-3000:]
    assert 450 <= int(m.group(1)) <= 1500, m.group(0)
    # Several runs time out meanwhile: each one's background child dies with it, and no two
    # runs ever overlap.
    pids_file = n1.dir / "background.pids"
    wait_for("three timed-out runs", lambda: pids_file.exists() and
             len(pids_file.read_text().split()) >= 3, timeout=10)
    end = time.monotonic() + 3
    while time.monotonic() < end:
        assert check_runs(n1) <= 1, "two runs of check.sh at once"
        time.sleep(0.05)
    pids = pids_file.read_text().split()
    for pid in pids[:-1]:  # the last run may still be going
        wait_for(f"background child {pid} of a timed-out run to die", lambda p=pid: pid_gone(p),
                 timeout=2)
    assert "still running: skipping this run" in n1.log_text()
    flag(n1, "slow", False)
    wait_for("n1 back to BACKUP", lambda: n1.state() == "BACKUP", timeout=5)


NOTIFY_ALL = {"notify_master": True, "notify_backup": True, "notify_fault": True,
              "notify": True}


@script_lab(weight=0, interval="0.1", notify=NOTIFY_ALL, notify_delay="0.3",
            nopreempt=False)
def scenario_notify_order(lab):
    """A burst of transitions on n1 (its check fails and recovers every 0.4 s while each
    notify script takes 0.3 s): the notify scripts record their calls in exactly the order of
    the transitions in redkeep's own log, each transition's own script (notify_master, ...)
    before `notify`, which gets INSTANCE NAME STATE PRIORITY."""
    lab.start_all()
    n1 = lab.nodes[0]
    assert_one_master(lab, n1)
    for _ in range(4):
        flag(n1, "fail")
        time.sleep(0.4)
        flag(n1, "fail", False)
        time.sleep(0.4)
    assert_one_master(lab, n1, timeout=15)
    calls_file = n1.dir / "notify.calls"
    states = state_changes(n1)
    assert len(states) >= 8, states

    def recorded():
        lines = calls_file.read_text().splitlines()
        return lines if len(lines) == 2 * len(state_changes(n1)) else None
    lines = wait_for("every transition's notify calls", recorded, timeout=60)
    states = state_changes(n1)
    expected = []
    for s in states:
        expected.append(f"notify_{s.lower()}.sh")
        expected.append(f"notify.sh INSTANCE HARedis {s}")
    got = [re.sub(r" \d+$", "", line).strip() for line in lines]  # the priority varies
    assert got == expected, f"\nlog:     {states}\nnotify:  {got}"
    assert re.search(r"notify\.sh INSTANCE HARedis MASTER 150$", "\n".join(lines), re.M), lines


@script_lab(weight=0, notify={"notify_master": True, "notify_backup": True, "notify_stop": True},
            notify_delay="60")
def scenario_notify_hang(lab):
    """notify_master, notify_backup and notify_stop hang on every node: the failover after the
    Master's Redis dies takes no longer for it (the VIP and the promoted Redis come as usual),
    and the hanging scripts are killed at their 10 s timeout. SIGTERM to the new Master: its
    notify_stop runs (killed at 3 s) and the daemon is gone within a few seconds, VIP
    released."""
    lab.start_all()
    n1, n2, _ = lab.nodes
    assert_one_master(lab, n1)
    killed = time.monotonic()
    n1.kill_redis()
    assert_one_master(lab, n2, timeout=10)
    took = time.monotonic() - killed
    assert took < 8, f"failover took {took:.1f} s"
    wait_for("n2's notify_master killed at its timeout",
             lambda: re.search(r"notify_master for MASTER timed out after 1\d{4} ms",
                               n2.log_text()), timeout=20)
    stopping = time.monotonic()
    assert n2.stop_redkeep() == 0
    took = time.monotonic() - stopping
    assert took < 8, f"stop took {took:.1f} s"
    assert not n2.has_vip()
    calls = (n2.dir / "notify.calls").read_text()
    assert "notify_stop.sh" in calls, calls
    assert re.search(r"notify_stop for STOP timed out after [34]\d{3} ms", n2.log_text())
