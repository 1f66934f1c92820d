"""The core lab scenarios over IPv6 (RFC 5798 over ff02::12): the same steps and
checks as scenarios.py and fault_scenarios.py, in a lab whose nodes speak only
IPv6 to each other (lab.Lab with family=6: link-local advert sources
fe80::11-13, VIPs fe80::55 and 2001:db8::100, Redis replicating over
2001:db8::/64 at the addresses peer_address names).

  python3 tests/lab/run.py ipv6_redis_killed      # see the scenario_* names below
"""

import fault_scenarios
import scenarios
from lab import wait_for


def over_ipv6(scenario):
    """`scenario` (a function of a lab) run in an IPv6 lab, with the options it already has."""
    def run(lab):
        assert lab.family == 6, "an IPv6 scenario ran in an IPv4 lab"
        scenario(lab)
    run.__doc__ = f"Over IPv6: {scenario.__doc__}"
    run.lab_options = {**getattr(scenario, "lab_options", {}), "family": 6}
    return run


scenario_ipv6_cold_start = over_ipv6(scenarios.scenario_cold_start)
scenario_ipv6_redis_killed = over_ipv6(scenarios.scenario_redis_killed)
scenario_ipv6_link_cut = over_ipv6(scenarios.scenario_link_cut)
scenario_ipv6_sigterm = over_ipv6(scenarios.scenario_sigterm)
scenario_ipv6_sigkill = over_ipv6(scenarios.scenario_sigkill)
scenario_ipv6_fast_restart = over_ipv6(scenarios.scenario_fast_restart)
scenario_ipv6_rejections = over_ipv6(scenarios.scenario_rejections)
scenario_ipv6_flood = over_ipv6(fault_scenarios.scenario_flood)
# Unicast over IPv6 with global addresses: each node's Redis is at its advert source.
scenario_ipv6_unicast = over_ipv6(scenarios.scenario_unicast)


def outgoing_redis_connections(node):
    """(local, remote) addresses of the node's established TCP connections to a Redis port
    (6379) elsewhere: its own connections, not the ones clients and replicas make to it."""
    out = node.exec("ss", "-Htn6", "state", "established")
    pairs = []
    for line in out.splitlines():
        fields = line.split()
        local, remote = fields[-2], fields[-1]
        if remote.endswith(":6379") and not local.endswith(":6379"):
            pairs.append((local.rsplit(":", 1)[0].strip("[]"), remote.rsplit(":", 1)[0].strip("[]")))
    return pairs


def scenario_ipv6_vip_not_a_source(lab):
    """The Master's IPv6 VIP is never the source of the node's own connections (the member
    probes to the other nodes' Redis): it is added deprecated, so they come from the node's
    own address and survive the VIP moving."""
    lab.start_all()
    n1 = lab.nodes[0]
    assert n1.has_vip()
    others = {n.ip for n in lab.nodes[1:]}

    def to_others():
        pairs = [p for p in outgoing_redis_connections(n1) if p[1] in others]
        return pairs if {remote for _, remote in pairs} == others else None
    pairs = wait_for("n1's own connections to the other nodes' Redis", to_others, timeout=10)
    assert all(local == n1.ip for local, _ in pairs), pairs


scenario_ipv6_vip_not_a_source.lab_options = {"family": 6}
