"""The free-text reader (issues 9 and 15): its development set and its speed, in docs/text.md.

Run alone (``python benchmarks/text_reader.py``) or from ``make bench`` (``run.py`` calls
:func:`main`). It measures, on this machine:

- the time to read one description, in process, median and p99, over the development set
  (``tests/text/devset.yaml``) and the public vignettes, after one warm-up text;
- the reader's start-up in a fresh process: with the compiled lexicon in the cache (every run
  but the first), and compiling it (the first run after the lexicon changes);
- per-key precision and recall on the development set (every warning-sign key, and the other
  keys where its answers give them).

It rewrites the part of docs/text.md between the two ``bench`` markers; nothing is asserted
(tests never assert timings).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "text.md"
DEVSET = ROOT / "tests" / "text" / "devset.yaml"
VIGNETTES = ROOT.parent / "shared" / "vignettes" / "public.yaml"
START, END = "<!-- bench:text:start -->", "<!-- bench:text:end -->"
STARTUP = (
    "import time; t = time.perf_counter(); "
    "from musclewise.text.reader import pipeline; pipeline(); "
    "print(time.perf_counter() - t)"
)


def _startup(cache: str, runs: int) -> float:
    """Median seconds to build the reader in a fresh process with this cache folder."""
    times = []
    for _ in range(runs):
        env = {**os.environ, "MUSCLEWISE_CACHE_DIR": cache}
        out = subprocess.run(
            [sys.executable, "-c", STARTUP], capture_output=True, check=True, text=True, env=env
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def measure() -> dict[str, Any]:
    import yaml

    from musclewise.evaluation import score_reading
    from musclewise.text import read_text

    devset = yaml.safe_load(DEVSET.read_text("utf-8"))
    vignettes = yaml.safe_load(VIGNETTES.read_text("utf-8")) if VIGNETTES.exists() else []
    texts = [c["text"] for c in devset] + [v["text"] for v in vignettes if v.get("text")]
    read_text(texts[0])
    parse = []
    for _ in range(5):
        for text in texts:
            start = time.perf_counter()
            read_text(text)
            parse.append(time.perf_counter() - start)
    parse.sort()
    with tempfile.TemporaryDirectory() as folder:
        warm_folder = Path(folder) / "warm"
        warm_folder.mkdir(mode=0o700)
        _startup(str(warm_folder), 1)  # fills the cache
        warm = _startup(str(warm_folder), 5)
    cold = _startup("off", 3)
    report = score_reading(devset, lambda t: read_text(t).findings)
    return {
        "texts": len(texts),
        "parse_ms": statistics.median(parse) * 1e3,
        "parse_p99_ms": parse[int(len(parse) * 0.99)] * 1e3,
        "startup_ms": warm * 1e3,
        "compile_ms": cold * 1e3,
        "cases": len(devset),
        "report": report,
    }


def section(m: dict[str, Any]) -> str:
    from musclewise.findings import WARNING_SIGNS

    report = m["report"]
    rows = []
    for key in [*WARNING_SIGNS, *sorted(k for k in report.keys if k not in WARNING_SIGNS)]:
        s = report.keys.get(key)
        if s is None:
            continue
        sign = "warning sign" if key in WARNING_SIGNS else ""
        met = ""
        if key in WARNING_SIGNS:
            met = "yes" if s.precision >= 0.90 and s.recall >= 0.85 else "**no**"
        rows.append(
            f"| `{key}` | {sign} | {s.precision:.3f} | {s.recall:.3f} | {s.tp} | {s.fp} "
            f"| {s.fn} | {met} |"
        )
    pooled = report.pooled()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""{START}
### Figures (written by `make bench`, `benchmarks/text_reader.py`; last run {stamp})

| measure | figure | target |
|---|---|---|
| one description, in process, median ({m["texts"]} texts × 5) | {m["parse_ms"]:.2f} ms | < 10 ms (issue 15) |
| one description, in process, p99 | {m["parse_p99_ms"]:.2f} ms | |
| reader start-up in a fresh process, compiled lexicon in the cache (median of 5) | {m["startup_ms"]:.0f} ms | < 1 s (issue 15) |
| reader start-up compiling the lexicon (no cache; median of 3) | {m["compile_ms"]:.0f} ms | once per lexicon change |
| development set, pooled over the keys scored | precision {pooled.precision:.3f}, recall {pooled.recall:.3f} | |

Per key on the development set ({m["cases"]} descriptions, `tests/text/devset.yaml`): a warning
sign read but not in a case's answers is a false positive; the other keys are scored where the
answers give them. Targets (issue 9): precision ≥ 0.90 and recall ≥ 0.85 on every warning-sign
key.

| key | | precision | recall | right | wrong or extra | missed | target met |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
{END}"""


def write(m: dict[str, Any], doc: Path = DOC) -> None:
    text = doc.read_text("utf-8")
    new = section(m)
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + new + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    doc.write_text(text, "utf-8")


def main(write_doc: bool = True) -> dict[str, Any]:
    m = measure()
    if write_doc:
        write(m)
    print(
        f"  reader: {m['parse_ms']:.2f} ms a description (p99 {m['parse_p99_ms']:.2f}), "
        f"start-up {m['startup_ms']:.0f} ms ({m['compile_ms']:.0f} ms compiling); "
        f"devset precision {m['report'].pooled().precision:.3f}, "
        f"recall {m['report'].pooled().recall:.3f} -> {DOC.relative_to(ROOT)}"
    )
    return m


if __name__ == "__main__":
    main()
