#!/usr/bin/env python3
"""Writes the fuzz seed corpora: make_seeds.py SOURCE_DIR OUT_DIR.

OUT_DIR/vrrp:   each tests/fixtures/vrrp/keepalived/*.hex (hex text after '#' comment lines: one
                raw IPv4 packet) as binary, plus every file of tests/fixtures/fuzz/vrrp.
OUT_DIR/config: examples/*.conf, tests/fixtures/config/*.conf and tests/fixtures/fuzz/config/*.
OUT_DIR is emptied first, so a removed fixture does not linger.
"""
import pathlib
import shutil
import sys


def hex_packet(path):
    text = "".join(line for line in path.read_text().splitlines()
                   if not line.lstrip().startswith("#"))
    return bytes.fromhex("".join(text.split()))


def main():
    src = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    if out.exists():
        shutil.rmtree(out)
    (out / "vrrp").mkdir(parents=True)
    (out / "config").mkdir(parents=True)
    for hexfile in sorted((src / "tests/fixtures/vrrp/keepalived").glob("*.hex")):
        (out / "vrrp" / (hexfile.stem + ".bin")).write_bytes(hex_packet(hexfile))
    configs = sorted((src / "examples").glob("*.conf"))
    configs += sorted((src / "tests/fixtures/config").glob("*.conf"))
    for conf in configs:
        shutil.copyfile(conf, out / "config" / (conf.parent.name + "-" + conf.name))
    for kind in ("vrrp", "config"):
        for saved in sorted((src / "tests/fixtures/fuzz" / kind).glob("*")):
            if saved.is_file() and saved.name != "README.md":
                shutil.copyfile(saved, out / kind / ("regression-" + saved.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
