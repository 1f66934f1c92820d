"""Redis as it is really configured: replica-priority 0, rename-command, passwords and ACLs
(the Redis-side settings that silently break replication or failover)."""

import os
import subprocess
import time

from helpers import (assert_one_master, assert_replica_of, known_state, master_down_interval,
                     write_through_vip)
from lab import ROOT, VIP, Lab, wait_for


def stays_backup(lab, node, seconds):
    """For `seconds`, at every 50 ms poll: `node` reports BACKUP, and no node holds the VIP."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        state = known_state(node)
        assert state == "BACKUP", f"{node.name} is {state}, not BACKUP"
        assert not lab.vip_holders(), f"{[n.name for n in lab.vip_holders()]} took the VIP"
        time.sleep(0.05)


def start_without_sync(lab):
    """n1 first (it becomes Master), then n2 and n3, whose Redis will not sync: start_all's
    wait for a steady cluster would never end."""
    n1, n2, n3 = lab.nodes
    for n in lab.nodes:
        n.start_redis()
    n1.start_redkeep()
    assert_one_master(lab, n1)
    n2.start_redkeep()
    n3.start_redkeep()


def said_once(nodes, needles, seconds=30):
    """Each of `needles` turns up in a line of each node's log within 15 s, and over the next
    `seconds` in no other line: said once, not at every check. Returns {node: [lines]}."""
    for n in nodes:
        wait_for(f"{n.name} to say {needles}",
                 lambda n=n: all(x in n.log_text() for x in needles), timeout=15)
    time.sleep(seconds)
    found = {}
    for n in nodes:
        lines = n.log_text().splitlines()
        for x in needles:
            matching = [l for l in lines if x in l]
            assert len(matching) == 1, (n.name, x, matching)
            found.setdefault(n, []).extend(matching)
    return found


def scenario_replica_priority_zero_backup(lab):
    """n2's Redis has replica-priority 0 (set at run time). With n3 gone and n1's Redis killed,
    n2 is the only node left that could take over: it stays BACKUP through three
    Master_Down_Intervals, holds no VIP and its Redis stays a replica. Set back to 100, it takes
    over."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert n2.redis_cli("CONFIG", "SET", "replica-priority", "0").strip() == "OK"
    wait_for("n2 to see replica-priority 0",
             lambda: "Redis has replica-priority 0" in n2.log_text(), timeout=5)
    n3.stop_redkeep()
    n3.kill_redis()
    n1.kill_redis()
    wait_for("n1 in FAULT", lambda: n1.state() == "FAULT", timeout=10)
    stays_backup(lab, n2, 3 * master_down_interval(2, n2.priority, 1))
    assert n2.role()[:1] == ["slave"], n2.role()
    assert "Entering MASTER" not in n2.log_text().split("Redis has replica-priority 0")[-1]
    assert n2.log_text().count("Redis has replica-priority 0") == 1
    assert n2.redis_cli("CONFIG", "SET", "replica-priority", "100").strip() == "OK"
    assert_one_master(lab, n2, timeout=10)
    assert "Redis has replica-priority 100 again: may take Master" in n2.log_text()


def scenario_replica_priority_zero_master(lab):
    """The Master's Redis is given replica-priority 0: it leaves at once with a priority 0
    advert (VIP off), n2 takes over within Skew_Time of that advert plus a check, and n1 follows
    it as a replica without taking Master back."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert n1.redis_cli("CONFIG", "SET", "replica-priority", "0").strip() == "OK"
    asked = time.monotonic()
    assert_one_master(lab, n2, timeout=10)
    took = time.monotonic() - asked
    # CONFIG GET every 2 s, then a priority 0 advert: n2's Skew_Time (0.6 s) after it.
    assert took < 2 + 1 + 1.5, f"n2 took over {took:.2f} s after the change"
    assert "Entering BACKUP state (may never be Master (replica-priority 0)" in n1.log_text()
    assert_replica_of(n1, n2)
    assert_replica_of(n3, n2)
    end = time.monotonic() + 5
    while time.monotonic() < end:
        assert known_state(n1) == "BACKUP", n1.state()
        time.sleep(0.1)


# ---- redkeep check --online against Redis servers configured well and badly ----------------

GOLDEN = ROOT / "tests" / "fixtures" / "preflight"


def check_online_config(lab, node):
    """A configuration for `node` naming the other two as unicast peers (the members the
    preflight asks), with redkeep's ACL user."""
    peers = "".join(f"        {n.ip}\n" for n in lab.nodes if n is not node)
    path = node.dir / "check.conf"
    path.write_text(f"""global_defs {{
    state_file {node.dir}/state.json
}}
vrrp_instance HARedis {{
    interface eth0
    virtual_router_id 55
    priority {node.priority}
    unicast_src_ip {node.ip}
    unicast_peer {{
{peers}    }}
    virtual_ipaddress {{
        192.0.2.100/24
    }}
    redis {{
        port 6379
        user redkeep
        password rkpw
    }}
}}
""")
    path.chmod(0o600)
    return path


def run_check_online(node, config):
    """`redkeep check --config CONFIG --online` in the node's namespace: (exit status, stdout)."""
    p = subprocess.run(["ip", "netns", "exec", node.ns, str(node.lab.binary), "check", "--config",
                        str(config), "--online"], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout


def assert_golden(name, text):
    """`text` equals tests/fixtures/preflight/NAME.txt (REDKEEP_UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("REDKEEP_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"{path} is missing (REDKEEP_UPDATE_GOLDEN=1 writes it)"
    assert text == path.read_text(), f"check --online output differs from {path}:\n{text}"


ACL_USER = ("--user", "redkeep", "on", ">rkpw", "~*", "&*", "+@all")
AUTH = ("--requirepass", "pw", "--masterauth", "pw")
CLI_AUTH = ("-a", "pw", "--no-auth-warning")


def scenario_check_online_well_configured(lab):
    """Three Redis servers as redkeep wants them (passwords with masterauth, an ACL user for
    redkeep, save points, no diskless delay), n2 and n3 replicas of n1: `check --online` on
    n1 and on n2 reports nothing and exits 0."""
    n1, n2, n3 = lab.nodes
    for n in lab.nodes:
        n.start_redis(("--save", "3600 1", *AUTH, *ACL_USER), auth=CLI_AUTH)
    for n in (n2, n3):
        n.redis_cli(*CLI_AUTH, "REPLICAOF", n1.ip, "6379")
    wait_for("n2 and n3 synced", lambda: n1.redis_cli(
        *CLI_AUTH, "INFO", "replication").count("state=online") == 2)
    for node in (n1, n2):
        status, out = run_check_online(node, check_online_config(lab, node))
        assert status == 0, out
        assert_golden(f"well_configured_{node.name}", out)


def scenario_check_online_misconfigured(lab):
    """n1's Redis as Redis users really run it, wrongly: a password without masterauth,
    REPLICAOF renamed and SLAVEOF disabled, redkeep's ACL user without CLIENT KILL,
    replica-read-only no, the default diskless delay, no persistence; its replica n3 announces
    an address nobody has (192.0.2.99) and binds loopback only; n2 wants a password. `check
    --online` on n1 names each, with the setting to change, and exits 1."""
    n1, n2, n3 = lab.nodes
    n1.start_redis(("--requirepass", "pw", "--rename-command", "REPLICAOF", "rk-of",
                    "--rename-command", "SLAVEOF", "", "--replica-read-only", "no",
                    "--repl-diskless-sync-delay", "5", "--user", "redkeep", "on", ">rkpw", "~*",
                    "&*", "+@all", "-client|kill"), auth=CLI_AUTH)
    n2.start_redis(("--requirepass", "pw"), auth=CLI_AUTH)
    n3.start_redis(("--bind", "127.0.0.1", "--masterauth", "pw", "--replica-announce-ip",
                    "192.0.2.99", "--replicaof", n1.ip, "6379"))
    wait_for("n3 synced with n1", lambda: "state=online" in n1.redis_cli(
        *CLI_AUTH, "INFO", "replication"))
    status, out = run_check_online(n1, check_online_config(lab, n1))
    assert status == 1, out
    assert_golden("misconfigured_n1", out)


# ---- rename-command: REPLICAOF renamed and SLAVEOF disabled on every node --------------------

RENAMED = ("--rename-command", "REPLICAOF", "rk-of-9f", "--rename-command", "SLAVEOF", "")


class RedisBlockLab(Lab):
    """The three-node lab with `redis_lines` added to every redis block (and the Lab's
    redis_args on every redis-server)."""

    def __init__(self, redis_lines="", **kw):
        super().__init__(**kw)
        self.redis_lines = redis_lines

    def config_text(self, node):
        text = super().config_text(node)
        return text.replace("        check_interval", self.redis_lines + "        check_interval", 1)


class RenameLab(RedisBlockLab):
    """REPLICAOF renamed and SLAVEOF disabled in every Redis."""

    def __init__(self, rename_lines="", **kw):
        super().__init__(redis_lines=rename_lines, redis_args=RENAMED, **kw)


def scenario_renamed_replicaof_unconfigured(lab):
    """Without rename_command: n2 and n3 cannot be made replicas. Each says so, naming
    rename_command, at its start (the preflight) and when the role change fails; over 30 s
    neither line comes again."""
    start_without_sync(lab)
    found = said_once(lab.nodes[1:], ["REPLICAOF and SLAVEOF are both unknown: ",
                                      "Redis preflight: error: 127.0.0.1:6379 rename_command "
                                      "REPLICAOF"])
    for n, lines in found.items():
        assert "add rename_command REPLICAOF NEW_NAME to the redis block" in lines[0]
        assert n.role()[:1] == ["master"], n.role()


scenario_renamed_replicaof_unconfigured.lab_class = RenameLab


def scenario_renamed_replicaof_configured(lab):
    """With `rename_command REPLICAOF rk-of-9f`: the cluster forms and fails over (the
    master's Redis killed) as with plain names, and the preflight finds nothing renamed."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    assert_replica_of(n2, n1)
    assert_replica_of(n3, n1)
    n1.kill_redis()
    new = assert_one_master(lab, timeout=10)
    assert new in (n2, n3), new.name
    assert_replica_of(n3 if new is n2 else n2, new)
    for n in lab.nodes:
        assert "rename_command" not in n.log_text(), n.log_text()[-2000:]


scenario_renamed_replicaof_configured.lab_class = RenameLab
scenario_renamed_replicaof_configured.lab_options = {
    "rename_lines": "        rename_command REPLICAOF rk-of-9f\n"}


# ---- run-time diagnosis: a replica's link stays down, redkeep says why ----------------------

def diagnosed_once(lab, node, cause, seconds=30):
    """`node` logs 'Replication diagnosis: ... CAUSE' within 20 s, shows it in status, and over
    the next `seconds` does not log it again."""
    line = f"Replication diagnosis: replication link to {lab.nodes[0].ip}:6379 down: {cause}"
    wait_for(f"{node.name} to diagnose: {cause}", lambda: line in node.log_text(), timeout=20)
    diagnosis = node.status()["redis"]["diagnosis"]
    assert any(cause in d for d in diagnosis), diagnosis
    said_once([node], ["Replication diagnosis:"], seconds)


def scenario_masterauth_missing(lab):
    """Every Redis has requirepass and redkeep the same password, but no masterauth: n2 and n3
    never sync. Each says why (the master requires a password, masterauth is not set), once
    over 30 s, and shows it in status; n2 stays passed over (not eligible)."""
    start_without_sync(lab)
    n1, n2, n3 = lab.nodes
    diagnosed_once(lab, n2, "masterauth is not set and the master requires a password")
    assert "masterauth is not set" in n3.log_text()
    assert n2.status()["redis"]["eligible"] is False


scenario_masterauth_missing.lab_class = RedisBlockLab
scenario_masterauth_missing.lab_options = {
    "redis_lines": "        password pw\n", "redis_args": ("--requirepass", "pw"),
    "cli_auth": CLI_AUTH}


def scenario_masteruser_without_psync(lab):
    """masteruser `repl` lacks +psync on the master: the replicas say that the master's ACL
    does not let it run psync, and the ACL SETUSER to run, once over 30 s."""
    start_without_sync(lab)
    diagnosed_once(lab, lab.nodes[1], "the master's ACL does not let masteruser 'repl' run psync")


scenario_masteruser_without_psync.lab_class = RedisBlockLab
scenario_masteruser_without_psync.lab_options = {
    "redis_lines": "        password pw\n",
    "redis_args": ("--requirepass", "pw", "--masterauth", "pw", "--masteruser", "repl",
                   "--user", "repl", "on", ">pw", "-@all", "+replconf", "+ping"),
    "cli_auth": CLI_AUTH}


def scenario_acl_user_without_replicaof(lab):
    """redkeep's ACL user lacks +replicaof: n2 and n3 stay masters of their own. Each says so
    at start (the preflight, naming the ACL SETUSER) and when the role change is refused
    (NOPERM), each line once over 30 s."""
    start_without_sync(lab)
    found = said_once(lab.nodes[1:], ["may not run replicaof", "noperm"])
    for n, lines in found.items():
        assert "ACL SETUSER redkeep +replicaof" in lines[0]
        assert n.role()[:1] == ["master"], n.role()


scenario_acl_user_without_replicaof.lab_class = RedisBlockLab
scenario_acl_user_without_replicaof.lab_options = {
    "redis_lines": "        user redkeep\n        password rkpw\n",
    "redis_args": ("--user", "redkeep", "on", ">rkpw", "~*", "&*", "+@all", "-replicaof",
                   "-slaveof")}


def scenario_full_sync_loop(lab):
    """n1's replica output buffer is small (client-output-buffer-limit replica 64kb) and its
    RDB slow (rdb-key-save-delay), under a writer through the VIP: n3, restarted empty, can
    never complete its full sync. n3 says so once (the master's sync_full rising while its link
    stays down), stays passed over (not eligible), and when n1's Redis dies n2 (synced) takes
    over, not n3."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    # Keys that make a full sync from n1 slow (DEBUG POPULATE is not replicated: n2 stays
    # synced, it just lacks them).
    assert n1.redis_cli("DEBUG", "POPULATE", "20000", "fsl", "100").strip() == "OK"
    for n in (n1, n2, n3):  # 20000 keys x 200 us: a full sync takes 4 s from now on
        n.redis_cli("CONFIG", "SET", "rdb-key-save-delay", "200")
    writer = lab.client_popen(["redis-cli", "-h", VIP, "-r", "-1", "-i", "0.01", "SET",
                               "fsl:w", "x" * 1024], lab.dir / "writer.log")
    try:
        n3.kill_redis()
        n3.start_redis()
        said_once([n3], ["Replication diagnosis: replication link to "
                         f"{n1.ip}:6379 down: full-sync loop"], seconds=30)
        assert n3.status()["redis"]["eligible"] is False
        n1.kill_redis()
        assert_one_master(lab, n2, timeout=15)
        # Passed over: the restarted node stays out of Master (FAULT) while it has not synced.
        assert known_state(n3) in ("BACKUP", "FAULT"), n3.state()
        assert not n3.has_vip()
    finally:
        writer.kill()
        writer.wait(timeout=10)


scenario_full_sync_loop.lab_options = {
    "redis_args": ("--client-output-buffer-limit", "replica 64kb 32kb 1")}


def scenario_noreplicas_said(lab):
    """min_replicas_to_write 2: with n3's Redis down, n1's Redis answers NOREPLICAS to writes,
    and n1 says so once; once n3 is back and synced, it says once that this is over."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    n3.kill_redis()
    wait_for("a write refused with NOREPLICAS",
             lambda: "NOREPLICAS" in lab.client("SET", "nr:k", "v"), timeout=10)
    start = "Replication diagnosis: the master answers NOREPLICAS to writes"
    wait_for("n1 to say NOREPLICAS", lambda: start in n1.log_text(), timeout=10)
    n3.start_redis()
    write_through_vip(lab, "nr:k", "v", timeout=20)
    said_once([n1], [start, "Replication diagnosis: no longer: the master answers NOREPLICAS"],
              seconds=5)


scenario_noreplicas_said.lab_options = {"min_replicas": (2, 1)}


def scenario_manage_masterauth(lab):
    """As masterauth_missing (requirepass everywhere, no masterauth), with `manage_masterauth
    yes`: redkeep sets masterauth at each role change, so the replicas sync, and after a
    failover the old master's Redis, restarted, syncs from the new one."""
    lab.start_all()
    n1, n2, n3 = lab.nodes
    assert_one_master(lab, n1)
    for n in (n2, n3):
        assert_replica_of(n, n1)
        assert n.redis_cli("CONFIG", "GET", "masterauth").split()[1:] == ["pw"]
    n1.kill_redis()
    new = assert_one_master(lab, timeout=10)
    n1.start_redis()
    assert_replica_of(n1, new, timeout=20)
    assert "Replication diagnosis" not in "".join(n.log_text() for n in lab.nodes)


scenario_manage_masterauth.lab_class = RedisBlockLab
scenario_manage_masterauth.lab_options = {
    "redis_lines": "        password pw\n        manage_masterauth yes\n",
    "redis_args": ("--requirepass", "pw"), "cli_auth": CLI_AUTH}
