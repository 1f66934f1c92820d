"""Moving from keepalived: `redkeep migrate` on the recipe's own keepalived.conf and scripts
(tests/fixtures/migrate/recipe, installed per node as they would be in /etc/keepalived) gives
a configuration that `redkeep check` accepts and that fails over as the hand-written one does
(scenarios.py, scenario b)."""

import re
import shutil

from lab import ROOT, Lab, sh
from scenarios import redis_killed

RECIPE = ROOT / "tests" / "fixtures" / "migrate" / "recipe"


class MigratedLab(Lab):
    """The three-node lab, each node's configuration made by `redkeep migrate` from the recipe's
    keepalived.conf: the priority of the node (the recipe's files differ only there), its
    scripts under its own directory; then the lab's own paths (control socket, state file) and
    the node's name as router_id, so that logs tell the nodes apart."""

    def config_text(self, node):
        scripts = node.dir / "keepalived" / "scripts"
        shutil.copytree(RECIPE / "scripts", scripts, dirs_exist_ok=True)
        conf = (RECIPE / "keepalived.conf").read_text()
        conf = conf.replace("/etc/keepalived/scripts", str(scripts))
        conf = re.sub(r"priority\s+150", f"priority {node.priority}", conf)
        keepalived_conf = node.dir / "keepalived.conf"
        keepalived_conf.write_text(conf)
        migrated = sh(str(self.binary), "migrate", str(keepalived_conf))
        (node.dir / "migrated.conf").write_text(migrated)
        assert "redis {" in migrated and "notify_master" not in migrated.replace(
            "# migrate: notify_master", ""), migrated
        return migrated.replace(
            "    router_id HARedis\n",
            f"    router_id {node.name}\n    control_socket {node.socket}\n"
            f"    state_file {node.dir}/state.json\n")

    def up(self):
        super().up()
        for n in self.nodes:
            sh(str(self.binary), "check", "--config", str(n.config))  # raises when refused
        return self


def scenario_migrated_recipe(lab):
    """The migrated recipe fails over as the hand-written configuration does when the master's
    Redis is killed (its check runs every 2 s, 3 failures: slower than the lab's 1 s)."""
    redis_killed(lab, takeover_within=20)


scenario_migrated_recipe.lab_class = MigratedLab
