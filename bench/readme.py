"""`python -m bench.readme [results.json]`: put a results table into README.md between the
`<!-- bench:start -->` and `<!-- bench:end -->` markers (appended as a "Performance" section if they are missing).

What it is for: the README shows the latest figures and the command that made them, rendered from the JSON.
What it must NOT do: touch anything in README.md outside the markers, or run any measure.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.report import RESULTS, render

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def block(doc: dict[str, Any], notes: str = "") -> str:
    m = doc["machine"]
    busy = " (other jobs were running on the machine)" if m["load_average_start"][0] > (m["nproc"] or 1) else ""
    head = (f"`{doc['command']}` on {doc['date'][:10]} ({doc['mode']} run, {doc['wall_s']:.0f} s): "
            f"{m['cpu_model']} × {m['nproc']} cores, load average {m['load_average_start'][0]} → "
            f"{m['load_average_end'][0]}{busy}, Chromium {m['chromium']}, Pyodide {m['pyodide']}, {m['os']}. "
            f"Medians of several runs; ratios are to the floor measured in the same run. "
            f"Every figure: `bench/results/{doc['date'][:10]}-{doc['mode']}.json`.")
    return "\n".join([
        START,
        head,
        "",
        render(doc["table"]),
        *(["", notes] if notes else []),
        END,
    ])


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else max(RESULTS.glob("*.json"), key=lambda p: p.stat().st_mtime)
    notes = Path(argv[1]).read_text().strip() if len(argv) > 1 else ""
    doc = json.loads(path.read_text())
    text = README.read_text()
    new = block(doc, notes)
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + new + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Performance\n\n" + new + "\n"
    README.write_text(text)
    print(f"README.md: performance block from {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
