"""The three-node redkeep lab in network namespaces (DESIGN.md section 8).

A bridge in its own namespace, three node namespaces (192.0.2.11-13/24, VIP
192.0.2.100) and a client namespace (192.0.2.50). Each node runs a real
redis-server and redkeep. Everything lives under one name prefix, so several
labs can exist side by side, and `down()` removes all of it.

With family=6 the same lab speaks IPv6: nodes 2001:db8::11-13/64 with the
link-local addresses fe80::11-13 (their advert sources), VIPs fe80::55 (the
virtual router's link-local address, first) and 2001:db8::100, client
2001:db8::50, VRRPv3, and each node's Redis address listed as peer_address.

Used by tests/lab/labctl (the operator command) and the lab tests.
Addresses are TEST-NET-1 and never leave the namespaces.
"""

import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUBNET = "192.0.2"
VIP = f"{SUBNET}.100"
CLIENT_IP = f"{SUBNET}.50"
SUBNET6 = "2001:db8:"
VIP6 = f"{SUBNET6}:100"
VIP6_LINK_LOCAL = "fe80::55"
CLIENT_IP6 = f"{SUBNET6}:50"
PRIORITIES = (150, 100, 50)
METRICS_PORT = 9470


def sh(*args, check=True, capture=True, timeout=30):
    """Runs a command; returns stdout text. Raises on failure when check."""
    r = subprocess.run(args, capture_output=capture, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout if capture else ""


def log_time(line):
    """When a redkeep log line was written, as an aware datetime: lines start with an ISO 8601
    time and its UTC offset ('2026-12-01T07:13:55.123+00:00 n1 info [HARedis] ...'). None for a
    line without one. A JSON line (--log-format json) says it in "ts" (UTC)."""
    try:
        if line.startswith("{"):
            return datetime.datetime.fromisoformat(json.loads(line)["ts"])
        return datetime.datetime.fromisoformat(line.split(" ", 1)[0])
    except (ValueError, KeyError, TypeError):
        return None


def wait_for(what, predicate, timeout=10.0, interval=0.05):
    """Polls predicate() until it returns a truthy value; raises after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as e:  # noqa: BLE001 - a poll may fail while things move
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


class Node:
    def __init__(self, lab, index):
        self.lab = lab
        self.index = index
        self.name = f"n{index}"
        self.ns = f"{lab.prefix}-{self.name}"
        v6 = lab.family == 6
        self.ip = f"{SUBNET6}:{10 + index}" if v6 else f"{SUBNET}.{10 + index}"
        # Where its adverts come from: its primary IPv4 address, its link-local IPv6 one, or
        # unicast_src_ip (its global address).
        self.link_local = f"fe80::{10 + index}"  # IPv6 only
        self.advert_source = self.link_local if v6 and not lab.unicast else self.ip
        self.priority = PRIORITIES[index - 1]
        self.dir = lab.dir / self.name
        self.config = self.dir / "redkeep.conf"
        self.socket = self.dir / "redkeep.sock"
        self.log = self.dir / "redkeep.log"
        self.redis = None
        self.redkeep = None
        self.redis_conf = None  # a redis.conf for redis-server to read first, if set

    def exec(self, *args, **kw):
        return sh("ip", "netns", "exec", self.ns, *args, **kw)

    def popen(self, args, log):
        out = open(log, "ab")
        return subprocess.Popen(["ip", "netns", "exec", self.ns, *args], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    # -- Redis --
    def start_redis(self, extra=(), auth=()):
        """Starts redis-server with `redis_conf` if set (what CONFIG REWRITE writes there
        survives a restart), the lab's settings, then `extra`; waits for PONG (with `auth`,
        redis-cli's arguments, when it needs a password)."""
        extra = (*self.lab.redis_args, *extra)
        conf = [str(self.redis_conf)] if self.redis_conf else []
        self.redis = self.popen(
            ["redis-server", *conf, "--port", "6379", "--bind", "0.0.0.0",
             *(["::"] if self.lab.family == 6 else []), "--protected-mode", "no",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir),
             "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0", *extra], self.dir / "redis.log")
        wait_for(f"redis on {self.name}", lambda: self.redis_cli(*auth, "PING").strip() == "PONG")

    def redis_cli(self, *args, host="127.0.0.1", timeout=2):
        return self.exec("redis-cli", "-h", host, "-p", "6379", *self.lab.cli_auth, *args,
                         check=False,
                         timeout=timeout)

    def kill_redis(self, sig=signal.SIGKILL):
        if self.redis and self.redis.poll() is None:
            os.killpg(self.redis.pid, sig)
            self.redis.wait(timeout=10)

    def role(self):
        """ROLE as a list of lines: ['master', ...] or ['slave', host, port, state, ...]."""
        return self.redis_cli("ROLE").split()

    # -- redkeep --
    def start_redkeep(self, env=None, wrapper=()):
        """Starts `redkeep run` with `env` (a dict) added to its environment, through `wrapper`
        (a command line that execs the rest, e.g. setpriv) when given."""
        env = {**({"REDKEEP_TEST_HOOKS": "1"} if self.lab.test_hooks else {}), **(env or {})}
        env_args = ["env", *(f"{k}={v}" for k, v in env.items())] if env else []
        self.redkeep = self.popen([*env_args, *wrapper, str(self.lab.binary), "run", "--config",
                                   str(self.config), "--log-format", self.log_format()],
                                  self.log)
        wait_for(f"redkeep control socket on {self.name}", self.socket.exists)

    def log_format(self):
        """REDKEEP_LAB_LOG_FORMAT: text (the default), json, or mixed (json on n2 only, so one
        lab run yields both formats for `redkeep inspect` to merge)."""
        wanted = os.environ.get("REDKEEP_LAB_LOG_FORMAT", "text")
        if wanted == "mixed":
            return "json" if self.index == 2 else "text"
        return wanted

    def signal_redkeep(self, sig):
        if self.redkeep and self.redkeep.poll() is None:
            # ip netns exec execs redkeep: the Popen pid is redkeep's.
            os.kill(self.redkeep.pid, sig)

    def stop_redkeep(self, sig=signal.SIGTERM, timeout=20):
        self.signal_redkeep(sig)
        if self.redkeep:
            return self.redkeep.wait(timeout=timeout)
        return None

    def control(self, request, timeout=5):
        """Sends one request line to the control socket; returns the JSON answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.settimeout(timeout)
            c.connect(str(self.socket))
            c.sendall(request.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def status(self):
        out = self.exec(str(self.lab.binary), "status", "--json", "--socket", str(self.socket),
                        check=False)
        instances = json.loads(out)["instances"]
        # The lab's instance; a scenario may add others, listed in any order.
        return next((i for i in instances if i["name"] == "HARedis"), instances[0])

    def state(self):
        try:
            return self.status()["state"]
        except Exception:  # noqa: BLE001
            return None

    def has_vip(self):
        family = "-6" if self.lab.family == 6 else "-4"
        return f" {self.lab.vip}/" in self.exec("ip", family, "-o", "addr", "show", "dev", "eth0")

    def link(self, up):
        sh("ip", "-n", self.lab.bridge_ns, "link", "set", self.name, "up" if up else "down")

    def drop(self, rules, table="rklab_drop"):
        """Drops packets in this node's namespace with nftables: `rules` is a
        list of nft match expressions (e.g. ["ip saddr 192.0.2.11 tcp sport
        6379"]), applied on input and output; None lifts the drop."""
        if rules is None:
            self.exec("nft", "delete", "table", "inet", table, check=False)
            return
        body = "".join(f"    {r} drop\n" for r in rules)
        text = (f"table inet {table} {{\n"
                f"  chain in {{ type filter hook input priority 0;\n{body}  }}\n"
                f"  chain out {{ type filter hook output priority 0;\n{body}  }}\n}}\n")
        subprocess.run(["ip", "netns", "exec", self.ns, "nft", "-f", "-"], input=text, text=True,
                       check=True, timeout=10)

    def isolate(self, on):
        """With its link up, every frame to or from the node dropped at the
        switch (a bridge filter in the bridge namespace), ARP included: its
        sends succeed and go nowhere, as when a switch port or an upstream
        path fails. (A node whose own firewall drops its packets sees its
        sends fail: tests/lab/fault_scenarios.py block_adverts.)"""
        self.lab.switch_filter(f"rklab_isolate_{self.name}",
                               [f'iifname "{self.name}"', f'oifname "{self.name}"'] if on else None)

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Lab:
    def __init__(self, prefix=None, binary=None, version=2, advert_int="1",
                 check_interval="1", fall=3, rise=2, nopreempt=True, test_hooks=False,
                 unicast=False, redis_args=(), min_replicas=None, cold_start_quorum=None,
                 cli_auth=(), metrics=False, family=4):
        self.prefix = prefix or os.environ.get("REDKEEP_LAB_PREFIX", f"rk{os.getpid() % 10000}")
        self.binary = Path(binary or os.environ.get("REDKEEP_BINARY", ROOT / "build" / "redkeep"))
        self.dir = Path(f"/tmp/redkeep-lab-{self.prefix}")
        self.bridge_ns = f"{self.prefix}-br"
        self.client_ns = f"{self.prefix}-cl"
        self.family = family
        self.vip = VIP6 if family == 6 else VIP
        self.client_ip = CLIENT_IP6 if family == 6 else CLIENT_IP
        self.version = 3 if family == 6 else version  # VRRPv2 is IPv4 only
        self.advert_int = advert_int
        self.check_interval = check_interval
        self.fall = fall
        self.rise = rise
        self.nopreempt = nopreempt
        self.test_hooks = test_hooks
        self.unicast = unicast
        self.redis_args = tuple(redis_args)  # appended to every redis-server command line
        self.cli_auth = tuple(cli_auth)  # redis-cli's arguments when the Redis want a password
        self.min_replicas = min_replicas  # (min_replicas_to_write, min_replicas_max_lag) or None
        # `cold_start_quorum N` in the redis block; None leaves it out (the default).
        self.cold_start_quorum = cold_start_quorum
        self.metrics = metrics  # metrics_listen NODE_IP:METRICS_PORT on every node
        self.nodes = [Node(self, i) for i in (1, 2, 3)]

    # -- topology --
    def namespaces(self):
        return [self.bridge_ns, self.client_ns] + [n.ns for n in self.nodes]

    def up(self):
        self.down()
        self.dir.mkdir(parents=True)
        for ns in self.namespaces():
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        br = self.bridge_ns
        sh("ip", "-n", br, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", br, "link", "set", "br0", "up")
        hosts = [(n.ns, n.name, n.ip, n.link_local) for n in self.nodes] + \
            [(self.client_ns, "cl", self.client_ip, "fe80::50")]
        if self.family == 6:
            # ff02::12 goes to every port: no MLD querier runs on this switch.
            sh("ip", "-n", br, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0")
        for ns, port, ip, link_local in hosts:
            sh("ip", "-n", br, "link", "add", port, "type", "veth", "peer", "name", "eth0",
               "netns", ns)
            sh("ip", "-n", br, "link", "set", port, "master", "br0")
            sh("ip", "-n", br, "link", "set", port, "up")
            if self.family == 6:
                # Fixed link-local addresses (the advert sources peer_address names), no
                # others; no DAD wait before the addresses are usable.
                sh("ip", "-n", ns, "link", "set", "eth0", "addrgenmode", "none")
                sh("ip", "-n", ns, "addr", "add", f"{link_local}/64", "dev", "eth0", "nodad")
                sh("ip", "-n", ns, "addr", "add", f"{ip}/64", "dev", "eth0", "nodad")
            else:
                sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
        for n in self.nodes:
            n.dir.mkdir()
            n.config.write_text(self.config_text(n))
            n.config.chmod(0o600)
        return self

    def config_text(self, node):
        nopreempt = "    nopreempt\n" if self.nopreempt else ""
        auth = ("    authentication {\n        auth_type PASS\n        auth_pass redkeep1\n    }\n"
                if self.version == 2 else "")
        unicast = ""
        if self.unicast:
            peers = "".join(f"        {n.ip}\n" for n in self.nodes if n is not node)
            unicast = f"    unicast_src_ip {node.ip}\n    unicast_peer {{\n{peers}    }}\n"
        min_replicas = ""
        if self.min_replicas:
            min_replicas = (f"        min_replicas_to_write {self.min_replicas[0]}\n"
                            f"        min_replicas_max_lag {self.min_replicas[1]}\n")
        quorum = ""
        if self.cold_start_quorum is not None:
            quorum = f"        cold_start_quorum {self.cold_start_quorum}\n"
        metrics = ""
        if self.metrics:
            where = f"[{node.ip}]" if self.family == 6 else node.ip
            metrics = f"    metrics_listen {where}:{METRICS_PORT}\n"
        if self.family == 6:
            vips = f"        {VIP6_LINK_LOCAL}/64\n        {VIP6}/64\n"
            redis_host = "::1"
            # Unicast adverts come from the nodes' global addresses, where their Redis
            # listen: no table needed.
            peer_addresses = "" if self.unicast else "".join(
                f"        peer_address {n.advert_source} {n.ip}\n" for n in self.nodes)
        else:
            vips, redis_host, peer_addresses = f"        {VIP}/24\n", "127.0.0.1", ""
        return f"""# redkeep lab node {node.name} (generated by tests/lab/lab.py)
global_defs {{
    router_id {node.name}
    control_socket {node.socket}
    state_file {node.dir}/state.json
{metrics}}}
vrrp_instance HARedis {{
    state BACKUP
    interface eth0
    virtual_router_id 55
    priority {node.priority}
{nopreempt}    advert_int {self.advert_int}
    version {self.version}
{auth}{unicast}    virtual_ipaddress {{
{vips}    }}
    redis {{
        host {redis_host}
        port 6379
{peer_addresses}        check_interval {self.check_interval}
        check_timeout 1
        fall {self.fall}
        rise {self.rise}
{min_replicas}{quorum}    }}
}}
"""

    def down(self):
        for n in self.nodes:
            for p in (n.redkeep, n.redis):
                if p and p.poll() is None:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        existing = sh("ip", "netns", "list", check=False)
        for ns in self.namespaces():
            if ns not in existing.split():
                continue
            pids = sh("ip", "netns", "pids", ns, check=False).split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "del", ns, check=False)
        if self.dir.exists():
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- the cluster --
    def start_all(self):
        """Cold start in order: n1 first (it becomes master), then n2, n3."""
        for n in self.nodes:
            n.start_redis()
        self.nodes[0].start_redkeep()
        wait_for("n1 to become MASTER", lambda: self.nodes[0].state() == "MASTER", timeout=15)
        for n in self.nodes[1:]:
            n.start_redkeep()
        for n in self.nodes[1:]:
            wait_for(f"{n.name} to become BACKUP", lambda n=n: n.state() == "BACKUP", timeout=15)
        # A steady cluster: every node knows the other two (members of its cut-off rules).
        for n in self.nodes:
            wait_for(f"{n.name} to know its members",
                     lambda n=n: n.status()["redis"]["members"] >= len(self.nodes) - 1, timeout=15)
        return self

    def switch_filter(self, table, rules):
        """Drops frames in the bridge (the switch) that match any of `rules`
        (nft bridge expressions on the ports n1..n3 and cl, e.g.
        'iifname "n1" oifname "n2"'); None removes the table."""
        if rules is None:
            sh("ip", "netns", "exec", self.bridge_ns, "nft", "delete", "table", "bridge", table,
               check=False)
            return
        body = "".join(f"    {r} drop\n" for r in rules)
        text = (f"table bridge {table} {{\n"
                f"  chain forward_drop {{ type filter hook forward priority 0;\n{body}  }}\n}}\n")
        subprocess.run(["ip", "netns", "exec", self.bridge_ns, "nft", "-f", "-"], input=text,
                       text=True, check=True, timeout=10)

    def keep_logs(self, dest, suffixes=(".log",)):
        """Copies the lab's files ending in `suffixes` (every node's logs, the writers') to the
        folder `dest`, keeping their paths under the lab directory; returns `dest`."""
        dest = Path(dest)
        for path in self.dir.rglob("*"):
            if path.is_file() and path.suffix in suffixes:
                target = dest / path.relative_to(self.dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        return dest

    def inspected(self):
        """What `redkeep inspect --json` makes of the nodes' logs: (summary, failovers)."""
        out = sh(str(self.binary), "inspect", "--json", *[str(n.log) for n in self.nodes])
        entries = [json.loads(line) for line in out.splitlines() if line.strip()]
        summary = [e for e in entries if e["type"] == "summary"]
        assert len(summary) == 1, out[-2000:]
        return summary[0], [e for e in entries if e["type"] == "failover"]

    def assert_inspected(self, failovers, new_master):
        """The story `redkeep inspect` reads from the fresh logs matches what the lab saw:
        `failovers` failovers, the last one to `new_master` (a Node), no split brain."""
        summary, blocks = self.inspected()
        assert summary["failovers"] == failovers == len(blocks), (summary, blocks)
        assert summary["split_brains"] == 0, summary
        assert blocks[-1]["new_master"] == new_master.name, blocks[-1]
        assert summary["masters_at_end"][0]["node"] == new_master.name, summary

    def state_of(self, node):
        """The VRRP state `node`'s daemon reports ("MASTER", ...; None when it does not
        answer). A lab of mixed daemons (keepalived_lab) asks each its own way."""
        return node.state()

    def vip_holders(self):
        return [n for n in self.nodes if n.has_vip()]

    def master(self):
        holders = self.vip_holders()
        return holders[0] if len(holders) == 1 else None

    def client(self, *args, timeout=2):
        return sh("ip", "netns", "exec", self.client_ns, "redis-cli", "-h", self.vip, "-p", "6379",
                  *args, check=False, timeout=timeout)

    def client_run(self, *args, timeout=30):
        return sh("ip", "netns", "exec", self.client_ns, *args, timeout=timeout)

    def client_popen(self, args, log):
        out = open(log, "ab")
        return subprocess.Popen(["ip", "netns", "exec", self.client_ns, *args], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def __enter__(self):
        return self.up()

    def __exit__(self, *exc):
        self.down()
        return False
