"""musclewise benchmarks: ``make bench`` runs them and writes docs/benchmarks.md.

Targets (issue 2): single assessment latency in process (median, p99); ``assess --json`` on
100,000 JSON Lines at 10,000 or more a second on one core within 150 MB peak memory; the
start-up of ``musclewise assess --format json`` for one case at most 12 times ``python -c
pass``. Figures are measured, never asserted in tests.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
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
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent
MEDICINES = ["furosemide", "Lipitor", "bendroflumethiazide", "ventolin", "nifedipine",
             "the pill", "simvastatin 40mg", "amlodipine", "metformin", "omeprazole"]  # fmt: skip
SITES = ["calf", "calf", "calf", "foot", "thigh_back", "eyelid", "eyelid", "hand", "thigh_front",
         "shin", "upper_arm", "other"]  # fmt: skip


def random_findings(rng: random.Random) -> dict[str, Any]:
    """A plausible findings object: a site, some episode details, a few signs and context."""
    f: dict[str, Any] = {"site": rng.choice(SITES)}
    twitch = f["site"] == "eyelid" or rng.random() < 0.3
    if rng.random() < 0.8:
        f["pain"] = rng.randint(0, 2) if twitch else rng.randint(4, 10)
    if rng.random() < 0.7:
        f["duration_s"] = rng.choice([1, 2, 3]) if twitch else rng.choice([20, 45, 90, 120, 300])
    if rng.random() < 0.6:
        f["extent"] = "part_of_muscle" if twitch else "whole_muscle"
    for key, p in (("muscle_hard", 0.4), ("visible_twitch", 0.3), ("relieved_by_stretch", 0.4),
                   ("swelling", 0.3), ("weakness", 0.2), ("redness", 0.1), ("numbness_tingling", 0.15),
                   ("sleep_disturbed", 0.3), ("exercise_intense", 0.2), ("fluids_low", 0.15)):  # fmt: skip
        if rng.random() < p:
            f[key] = rng.random() < 0.25
    if rng.random() < 0.5:
        f["onset"] = rng.choice(["during_exercise", "after_exercise", "at_rest", "during_sleep"])
    if rng.random() < 0.4:
        f["ongoing_days"] = rng.choice([0, 1, 3, 10, 21, 60, 365])
    if rng.random() < 0.6:
        f["age"] = rng.randint(12, 90)
    if rng.random() < 0.25:
        f["medications"] = rng.sample(MEDICINES, rng.randint(1, 2))
    if rng.random() < 0.3:
        f["caffeine_cups"] = rng.randint(0, 6)
    return f


def in_process_latency() -> dict[str, float]:
    from musclewise import assess

    rng = random.Random(1)
    cases = [random_findings(rng) for _ in range(500)]
    for c in cases:  # warm the caches (knowledge, medicines)
        assess(c)
    times = []
    for _ in range(10):
        for c in cases:
            start = time.perf_counter()
            assess(c)
            times.append(time.perf_counter() - start)
    times.sort()
    return {
        "median_us": statistics.median(times) * 1e6,
        "p99_us": times[int(len(times) * 0.99)] * 1e6,
        "n": len(times),
    }


def _one_core() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def batch(lines: int) -> dict[str, float]:
    rng = random.Random(2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "findings.jsonl"
        with path.open("w") as out:
            for _ in range(lines):
                out.write(json.dumps(random_findings(rng)) + "\n")
        cmd = [*_one_core(), str(BIN / "musclewise"), "assess", "--json", str(path)]
        start = time.perf_counter()
        with (Path(tmp) / "out.jsonl").open("wb") as sink:
            proc = subprocess.run(cmd, stdout=sink, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"batch failed: {proc.stderr.decode()}")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"lines": lines, "seconds": elapsed, "per_second": lines / elapsed,
            "peak_mb": peak_kb / 1024}  # fmt: skip


def startup(runs: int = 30) -> dict[str, float]:
    env = {**os.environ}

    def timed(cmd: list[str]) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    one = [str(BIN / "musclewise"), "assess", "--format", "json", "--site", "calf", "--pain", "8",
           "--duration", "90s", "--at-night"]  # fmt: skip
    subprocess.run(one, stdout=subprocess.DEVNULL, check=True)  # warm the knowledge cache
    base = timed([sys.executable, "-c", "pass"])
    ours = timed(one)
    return {"python_ms": base * 1e3, "assess_ms": ours * 1e3, "ratio": ours / base}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    lines = int(os.environ.get("MUSCLEWISE_BENCH_LINES", "100000"))
    print("in-process latency ...", flush=True)
    latency = in_process_latency()
    print(f"  median {latency['median_us']:.0f} µs, p99 {latency['p99_us']:.0f} µs")
    print(f"assess --json on {lines:,} lines ...", flush=True)
    b = batch(lines)
    print(f"  {b['per_second']:,.0f} a second, peak {b['peak_mb']:.0f} MB")
    print("start-up ...", flush=True)
    s = startup()
    print(
        f"  {s['assess_ms']:.0f} ms vs python -c pass {s['python_ms']:.0f} ms: ratio {s['ratio']:.1f}"
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    DOC.write_text(
        f"""# Benchmarks

Written by `make bench` (`benchmarks/run.py`); the figures below are from the last run. Targets
come from the issues; tests never assert timings.

- **Run**: {stamp}
- **Machine**: {machine()}
- **Command**: `make bench` (batch pinned to one core with `taskset -c 0` where available)

## Assessment (issue 2)

| measure | figure | target |
|---|---|---|
| one assessment in process, median | {latency["median_us"]:.0f} µs | fast |
| one assessment in process, p99 | {latency["p99_us"]:.0f} µs | |
| `assess --json` on {b["lines"]:,} JSON Lines | {b["per_second"]:,.0f} a second ({b["seconds"]:.1f} s) | ≥ 10,000 a second on one core |
| `assess --json`, peak memory (max RSS) | {b["peak_mb"]:.0f} MB | ≤ 150 MB |
| start-up: `musclewise assess --format json` for one case | {s["assess_ms"]:.0f} ms | |
| start-up: `python -c pass` | {s["python_ms"]:.0f} ms | |
| start-up ratio | {s["ratio"]:.1f} | ≤ 12 |

The in-process figure is `musclewise.assess()` on {latency["n"]:,} calls over 500 generated
findings (validation, medicines and engine). The batch input is generated findings of the same
kind (a site, episode details, a few warning signs and context, medicines in a quarter of them);
the start-up figure is the median of 30 runs after one warm-up run (the first run after the
knowledge base changes validates it and fills the cache).
"""
    )
    print("free text and interview ...", flush=True)
    t = text_and_interview()
    with DOC.open("a") as doc:
        doc.write(text_section(t))
    print(
        f"  parse {t['parse_ms']:.1f} ms, pipeline start-up {t['pipeline_ms']:.0f} ms, "
        f"step {t['step_ms']:.2f} ms, median {t['median_q']:g} questions"
    )
    print(f"wrote {DOC.relative_to(ROOT)}")


VIGNETTES = ROOT.parent / "shared" / "vignettes" / "public.yaml"


def text_and_interview() -> dict[str, float]:
    """Issue 5: text parse time, NLP start-up, interview step time and simulated figures."""
    import yaml

    from musclewise.assessment import assess, default_engine, resolve_medicines
    from musclewise.interview import next_step, simulate
    from musclewise.text import read_text

    code = (
        "import time; t = time.perf_counter(); "
        "from musclewise.text.reader import pipeline; pipeline(); "
        "print(time.perf_counter() - t)"
    )
    starts = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, check=True, text=True
            ).stdout
        )
        for _ in range(5)
    ]
    vignettes = yaml.safe_load(VIGNETTES.read_text()) if VIGNETTES.exists() else []
    texts = [v["text"] for v in vignettes] or ["my left calf cramped at night, 8/10, 2 minutes"]
    read_text(texts[0])
    parse = []
    for _ in range(5):
        for text in texts:
            start = time.perf_counter()
            read_text(text)
            parse.append(time.perf_counter() - start)
    engine = default_engine()
    steps = []
    for v in vignettes:
        findings: dict[str, Any] = {}
        for key, value in v["answers"].items():
            start = time.perf_counter()
            next_step(engine, findings)
            steps.append(time.perf_counter() - start)
            findings[key] = value
    levels = ("self_care", "see_doctor", "urgent", "emergency")
    counts, same, under = [], 0, 0
    for v in vignettes:
        full = assess(v["answers"])
        asked, result = simulate(engine, v["answers"], resolve_medicines)
        counts.append(len(asked))
        got, want = result["triage"]["level"], full["triage"]["level"]
        same += result["kind"] == full["kind"] and got == want
        under += levels.index(got) < levels.index(want)
    n = max(len(vignettes), 1)
    return {
        "pipeline_ms": statistics.median(starts) * 1e3,
        "parse_ms": statistics.median(parse) * 1e3,
        "parse_p99_ms": sorted(parse)[int(len(parse) * 0.99)] * 1e3,
        "texts": len(texts),
        "step_ms": statistics.median(steps) * 1e3 if steps else 0.0,
        "cases": len(vignettes),
        "agreement": same / n,
        "under": under,
        "median_q": statistics.median(counts) if counts else 0,
        "mean_q": statistics.mean(counts) if counts else 0,
        "max_q": max(counts, default=0),
    }


def text_section(t: dict[str, float]) -> str:
    return f"""
## Free text and the interview (issue 5)

| measure | figure | target |
|---|---|---|
| NLP pipeline start-up (import spaCy and negspacy, build the matchers), median of 5 | {t["pipeline_ms"]:.0f} ms | only when text is given |
| text parse time per description, median ({t["texts"]:g} descriptions × 5) | {t["parse_ms"]:.1f} ms | |
| text parse time per description, p99 | {t["parse_p99_ms"]:.1f} ms | |
| interview step (`next_step`), median | {t["step_ms"]:.2f} ms | |
| simulated interviews: same kind and triage as all the answers ({t["cases"]:g} vignettes) | {t["agreement"]:.3f} | ≥ 0.95 |
| simulated interviews: under-triaged | {t["under"]:g} | 0 |
| simulated interviews: questions, median / mean / max | {t["median_q"]:g} / {t["mean_q"]:.1f} / {t["max_q"]:g} | median ≤ 8 |

Parse times are in process after one warm-up text (the pipeline built); the start-up figure is
a fresh process. The interview is simulated from nothing on the public vignettes, each question
answered from the vignette's `answers` ("don't know" when it lacks the key).
"""


if __name__ == "__main__":
    main()
