#!/usr/bin/python3
"""The chart of compare.py: median longest write outage per scenario per tool (a bar, with the
largest run as a whisker), log scale, titled with the date, the machine and the command.

  /usr/bin/python3 tests/bench/compare_chart.py compare.json compare.svg

Needs Debian's python3-matplotlib. An outage under the writer's 10 ms resolution is drawn at
10 ms. A bar whose runs lost acknowledged writes or keys carries the numbers lost above it: a
short outage that lost data is no win.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FLOOR_S = 0.01


def main(json_path, out_path):
    data = json.load(open(json_path))
    meta, cells = data["meta"], data["cells"]
    tools = list(meta["tools"].items())
    scenarios = [s for s in meta["scenarios"]
                 if any(f"{s}/{k}" in cells for k, _ in tools)]
    width = 0.8 / len(tools)
    top = FLOOR_S
    fig, ax = plt.subplots(figsize=(11, 5.5))
    for i, (key, label) in enumerate(tools):
        xs, heights, whiskers, lost = [], [], [], []
        for j, sc in enumerate(scenarios):
            c = cells.get(f"{sc}/{key}")
            if not c or c["outage_median_s"] is None:
                continue
            median = max(c["outage_median_s"], FLOOR_S)
            xs.append(j - 0.4 + width * (i + 0.5))
            heights.append(median)
            whiskers.append(max(c["outage_max_s"], FLOOR_S) - median)
            top = max(top, c["outage_max_s"])
            lost.append(", ".join(f"{n} {what} lost" for n, what in
                                  ((c["acked_lost"], "writes"), (c["keys_lost"], "keys")) if n))
        ax.bar(xs, heights, width, label=label,
               yerr=[[0] * len(xs), whiskers], capsize=2)
        for x, h, w, text in zip(xs, heights, whiskers, lost):
            if text:
                ax.text(x, (h + w) * 1.15, text, ha="center", va="bottom",
                        rotation=90, fontsize="x-small", color="darkred")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR_S / 2, top * 20)  # room for the numbers lost above the bars
    ax.set_xticks(range(len(scenarios)), scenarios)
    ax.set_ylabel("longest write outage, s (median; whisker: max)")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(f"{meta['date']}, {meta['machine']}, {meta['runs']} run(s) per cell\n"
                 f"{meta['command']}", fontsize="small")
    fig.tight_layout()
    fig.savefig(out_path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
