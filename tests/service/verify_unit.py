#!/usr/bin/env python3
"""examples/redkeep.service passes `systemd-analyze verify` with no complaint, and says what
the daemon's service contract needs (notify, watchdog, reload, capabilities, a non-root user,
restart on failure). The unit names /usr/local/sbin/redkeep, which a test machine lacks: the
copy verified here points at the built binary instead (verify checks that it is executable).
A copy with a misspelt key must fail, or the check could not fail at all.

  python3 tests/service/verify_unit.py BUILD/redkeep     exit 0 = passed
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

UNIT = Path(__file__).resolve().parents[2] / "examples" / "redkeep.service"
INSTALLED = "/usr/local/sbin/redkeep"

REQUIRED = {
    "Type": "notify",
    "NotifyAccess": "main",
    "Restart": "on-failure",
    "AmbientCapabilities": "CAP_NET_ADMIN CAP_NET_RAW",
    "CapabilityBoundingSet": "CAP_NET_ADMIN CAP_NET_RAW",
}


def verify(text, name):
    """(exit status, output) of systemd-analyze verify on `text` saved as NAME."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_text(text)
        r = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                           text=True, timeout=60)
        return r.returncode, (r.stdout + r.stderr).strip()


def main():
    binary = Path(sys.argv[1]).resolve()
    text = UNIT.read_text()
    keys = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
    failures = []
    for key, value in REQUIRED.items():
        if keys.get(key) != value:
            failures.append(f"{key}={keys.get(key)!r}, expected {value!r}")
    for key in ("WatchdogSec", "ExecReload", "User"):
        if not keys.get(key):
            failures.append(f"{key}= missing")
    if keys.get("User") in ("root", "0"):
        failures.append("User=root: the daemon needs only its two capabilities")
    if INSTALLED not in keys.get("ExecStart", ""):
        failures.append(f"ExecStart does not run {INSTALLED}")
    local = text.replace(INSTALLED, str(binary))
    code, out = verify(local, "redkeep.service")
    if code != 0 or out:
        failures.append(f"systemd-analyze verify: exit {code}: {out}")
    code, out = verify(local.replace("WatchdogSec=", "WatchdogSex="), "redkeep.service")
    if "WatchdogSex" not in out:
        failures.append(f"a misspelt key went unnoticed (exit {code}: {out!r})")
    for f in failures:
        print("FAIL:", f)
    print("1 passed, 0 failed" if not failures else "0 passed, 1 failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
