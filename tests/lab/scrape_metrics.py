#!/usr/bin/python3
"""Scrapes a /metrics URL and parses it with the Prometheus client's own parser
(python3-prometheus-client, Debian's /usr/bin/python3): prints JSON
{"content_type": ..., "types": {family: type}, "samples": [[name, labels, value], ...]}.
Exit 1 (the reason on stderr) when the scrape fails or the text does not parse.

  ip netns exec NS /usr/bin/python3 tests/lab/scrape_metrics.py http://192.0.2.11:9470/metrics
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        content_type = r.headers.get("Content-Type", "")
        text = r.read().decode()
    types, samples = {}, []
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            samples.append([s.name, s.labels, s.value])
    json.dump({"content_type": content_type, "types": types, "samples": samples}, sys.stdout)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001 - one line on stderr, exit 1
        print(f"scrape_metrics: {sys.argv[1:]}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
