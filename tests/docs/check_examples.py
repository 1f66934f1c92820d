#!/usr/bin/env python3
"""The documentation's examples, run as a newcomer would run them.

Every fenced code block of the doc pages (PAGES) carries a marker on the line before it:

  <!-- example: run -->           shell commands, run one line at a time from the repository
                                  root as root; a line that fails is tried again for up to
                                  RETRY_S seconds (a reader who asks `status` too early asks
                                  again), then the block fails
  <!-- example: config -->        a configuration file: `redkeep check` must accept it
  <!-- example: illustrative -->  placeholders, output or fragments: not run

A block without a marker fails the test, so a new example is either run or says it is not.
The run blocks of a page go in order, as a reader follows them (a later block may use the lab
an earlier one started); after the page's last one, or its first failure, what they started is
stopped (`tests/lab/labctl down`, `docker/lab.sh down`).

  python3 tests/docs/check_examples.py [PAGE.md ...]
Prints 'N passed, M failed' as its last line; exit 0 when none failed.
"""
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", "docs/*.md", "docker/README.md", "tests/lab/README.md",
         "config/README.md", "redis/README.md", "core/README.md", "DESIGN.md"]
MARKER = re.compile(r"^<!-- example: (run|config|illustrative) -->$")
RETRY_S = 15.0
LINE_TIMEOUT_S = 1800  # a line may build the project or the Docker image


def blocks(path):
    """(line number, kind or None, text) of each fenced block of the page."""
    lines = path.read_text().splitlines()
    out, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```"):
            start = i
            marker = MARKER.match(lines[i - 1].strip()) if i > 0 else None
            i += 1
            body = []
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((start + 1, marker.group(1) if marker else None, "\n".join(body)))
        i += 1
    return out


def commands(text):
    """The command lines of a run block, without their trailing comments."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def run_line(line):
    deadline = time.monotonic() + RETRY_S
    while True:
        r = subprocess.run(["bash", "-c", line], cwd=ROOT, capture_output=True, text=True,
                           timeout=LINE_TIMEOUT_S)
        if r.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"`{line}` exited {r.returncode}:\n{r.stdout[-3000:]}"
                                 f"{r.stderr[-3000:]}")
        time.sleep(1)


def clean_up(text):
    """Stops what the block may have started (each stop does nothing when nothing runs)."""
    if "tests/lab/labctl" in text:
        subprocess.run(["tests/lab/labctl", "down"], cwd=ROOT, capture_output=True, timeout=120)
    if "docker/lab.sh" in text:
        subprocess.run(["docker/lab.sh", "down"], cwd=ROOT, capture_output=True, timeout=300)


def check_lab_free(text):
    if "tests/lab/labctl" in text and "rklab-" in subprocess.run(
            ["ip", "netns", "list"], capture_output=True, text=True).stdout:
        raise AssertionError("a lab with the prefix rklab is running already (tests/lab/labctl "
                             "down removes it); the examples name its namespaces")


def run_block(text):
    for line in commands(text):
        t0 = time.monotonic()
        run_line(line)
        print(f"    ok ({time.monotonic() - t0:.1f} s): {line}", flush=True)


def check_config(text):
    binary = os.environ.get("REDKEEP_BINARY", str(ROOT / "build" / "redkeep"))
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
        f.write(text + "\n")
        f.flush()
        os.chmod(f.name, 0o600)
        r = subprocess.run([binary, "check", "--config", f.name], capture_output=True,
                           text=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError(f"redkeep check refused it:\n{r.stderr}")


def main():
    pages = [Path(a).resolve() for a in sys.argv[1:]] or sorted(
        {p for pattern in PAGES for p in ROOT.glob(pattern)})
    passed = failed = 0
    for page in pages:
        ran = ""  # the text of the page's run blocks so far: what to clean up
        broken = False  # a run block failed: the later ones would build on it
        try:
            for line, kind, text in blocks(page):
                where = f"{page.relative_to(ROOT)}:{line}"
                try:
                    if kind is None:
                        raise AssertionError("no marker: put <!-- example: run|config|"
                                             "illustrative --> on the line before the block")
                    if kind == "run":
                        if broken:
                            raise AssertionError("not run: an earlier block of the page failed")
                        if not ran:
                            check_lab_free(text)
                        ran += text + "\n"
                        print(f"{where}: running", flush=True)
                        try:
                            run_block(text)
                        except Exception:
                            broken = True
                            raise
                    elif kind == "config":
                        check_config(text)
                    passed += 1
                    print(f"PASS {where} ({kind})", flush=True)
                except Exception as e:  # noqa: BLE001 - report each block, then go on
                    failed += 1
                    print(f"FAIL {where} ({kind}): {e}", flush=True)
        finally:
            clean_up(ran)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
