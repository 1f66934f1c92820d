"""The two optional parts of the side-by-side benchmark (compare.py --scale, --fast-profile).

Scale: one redkeep per node serving 1, 10 and 50 Redis servers (ports 6379 on), one
vrrp_instance and VRID each (VRIDs 1 on, VIPs 192.0.2.100 on; VRRPv2 advert_int 1, the
recipe's checks), every instance's Master on n1. Over WINDOW_S of a steady cluster, per node:
redkeep's resident memory, threads, CPU seconds per minute, adverts sent per second. Then the
first instance's failover (its Redis on n1 killed) while the others run: the writer's longest
outage through its VIP, and transitions of any other instance (there should be none).

Fast profile: VRRPv3 advert_int 0.02 (Master_Down_Interval 72 ms on n2). The node crash of
compare_faults.py, then FAST_LOAD_S with both cores saturated (stress-ng --cpu 0) on a steady
cluster: the state transitions every node counted (there should be none).
"""

import datetime
import subprocess
import time

import compare_resources as cr
import compare_tools as ct
from helpers import Writer, proc_status
from lab import SUBNET, Lab, log_time, wait_for
from instance_scenarios import instances

SCALES = (1, 10, 50)
FAST_LOAD_S = 600.0


class ScaleLab(Lab):
    """The lab with `count` Redis servers per node and one vrrp_instance for each."""

    def __init__(self, count, **kw):
        super().__init__(nopreempt=True, **kw)
        self.count = count

    @staticmethod
    def name(i):
        return f"R{i}"

    def vip(self, i):
        return f"{SUBNET}.{100 + i}"

    def config_text(self, node):
        blocks = "".join(f"""vrrp_instance {self.name(i)} {{
    state BACKUP
    interface eth0
    virtual_router_id {1 + i}
    priority {node.priority}
    nopreempt
    advert_int 1
    virtual_ipaddress {{
        {self.vip(i)}/24
    }}
    redis {{
        port {6379 + i}
        check_interval 2
        check_timeout 2
        fall 3
        rise 1
    }}
}}
""" for i in range(self.count))
        return (f"global_defs {{\n    router_id {node.name}\n    control_socket {node.socket}\n"
                f"    state_file {node.dir}/state.json\n}}\n{blocks}")

    def start_redis_all(self, node):
        node.start_redis()
        for i in range(1, self.count):
            d = node.dir / f"redis-{6379 + i}"
            d.mkdir(exist_ok=True)
            node.popen(["redis-server", "--port", str(6379 + i), "--bind", "0.0.0.0",
                        "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir",
                        str(d)], d / "redis.log")
        for i in range(1, self.count):
            wait_for(f"redis {6379 + i} on {node.name}",
                     lambda i=i: node.exec("redis-cli", "-p", str(6379 + i), "PING",
                                           check=False).strip() == "PONG")

    def states(self, node):
        return {k: v["state"] for k, v in instances(node).items()}

    def start_cluster(self):
        for n in self.nodes:
            self.start_redis_all(n)
        n1 = self.nodes[0]
        n1.start_redkeep()
        wait_for(f"every instance MASTER on n1", lambda: list(self.states(n1).values())
                 == ["MASTER"] * self.count, timeout=30)
        for n in self.nodes[1:]:
            n.start_redkeep()
        for n in self.nodes[1:]:
            wait_for(f"every instance BACKUP on {n.name}", lambda n=n: list(
                self.states(n).values()) == ["BACKUP"] * self.count, timeout=30)


def counters(node, key, skip=()):
    """The sum of one counter over the node's instances, but those named in `skip`."""
    return sum(i["counters"][key] for name, i in instances(node).items() if name not in skip)


def one_scale(count, prefix, logs_dir):
    lab = ScaleLab(count, prefix=prefix)
    tool = ct.Redkeep("redkeep-v2", "redkeep")
    res = {"instances": count}
    with ct.lab_run(lab, res, logs_dir / f"scale-{count}"):
        lab.start_cluster()
        sent = {n.name: counters(n, "adverts_sent") for n in lab.nodes}
        t = time.monotonic()
        per_node = cr.measure(tool, lab)
        elapsed = time.monotonic() - t
        for n in lab.nodes:
            per_node[n.name].pop("window_s")
            per_node[n.name]["threads"] = proc_status(n.redkeep.pid, "Threads")
            per_node[n.name]["adverts_sent_per_s"] = round(
                (counters(n, "adverts_sent") - sent[n.name]) / elapsed, 1)
            per_node[n.name]["cpu_s_per_min"] = round(per_node[n.name].pop("cpu_s") * 60
                                                      / elapsed, 3)
        res["nodes"] = per_node
        others = {n.name: counters(n, "transitions", skip=("R0",)) for n in lab.nodes}
        writer = Writer(lab, "w", duration=120, host=lab.vip(0))
        writer.wait_acks(200)
        n1 = lab.nodes[0]
        n1.kill_redis()
        wait_for("R0 MASTER elsewhere", lambda: any(
            lab.states(n).get("R0") == "MASTER" for n in lab.nodes[1:]), timeout=20)
        writer.wait_acks(writer.acks() + 200)
        summary = writer.stop()
        res["failover_outage_s"] = round(summary["longest_outage_s"], 3)
        res["other_transitions"] = sum(counters(n, "transitions", skip=("R0",)) - others[n.name]
                                       for n in lab.nodes)
    return res


def takeover_s(res, logs_dir):
    """Seconds from a run's fault to the first "Entering MASTER state" another node logged,
    read from the run's kept redkeep logs; None if none did (or the run failed first)."""
    if "fault_wall" not in res:
        return None
    fault = datetime.datetime.fromtimestamp(res["fault_wall"], datetime.timezone.utc)
    times = []
    for name in ("n2", "n3"):
        log = logs_dir / f"{res['scenario']}-{res['tool']}-{res['run']}" / name / "redkeep.log"
        for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
            t = log_time(line)
            if t and t >= fault and "Entering MASTER state" in line:
                times.append((t - fault).total_seconds())
                break
    return round(min(times), 3) if times else None


def fast_load(tool, prefix, logs_dir, seconds=FAST_LOAD_S):
    """Transitions counted by every node over `seconds` with both cores saturated."""
    lab = tool.lab(prefix)
    res = {"load_s": seconds}
    with ct.lab_run(lab, res, logs_dir / "fast-load"):
        tool.start_cluster(lab)
        before = {n.name: n.status()["counters"]["transitions"] for n in lab.nodes}
        load = subprocess.Popen(["stress-ng", "--cpu", "0", "--timeout", f"{int(seconds)}s",
                                 "--quiet"])
        try:
            load.wait(timeout=seconds + 60)
        finally:
            if load.poll() is None:
                load.kill()
                load.wait(timeout=10)
        res["transitions"] = {n.name: n.status()["counters"]["transitions"] - before[n.name]
                              for n in lab.nodes}
        res["master_after"] = [n.name for n in lab.nodes if n.state() == "MASTER"]
    return res
