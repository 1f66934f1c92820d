"""Several vrrp_instances per daemon: one VRID per Redis on hosts with several Redis servers,
each instance with its own redis block, each failing over on its own."""

import json

from lab import SUBNET, Lab, wait_for

# name -> (Redis port, VRID, VIP, priorities of n1, n2, n3)
PAIRS = {
    "PairA": (6379, 61, f"{SUBNET}.100", (150, 100, 50)),
    "PairB": (6380, 62, f"{SUBNET}.101", (50, 150, 100)),
}


class TwoPairsLab(Lab):
    """The three-node lab with two Redis servers per node (ports 6379 and 6380) and one
    vrrp_instance for each, preempting (so that each pair's Master is its priority 150 node)."""

    def config_text(self, node):
        instances = ""
        for name, (port, vrid, vip, priorities) in PAIRS.items():
            instances += f"""vrrp_instance {name} {{
    interface eth0
    virtual_router_id {vrid}
    priority {priorities[node.index - 1]}
    advert_int 1
    virtual_ipaddress {{
        {vip}/24
    }}
    redis {{
        port {port}
        check_interval 0.5
        fall 2
        rise 1
    }}
}}
"""
        return f"""global_defs {{
    router_id {node.name}
    control_socket {node.socket}
    state_file {node.dir}/state.json
}}
{instances}"""


def instances(node):
    """{instance name: its status} of `node` ({} when its daemon does not answer)."""
    out = node.exec(str(node.lab.binary), "status", "--json", "--socket", str(node.socket),
                    check=False)
    try:
        return {i["name"]: i for i in json.loads(out)["instances"]}
    except ValueError:
        return {}


def redis_cli(node, port, *args):
    return node.exec("redis-cli", "-p", str(port), *args, check=False, timeout=2)


def holders(lab, vip):
    return [n for n in lab.nodes
            if f" {vip}/" in n.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0")]


def wait_pair_master(lab, name, node, timeout=15):
    """Waits until `node` alone holds the pair's VIP, reports MASTER for it and its Redis on the
    pair's port is master, and the other two replicate from it."""
    port, _, vip, _ = PAIRS[name]

    def check():
        if holders(lab, vip) != [node]:
            return False
        if instances(node).get(name, {}).get("state") != "MASTER":
            return False
        if redis_cli(node, port, "ROLE").split()[:1] != ["master"]:
            return False
        return all(redis_cli(n, port, "ROLE").split()[:3] == ["slave", node.ip, str(port)]
                   for n in lab.nodes if n is not node and n.redis_by_port[port].poll() is None)
    wait_for(f"{node.name} to be the one master of {name}", check, timeout=timeout)


def start_redis(node, port):
    d = node.dir / str(port)
    d.mkdir(exist_ok=True)
    proc = node.popen(["redis-server", "--port", str(port), "--bind", "0.0.0.0",
                       "--protected-mode", "no", "--save", "", "--appendonly", "no",
                       "--dir", str(d), "--repl-diskless-sync-delay", "0"], d / "redis.log")
    wait_for(f"redis {port} on {node.name}",
             lambda: redis_cli(node, port, "PING").strip() == "PONG")
    return proc


def scenario_two_pairs(lab):
    """Two Redis pairs on the same three nodes, one vrrp_instance each: PairA (port 6379) is led
    by n1, PairB (port 6380) by n2. Killing PairA's master Redis moves PairA to n2 and leaves
    PairB alone; then killing PairB's master Redis moves PairB to n3 and leaves PairA alone."""
    for n in lab.nodes:
        n.redis_by_port = {port: start_redis(n, port) for port, *_ in PAIRS.values()}
        n.redis = n.redis_by_port[6379]  # the lab tears down the rest with the namespace
    for n in lab.nodes:
        n.start_redkeep()
    n1, n2, n3 = lab.nodes
    wait_pair_master(lab, "PairA", n1, timeout=20)
    wait_pair_master(lab, "PairB", n2, timeout=20)
    transitions_b = instances(n2)["PairB"]["counters"]["transitions"]

    for master, port in ((n1, 6379), (n2, 6380)):
        assert redis_cli(master, port, "SET", f"pair:{port}", "before").strip() == "OK"
        for n in lab.nodes:
            wait_for(f"pair:{port} on {n.name}",
                     lambda n=n, port=port: redis_cli(n, port, "GET", f"pair:{port}").strip()
                     == "before")

    n1.redis_by_port[6379].kill()
    wait_pair_master(lab, "PairA", n2)
    wait_for("n1 in FAULT for PairA", lambda: instances(n1)["PairA"]["state"] == "FAULT")
    # PairB did not move: same Master, no transition on it, its Redis untouched.
    assert holders(lab, PAIRS["PairB"][2]) == [n2]
    assert instances(n2)["PairB"]["counters"]["transitions"] == transitions_b
    assert instances(n1)["PairB"]["state"] == "BACKUP"
    assert redis_cli(n2, 6379, "GET", "pair:6379").strip() == "before"

    transitions_a = instances(n2)["PairA"]["counters"]["transitions"]
    n2.redis_by_port[6380].kill()
    wait_pair_master(lab, "PairB", n3)
    assert redis_cli(n3, 6380, "GET", "pair:6380").strip() == "before"
    # PairA stays on n2 (a Master of PairA and a FAULT of PairB on the same node).
    assert holders(lab, PAIRS["PairA"][2]) == [n2]
    assert instances(n2)["PairA"]["counters"]["transitions"] == transitions_a
    assert instances(n2)["PairB"]["state"] == "FAULT"


scenario_two_pairs.lab_class = TwoPairsLab
