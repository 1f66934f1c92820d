#!/usr/bin/env python3
"""The compose lab (docker/compose.yml) against the real Docker engine.

Starts the lab with the README's quick-start command, `docker/lab.sh up` (debian:bookworm-slim
from Docker, a registry, or made with mmdebstrap when neither has it; the image built with the
legacy builder; compose up; a master awaited), under a project name of its own, and asserts
with deadlines, polling `ip -4 addr`, `redkeep status` and Redis ROLE in the containers:

  up       exactly one node holds VIP 192.0.2.100, its redkeep is MASTER and its Redis master,
           the two others are BACKUP with Redis replicating from it (link up); a write from the
           client container through the VIP succeeds and reaches every node
  kill     `docker kill` of the master: another node holds the VIP, its Redis is master, writes
           through the VIP resume; the killed node stays down (exit 137, not restarted:
           `docker kill` is a manual stop for Docker's `restart: on-failure`)
  stop     `compose stop` of the (new) master: it exits 0 after logging the VIP removal, within
           the grace period; exactly one node holds the VIP; the client's ARP entry for the VIP
           is the new holder's MAC (no duplicate answering)
  start    the stopped node starts again: BACKUP (nopreempt), Redis replica of the master with
           link up, VIP holder unchanged
  give up  the master's election actor crashed 6 times over its control socket (the restart
           budget is 5): redkeep logs "giving up", sends priority 0 and exits 1; Docker restarts
           the container (RestartCount + 1); the other running node holds the VIP within 10 s,
           and only it; the restarted node is BACKUP, its Redis a replica of the new master with
           link up; the holder does not change (nopreempt) and writes through the VIP reach it
  down     `compose down -v`: no container and no network of the project left

The project runs docker/compose.yml plus tests/docker/compose.test-hooks.yml (REDKEEP_TEST_HOOKS=1
for the nodes: the control socket accepts "crash election[NAME]"); the test first checks that
docker/compose.yml alone does not turn the hooks on. The control socket is reached with a Perl
one-liner run by `docker exec` (perl-base is in every Debian image; the image has no python or
socat). Only what this project name created is removed, also on failure. Exit 1 (a failure, not
a skip) when there is no docker command at all. Prints the timings (image build, each step,
total).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMPOSE_FILE = os.path.join(ROOT, "docker", "compose.yml")
LAB_SH = os.path.join(ROOT, "docker", "lab.sh")
HOOKS_FILE = os.path.join(ROOT, "tests", "docker", "compose.test-hooks.yml")
CONTROL_SOCKET = "/run/redkeep/redkeep.sock"  # docker/node{1,2,3}.conf
IMAGE = "redkeep:lab"
VIP = "192.0.2.100"
SUBNET = "192.0.2.0/24"
NODES = {"node1": "192.0.2.11", "node2": "192.0.2.12", "node3": "192.0.2.13"}
PROJECT = f"rkdockertest{os.getpid()}"
timings = []


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(args, check=True, timeout=120, capture=True):
    r = subprocess.run(args, stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.STDOUT if capture else None, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {r.returncode}: {r.stdout}")
    return r


def compose_cmd():
    """`docker compose` (v2 plugin) when present, else docker-compose (v1)."""
    if run(["docker", "compose", "version"], check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise AssertionError("neither `docker compose` nor docker-compose is installed")


COMPOSE = None


def compose(*args, **kw):
    return run([*COMPOSE, "-f", COMPOSE_FILE, "-f", HOOKS_FILE, "-p", PROJECT, *args], **kw)


def lab_sh(*args, timeout):
    """docker/lab.sh, the README's quick-start command, on this test's compose files and
    project (COMPOSE_FILE and COMPOSE_PROJECT_NAME, which compose itself reads); its output
    goes to the test's."""
    env = {**os.environ, "COMPOSE_FILE": f"{COMPOSE_FILE}:{HOOKS_FILE}",
           "COMPOSE_PROJECT_NAME": PROJECT}
    r = subprocess.run([LAB_SH, *args], env=env, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"docker/lab.sh {' '.join(args)} exited {r.returncode}")


def check_hooks_off_as_shipped():
    """docker/compose.yml alone must not turn the test hooks on; the override must."""
    shipped = run([*COMPOSE, "-f", COMPOSE_FILE, "-p", PROJECT, "config"]).stdout
    assert "REDKEEP_TEST_HOOKS" not in shipped, "docker/compose.yml turns the test hooks on"
    assert "REDKEEP_TEST_HOOKS" in compose("config").stdout, f"{HOOKS_FILE} has no effect"


def wait_for(what, predicate, timeout, interval=0.2):
    """Polls predicate() until it returns a truthy value; fails naming `what` and the last value
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = predicate()
        except (AssertionError, subprocess.TimeoutExpired) as e:
            last = e
            if isinstance(e, subprocess.TimeoutExpired):
                last = f"timeout: {e}"
        else:
            if last and not isinstance(last, Exception):
                return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last: {last})")
        time.sleep(interval)


class Step:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        log(f"--- {self.name}")
        self.t0 = time.monotonic()

    def __exit__(self, *exc):
        dt = time.monotonic() - self.t0
        timings.append((self.name, dt))
        if exc[0] is None:
            log(f"--- {self.name}: ok in {dt:.1f} s")


# -- the lab, seen from inside the containers --
_cids = {}  # service -> container id: stop, start, kill and restarts keep a container's id


def cid(service):
    """The service's container id, asked of compose once (docker-compose v1 takes ~0.5 s a
    call, and every check in a container needs the id)."""
    if service not in _cids:
        out = compose("ps", "-q", service).stdout.strip()
        if not out:
            raise AssertionError(f"no container for {service}")
        _cids[service] = out.splitlines()[-1]
    return _cids[service]


def running(service):
    r = run(["docker", "inspect", "-f", "{{.State.Running}}", cid(service)], check=False)
    return r.stdout.strip() == "true"


def inspect(service):
    return json.loads(run(["docker", "inspect", cid(service)]).stdout)[0]


def die_exit_codes(service, since):
    """Exit codes of the container's `die` events since `since` (Unix time), oldest first: a
    container restarted by its policy shows State.ExitCode 0 again once it runs."""
    # --until in the past: `docker events` prints what it has and returns at once.
    r = run(["docker", "events", "--since", str(int(since)), "--until", str(int(time.time())),
             "--filter", f"container={cid(service)}", "--filter", "event=die",
             "--format", "{{json .Actor.Attributes}}"], timeout=20)
    return [int(json.loads(line)["exitCode"]) for line in r.stdout.splitlines() if line.strip()]


def dexec(service, *args, check=False, timeout=10):
    return run(["docker", "exec", cid(service), *args], check=check, timeout=timeout)


def holds_vip(service):
    out = dexec(service, "ip", "-4", "-o", "addr", "show", "dev", "eth0", check=True).stdout
    return f" {VIP}/" in out


def vip_holders(services):
    return [s for s in services if running(s) and holds_vip(s)]


def status_code(service):
    return dexec(service, "redkeep", "status").returncode


def election_restarts(service):
    """Restarts of the election actor in redkeep's counters (an AssertionError while the daemon
    or its container does not answer). `status` exits 0 only for MASTER: not checked here."""
    out = dexec(service, "redkeep", "status", "--json").stdout
    try:
        counters = json.loads(out)["instances"][0]["counters"]
        return counters["actor_restarts_by_actor"].get("election", 0)
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise AssertionError(f"redkeep status --json on {service}: {e!r}: {out[:300]}") from e


def assert_stays_down(service, what):
    """`docker kill` is a manual stop for Docker: restart: on-failure does not restart it."""
    info = inspect(service)
    st = info["State"]
    assert not st["Running"] and not st["Restarting"] and info["RestartCount"] == 0, \
        f"{service} after {what}: running {st['Running']}, restarting {st['Restarting']}, " \
        f"RestartCount {info['RestartCount']} (expected to stay down)"
    assert st["ExitCode"] == 137, f"{service} after {what}: exit {st['ExitCode']}, expected 137"


# One request line to the control socket, one answer line back (actors/control_server.cpp).
PERL_CONTROL = ('use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) '
                'or die "connect $ARGV[0]: $!\\n"; print $s "$ARGV[1]\\n"; print scalar <$s>;')


def control(service, request):
    r = dexec(service, "perl", "-e", PERL_CONTROL, CONTROL_SOCKET, request)
    if r.returncode != 0:
        raise AssertionError(f"control request {request!r} to {service}: exit {r.returncode}: "
                             f"{r.stdout.strip()}")
    return json.loads(r.stdout)


def role(service):
    """Redis ROLE as a list of lines (redis-cli output)."""
    return dexec(service, "redis-cli", "role").stdout.split()


def replica_of(service, master_ip):
    """INFO replication says: replica of master_ip with link up."""
    info = dexec(service, "redis-cli", "info", "replication").stdout
    return (f"master_host:{master_ip}" in info and "master_link_status:up" in info
            and "role:slave" in info)


def client_write(key, value):
    # redis-cli 7.0 has no -t: coreutils timeout bounds a connect to a VIP nobody answers.
    r = run(["docker", "exec", cid("client"), "timeout", "2", "redis-cli", "-h", VIP, "set", key,
             value], check=False, timeout=10)
    return r.stdout.strip() == "OK"


def one_master(services):
    """Exactly one running service holds the VIP, its redkeep is MASTER (status exit 0) and its
    Redis is master: returns it, else None."""
    holders = vip_holders(services)
    if len(holders) != 1:
        return None
    m = holders[0]
    if status_code(m) != 0 or not role(m) or role(m)[0] != "master":
        return None
    return m


def check_subnet_free():
    """Docker refuses overlapping pools; say so before `up` does it less clearly."""
    for net in run(["docker", "network", "ls", "-q"]).stdout.split():
        info = json.loads(run(["docker", "network", "inspect", net]).stdout)[0]
        for cfg in (info.get("IPAM") or {}).get("Config") or []:
            if cfg.get("Subnet") == SUBNET:
                raise AssertionError(f"docker network {info['Name']} already uses {SUBNET}: "
                                     "the lab needs it (docker/compose.yml)")


def leftovers():
    label = f"label=com.docker.compose.project={PROJECT}"
    c = run(["docker", "ps", "-aq", "--filter", label]).stdout.split()
    n = run(["docker", "network", "ls", "-q", "--filter", label]).stdout.split()
    v = run(["docker", "volume", "ls", "-q", "--filter", label]).stdout.split()
    return c + n + v


def scenario():
    nodes = list(NODES)
    _cids.clear()
    with Step("one master holds the VIP, writes through it reach every node"):
        m = wait_for("exactly one VIP holder, MASTER, Redis master", lambda: one_master(nodes),
                     timeout=60)
        log(f"master: {m}")
        for s in nodes:
            if s != m:
                wait_for(f"{s} BACKUP, Redis replica of {m} (link up)",
                         lambda: status_code(s) == 1 and replica_of(s, NODES[m]), timeout=30)
        wait_for("a write through the VIP", lambda: client_write("k1", "v1"), timeout=15)
        for s in nodes:
            wait_for(f"k1 on {s}", lambda: dexec(s, "redis-cli", "get", "k1").stdout.strip()
                     == "v1", timeout=10)
        health = run(["docker", "inspect", "-f", "{{.State.Health.Status}}", cid(m)]).stdout
        log(f"{m} health: {health.strip()} (HEALTHCHECK: redkeep status)")

    with Step("docker kill of the master"):
        run(["docker", "kill", cid(m)])
        t0 = time.monotonic()
        alive = [s for s in nodes if s != m]
        m2 = wait_for("another node holds the VIP and is master", lambda: one_master(alive),
                      timeout=20)
        wait_for("writes through the VIP resume", lambda: client_write("k2", "v2"), timeout=15)
        log(f"new master {m2}; writes resumed {time.monotonic() - t0:.1f} s after the kill")
        assert len(vip_holders(alive)) == 1, "duplicate VIP after the kill"
        killed = m
        assert_stays_down(killed, "docker kill")
        log(f"{killed} stays down: exit 137, RestartCount 0 (docker kill is a manual stop)")

    with Step("compose stop of the new master"):
        t0 = time.monotonic()
        compose("stop", m2, timeout=60)
        took = time.monotonic() - t0
        state = json.loads(run(["docker", "inspect", cid(m2)]).stdout)[0]["State"]
        assert not state["Running"], f"{m2} still running after stop"
        assert state["ExitCode"] == 0, f"{m2} exited {state['ExitCode']} (not a clean stop)"
        logs = run(["docker", "logs", cid(m2)]).stdout
        assert re.search(rf"VIP {re.escape(VIP)}/\d+ removed", logs), \
            f"{m2} did not log the VIP removal:\n{logs[-3000:]}"
        assert "priority 0 sent" in logs, f"{m2} did not log its priority 0 advert"
        log(f"{m2} stopped in {took:.1f} s, exit 0, VIP removed and priority 0 sent")
        rest = [s for s in nodes if s not in (killed, m2)]
        m3 = wait_for("the last node holds the VIP and is master", lambda: one_master(rest),
                      timeout=20)
        wait_for("writes through the VIP resume", lambda: client_write("k3", "v3"), timeout=15)
        mac = dexec(m3, "cat", "/sys/class/net/eth0/address", check=True).stdout.strip()
        neigh = dexec("client", "ip", "neigh", "show", VIP, check=True).stdout
        assert mac in neigh, f"client's ARP entry for the VIP is not {m3}'s {mac}: {neigh}"
        log(f"{m3} is master; the client reaches the VIP at {mac}")

    with Step("compose start of the stopped node: rejoins as a replica"):
        compose("start", m2, timeout=60)
        wait_for(f"{m2} BACKUP, Redis replica of {m3} (link up)",
                 lambda: status_code(m2) == 1 and replica_of(m2, NODES[m3]), timeout=30)
        wait_for(f"k3 on {m2}", lambda: dexec(m2, "redis-cli", "get", "k3").stdout.strip() == "v3",
                 timeout=10)
        assert vip_holders(nodes) == [m3], f"VIP holders now {vip_holders(nodes)}, want [{m3}]"
        assert status_code(m3) == 0, f"{m3} is no longer master (nopreempt)"

    with Step("redkeep on the master gives up: Docker restarts its container as a BACKUP"):
        assert_stays_down(killed, "docker kill, a while later")
        gu, other = m3, m2  # the master and the only other running node
        rc0 = inspect(gu)["RestartCount"]
        since = time.time() - 1

        def gone():
            info = inspect(gu)
            st = info["State"]
            return info["RestartCount"] > rc0 or not st["Running"] or st["Restarting"]

        crashes = 0
        while crashes < 10:
            if crashes:
                # Less than the election's 1 s snapshot interval on purpose: an election
                # restarted from a snapshot several restarts old once took the stale advert
                # deadline for a process stall and stepped down before giving up.
                time.sleep(0.3)
            code = status_code(gu)
            assert code == 0, f"{gu} not MASTER before crash {crashes + 1} (status exit {code})"
            n = election_restarts(gu)
            reply = control(gu, "crash election[HARedis]")
            assert reply == {"crashed": True}, f"crash request on {gu}: {reply} (test hooks off?)"
            crashes += 1
            t_crash = time.monotonic()
            outcome = wait_for(f"{gu}: election restarted or redkeep gone after crash {crashes}",
                               lambda: "gone" if gone() else
                               ("restarted" if election_restarts(gu) > n else None), timeout=10)
            if outcome == "gone":
                break
        assert crashes == 6, f"{gu} gave up after {crashes} crashes, expected 6 (5 restarts)"
        wait_for(f"{other} holds the VIP and is master", lambda: one_master([other, gu]),
                 timeout=10)
        took = time.monotonic() - t_crash
        holders = vip_holders(nodes)
        assert holders == [other], f"VIP holders {holders}, want [{other}]"
        log(f"{gu} gave up after {crashes} crashes; {other} master {took:.1f} s after the last")
        other_logs = run(["docker", "logs", cid(other)]).stdout
        assert f"priority 0 advert from {NODES[gu]}" in other_logs, \
            f"{other} did not take over on {gu}'s priority 0 advert:\n{other_logs[-3000:]}"
        rc = wait_for(f"Docker restarts {gu} (RestartCount > {rc0})",
                      lambda: inspect(gu)["RestartCount"] > rc0 and inspect(gu)["RestartCount"],
                      timeout=15)
        codes = wait_for(f"the die event of {gu}", lambda: die_exit_codes(gu, since), timeout=10)
        assert codes[0] == 1, f"{gu}'s redkeep exited {codes} after giving up, expected 1"
        log(f"{gu} exited {codes[0]} (priority 0 advert seen by {other}); "
            f"RestartCount {rc0} -> {rc}")
        wait_for(f"restarted {gu} BACKUP, Redis replica of {other} (link up)",
                 lambda: status_code(gu) == 1 and replica_of(gu, NODES[other]), timeout=30)
        log(f"{gu} back as BACKUP {time.monotonic() - t_crash:.1f} s after the last crash")
        # nopreempt: for longer than Master_Down_Interval (~3.6 s) the holder stays the same.
        end = time.monotonic() + 4
        while time.monotonic() < end:
            holders = vip_holders(nodes)
            assert holders == [other], f"VIP holders {holders} after {gu}'s restart, want [{other}]"
            code = status_code(gu)
            assert code == 1, f"restarted {gu}: redkeep status exit {code}, expected 1 (BACKUP)"
            time.sleep(0.2)
        wait_for("a write through the VIP", lambda: client_write("k4", "v4"), timeout=15)
        wait_for(f"k4 on {gu}", lambda: dexec(gu, "redis-cli", "get", "k4").stdout.strip() == "v4",
                 timeout=10)
        logs = run(["docker", "logs", cid(gu)]).stdout
        assert "giving up" in logs, f"{gu}'s logs do not say 'giving up':\n{logs[-3000:]}"

    with Step("redkeep inspect tells the same story from `docker compose logs`"):
        logs = compose("logs", "--no-color", timeout=60).stdout
        if os.environ.get("REDKEEP_KEEP_COMPOSE_LOGS"):
            with open(os.environ["REDKEEP_KEEP_COMPOSE_LOGS"], "w") as f:
                f.write(logs)
        r = subprocess.run(["docker", "exec", "-i", cid(other), "redkeep", "inspect", "--json"],
                           input=logs, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, f"redkeep inspect exited {r.returncode}: {r.stderr}"
        entries = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        summary = entries[-1]
        blocks = [e for e in entries if e["type"] == "failover"]
        story = [(b["old_master"], b["new_master"]) for b in blocks]
        # The three failovers this test caused: docker kill, compose stop, redkeep giving up.
        assert story == [(m, m2), (m2, m3), (m3, other)], (story, summary)
        assert summary["failovers"] == 3 and summary["split_brains"] == 0, summary
        assert [x["node"] for x in summary["masters_at_end"]] == [other], summary
        assert sorted(summary["nodes"]) == sorted(NODES), summary
        assert summary["redis_lines"] > 0, summary  # Redis's own lines, told apart
        log(f"inspect: {story}; {summary['lines']} lines, {summary['redis_lines']} of Redis's, "
            f"{summary['not_understood']} not understood")

    with Step("compose down -v"):
        compose("down", "-v", "-t", "20", timeout=120)
        left = leftovers()
        assert not left, f"left behind by compose down: {left}"


def main():
    global COMPOSE
    if not shutil.which("docker"):
        # A test that cannot run here is a failure, not a skip.
        print("FAIL: no docker command on this machine (scripts/install-deps.sh does not "
              "install Docker; this test needs a Docker engine)")
        return 1
    t_start = time.monotonic()
    COMPOSE = compose_cmd()
    log(f"compose: {' '.join(COMPOSE)}; project {PROJECT}")
    ok = False
    try:
        check_subnet_free()
        check_hooks_off_as_shipped()
        if os.environ.get("REDKEEP_DOCKER_NO_BUILD") == "1":  # iterate on the test alone
            log(f"REDKEEP_DOCKER_NO_BUILD=1: using the existing {IMAGE}")
            with Step("compose up"):
                compose("up", "-d", "--no-build", timeout=180)
        else:
            with Step("docker/lab.sh up (base image, image build, compose up, a master)"):
                lab_sh("up", timeout=1800)
        scenario()
        ok = True
    finally:
        if not ok:
            log("FAILED; logs of the lab:")
            r = compose("logs", "--no-color", "--tail", "60", check=False, timeout=60)
            print(r.stdout[-20000:], flush=True)
        compose("down", "-v", "-t", "5", check=False, timeout=120)
        left = leftovers()
        if left:
            log(f"WARNING: still left after cleanup: {left}")
        timings.append(("total", time.monotonic() - t_start))
        log("timings: " + ", ".join(f"{n}: {t:.1f} s" for n, t in timings))
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
