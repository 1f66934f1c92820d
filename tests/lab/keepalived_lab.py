"""Mixed clusters in the namespace lab: some nodes run Debian's keepalived 2.2.7
with the recipe's scripts instead of redkeep.

`KeepalivedLab` is a `lab.Lab` whose nodes listed in `keepalived` get a
`KeepalivedNode` helper (`node.ka`): a keepalived.conf equivalent to the
recipe's (vrrp_script `redis-cli PING`, notify_master `REPLICAOF NO ONE`,
notify_backup/fault/stop `REPLICAOF <VIP> 6379`), written next to the node's
redkeep.conf, and a keepalived process run in the node's namespace in the
foreground (-n -l -D) with its pid files, TMPDIR (stats/JSON dumps) and log in
the node's lab dir. `Lab.down()` kills every pid in the namespaces, so a
failed scenario leaves no keepalived behind.
"""

import json
import os
import re
import signal
import subprocess
import time

from lab import VIP6, VIP6_LINK_LOCAL, Lab, sh, wait_for

KEEPALIVED = os.environ.get("REDKEEP_KEEPALIVED", "/usr/sbin/keepalived")

# keepalived 2.2.7's complaints about a received advert (vrrp.c, vrrp_check_packet):
# "vrrp packet too short", "invalid TTL/HL", "wrong version", "received a 0 auth,
# expecting 1!", "received an invalid passwd!", "advertisement interval mismatch",
# "Invalid packet type", "unexpected ip number count", "expected 1 VIPs but received",
# "not present in MASTER advert", "Expected multicast packet". Also any
# "bad" / "invalid" / "authentication", whatever the wording around it.
KEEPALIVED_COMPLAINT = re.compile(
    r"bad|invalid|authentication|passwd|wrong version|mismatch|unexpected|expect|"
    r"packet too|TTL/HL|not present", re.IGNORECASE)

# keepalived's state changes as it logs them: "(HARedis) Entering MASTER STATE".
KEEPALIVED_STATE = re.compile(r"\((\w+)\) Entering (\w+) STATE")


class KeepalivedNode:
    """keepalived on one lab node: config, scripts, process, log, stats."""

    def __init__(self, node, version=None, password="redkeep1", nopreempt=None):
        self.node = node
        self.lab = node.lab
        self.version = version or self.lab.version
        self.password = password
        self.nopreempt = self.lab.nopreempt if nopreempt is None else nopreempt
        self.dir = node.dir
        self.config = self.dir / "keepalived.conf"
        self.log = self.dir / "keepalived.log"
        self.pid_file = self.dir / "keepalived.pid"
        self.vrrp_pid_file = self.dir / "keepalived-vrrp.pid"
        self.proc = None
        self.generation = 0  # log offset of the current run: each start appends

    # -- files --
    def write_files(self):
        """Writes the recipe's scripts and keepalived.conf into the node's dir."""
        d = self.dir
        cli = "redis-cli -h 127.0.0.1 -p 6379"
        scripts = {
            # The recipe's redis_check.sh: PING must answer PONG.
            "redis_check.sh": f'echo "[CHECK] $(date)" >> {d}/redis_check.log\n'
                              f'r=$({cli} PING 2>&1)\n'
                              f'echo "PING -> $r" >> {d}/redis_check.log\n'
                              f'[ "$r" = PONG ]\n',
            # The recipe's redis_master.sh.
            "redis_master.sh": f'echo "[MASTER] $(date)" >> {d}/notify.log\n'
                               f'{cli} REPLICAOF NO ONE >> {d}/notify.log 2>&1\n',
            # The recipe's redis_backup.sh (notify_backup, notify_fault, notify_stop):
            # replicas follow the VIP.
            "redis_backup.sh": f'echo "[$1] $(date)" >> {d}/notify.log\n'
                               f'{cli} REPLICAOF {self.lab.vip} 6379 >> {d}/notify.log 2>&1\n',
        }
        for name, body in scripts.items():
            p = d / name
            p.write_text("#!/bin/sh\n" + body)
            p.chmod(0o700)
        self.config.write_text(self.config_text())
        self.config.chmod(0o600)

    def config_text(self):
        n = self.node
        d = self.dir
        nopreempt = "    nopreempt\n" if self.nopreempt else ""
        auth = (f"    authentication {{\n        auth_type PASS\n"
                f"        auth_pass {self.password}\n    }}\n"
                if self.version == 2 and self.password is not None else "")
        # Over IPv6 the VIPs skip DAD (keepalived's `nodad`), as redkeep's do.
        vips = (f"        {VIP6_LINK_LOCAL}/64 nodad\n        {VIP6}/64 nodad\n"
                if self.lab.family == 6 else f"        {self.lab.vip}/24\n")
        return f"""! keepalived lab node {n.name}: the recipe's keepalived.conf (tests/lab/keepalived_lab.py)
global_defs {{
    router_id {n.name}
    script_user root
    vrrp_version {self.version}
}}
vrrp_script redis_check {{
    script "{d}/redis_check.sh"
    interval 1
    timeout 2
    fall 3
    rise 2
}}
vrrp_instance HARedis {{
    state BACKUP
    interface eth0
    virtual_router_id 55
    priority {n.priority}
{nopreempt}    advert_int {self.lab.advert_int}
{auth}    virtual_ipaddress {{
{vips}    }}
    track_script {{
        redis_check
    }}
    notify_master "{d}/redis_master.sh"
    notify_backup "{d}/redis_backup.sh BACKUP"
    notify_fault "{d}/redis_backup.sh FAULT"
    notify_stop "{d}/redis_backup.sh STOP"
}}
"""

    # -- process --
    def start(self):
        """Starts keepalived (VRRP subsystem only, foreground, console log) in
        the node's namespace; returns once its VRRP child wrote its pid file."""
        self.generation = self.log.stat().st_size if self.log.exists() else 0
        for p in (self.pid_file, self.vrrp_pid_file):
            if p.exists():
                p.unlink()
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.node.ns, "env", f"TMPDIR={self.dir}", KEEPALIVED,
             "--vrrp", "--dont-fork", "--log-console", "--log-detail", "--no-syslog",
             "--dont-respawn", "-f", str(self.config), "-p", str(self.pid_file),
             "-r", str(self.vrrp_pid_file)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        wait_for(f"keepalived VRRP child on {self.node.name}",
                 lambda: self.vrrp_pid() is not None, timeout=10)
        return self

    def vrrp_pid(self):
        try:
            pid = int(self.vrrp_pid_file.read_text().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Signals keepalived's parent (SIGTERM: the VRRP child sends priority 0
        and removes the VIP) and waits for it; returns its exit status."""
        if self.running():
            os.kill(self.proc.pid, sig)  # ip netns exec / env exec: the pid is keepalived's
        return self.proc.wait(timeout=timeout) if self.proc else None

    # -- observation --
    def log_text(self, whole=False):
        """keepalived's log of the current run (or of every run if whole)."""
        if not self.log.exists():
            return ""
        with open(self.log, "rb") as f:
            if not whole:
                f.seek(self.generation)
            return f.read().decode(errors="replace")

    def states(self):
        """The states keepalived entered in the current run, in order."""
        return [m.group(2) for m in KEEPALIVED_STATE.finditer(self.log_text())]

    def state(self):
        s = self.states()
        return s[-1] if s else None

    def complaints(self):
        """Log lines of every run that complain about a received packet."""
        return [line for line in self.log_text(whole=True).splitlines()
                if KEEPALIVED_COMPLAINT.search(line)]

    def stats(self, timeout=5):
        """keepalived's own per-instance counters: sends it the JSON signal and
        reads $TMPDIR/keepalived.json ({"stats": {"advert_rcvd": ...,
        "auth_failure": ..., ...}} for instance HARedis)."""
        path = self.dir / "keepalived.json"
        if path.exists():
            path.unlink()
        signum = int(sh(KEEPALIVED, "--signum=JSON").strip())
        os.kill(self.proc.pid, signum)

        def read():
            data = json.loads(path.read_text())
            for inst in data:
                if inst["data"]["iname"] == "HARedis":
                    return inst["stats"]
            return None
        return wait_for(f"keepalived.json on {self.node.name}", read, timeout=timeout)


class KeepalivedLab(Lab):
    """A lab whose nodes in `keepalived` (1-based indices) run keepalived.

    priorities: the three nodes' priorities (default the recipe's 150/100/50).
    keepalived_options: {index: {"version": 3, "password": "other", ...}} passed
    to that node's KeepalivedNode.
    """

    def __init__(self, keepalived=(1,), priorities=None, keepalived_options=None, **kw):
        super().__init__(**kw)
        if priorities:
            for n, p in zip(self.nodes, priorities):
                n.priority = p
        opts = keepalived_options or {}
        for n in self.nodes:
            n.ka = KeepalivedNode(n, **opts.get(n.index, {})) if n.index in keepalived else None

    def up(self):
        super().up()
        for n in self.nodes:
            if n.ka:
                n.ka.write_files()
        return self

    def keepalived_nodes(self):
        return [n for n in self.nodes if n.ka]

    def redkeep_nodes(self):
        return [n for n in self.nodes if not n.ka]

    def start(self, node):
        """Starts the node's daemon, whichever it runs."""
        if node.ka:
            node.ka.start()
        else:
            node.start_redkeep()

    def block_vrrp(self, node, blocked, outgoing=True):
        """Drops (or lets through again) every VRRP packet into `node` (and out
        of it, if outgoing), with nftables in its namespace: a partition of the
        election only."""
        table = "rklab_vrrp_block"
        if blocked:
            out = ("  chain out { type filter hook output priority 0; ip protocol vrrp drop; }\n"
                   if outgoing else "")
            rules = (f"table inet {table} {{\n"
                     f"  chain in {{ type filter hook input priority 0; ip protocol vrrp drop; }}\n"
                     f"{out}}}\n")
            subprocess.run(["ip", "netns", "exec", node.ns, "nft", "-f", "-"], input=rules,
                           text=True, check=True, timeout=10)
        else:
            node.exec("nft", "delete", "table", "inet", table)

    def state_of(self, node):
        return node.ka.state() if node.ka else node.state()


def hold(what, predicate, seconds, interval=0.05):
    """Asserts predicate() is truthy at every poll for `seconds` (a condition
    that must hold, not a wait)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r = predicate()
        assert r, f"{what} stopped holding: {r!r}"
        time.sleep(interval)
