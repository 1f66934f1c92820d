"""Lab scenarios of redkeep as a service: systemd's notification protocol against a socket the
test listens on (NOTIFY_SOCKET), the daemon run as an unprivileged user with only
CAP_NET_ADMIN and CAP_NET_RAW (as examples/redkeep.service runs it), and the Prometheus
endpoint scraped before and after a failover."""
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

from helpers import assert_one_master, assert_replica_of, proc_status
from lab import METRICS_PORT, wait_for
from scenarios import inject

# systemd asks for a ping within half of WATCHDOG_USEC; the daemon's elections tick at a quarter.
WATCHDOG_USEC = 2_000_000


class NotifyListener:
    """A Unix datagram socket standing in for systemd's NOTIFY_SOCKET: every message with the
    monotonic time it arrived."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []  # (time.monotonic(), {KEY: VALUE})
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            with self.lock:
                self.messages.append((time.monotonic(), fields))

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()

    def since(self, t0=0.0):
        with self.lock:
            return [(t, m) for t, m in self.messages if t >= t0]

    def first(self, key, t0=0.0):
        return next(((t, m) for t, m in self.since(t0) if key in m), None)

    def pings(self, t0=0.0, t1=float("inf")):
        return [t for t, m in self.since(t0) if m.get("WATCHDOG") == "1" and t <= t1]


def max_gap(times, start, end):
    """The longest stretch between start, the times and end (seconds)."""
    points = [start, *[t for t in times if start <= t <= end], end]
    return max(b - a for a, b in zip(points, points[1:]))


def scenario_systemd_notify(lab):
    """READY once the instance entered its first state (its STATUS names it); WATCHDOG=1 within
    half of WATCHDOG_USEC while the election runs, none while it hangs, again after;
    RELOADING=1 (with MONOTONIC_USEC) then READY=1 around `redkeep reload`; STOPPING=1 at
    SIGTERM, before the exit."""
    n1, n2, n3 = lab.nodes
    for n in lab.nodes:
        n.start_redis()
    listener = NotifyListener(lab.dir / "notify.sock")
    try:
        t0 = time.monotonic()
        n1.start_redkeep(env={"NOTIFY_SOCKET": listener.path,
                              "WATCHDOG_USEC": str(WATCHDOG_USEC)})
        wait_for("READY=1", lambda: listener.first("READY", t0), timeout=15)
        _, ready = listener.first("READY", t0)
        assert ready.get("STATUS") in ("HARedis BACKUP", "HARedis MASTER"), ready
        t_ready = listener.first("READY", t0)[0]
        earlier = [m for t, m in listener.since(t0) if t < t_ready]
        assert not earlier, f"messages before READY: {earlier}"
        wait_for("n1 MASTER", lambda: n1.state() == "MASTER", timeout=15)
        wait_for("STATUS=HARedis MASTER",
                 lambda: any(m.get("STATUS") == "HARedis MASTER" for _, m in listener.since(t0)),
                 timeout=5)

        # Pings while the election runs: within half of WATCHDOG_USEC of each other.
        w0 = time.monotonic()
        wait_for("3 s of watchdog pings", lambda: time.monotonic() - w0 > 3, timeout=5)
        w1 = time.monotonic()
        gap = max_gap(listener.pings(w0, w1), w0, w1)
        assert gap <= WATCHDOG_USEC / 2e6, f"a {gap:.2f} s gap between watchdog pings"

        # A hung election: no ping while it hangs, pings again once it runs.
        h0 = time.monotonic()
        assert n1.control("hang election[HARedis] 2500") == {"hung": True}
        wait_for("the election to hang and run again",
                 lambda: len(listener.pings(h0 + 2.6)) >= 2, timeout=10)
        pings = listener.pings(h0)
        gap = max_gap(pings, h0, pings[-1])
        assert gap >= 2.0, f"pings went on while the election hung (longest gap {gap:.2f} s)"

        # Reload: RELOADING=1 with MONOTONIC_USEC, then READY=1.
        r0 = time.monotonic()
        n1.exec(str(lab.binary), "reload", "--socket", str(n1.socket))  # raises unless exit 0
        wait_for("RELOADING=1", lambda: listener.first("RELOADING", r0), timeout=5)
        t_reloading, reloading = listener.first("RELOADING", r0)
        assert int(reloading["MONOTONIC_USEC"]) > 0, reloading
        wait_for("READY=1 after the reload", lambda: listener.first("READY", t_reloading),
                 timeout=5)

        # A receiver that stops reading (n2) must not stall the election: sends never block.
        # A malformed WATCHDOG_USEC (n3) is said once and turns the watchdog off.
        deaf = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        deaf.bind(str(lab.dir / "deaf.sock"))
        n2.start_redkeep(env={"NOTIFY_SOCKET": str(lab.dir / "deaf.sock"),
                              "WATCHDOG_USEC": "40000"})
        n3.start_redkeep(env={"NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "12abc"})
        for n in (n2, n3):
            wait_for(f"{n.name} BACKUP", lambda n=n: n.state() == "BACKUP", timeout=15)
        heard = n2.status()["counters"]["adverts_received"]
        wait_for("n2 still hearing adverts with a deaf NOTIFY_SOCKET",
                 lambda: n2.status()["counters"]["adverts_received"] >= heard + 3, timeout=10)
        assert n2.log_text().count("Cannot notify the service manager") == 1, n2.log_text()
        assert "WATCHDOG_USEC=12abc is not a positive number" in n3.log_text(), n3.log_text()
        deaf.close()

        # SIGTERM: STOPPING=1, then the exit.
        s0 = time.monotonic()
        n1.signal_redkeep(signal.SIGTERM)
        wait_for("STOPPING=1", lambda: listener.first("STOPPING", s0), timeout=5)
        code = n1.redkeep.wait(timeout=20)
        assert code == 0, f"redkeep exit status {code}"
        assert not n1.has_vip()
    finally:
        listener.close()


scenario_systemd_notify.lab_options = {"test_hooks": True}


def capabilities(pid):
    """(uid, effective capability mask) of a process, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return int(fields["Uid"][1]), int(fields["CapEff"][0], 16)


CAP_NET_ADMIN, CAP_NET_RAW = 12, 13


def scenario_unprivileged(lab):
    """Every node's redkeep runs as user nobody with only CAP_NET_ADMIN and CAP_NET_RAW (as
    examples/redkeep.service: User=, AmbientCapabilities=): it elects, holds the VIP, fails
    over when the Master's Redis dies, and stops cleanly."""
    nobody = 65534
    wrapper = ("setpriv", f"--reuid={nobody}", f"--regid={nobody}", "--clear-groups",
               "--inh-caps=-all,+net_admin,+net_raw", "--ambient-caps=-all,+net_admin,+net_raw",
               "--bounding-set=-all,+net_admin,+net_raw", "--")
    for n in lab.nodes:
        os.chown(n.dir, nobody, nobody)
        os.chown(n.config, nobody, nobody)
        n.start_redis()
    n1, n2, n3 = lab.nodes
    n1.start_redkeep(wrapper=wrapper)
    wait_for("n1 MASTER", lambda: n1.state() == "MASTER", timeout=15)
    for n in (n2, n3):
        n.start_redkeep(wrapper=wrapper)
    for n in (n2, n3):
        wait_for(f"{n.name} BACKUP", lambda n=n: n.state() == "BACKUP", timeout=15)
    for n in lab.nodes:
        uid, caps = capabilities(n.redkeep.pid)
        assert uid == nobody, f"{n.name}: uid {uid}"
        assert caps == (1 << CAP_NET_ADMIN) | (1 << CAP_NET_RAW), f"{n.name}: CapEff {caps:x}"
    assert_one_master(lab, n1)
    assert_replica_of(n2, n1)
    n1.kill_redis()
    new = assert_one_master(lab, n2, timeout=15)
    assert_replica_of(n3, new)
    code = n2.stop_redkeep(signal.SIGTERM)
    assert code == 0, f"redkeep exit status {code}"
    assert not n2.has_vip()
    assert_one_master(lab, n3, timeout=15)


SCRAPER = Path(__file__).resolve().parent / "scrape_metrics.py"


def scrape(node, path="/metrics", port=METRICS_PORT):
    """/metrics of `node`, parsed by the Prometheus client's parser (scrape_metrics.py)."""
    out = node.exec("/usr/bin/python3", str(SCRAPER), f"http://{node.ip}:{port}{path}")
    return json.loads(out)


def refused(node, port):
    try:
        scrape(node, port=port)
    except RuntimeError as e:
        return "refused" in str(e).lower()
    return False


def sample(scraped, name, **labels):
    """The value of the one sample `name` with `labels` (vrrp_instance HARedis by default)."""
    labels.setdefault("vrrp_instance", "HARedis")
    found = [v for n, l, v in scraped["samples"]
             if n == name and all(l.get(k) == want for k, want in labels.items())]
    assert len(found) == 1, f"{len(found)} samples {name} {labels}"
    return found[0]


def scenario_metrics_failover(lab):
    """/metrics on the Master and a Backup, parsed as Prometheus parses it: state, VIP, adverts,
    Redis role and replication as they are; rejected adverts counted by reason; after the
    Master's Redis dies, the new Master's and the old one's state, VIP, eligibility (and why
    not), transitions and adverts changed accordingly."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert_replica_of(n2, n1)
    assert_replica_of(n3, n1)
    m1, b2 = scrape(n1), scrape(n2)
    assert m1["content_type"].startswith("text/plain; version=0.0.4"), m1["content_type"]
    assert m1["types"]["redkeep_vrrp_state"] == "gauge"
    assert m1["types"]["redkeep_vrrp_adverts_sent"] == "counter", m1["types"]
    assert any(n == "redkeep_build_info" and l.get("version") for n, l, _ in m1["samples"])
    assert sample(m1, "redkeep_vrrp_state", state="MASTER") == 1
    assert sample(m1, "redkeep_vrrp_state", state="BACKUP") == 0
    assert sample(m1, "redkeep_vip_held") == 1
    assert sample(m1, "redkeep_vrrp_adverts_sent_total") > 0
    assert sample(m1, "redkeep_redis_role", role="master") == 1
    assert sample(m1, "redkeep_redis_connected_replicas") == 2
    assert sample(m1, "redkeep_vrrp_eligible") == 1
    assert sample(b2, "redkeep_vrrp_state", state="BACKUP") == 1
    assert sample(b2, "redkeep_vip_held") == 0
    assert sample(b2, "redkeep_vrrp_adverts_received_total") > 0
    assert sample(b2, "redkeep_redis_role", role="replica") == 1
    assert sample(b2, "redkeep_redis_master_link_up") == 1
    assert sample(b2, "redkeep_redis_replication_lag_seconds") >= 0
    assert sample(b2, "redkeep_redis_replication_offset_bytes") >= 0

    # Rejections by reason: adverts with a wrong password reach every node.
    rejected = sample(b2, "redkeep_vrrp_adverts_rejected_total", reason="auth_password")
    assert inject(lab, "--count", "10", "--rate", "100", "--password", "wrong") == 10
    wait_for("10 auth_password rejections on n2's /metrics",
             lambda: sample(scrape(n2), "redkeep_vrrp_adverts_rejected_total",
                            reason="auth_password") >= rejected + 10, timeout=5)

    # Failover: n1's Redis dies, n2 takes over.
    n1.kill_redis()
    assert_one_master(lab, n2, timeout=15)
    # Redis's role in /metrics is the last health check's INFO: up to check_interval behind.
    m2 = wait_for("n2's /metrics to show its Redis as master",
                  lambda: (lambda m: m if sample(m, "redkeep_redis_role", role="master") else None)(
                      scrape(n2)), timeout=5)
    old = scrape(n1)
    assert sample(m2, "redkeep_vrrp_state", state="MASTER") == 1
    assert sample(m2, "redkeep_vip_held") == 1
    assert sample(m2, "redkeep_vrrp_transitions_total") == \
        sample(b2, "redkeep_vrrp_transitions_total") + 1
    assert sample(m2, "redkeep_vrrp_adverts_sent_total") > sample(b2, "redkeep_vrrp_adverts_sent_total")
    assert sample(old, "redkeep_vrrp_state", state="MASTER") == 0
    assert sample(old, "redkeep_vip_held") == 0
    assert sample(old, "redkeep_redis_healthy") == 0
    assert sample(old, "redkeep_vrrp_eligible") == 0
    assert sample(old, "redkeep_vrrp_not_eligible", reason="redis_unhealthy") == 1
    assert sample(old, "redkeep_vrrp_transitions_total") > sample(m1, "redkeep_vrrp_transitions_total")
    # A reload moves the endpoint: the new port serves, the old one is closed.
    n3.config.write_text(n3.config.read_text().replace(f":{METRICS_PORT}", f":{METRICS_PORT + 1}"))
    n3.exec(str(lab.binary), "reload", "--socket", str(n3.socket))
    wait_for("n3's /metrics on the new port",
             lambda: sample(scrape(n3, port=METRICS_PORT + 1), "redkeep_vip_held") == 0, timeout=5)
    wait_for("n3's old port closed", lambda: refused(n3, METRICS_PORT), timeout=5)
    # Abuse: a huge header is refused without the daemon growing; trickling clients are cut
    # off after at most 10 s and never hold more than 16 descriptors; /metrics serves again.
    abuse = str(Path(__file__).resolve().parent / "http_abuse.py")
    rss_before = proc_status(n2.redkeep.pid, "VmRSS")
    big = json.loads(lab.client_run("python3", abuse, "big-header", n2.ip, str(METRICS_PORT),
                                    str(8 << 20)))
    assert not big["status_line"].startswith("HTTP/1.1 200"), big
    assert proc_status(n2.redkeep.pid, "VmRSS") - rss_before < 4096, "RSS grew by 4 MB"
    fds_before = len(os.listdir(f"/proc/{n2.redkeep.pid}/fd"))
    slow = lab.client_popen(["python3", abuse, "slow", n2.ip, str(METRICS_PORT), "40", "14"],
                            lab.dir / "slow.log")
    peak = 0
    deadline = time.monotonic() + 20
    while slow.poll() is None and time.monotonic() < deadline:
        peak = max(peak, len(os.listdir(f"/proc/{n2.redkeep.pid}/fd")) - fds_before)
        time.sleep(0.2)
    slow.wait(timeout=10)
    result = json.loads((lab.dir / "slow.log").read_text().splitlines()[-1])
    assert result["closed_by_server"] == result["opened"] == 40, result
    assert peak <= 2 * 16 + 4, f"{peak} more descriptors while 40 clients trickled"
    assert sample(scrape(n2), "redkeep_vrrp_state", state="MASTER") == 1
    # Closed connections do not count to the cap: 20 scrapes in a row all answer.
    for _ in range(20):
        assert sample(scrape(n2), "redkeep_vip_held") == 1
    # Only /metrics is served.
    try:
        scrape(n1, "/other")
        raise AssertionError("/other answered")
    except RuntimeError as e:
        assert "404" in str(e), e


scenario_metrics_failover.lab_options = {"metrics": True}
