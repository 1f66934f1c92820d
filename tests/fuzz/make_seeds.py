#!/usr/bin/env python3
"""Writes the fuzz seed corpora: make_seeds.py SOURCE_DIR OUT_DIR.

OUT_DIR/vrrp:   each tests/fixtures/vrrp/keepalived/*.hex (hex text after '#' comment lines: one
                raw IPv4 packet) as binary, plus every file of tests/fixtures/fuzz/vrrp.
OUT_DIR/config: examples/*.conf, tests/fixtures/config/*.conf and tests/fixtures/fuzz/config/*.
OUT_DIR/inspect: from each scenario of tests/fixtures/inspect/*/n*.log (fuzz_checks.hpp,
                check_inspect: a control byte, then 1 to 3 streams split at 0x00): each log alone,
                the scenario's logs as three streams, and its lines interleaved by time as one
                stream with the compose prefix ("node1-1  | "); plus tests/fixtures/fuzz/inspect/*.
OUT_DIR is emptied first, so a removed fixture does not linger.
"""
import pathlib
import shutil
import sys


def hex_packet(path):
    text = "".join(line for line in path.read_text().splitlines()
                   if not line.lstrip().startswith("#"))
    return bytes.fromhex("".join(text.split()))


# check_inspect's control byte: bits 3-4 both set: only node n2's lines, bit 5: through a
# WindowSink (--since/--until).
ALL = 0x00
N2_ONLY = 0x18
N2_ONLY_WINDOWED = 0x38
SEPARATOR = b"\x00"


def inspect_seeds(src, out):
    for scenario in sorted((src / "tests/fixtures/inspect").iterdir()):
        logs = sorted(scenario.glob("n*.log"))
        if not logs:
            continue
        texts = [log.read_bytes() for log in logs]
        for log, text in zip(logs, texts):
            name = "%s-%s.bin" % (scenario.name, log.stem)
            (out / name).write_bytes(bytes([ALL]) + text)
        together = SEPARATOR.join(texts[:3])
        (out / (scenario.name + "-all.bin")).write_bytes(bytes([ALL]) + together)
        (out / (scenario.name + "-all-n2-windowed.bin")).write_bytes(
            bytes([N2_ONLY_WINDOWED]) + together)
        # `docker compose logs`: one stream, every line with its service's prefix, roughly in
        # time order (text and JSON lines each sort by their timestamp).
        lines = []
        for log, text in zip(logs, texts):
            prefix = ("node%s-1  | " % log.stem[1:]).encode()
            lines += [prefix + line for line in text.splitlines()]
        lines.sort(key=lambda line: line[line.index(b" | ") + 3:])
        compose = b"\n".join(lines) + b"\n"
        (out / (scenario.name + "-compose.bin")).write_bytes(bytes([ALL]) + compose)
        (out / (scenario.name + "-compose-n2.bin")).write_bytes(
            bytes([N2_ONLY]) + compose)


def main():
    src = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    if out.exists():
        shutil.rmtree(out)
    (out / "vrrp").mkdir(parents=True)
    (out / "config").mkdir(parents=True)
    (out / "inspect").mkdir(parents=True)
    for hexfile in sorted((src / "tests/fixtures/vrrp/keepalived").glob("*.hex")):
        (out / "vrrp" / (hexfile.stem + ".bin")).write_bytes(hex_packet(hexfile))
    configs = sorted((src / "examples").glob("*.conf"))
    configs += sorted((src / "tests/fixtures/config").glob("*.conf"))
    for conf in configs:
        shutil.copyfile(conf, out / "config" / (conf.parent.name + "-" + conf.name))
    inspect_seeds(src, out / "inspect")
    for kind in ("vrrp", "config", "inspect"):
        for saved in sorted((src / "tests/fixtures/fuzz" / kind).glob("*")):
            if saved.is_file() and saved.name != "README.md":
                shutil.copyfile(saved, out / kind / ("regression-" + saved.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
