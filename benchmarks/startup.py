"""Issue 15: start-up, free text and the batch path, measured honestly; a section of
docs/benchmarks.md.

Run from ``make bench`` (``run.py`` calls :func:`section` on :func:`run`), or alone
(``python benchmarks/startup.py``), which rewrites only this section of docs/benchmarks.md
(between the ``bench:speed`` markers); ``python benchmarks/startup.py log`` measures only
``log`` (into a new and into an existing SQLite diary, and the imports it can do without) and
prints the figures, writing nothing. It measures, on this machine:

- the start-up of ``musclewise --help``, ``log`` into a new SQLite diary, ``assess "text"`` and
  ``assess --example``, each as a ratio to ``python -c pass``: paired runs (the command, then
  ``python -c pass``, one after the other, so that both see the same load), the median of the
  ratios; pinned to one core with ``taskset -c 1`` (``MUSCLEWISE_BENCH_CORE``) where available;
- the free-text reader, in process, per description (the public vignettes, after one warm-up);
- ``assess --json`` on generated JSON Lines: assessments a second (the whole process, start-up
  included) and its own peak memory (max RSS), pinned to one core;
- the pgmpy comparison (``pgmpy_compare.py``), when pgmpy is installed (the ``bench`` extra).

Nothing is asserted: tests never assert timings.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Every command measured runs as an installed tool does, with its compiled bytecode cached
# (some shells and CI set PYTHONDONTWRITEBYTECODE, which makes each run compile every module).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent
VIGNETTES = ROOT.parent / "shared" / "vignettes" / "public.yaml"
START, END = "<!-- bench:speed:start -->", "<!-- bench:speed:end -->"
QUICK = os.environ.get("MUSCLEWISE_BENCH_QUICK", "") not in ("", "0")
RUNS = 5 if QUICK else 15
BATCH_LINES = 10_000 if QUICK else 100_000
TEXT = "my left calf cramped at night, really painful, about two minutes, eased by stretching"
SPAWN = (
    "import os, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "with open(os.devnull, 'wb') as sink:\n"
    "    status = subprocess.run(sys.argv[2:], stdout=sink, stdin=subprocess.DEVNULL).returncode\n"
    "elapsed = time.perf_counter() - t\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "cpu = use.ru_utime + use.ru_stime\n"
    "open(sys.argv[1], 'w').write(f'{status} {elapsed} {use.ru_maxrss} {cpu}')\n"
)
"""A helper process that runs one command and reports its wall time and its own peak memory."""


CORE = os.environ.get("MUSCLEWISE_BENCH_CORE", "1")
"""The core every measured command is pinned to (``taskset -c``)."""


def one_core() -> list[str]:
    return ["taskset", "-c", CORE] if shutil.which("taskset") else []


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def paired(make_cmd: Any, runs: int = RUNS) -> dict[str, float]:
    """The median ratio of a command to ``python -c pass`` over ``runs`` pairs (after a warm-up
    run), and the median of each; ``make_cmd(i)`` gives the i-th command (a new diary each)."""
    base_cmd = [*one_core(), sys.executable, "-c", "pass"]
    _time(make_cmd(-1))  # warm: the knowledge cache, the lexicon cache, the page cache
    ours, base, ratios = [], [], []
    for i in range(runs):
        a = _time(make_cmd(i))
        b = _time(base_cmd)
        ours.append(a)
        base.append(b)
        ratios.append(a / b)
    return {
        "ms": statistics.median(ours) * 1e3,
        "python_ms": statistics.median(base) * 1e3,
        "ratio": statistics.median(ratios),
        "ratio_lo": min(ratios),
        "ratio_hi": max(ratios),
    }


LOG_NEW = "`musclewise log calf 8 90s` into a new SQLite diary"
LOG_EXISTING = "`musclewise log calf 8 90s` into an existing SQLite diary"


def startups(tmp: Path, only: tuple[str, ...] = ()) -> dict[str, dict[str, float]]:
    """The paired start-up figures of each command (``only``: just those)."""
    tool = [*one_core(), str(BIN / "musclewise")]
    commands = {
        "`musclewise --help`": lambda i: [*tool, "--help"],
        LOG_NEW: lambda i: [
            *tool,
            "log",
            "calf",
            "8",
            "90s",
            "--database-url",
            f"sqlite:///{tmp}/diary{i}.sqlite3",
        ],
        LOG_EXISTING: lambda i: [
            *tool,
            "log",
            "calf",
            "8",
            "90s",
            "--database-url",
            f"sqlite:///{tmp}/existing.sqlite3",
        ],
        '`musclewise assess "text"`': lambda i: [*tool, "assess", TEXT],
        "`musclewise assess --example`": lambda i: [*tool, "assess", "--example"],
    }
    out = {}
    for name, make in commands.items():
        if only and name not in only:
            continue
        print(f"  {name} ...", flush=True)
        out[name] = paired(make)
        print(
            f"    {out[name]['ratio']:.1f}× python -c pass ({out[name]['ms']:.0f} ms)", flush=True
        )
    return out


FLOORS = {
    "`import musclewise.diary.lite` (`log`'s writer on `sqlite3`)": "import musclewise.diary.lite",
    "`import sqlalchemy.orm`": "import sqlalchemy.orm",
    "`import musclewise.diary.api` (SQLAlchemy's ORM and the diary's models)": (
        "import musclewise.diary.api"
    ),
}
"""What ``log`` imports to write into a SQLite diary (``diary.lite``), beside what it no longer
imports there: SQLAlchemy's ORM and the diary's models (still its path for PostgreSQL and for
a file that needs migrating)."""


def floors() -> dict[str, dict[str, float]]:
    """The start-up of the imports ``log`` needs to open a diary, paired the same way."""
    out = {}
    for name, code in FLOORS.items():
        out[name] = paired(lambda i, code=code: [*one_core(), sys.executable, "-c", code])
        print(f"  {name}: {out[name]['ratio']:.1f}× python -c pass", flush=True)
    return out


def free_text() -> dict[str, float]:
    """The reader, in process, per description: the public vignettes, 5 times each."""
    import yaml

    from musclewise.text import read_text

    vignettes = yaml.safe_load(VIGNETTES.read_text()) if VIGNETTES.exists() else []
    texts = [v["text"] for v in vignettes] or [TEXT]
    read_text(texts[0])
    times = []
    for _ in range(5):
        for text in texts:
            start = time.perf_counter()
            read_text(text)
            times.append(time.perf_counter() - start)
    times.sort()
    return {
        "n": len(texts),
        "median_ms": statistics.median(times) * 1e3,
        "p99_ms": times[int(len(times) * 0.99)] * 1e3,
    }


def batch_file(path: Path, lines: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from run import random_findings

    rng = random.Random(2)
    with path.open("w") as out:
        for _ in range(lines):
            out.write(json.dumps(random_findings(rng)) + "\n")


def batch(tmp: Path, lines: int = BATCH_LINES, repeats: int = 3) -> dict[str, float]:
    """``assess --json`` on ``lines`` generated lines, pinned to one core: the best of
    ``repeats`` runs (the machine is shared; the best is the least disturbed), peak memory."""
    path = tmp / "findings.jsonl"
    batch_file(path, lines)
    seconds, peaks, cpus = [], [], []
    for _ in range(repeats):
        with tempfile.NamedTemporaryFile("r") as result:
            cmd = [*one_core(), str(BIN / "musclewise"), "assess", "--json", str(path)]
            subprocess.run([sys.executable, "-I", "-S", "-c", SPAWN, result.name, *cmd],
                           check=True)  # fmt: skip
            status, elapsed, peak_kb, cpu = result.read().split()
        if status != "0":
            raise SystemExit(f"assess --json failed with status {status}")
        seconds.append(float(elapsed))
        cpus.append(float(cpu))
        peaks.append(int(peak_kb) / 1024)
        print(f"    {lines / seconds[-1]:,.0f} a second, peak {peaks[-1]:.0f} MB", flush=True)
    best = min(seconds)
    return {
        "lines": lines,
        "seconds": best,
        "per_second": lines / best,
        "median_per_second": lines / statistics.median(seconds),
        "peak_mb": max(peaks),
        "cpu_seconds": statistics.median(cpus),
        "process_cpu_per_second": lines / statistics.median(cpus),
        "repeats": repeats,
    }


def batch_cpu(tmp: Path, lines: int = 20_000, repeats: int = 3) -> float:
    """The batch path in process (``assess_records``), assessments a second of CPU time (the
    process's own, so less sensitive to the machine's load than the wall clock): the best of
    ``repeats``."""
    import gc

    from musclewise.cli.batch import GC_THRESHOLD, assess_records

    path = tmp / "findings.jsonl"
    records = list(enumerate(path.read_bytes().splitlines()[:lines], start=1))
    list(assess_records(records[:3000]))  # the engine, NumPy and the first caches
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])  # as the command sets it for a batch
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        for _ in assess_records(records):
            pass
        best = min(best, time.process_time() - start)
    gc.set_threshold(*thresholds)
    return len(records) / best


def load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def run() -> dict[str, Any]:
    result: dict[str, Any] = {"load": load()}
    with tempfile.TemporaryDirectory() as tmp:
        print("start-up, paired with python -c pass ...", flush=True)
        result["startup"] = startups(Path(tmp))
        result["floors"] = floors()
        print("free text ...", flush=True)
        result["text"] = free_text()
        print(f"assess --json on {BATCH_LINES:,} lines ...", flush=True)
        result["batch"] = batch(Path(tmp))
        result["batch"]["cpu_per_second"] = batch_cpu(Path(tmp))
        print(f"    in process: {result['batch']['cpu_per_second']:,.0f} a CPU second", flush=True)
    try:
        import pgmpy_compare
    except ImportError:  # run.py puts benchmarks/ on the path; alone, this file's folder is
        sys.path.insert(0, str(Path(__file__).parent))
        import pgmpy_compare
    print("pgmpy side by side ...", flush=True)
    result["pgmpy"] = pgmpy_compare.run()
    result["load_after"] = load()
    return result


TARGETS = {
    "`musclewise --help`": "≤ 10×",
    LOG_NEW: "≤ 15×",
    LOG_EXISTING: "",
    '`musclewise assess "text"`': "≤ 40×",
    "`musclewise assess --example`": "",
}


def section(r: dict[str, Any]) -> str:
    rows = [
        f"| {name} | {s['ratio']:.1f}× ({s['ratio_lo']:.1f}-{s['ratio_hi']:.1f}) | "
        f"{s['ms']:.0f} ms | {s['python_ms']:.0f} ms | {TARGETS.get(name, '')} |"
        for name, s in r["startup"].items()
    ]
    floor_rows = [
        f"| {name} | {f['ratio']:.1f}× ({f['ratio_lo']:.1f}-{f['ratio_hi']:.1f}) | {f['ms']:.0f} ms |"
        for name, f in r["floors"].items()
    ]
    t, b = r["text"], r["batch"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""{START}
## Fast where people wait (issue 15)

Run {stamp}, `benchmarks/startup.py` (from `make bench`, or alone); load average
{r["load"]:.1f} at the start and {r["load_after"]:.1f} at the end (a shared 2-core machine:
read the ratios, not the milliseconds).{busy(r)}

| command (pinned to one core) | ratio to `python -c pass`, median (range) | median | `python -c pass` | target |
|---|---|---|---|---|
{chr(10).join(rows)}

Each command is run {RUNS} times after a warm-up run, each run followed at once by
`python -c pass`; the ratio is the median of the {RUNS} paired ratios (`log` into a new diary
writes into a new SQLite file each time, so it creates the diary's tables every run; into an
existing one it adds an episode to the same file).

`log` into a SQLite diary that is new or at the head revision imports no SQLAlchemy: it writes
with the standard library's `sqlite3` (`diary/lite.py`), a new file made from the schema
generated from the models (`diary/schema_sqlite.sql`, `python -m musclewise.diary.schema_sqlite`;
a test fails when it differs from the models) and stamped at head in one write transaction, the
episode and its assessment stored as the ORM's `Diary.add_episode` stores them
(`tests/diary/test_lite.py` compares every row of every table written both ways, the printed
text and JSON, and the errors). PostgreSQL, a file that needs migrating and any other URL take
the ORM's path as before. `tests/test_startup.py` asserts what `log` leaves alone (SQLAlchemy,
alembic, the models, the demo, the insights, the reader). The imports, alone:

| import alone (pinned to one core) | ratio to `python -c pass`, median (range) | median |
|---|---|---|
{chr(10).join(floor_rows)}

| measure | figure | target |
|---|---|---|
| free text: one description read, in process, median ({t["n"]} vignettes × 5) | {t["median_ms"]:.2f} ms | < 10 ms |
| free text: p99 | {t["p99_ms"]:.2f} ms | |
| `assess --json` on {b["lines"]:,} generated lines, one core, median of {b["repeats"]} | {b["median_per_second"]:,.0f} a second (best {b["per_second"]:,.0f}, {b["seconds"]:.1f} s) | ≥ 25,000 (stretch 50,000) |
| `assess --json`, per second of its own CPU time (user + system), median | {b["process_cpu_per_second"]:,.0f} a second ({b["cpu_seconds"]:.1f} s of CPU in {b["seconds"]:.1f} s) | |
| `assess --json`, its own peak memory (max RSS) | {b["peak_mb"]:.0f} MB | < 150 MB |
| the batch path in process (`assess_records`, 20,000 of the lines, after 3,000 to warm up; the command's garbage-collection settings), per second of CPU time | {b["cpu_per_second"]:,.0f} a second | |

The batch figure counts the whole process, start-up included; its input is the generated
findings of the assessment section above (`run.random_findings`, seed 2). {batch_verdict(b)}
After its first 256 lines (from the first, for a file of a megabyte or more), `assess --json`
assesses 2,048 lines at a time in columns (`engine/chunks.py`, `engine/column_tests.py`,
`engine/column_missing.py`, `engine/column_words.py`): the posteriors (with and without the
warning signs and the labels, and with every set of up to three signs added back), every
knowledge test in three-valued logic, the kind turned by a red flag, `missing` (the single-key
rules' gains, the rules one answer away, the questions' shifts, a stable sort, the merge), the
screen's unscreened signs, the order of the mimics, and which answers the explanation names
and which say why each mimic is suspected (one sort a chunk by how much each answer favours one
explanation over another, ties by the answer's words, as the engine's sorted tuples order them)
are NumPy over the chunk. What is left for each line is putting worded pieces together: the
pieces shared by many lines (a triage's reasons, the unscreened signs, factors, relief,
prevention, `missing`) are encoded once and written as they are, the sentences are worded once
and looked up by number. The output is byte for byte the one-at-a-time engine's
(`tests/test_batch.py`: a property test over generated chunks, files crossing the chunks'
edges with errors and texts mixed in, and a file of a megabyte through the command); a file of
up to 256 lines never imports NumPy (`tests/test_startup.py`). Where a line went, in process,
when this was written (2026-12-05, about 27 µs a line on the machine of that day): about 2.5
µs decoding and checking the JSON (msgspec), about 2.5 µs reading each answer into the columns,
about 14 µs of NumPy over the chunk (`missing` about 4.5, the triage about 2.5, the tests about
2, the posteriors' `math.exp` about 2: NumPy's own `exp` differs from it in the last bit for a
few values in a hundred, which would change the rounded output), and about 7 µs putting each
line together and encoding it. Start-up and the first chunk's caches are about 0.2 s of the
run. The figures depend on the machine: compare runs on the same one.

{pgmpy_text(r["pgmpy"])}
{END}
"""


def batch_verdict(b: dict[str, Any]) -> str:
    """Whether ``assess --json`` met issue 15's target in this run, in words."""
    rate = b["median_per_second"]
    if rate >= 25_000:
        return f"**The 25,000 a second is met** ({rate:,.0f} a second, median)."
    return (
        f"**The 25,000 a second is not met** ({rate:,.0f} a second, median; "
        f"{b['process_cpu_per_second']:,.0f} a second of its own CPU time); issue 2's 10,000 is."
        if rate >= 10_000
        else f"**Neither the 25,000 nor issue 2's 10,000 a second is met** ({rate:,.0f})."
    )


def busy(r: dict[str, Any]) -> str:
    """A warning when the machine was busier than its cores: every figure is then inflated."""
    if min(r["load"], r["load_after"]) <= 2.5:
        return ""
    python_ms = statistics.median(s["python_ms"] for s in r["startup"].values())
    text = (
        " The load average was above the machine's two cores during this run (`python -c "
        f"pass` itself took a median of {python_ms:.0f} ms): compare the ratios, not the "
        "milliseconds."
    )
    b = r["batch"]
    if b["seconds"] > 1.2 * b["cpu_seconds"]:
        text += (
            " The batch's wall-clock figure includes waiting for the core (its CPU-time "
            "figures are the ones to read)."
        )
    return text


def pgmpy_text(p: dict[str, Any] | None) -> str:
    try:
        import pgmpy_compare
    except ImportError:
        sys.path.insert(0, str(Path(__file__).parent))
        import pgmpy_compare
    return pgmpy_compare.section(p)


def write(text: str) -> None:
    """Put the section in docs/benchmarks.md: in place of the old one, or at the end."""
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if START in doc and END in doc:
        before, rest = doc.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        doc = before + text + ("\n" + after if after else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc)


def log_only() -> None:
    """``python benchmarks/startup.py log``: just the ``log`` figures and their imports,
    printed (docs/benchmarks.md is left as it is)."""
    print(f"load average {load():.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        results = startups(Path(tmp), only=(LOG_NEW, LOG_EXISTING))
    results.update(floors())
    for name, s in results.items():
        print(
            f"{name}: {s['ratio']:.1f}× python -c pass, median (range {s['ratio_lo']:.1f}-"
            f"{s['ratio_hi']:.1f}), {s['ms']:.0f} ms; python -c pass {s['python_ms']:.0f} ms"
        )
    print(f"load average {load():.1f}", flush=True)


def main() -> None:
    if sys.argv[1:] == ["log"]:
        log_only()
        return
    text = section(run())
    if QUICK:
        print(text)
    else:
        write(text)
        print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
