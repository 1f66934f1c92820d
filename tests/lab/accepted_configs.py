#!/usr/bin/env python3
"""What `check` accepts, `run` carries out.

Runs every configuration under tests/fixtures/config/accepted (which together
use every keyword of the keyword table: tests/unit/config/accepted_test.cpp)
in a network namespace of its own, and fails when:
- `redkeep check` refuses it;
- the daemon logs an error or a critical line (the environment is what the
  files are written for, so any error is one the file could have told);
- an instance does not reach MASTER (alone, it must), or leaves it;
- a VIP is not in the kernel on the instance's interface while MASTER, or
  is still there after SIGTERM;
- no advert of the instance reaches a listener at the other end of the link
  (source = the node's address there, TTL 255, its VRID, version, advertised
  priority and VIP count), or any advert could not be sent;
- SIGTERM does not end it with exit status 0.

Topology (TEST-NET-1 and 2001:db8::/64 only): node namespace with eth0
192.0.2.11/25, fe80::11 and 2001:db8::11 and eth1 192.0.2.140/25; peer
namespace with p0 (192.0.2.12, 192.0.2.13, fe80::12, 2001:db8::12) and p1
(192.0.2.141). Redis on 127.0.0.1 and ::1, port 6379 (no password) and :6380 (requirepass,
ACL user redkeep, CONFIG renamed to rk-config) in the node namespace. The daemon gets a private /run and
/var/lib (tmpfs) so default paths work and nothing is left on the host.

  python3 tests/lab/accepted_configs.py [FIXTURE.conf ...]
Prints 'N passed, M failed' as its last line; exit 0 when none failed.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab import ROOT, sh, wait_for  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "config" / "accepted"
NODE_ADDRESSES = {"eth0": "192.0.2.11/25", "eth1": "192.0.2.140/25"}
PEER_ADDRESSES = {"p0": ("192.0.2.12/25", "192.0.2.13/25", "fe80::12/64", "2001:db8::12/64"),
                  "p1": ("192.0.2.141/25",)}
# IPv6 on eth0 only; its link-local address is the source of an IPv6 instance's adverts.
NODE_ADDRESSES6 = {"eth0": ("fe80::11/64", "2001:db8::11/64")}
PEER_OF = {"eth0": "p0", "eth1": "p1"}
REQUIREPASS = "Rq8vLm3Tw"      # two_instances.conf's `password`
ACL_PASSWORD = "acl-Kq2rT7"    # written to /run/redkeep-test/redis.pass
MULTICAST = {"224.0.0.18", "ff02::12"}
UNICAST_PEERS = {"192.0.2.12", "192.0.2.13", "2001:db8::12"}

# Inside the daemon's private mount namespace: fresh /run and /var/lib, the
# password file the fixtures name, then the daemon itself (same pid).
DAEMON_SCRIPT = ('mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/lib && '
                 'mkdir -p /run/redkeep-test && umask 077 && '
                 'printf %s "$RK_ACL_PASSWORD" > /run/redkeep-test/redis.pass && '
                 'exec "$0" run --config "$1"')


class AcceptedLab:
    def __init__(self):
        self.prefix = os.environ.get("REDKEEP_LAB_PREFIX", f"ra{os.getpid() % 10000}")
        self.binary = Path(os.environ.get("REDKEEP_BINARY", ROOT / "build" / "redkeep"))
        self.dir = Path(f"/tmp/redkeep-accepted-{self.prefix}")
        self.node = f"{self.prefix}-node"
        self.peer = f"{self.prefix}-peer"
        self.redis = []

    def up(self):
        self.down()
        self.dir.mkdir(parents=True)
        for ns in (self.node, self.peer):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        for iface, peer in PEER_OF.items():
            sh("ip", "-n", self.node, "link", "add", iface, "type", "veth", "peer", "name", peer,
               "netns", self.peer)
            # Fixed link-local addresses only, usable at once (no DAD).
            sh("ip", "-n", self.node, "link", "set", iface, "addrgenmode", "none")
            sh("ip", "-n", self.peer, "link", "set", peer, "addrgenmode", "none")
            for a in (NODE_ADDRESSES[iface], *NODE_ADDRESSES6.get(iface, ())):
                sh("ip", "-n", self.node, "addr", "add", a, "dev", iface, "nodad")
            for a in PEER_ADDRESSES[peer]:
                sh("ip", "-n", self.peer, "addr", "add", a, "dev", peer, "nodad")
            sh("ip", "-n", self.node, "link", "set", iface, "up")
            sh("ip", "-n", self.peer, "link", "set", peer, "up")

    def down(self):
        self.stop_redis()
        existing = sh("ip", "netns", "list", check=False).split()
        for ns in (self.node, self.peer):
            if ns not in existing:
                continue
            for pid in sh("ip", "netns", "pids", ns, check=False).split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def popen(self, ns, args, log, env=None):
        return subprocess.Popen(["ip", "netns", "exec", ns, *args], stdout=open(log, "ab"),
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)

    # A fresh Redis pair for every fixture: one fixture's CONFIG SET (min-replicas) or role
    # must not meet the next.
    def start_redis(self):
        self.stop_redis()
        common = ["--bind", "127.0.0.1", "::1", "--save", "", "--appendonly", "no"]
        for port, extra in ((6379, []),
                            (6380, ["--requirepass", REQUIREPASS,
                                    "--user", "redkeep", "on", f">{ACL_PASSWORD}", "~*", "&*",
                                    "+@all", "--rename-command", "CONFIG", "rk-config"])):
            d = self.dir / f"redis-{port}"
            d.mkdir(exist_ok=True)
            self.redis.append(self.popen(self.node, ["redis-server", "--port", str(port), *common,
                                                     "--dir", str(d), *extra], d / "log"))
            auth = ["-a", REQUIREPASS, "--no-auth-warning"] if port == 6380 else []
            wait_for(f"redis on {port}", lambda port=port, auth=auth: sh(
                "ip", "netns", "exec", self.node, "redis-cli", "-p", str(port), *auth, "PING",
                check=False).strip() == "PONG")

    def stop_redis(self):
        for p in self.redis:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        self.redis = []

    def addresses(self, iface):
        return sh("ip", "-n", self.node, "-o", "addr", "show", "dev", iface)


def error_lines(log_text):
    """Lines logged at error or critical level ('DATE TIME LEVEL ...')."""
    return [l for l in log_text.splitlines()
            if len(l.split()) > 2 and l.split()[2] in ("error", "critical")]


def adverts(listener_log):
    out = []
    for line in Path(listener_log).read_text().splitlines():
        try:
            a = json.loads(line)
        except ValueError:
            continue
        if "vrid" in a:
            out.append(a)
    return out


def run_fixture(lab, fixture):
    name = fixture.stem
    work = lab.dir / name
    work.mkdir()
    config = work / fixture.name
    shutil.copy(fixture, config)
    config.chmod(0o600)
    check = subprocess.run([str(lab.binary), "check", "--config", str(config)],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, f"check refused it:\n{check.stdout}{check.stderr}"

    lab.start_redis()
    listener_log = work / "adverts.jsonl"
    listener = lab.popen(lab.peer, ["python3", str(Path(__file__).with_name("advert_listener.py")),
                                    "--iface", "p0", "--iface", "p1", "--seconds", "120"],
                         listener_log)
    wait_for("the advert listener", lambda: "listening" in listener_log.read_text())
    log = work / "redkeep.log"
    env = {**os.environ, "RK_ACL_PASSWORD": ACL_PASSWORD}
    daemon = lab.popen(lab.node, ["unshare", "--mount", "sh", "-c", DAEMON_SCRIPT,
                                  str(lab.binary), str(config)], log, env=env)
    try:
        def status():
            out = sh("nsenter", "--target", str(daemon.pid), "--mount", "--net",
                     str(lab.binary), "status", "--json", "--config", str(config), check=False)
            return json.loads(out)["instances"]

        def all_master():
            assert daemon.poll() is None, f"redkeep exited ({daemon.returncode})"
            s = status()
            return s if s and all(i["state"] == "MASTER" for i in s) else None
        instances = wait_for("every instance to become MASTER", all_master, timeout=20)

        for inst in instances:
            iface = inst["interface"]
            held = lab.addresses(iface)
            for vip in inst["virtual_ipaddress"]:
                assert f" {vip} " in held, f"{inst['name']}: VIP {vip} not on {iface}:\n{held}"
            v6 = ":" in inst["virtual_ipaddress"][0]
            source = (NODE_ADDRESSES6[iface][0] if v6 else NODE_ADDRESSES[iface]).split("/")[0]

            def heard(inst=inst, source=source):
                return [a for a in adverts(listener_log)
                        if a["vrid"] == inst["virtual_router_id"] and a["src"] == source and
                        a["version"] == inst["version"]]
            got = wait_for(f"an advert of {inst['name']} at the far end of {iface}", heard,
                           timeout=5)
            a = got[0]
            assert a["ttl"] == 255, a
            assert a["dst"] in UNICAST_PEERS | MULTICAST, a
            assert a["priority"] == inst["effective_priority"], (a, inst["effective_priority"])
            assert a["count"] == len(inst["virtual_ipaddress"]), a
        # Two advert intervals more (at most 3 s): nothing unsent, still MASTER everywhere.
        time.sleep(min(3.0, 2 * max(i["master_adver_interval_s"] for i in instances)))
        for inst in status():
            assert inst["state"] == "MASTER", inst
            assert inst["counters"]["adverts_unsent"] == 0, inst["counters"]
            assert inst["vip_held"], inst
        errors = error_lines(log.read_text())
        assert not errors, "errors logged:\n" + "\n".join(errors)
        # Redis-side settings went through (on 6380 through the renamed CONFIG).
        for refusal in ("masterauth not set", "without min-replicas"):
            assert refusal not in log.read_text(), log.read_text()[-3000:]
        if "manage_masterauth yes" in fixture.read_text():
            got = sh("ip", "netns", "exec", lab.node, "redis-cli", "-p", "6380", "-a", REQUIREPASS,
                     "--no-auth-warning", "rk-config", "GET", "masterauth").split()
            assert got[1:] == [REQUIREPASS], "manage_masterauth: masterauth is not the password"

        os.kill(daemon.pid, signal.SIGTERM)
        code = daemon.wait(timeout=30)
        assert code == 0, f"exit status {code} after SIGTERM"
        for inst in instances:
            held = lab.addresses(inst["interface"])
            for vip in inst["virtual_ipaddress"]:
                assert f" {vip} " not in held, f"VIP {vip} left behind after SIGTERM"
        errors = error_lines(log.read_text())
        assert not errors, "errors logged while stopping:\n" + "\n".join(errors)
        return f"{len(instances)} instance(s) MASTER, {len(adverts(listener_log))} adverts heard"
    finally:
        for p in (daemon, listener):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def main():
    files = [Path(a).resolve() for a in sys.argv[1:]] or sorted(FIXTURES.glob("*.conf"))
    lab = AcceptedLab()
    passed = failed = 0
    try:
        lab.up()
        for f in files:
            try:
                what = run_fixture(lab, f)
                passed += 1
                print(f"PASS {f.name}: {what}", flush=True)
            except Exception:  # noqa: BLE001 - report each fixture, then go on
                failed += 1
                print(f"FAIL {f.name}", flush=True)
                traceback.print_exc()
                log = lab.dir / f.stem / "redkeep.log"
                if log.exists():
                    print(log.read_text()[-4000:])
    finally:
        lab.down()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
