"""Lab scenarios of configuration reload: SIGHUP and `redkeep reload`. Each
scenario takes a lab that is up and raises on failure; a monitor samples every node's VIP,
Redis role and VRRP state every 100 ms and fails the scenario on any flap.

  python3 tests/lab/run.py reload_node_local   # see the scenario_* names below
"""

import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

from helpers import Writer, assert_one_master, assert_replica_of, keys_on
from lab import VIP, wait_for

EXTRA_VIP = "192.0.2.101"


def reload(node, how="command"):
    """Reloads the node's daemon: `redkeep reload` (returns (exit status, output)) or SIGHUP
    (returns (None, "") once the log says it is done or refused)."""
    if how == "signal":
        mark = node.log_text().count("Reload")
        node.signal_redkeep(signal.SIGHUP)
        wait_for(f"{node.name} to finish the reload",
                 lambda: re.search(r"Reload (done|refused)|Reload: nothing changed",
                                   "\n".join(node.log_text().split("\n")[-40:]))
                 and node.log_text().count("Reload") > mark, timeout=60)
        return None, ""
    r = subprocess.run(["ip", "netns", "exec", node.ns, str(node.lab.binary), "reload",
                        "--socket", str(node.socket)], capture_output=True, text=True,
                       timeout=180)
    return r.returncode, (r.stdout + r.stderr).strip()


def edit(node, old, new, count=1):
    """Replaces `old` by `new` in the node's configuration file (it must be there)."""
    text = node.config.read_text()
    assert old in text, f"{old!r} not in {node.name}'s config"
    node.config.write_text(text.replace(old, new, count))


CLONE_NEWNET = 0x40000000


def enter_netns(ns):
    """Moves the calling thread (only) into network namespace `ns` (setns(2))."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
    finally:
        os.close(fd)


def redis_role(address, sock=None):
    """ROLE's first word from the Redis at address:6379 over `sock` (opened when None);
    returns (word or "?", the socket to reuse or None)."""
    try:
        if sock is None:
            sock = socket.create_connection((address, 6379), timeout=0.5)
        sock.sendall(b"*1\r\n$4\r\nROLE\r\n")
        data = b""
        while data.count(b"\r\n") < 3:
            chunk = sock.recv(4096)
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data.split(b"\r\n")[2].decode(), sock
    except OSError:
        if sock is not None:
            sock.close()
        return "?", None


class Monitor:
    """Samples every 100 ms, from a thread in the client namespace: which nodes hold the VIP
    (ip addr), each Redis's role (ROLE's first word, over TCP) and each redkeep's state (its
    control socket). The steady picture: `master` alone holds the VIP with its Redis master
    and the others' Redis replicas, every redkeep MASTER or BACKUP accordingly; a sample that
    differs is a flap. Nodes in `restarting` may be in any VRRP state (or not answer), but
    never hold the VIP nor change role."""

    def __init__(self, lab, master):
        self.lab = lab
        self.master = master
        self.restarting = set()
        self.flaps = []
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        self._ended = time.monotonic()

    def wait_samples(self, count):
        """Until `count` more samples were taken (the settled cluster, watched a while)."""
        target = self.samples + count
        wait_for(f"{count} monitor samples", lambda: self.samples >= target, timeout=count)

    def _state(self, node):
        try:
            instances = node.control("status", timeout=1)["instances"]
            return next(i["state"] for i in instances if i["name"] == "HARedis")
        except (OSError, ValueError, KeyError, StopIteration):
            return None

    def _run(self):
        enter_netns(self.lab.client_ns)
        socks = {}
        while not self._stop.is_set():
            t0 = time.monotonic()
            holders = self.lab.vip_holders()
            for n in self.lab.nodes:
                role, socks[n.name] = redis_role(n.ip, socks.get(n.name))
                want = "master" if n is self.master else "slave"
                if role != want:
                    self.flaps.append(f"{n.name} Redis {role} (expected {want})")
                if n not in self.restarting:
                    state = self._state(n)
                    if state != ("MASTER" if n is self.master else "BACKUP"):
                        self.flaps.append(f"{n.name} {state}")
            if holders != [self.master]:
                self.flaps.append(f"VIP holders {[h.name for h in holders]}")
            self.samples += 1
            self._stop.wait(max(0.0, 0.1 - (time.monotonic() - t0)))
        for s in socks.values():
            if s is not None:
                s.close()

    def assert_steady(self):
        period = (self._ended - self._started) / max(self.samples, 1)
        assert self.samples > 10 and period < 0.15, \
            f"{self.samples} samples, one every {period * 1000:.0f} ms"
        assert not self.flaps, f"flaps: {self.flaps[:10]}"


def applied(node, how, keyword):
    """Reloads the node (`how`) and checks it applied `keyword` in place."""
    code, out = reload(node, how)
    if how == "command":
        assert code == 0, f"reload on {node.name} exited {code}: {out}"
        assert "HARedis] apply" in out and keyword in out, out
    wait_for(f"{node.name} to log {keyword} applied",
             lambda: re.search(rf"Reload: [^\n]*{re.escape(keyword)}[^\n]*applied without a "
                               r"transition", node.log_text()), timeout=5)


def scenario_reload_node_local(lab):
    """On the master (n1) and on a backup (n2), each node-local setting reloaded in
    turn (priority, nopreempt, preempt_delay, garp settings, the redis block), by SIGHUP or
    `redkeep reload`: applied, the status shows it, and a 100 ms VIP/role monitor sees no
    flap. Then an instance added and removed on n1 (its VIP comes and goes), a state_file
    change on n3, which restarts that instance only, and control_socket moved on n2."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    with Monitor(lab, n1) as mon:
        for node, prio in ((n1, 160), (n2, 110)):
            edit(node, f"priority {node.priority}", f"priority {prio}")
            applied(node, "command", "priority")
            wait_for(f"{node.name} at priority {prio}",
                     lambda node=node, prio=prio: node.status()["priority"] == prio
                     and node.status()["effective_priority"] == prio, timeout=5)
            edit(node, "    nopreempt\n", "    preempt_delay 5\n")
            applied(node, "signal", "nopreempt, preempt_delay")
            edit(node, "    preempt_delay 5\n", "    nopreempt\n    garp_master_repeat 3\n"
                 "    garp_master_refresh 10\n")
            applied(node, "command", "garp_master_refresh")
            edit(node, "check_interval 1", "check_interval 0.5")
            edit(node, "fall 3", "fall 2")
            applied(node, "signal", "redis.check_interval, redis.fall")
            wait_for(f"{node.name}'s Redis healthy under the new checks",
                     lambda node=node: node.status()["redis"]["health"] == "healthy")
        # A second instance (VRID 56, its own VIP, no Redis) on n1: started, then removed.
        base = n1.config.read_text()
        n1.config.write_text(base + f"""vrrp_instance Extra {{
    interface eth0
    virtual_router_id 56
    priority 100
    advert_int 1
    virtual_ipaddress {{
        {EXTRA_VIP}/24
    }}
}}
""")
        code, out = reload(n1)
        assert code == 0 and "[Extra] add" in out, f"exit {code}: {out}"
        wait_for("the Extra VIP on n1",
                 lambda: f" {EXTRA_VIP}/" in n1.exec("ip", "-4", "-o", "addr"), timeout=10)
        n1.config.write_text(base)
        code, out = reload(n1)
        assert code == 0 and "[Extra] remove" in out, f"exit {code}: {out}"
        wait_for("the Extra VIP gone",
                 lambda: f" {EXTRA_VIP}/" not in n1.exec("ip", "-4", "-o", "addr"), timeout=10)
        # state_file restarts the instance (on a backup: no role change, no flap).
        mon.restarting.add(n3)
        edit(n3, "state.json", "state-2.json")
        code, out = reload(n3)
        assert code == 0 and "[HARedis] restart: global_defs.state_file" in out, out
        assert "restarting this instance" in n3.log_text()
        # Healthy and eligible too: a restarted instance is BACKUP for the few milliseconds
        # before its first check, then FAULT until it has seen its Redis in sync.
        wait_for("n3 BACKUP again, its Redis checked and in sync",
                 lambda: n3.state() == "BACKUP" and n3.status()["redis"]["health"] == "healthy"
                 and n3.status()["redis"]["eligible"], timeout=15)
        mon.restarting.discard(n3)
        # control_socket moves (the daemon answers at the new path only).
        old_socket = n2.socket
        mon.restarting.add(n2)  # not asked while its socket moves
        edit(n2, f"control_socket {old_socket}", f"control_socket {old_socket}.new")
        code, out = reload(n2)
        assert code == 0 and f"control_socket moved to {old_socket}.new" in out, out
        n2.socket = type(old_socket)(f"{old_socket}.new")
        wait_for("n2 answering at its new control socket", lambda: n2.state() == "BACKUP")
        wait_for("the old control socket gone", lambda: not old_socket.exists())
        mon.restarting.discard(n2)
        mon.wait_samples(10)
    mon.assert_steady()
    assert_one_master(lab, n1)
    assert_replica_of(n3, n1)


def scenario_reload_broken(lab):
    """A broken file keeps the running configuration: `redkeep reload` exits 1
    with the errors as `check` prints them (FILE:LINE:COLUMN), SIGHUP logs them, the daemon
    keeps running as it was; fixed, the file applies."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    good = n1.config.read_text()
    edit(n1, "priority 150", "priority 300")
    with Monitor(lab, n1) as mon:
        code, out = reload(n1)
        assert code == 1, f"exit {code}: {out}"
        assert re.search(rf"{re.escape(str(n1.config))}:\d+:\d+: error: .*priority", out), out
        reload(n1, "signal")
        assert re.search(r"Reload refused, the running configuration is kept: .*:\d+:\d+: error",
                         n1.log_text()), n1.log_text()[-2000:]
        assert n1.status()["effective_priority"] == 150
        n1.config.write_text(good.replace("priority 150", "priority 140"))
        code, out = reload(n1)
        assert code == 0 and "priority" in out, f"exit {code}: {out}"
        wait_for("n1 at 140", lambda: n1.status()["effective_priority"] == 140, timeout=5)
        mon.wait_samples(10)
    mon.assert_steady()


def scenario_reload_priority_sequence(lab):
    """The effective priority after a sequence of reloads is computed from the
    final file and the current facts, never from the old value: on the master (n1) four
    reloads (170, 140, 145 with weight-free facts, 160), checked against a capture of its
    adverts; on a backup not eligible (n3, its replication blocked: the floor), three reloads
    keep the floor, and a cold start with the final file and the same facts gives the same."""
    lab.redis_args = ("--repl-timeout", "3")
    lab.start_all()
    n1, n2, n3 = lab.nodes
    here = os.path.dirname(os.path.abspath(__file__))
    capture = lab.dir / "adverts.jsonl"
    listener = lab.client_popen(["python3", os.path.join(here, "advert_listener.py"),
                                 "--iface", "eth0", "--seconds", "120"], capture)
    try:
        wait_for("the listener", lambda: capture.exists() and "listening" in capture.read_text())
        for i, prio in enumerate((170, 140, 145, 160)):
            edit(n1, f"priority {n1.priority}", f"priority {prio}")
            n1.priority = prio
            mark = len(capture.read_text().splitlines())
            reload(n1, "signal" if i % 2 else "command")
            def last_adverts(mark=mark):
                lines = capture.read_text().splitlines()[mark:]
                return [json.loads(x)["priority"] for x in lines
                        if json.loads(x).get("src") == n1.ip]
            wait_for(f"n1's adverts at {prio}",
                     lambda prio=prio: last_adverts()[-2:] == [prio, prio], timeout=10)
    finally:
        listener.send_signal(signal.SIGTERM)
        listener.wait(timeout=10)
    assert n1.status()["effective_priority"] == 160
    # n3 not eligible: every connection to n1's Redis blocked, its link down.
    n3.drop([f"ip daddr {n1.ip} tcp dport 6379", f"ip saddr {n1.ip} tcp sport 6379"])
    wait_for("n3 at the floor", lambda: n3.status()["effective_priority"] == 1, timeout=20)
    for prio in (70, 30, 60):
        edit(n3, f"priority {n3.priority}", f"priority {prio}")
        n3.priority = prio
        code, out = reload(n3)
        assert code == 0, f"exit {code}: {out}"
        st = n3.status()
        assert st["priority"] == prio and st["effective_priority"] == 1, st
    reloaded = n3.status()["effective_priority"]
    n3.stop_redkeep()
    n3.start_redkeep()
    # Not synced since it started: out of Master (FAULT), at the floor.
    wait_for("n3's first Redis report after its cold start",
             lambda: n3.status()["redis"]["health"] == "healthy", timeout=15)
    cold = n3.status()["effective_priority"]
    assert (reloaded, cold) == (1, 1), (reloaded, cold)
    n3.drop(None)
    wait_for("n3 at 60 once synced", lambda: n3.status()["effective_priority"] == 60, timeout=20)


def scenario_reload_rolling_cluster_wide(lab):
    """The rolling procedure of docs/operations.md for the settings every node must share
    (advert_int 1 -> 2, a second VIP, VRID 55 -> 56, a new auth_pass, all at once): stop
    redkeep on each backup (their Redis stays a
    replica), edit every file, `redkeep reload` on the master, start the backups. Under a
    writer through the VIP, the 100 ms monitor sees the master keep the VIP and no other
    holder; at the end all three agree and nobody rejects anybody's adverts."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    writer = Writer(lab, "roll")
    try:
        writer.wait_acks(100)
        with Monitor(lab, n1) as mon:
            mon.restarting.update({n2, n3})
            for n in (n3, n2):
                assert n.stop_redkeep() == 0
            for n in lab.nodes:
                edit(n, "advert_int 1", "advert_int 2")
                edit(n, f"        {VIP}/24\n", f"        {VIP}/24\n        {EXTRA_VIP}/24\n")
                edit(n, "virtual_router_id 55", "virtual_router_id 56")
                edit(n, "auth_pass redkeep1", "auth_pass redkeep2")
            code, out = reload(n1)
            assert code == 0, f"exit {code}: {out}"
            for keyword in ("advert_int", "virtual_ipaddress", "virtual_router_id", "auth_pass"):
                assert keyword in out, out
            wait_for("the second VIP on n1",
                     lambda: f" {EXTRA_VIP}/" in n1.exec("ip", "-4", "-o", "addr"), timeout=10)
            for n in (n2, n3):
                n.start_redkeep()
            for n in (n2, n3):
                wait_for(f"{n.name} BACKUP", lambda n=n: n.state() == "BACKUP", timeout=15)
            mon.restarting.clear()
            writer.wait_acks(writer.acks() + 100)
        mon.assert_steady()
    finally:
        summary = writer.stop()
    lost = set(summary["acked_keys"]) - keys_on(n1, "roll")
    assert not lost, f"{len(lost)} acknowledged writes lost"
    st = n1.status()
    assert st["master_adver_interval_s"] == 2.0 and st["virtual_router_id"] == 56, st
    for n in (n2, n3):
        st = n.status()
        assert st["master_address"] == n1.ip and st["counters"]["rejected"] == {}, st
        assert_replica_of(n, n1)


def scenario_reload_hup_during_reload(lab):
    """A SIGHUP that arrives while a reload runs (here one that restarts the
    master's instance, which waits for the new master) is not lost: the daemon reloads again
    once it is done and ends on the file's last content."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    edit(n1, "state.json", "state-2.json")
    n1.signal_redkeep(signal.SIGHUP)
    wait_for("n1's restart under way", lambda: "restarting this instance" in n1.log_text())
    edit(n1, "priority 150", "priority 77")
    n1.signal_redkeep(signal.SIGHUP)
    wait_for("n1 at priority 77", lambda: n1.status()["priority"] == 77, timeout=30)
    assert "reloading again once it is done" in n1.log_text()
    assert_one_master(lab, n2)


def scenario_reload_then_stop(lab):
    """SIGTERM right after a SIGHUP that restarts the master's instance: one stop
    protocol, answered to both; the daemon exits promptly with status 0, its Redis a replica
    of the new master, no VIP left behind."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    edit(n1, "state.json", "state-2.json")
    n1.signal_redkeep(signal.SIGHUP)
    time.sleep(0.05)  # the race itself: SIGTERM while the reload's stop protocol runs
    t0 = time.monotonic()
    n1.signal_redkeep(signal.SIGTERM)
    code = n1.redkeep.wait(timeout=30)
    took = time.monotonic() - t0
    assert code == 0, f"exit status {code}"
    assert took < 10, f"took {took:.1f} s to stop"
    assert not n1.has_vip()
    assert_one_master(lab, n2)
    assert_replica_of(n1, n2)
