#!/usr/bin/env python3
"""Runs one lab scenario (a function `scenario_NAME` in scenarios.py,
interop_scenarios.py, fault_scenarios.py, island_scenarios.py,
cold_start_scenarios.py, switchover_scenarios.py, reload_scenarios.py,
script_scenarios.py, instance_scenarios.py, migrate_scenarios.py,
redis_config_scenarios.py, service_scenarios.py or ipv6_scenarios.py) in a fresh
lab and always tears the lab down, even when the scenario fails.

  python3 tests/lab/run.py NAME      exit 0 = passed

Prints '1 passed, 0 failed' or '0 passed, 1 failed' as its last line.
"""
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as labmod  # noqa: E402
import scenarios  # noqa: E402
import interop_scenarios  # noqa: E402
import fault_scenarios  # noqa: E402
import island_scenarios  # noqa: E402
import cold_start_scenarios  # noqa: E402
import switchover_scenarios  # noqa: E402
import reload_scenarios  # noqa: E402
import script_scenarios  # noqa: E402
import instance_scenarios  # noqa: E402
import migrate_scenarios  # noqa: E402
import redis_config_scenarios  # noqa: E402
import service_scenarios  # noqa: E402
import ipv6_scenarios  # noqa: E402

MODULES = (scenarios, interop_scenarios, fault_scenarios, island_scenarios, cold_start_scenarios,
           switchover_scenarios, reload_scenarios, script_scenarios,
           instance_scenarios, migrate_scenarios, redis_config_scenarios, service_scenarios,
           ipv6_scenarios)


def find(name):
    for m in MODULES:
        if hasattr(m, "scenario_" + name):
            return getattr(m, "scenario_" + name)
    return None


def main():
    if len(sys.argv) != 2 or find(sys.argv[1]) is None:
        names = [n[len("scenario_"):] for m in MODULES for n in dir(m)
                 if n.startswith("scenario_")]
        print(f"usage: run.py NAME  (one of: {', '.join(names)})")
        return 2
    name = sys.argv[1]
    fn = find(name)
    # A scenario may need a Lab subclass (e.g. keepalived_lab.KeepalivedLab).
    lab = getattr(fn, "lab_class", labmod.Lab)(**getattr(fn, "lab_options", {}))
    ok = False
    try:
        lab.up()
        fn(lab)
        ok = True
        if os.environ.get("REDKEEP_LAB_KEEP_LOGS"):
            # The nodes' logs, for `redkeep inspect` fixtures (tests/fixtures/inspect).
            lab.keep_logs(os.environ["REDKEEP_LAB_KEEP_LOGS"])
    except BaseException:  # noqa: BLE001 - report, then clean up whatever happened
        traceback.print_exc()
        for n in lab.nodes:
            print(f"----- {n.name} redkeep log -----")
            print(n.log_text()[-6000:])
    finally:
        lab.down()
    print(f"lab scenario {name}: {'PASSED' if ok else 'FAILED'}")
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
