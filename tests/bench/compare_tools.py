"""The three HA tools of the side-by-side benchmark (compare.py), each on the namespace lab
(tests/lab/lab.py: three nodes 192.0.2.11-13, VIP 192.0.2.100, a client 192.0.2.50).

Each tool knows how to bring a cluster up with n1 master and n2, n3 its replicas, how to start
and kill its daemons on one node, which processes are its own (for the resource figures), how
its client finds the master, and how it does a planned switchover.

  redkeep   one redkeep per node (lab.Lab);
  recipe    Debian's keepalived 2.2.7 with the recipe's configuration and scripts
            (recipe_bench.RecipeLab);
  sentinel  Redis Sentinel 7.0: one sentinel per node on port 26379, quorum 2; each Redis
            reads a redis.conf of its own so the REPLICAOF Sentinel makes survives a restart
            (Sentinel rewrites it with CONFIG REWRITE, as on a real host).
"""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "lab"))
import cold_start_scenarios as cs  # noqa: E402
from helpers import Writer  # noqa: E402
from lab import VIP, Lab, wait_for  # noqa: E402
from recipe_bench import RecipeLab  # noqa: E402
from switchover_scenarios import switchover, wait_synced  # noqa: E402

SENTINEL_PORT = 26379
MASTER_NAME = "mymaster"


def pids_in(node):
    """Every process in the node's network namespace."""
    out = subprocess.run(["ip", "netns", "pids", node.ns], capture_output=True, text=True,
                         timeout=10).stdout
    return [int(p) for p in out.split()]


def power_off(node):
    """Everything on the node killed at once (SIGKILL), and the VIP a killed daemon left on
    eth0 gone with the machine's addresses."""
    for pid in pids_in(node):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_for(f"every process on {node.name} gone", lambda: not pids_in(node), timeout=10)
    for p in (node.redis, node.redkeep, getattr(node, "sentinel", None)):
        if p is not None:
            p.wait(timeout=10)
    ka = getattr(node, "ka", None)
    if ka and ka.proc:
        ka.proc.wait(timeout=10)
    node.socket.unlink(missing_ok=True)
    cs.drop_vip(node)


@contextlib.contextmanager
def lab_run(lab, res, logs):
    """Brings `lab` up for one measurement. An exception ends only that measurement, as
    res["error"]; the lab's logs go to the folder `logs` and the lab is always torn down
    (SIGTERM and Ctrl-C too)."""
    try:
        lab.up()
        yield lab
    except Exception as e:  # noqa: BLE001 - one failed measurement must not hide the others
        res["error"] = f"{type(e).__name__}: {e}"
    finally:
        try:
            lab.keep_logs(logs, (".log", ".conf", ".json"))
        except OSError:
            pass
        lab.down()


class Tool:
    """What compare.py asks of a tool. `key` names it in tables and JSON."""
    key = ""
    label = ""
    vrrp = True  # writes go through the VIP; replicas may follow the VIP

    def lab(self, prefix, redis_args=()):
        raise NotImplementedError

    def start_cluster(self, lab):
        """Redis everywhere, n1 master, n2 and n3 its replicas, the daemons steady."""
        cs.start_cluster(lab)

    def start_daemon(self, node):
        cs.start_daemon(node)

    def roots(self, node):
        """The tool's own long-lived processes on the node (their descendants count too)."""
        raise NotImplementedError

    def writer(self, lab, prefix, duration=600):
        return Writer(lab, prefix, duration=duration)

    def follows(self, role, master):
        """A replica's ROLE (a list of lines) says it replicates from `master` with its link
        up and tells its offset."""
        hosts = (master.ip, VIP) if self.vrrp else (master.ip,)
        return (len(role) >= 5 and role[0] == "slave" and role[1] in hosts
                and role[3] == "connected")

    def points_to(self, nodes, master):
        """Clients are sent to `master` as seen from every one of `nodes`: it alone holds the
        VIP."""
        return [n for n in nodes if n.has_vip()] == [master]

    def before_switchover(self, lab, master, target):
        """What must hold before a switchover may be asked for (not timed)."""

    def switchover(self, lab, master, target):
        """A planned change of master; returns what was done, in words."""
        raise NotImplementedError


class Redkeep(Tool):
    def __init__(self, key, label, **lab_options):
        self.key, self.label, self.options = key, label, lab_options

    def lab(self, prefix, redis_args=()):
        return Lab(prefix=prefix, redis_args=redis_args, nopreempt=True, **self.options)

    def roots(self, node):
        return [node.redkeep.pid] if node.redkeep and node.redkeep.poll() is None else []

    def before_switchover(self, lab, master, target):
        wait_synced(target, master)

    def switchover(self, lab, master, target):
        code, out = switchover(target, timeout=5)
        if code != 0:
            raise AssertionError(f"redkeep switchover on {target.name} exited {code}: {out}")
        return f"redkeep switchover on {target.name}"


class Recipe(Tool):
    key, label = "recipe", "keepalived recipe"

    def lab(self, prefix, redis_args=()):
        return RecipeLab(prefix=prefix, redis_args=redis_args)

    def roots(self, node):
        return [node.ka.proc.pid] if node.ka and node.ka.running() else []

    def follows(self, role, master):
        return role[:4] == ["slave", VIP, "6379", "connected"] and len(role) >= 5

    def switchover(self, lab, master, target):
        # The recipe has no switchover: the operator stops keepalived on the master, which
        # sends priority 0 and runs notify_stop (REPLICAOF <VIP>); the next priority takes over.
        master.ka.stop(signal.SIGTERM)
        return f"keepalived stopped on {master.name}"


class SentinelNode:
    """Sentinel and the redis.conf its Redis reads, on one lab node."""

    def __init__(self, node, down_after_ms, failover_timeout_ms):
        self.node = node
        self.conf = node.dir / "sentinel.conf"
        self.redis_conf = node.dir / "redis.conf"
        self.log = node.dir / "sentinel.log"
        self.down_after_ms = down_after_ms
        self.failover_timeout_ms = failover_timeout_ms

    def write_files(self, master_ip):
        n = self.node
        self.conf.write_text(
            f"port {SENTINEL_PORT}\nbind 0.0.0.0\nprotected-mode no\ndir {n.dir}\n"
            f"sentinel monitor {MASTER_NAME} {master_ip} 6379 2\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} {self.down_after_ms}\n"
            f"sentinel failover-timeout {MASTER_NAME} {self.failover_timeout_ms}\n"
            f"sentinel parallel-syncs {MASTER_NAME} 1\n")
        replicaof = "" if n.ip == master_ip else f"replicaof {master_ip} 6379\n"
        self.redis_conf.write_text(f"# {n.name}'s Redis (compare_tools.py)\n{replicaof}")

    def start(self):
        self.node.sentinel = self.node.popen(["redis-server", str(self.conf), "--sentinel"],
                                             self.log)
        wait_for(f"sentinel on {self.node.name}",
                 lambda: self.ask("PING").strip() == "PONG", timeout=10)

    def ask(self, *args):
        return self.node.exec("redis-cli", "-p", str(SENTINEL_PORT), *args, check=False,
                              timeout=2)


class Sentinel(Tool):
    vrrp = False

    def __init__(self, down_after_ms, failover_timeout_ms=60000):
        self.down_after_ms = down_after_ms
        self.failover_timeout_ms = failover_timeout_ms
        self.key = f"sentinel-{down_after_ms}"
        self.label = f"Sentinel {down_after_ms} ms"

    def lab(self, prefix, redis_args=()):
        lab = Lab(prefix=prefix, redis_args=redis_args)
        for n in lab.nodes:
            n.sentinel = None
            n.sn = SentinelNode(n, self.down_after_ms, self.failover_timeout_ms)
            n.redis_conf = n.sn.redis_conf
        return lab

    def start_cluster(self, lab):
        master = lab.nodes[0]
        for n in lab.nodes:
            n.sn.write_files(master.ip)
            n.start_redis()
        for n in lab.nodes:
            n.sn.start()
        for n in lab.nodes[1:]:
            wait_for(f"{n.name} replica of n1", lambda n=n: self.follows(n.role(), master),
                     timeout=15)

        def known(n):
            out = n.sn.ask("SENTINEL", "MASTER", MASTER_NAME).split()
            fields = dict(zip(out[::2], out[1::2]))
            return fields.get("num-other-sentinels") == "2" and fields.get("num-slaves") == "2"
        for n in lab.nodes:
            wait_for(f"{n.name}'s sentinel to know the other two and both replicas",
                     lambda n=n: known(n), timeout=30)

    def start_daemon(self, node):
        node.sn.start()

    def points_to(self, nodes, master):
        """Every running sentinel among `nodes` names `master`."""
        running = [n for n in nodes if n.sentinel is not None and n.sentinel.poll() is None]
        return all(n.sn.ask("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).split()[:1]
                   == [master.ip] for n in running)

    def roots(self, node):
        s = node.sentinel
        return [s.pid] if s is not None and s.poll() is None else []

    def writer(self, lab, prefix, duration=600):
        sentinels = sum((["--sentinel", f"{n.ip}:{SENTINEL_PORT}"] for n in lab.nodes), [])
        return Writer(lab, prefix, duration=duration,
                      extra=[*sentinels, "--master-name", MASTER_NAME])

    def switchover(self, lab, master, target):
        live = next(n for n in lab.nodes if n is not master)
        out = live.sn.ask("SENTINEL", "FAILOVER", MASTER_NAME).strip()
        if out != "OK":
            raise AssertionError(f"SENTINEL FAILOVER on {live.name}: {out}")
        return f"SENTINEL FAILOVER on {live.name}'s sentinel"


FAST_PROFILE = "redkeep-v3-fast"


def tools(selected=None):
    """The tools of the comparison, in table order: those selected by key, else all but the
    fast profile (compare.py --fast-profile)."""
    all_tools = [
        Redkeep("redkeep-v2", "redkeep v2 1 s", version=2, advert_int="1",
                check_interval="2", fall=3, rise=1),
        Redkeep("redkeep-v3", "redkeep v3 0.1 s", version=3, advert_int="0.1",
                check_interval="1", fall=3, rise=2),
        Recipe(),
        Sentinel(5000),
        Sentinel(1000),
        Redkeep(FAST_PROFILE, "redkeep v3 0.02 s", version=3, advert_int="0.02",
                check_interval="1", fall=3, rise=2),
    ]
    if selected:
        return [t for t in all_tools if t.key in selected]
    return [t for t in all_tools if t.key != FAST_PROFILE]
