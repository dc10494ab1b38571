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
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
