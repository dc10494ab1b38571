"""musclewise benchmarks: ``make bench`` runs them and writes docs/benchmarks.md.

Targets (issue 2): single assessment latency in process (median, p99); ``assess --json`` on
100,000 JSON Lines at 10,000 or more a second on one core within 150 MB peak memory; the
start-up of ``musclewise assess --format json`` for one case at most 12 times ``python -c
pass``. The diary (issue 3), on SQLite and PostgreSQL: ``musclewise import`` of 100,000
episodes with their assessments at 5,000 or more a second on one core (SQLite), its peak memory
flat (at most 200 MB for 1,000,000 rows), and ``episodes list`` with a filter over 1,000,000
episodes, through the indexes. Figures are measured, never asserted in tests.

``MUSCLEWISE_BENCH_QUICK=1`` makes every size 10 times smaller, for a smoke run, and leaves
docs/benchmarks.md as it is. PostgreSQL is ``MUSCLEWISE_BENCH_POSTGRES_URL`` (default: the
test server); each run uses a schema of its own, dropped afterwards.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Every command measured runs as an installed tool does, with its compiled bytecode cached
# (some shells and CI set PYTHONDONTWRITEBYTECODE, which makes each run compile every module).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
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


QUICK = os.environ.get("MUSCLEWISE_BENCH_QUICK", "") not in ("", "0")
SCALE = 10 if QUICK else 1


def main() -> None:
    lines = int(os.environ.get("MUSCLEWISE_BENCH_LINES", str(100_000 // SCALE)))
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
    doc = DOC if not QUICK else Path(tempfile.gettempdir()) / "musclewise-bench-quick.md"
    doc.write_text(
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
    with doc.open("a") as out:
        out.write(text_section(t))
    print(
        f"  parse {t['parse_ms']:.1f} ms, pipeline start-up {t['pipeline_ms']:.0f} ms, "
        f"step {t['step_ms']:.2f} ms, median {t['median_q']:g} questions"
    )
    print("hold-out descriptions ...", flush=True)
    import holdout  # issue 9: the product on descriptions it was not built from

    with doc.open("a") as out:
        out.write(
            "\n## Safety on descriptions it was not built from (issue 9)\n\n"
            "`benchmarks/holdout.py`: the hold-out sets (`benchmarks/data/holdout*.yaml`, written "
            "by the lead apart from the reader's development set; none is unseen any more: the "
            "first named kinds of failure to the engineers; the second, first scored at 1 of 9 "
            "emergencies missed from text alone, gave five wordings to the lexicon; the third, "
            "first scored at 0 of 11 missed and 1 of 30 under-triaged from text alone (walking "
            "calf pain read as a cramp), gave its walking and stopping wordings; the fourth, "
            "first scored at 0 of 9 missed and 3 of 30 under-triaged from text alone (weakness "
            "shown by pushing up from a sofa on a statin, a twitch spreading to the cheek, a hot "
            "child), gave those wordings; the fifth, written by a helper, first scored at 1 of 12 "
            "missed and 2 of 30 under-triaged from text alone (a collapse in the heat 'not making "
            "any sense', weakness shown by the stairs on a statin), gave those wordings; the "
            "sixth, by a second helper to break the reader (short and rambling texts, slang, "
            "emojis), first scored at 1 of 13 missed and 3 of 30 under-triaged (a leg 'ice cold "
            "and blotchy purple', a statin user who 'struggles getting up out of a chair', "
            "walking only half a mile), gave those wordings; the seventh, by a third helper mimic "
            "by mimic with benign look-alikes, first scored at 4 of 10 missed and 5 of 30 "
            "under-triaged, gave its wordings; the eighth, by a fourth helper as messages typed "
            "at night, first scored at 8 of 15 missed and 9 of 30 under-triaged, gave its "
            "wordings; the ninth, by a fifth helper on the signs hardest to say, first scored at 5 "
            "of 16 missed and 5 of 30 under-triaged, gave its wordings; the tenth, by a sixth "
            "helper on episodes over weeks, relatives and children, first scored at 4 of 16 missed "
            "and 5 of 30 under-triaged, gave its wordings; the eleventh, by a seventh helper in "
            "very short, misspelt and voice-to-text styles with numbers in words, first scored at "
            "0 of 10 missed and 6 of 30 under-triaged (frequency ranges, 'a fortnight and a bit', "
            "a thumb muscle 'sunk in', 'started twenty five minutes ago and still'), gave its "
            "wordings, though its two range cases keep the helper's gold at the range's top, "
            "where the public vignettes read the middle; the twelfth, by an eighth helper as "
            "anxious narratives, self-diagnoses, carers and second-language writers, first scored "
            "at 3 of 11 missed and 5 of 30 under-triaged (hands 'bent in at the wrist' in a "
            "panic, a man who 'keeps asking the score', a foot 'a waxy white'), gave its "
            "wordings; the thirteenth, by a ninth helper as questions, bullet lists, clinical "
            "shorthand, teen slang and second-language English, first scored at 1 of 10 missed "
            "and 2 of 30 under-triaged (a tibia fracture in a cast written '# R tib/fib ... "
            "POP'), gave its wordings; the fourteenth, by a tenth helper as forum posts with "
            "edits, formal letters, voice-assistant transcripts and chronic conditions as "
            "context, first scored at 0 of 9 missed and 3 of 30 under-triaged ('four nights in "
            "the week' in a letter, a child written 'my sun is eight', dialysis cramps 'near the "
            "end of most sessions'), gave its wordings; the fifteenth, by an eleventh helper "
            "on athletes, manual workers, travellers and people naming their medicines, first "
            "scored at 0 of 11 missed and 2 of 30 under-triaged ('300mg caffeine a scoop' read "
            "as 300 cups, new numbness in a chemo patient's hands), gave its wordings; the "
            "sixteenth, by a twelfth helper on over-triage (20 benign cases in words that also "
            "name warning signs), first scored at 0 of 6 missed and 12 of 20 benign cases "
            "over-triaged, 6 of them to an emergency, gave its everyday phrases) and the "
            "public "
            "vignettes, scored from the text alone, from the text followed by the safety screen "
            "(as `check --simulate`), and from the structured findings.\n\n"
            + holdout.table()
            + "\n"
        )
    print("the free-text reader ...", flush=True)
    import text_reader  # issues 9 and 15: docs/text.md

    text_reader.main(write_doc=not QUICK)
    print("the diary ...", flush=True)
    d = diary_benchmarks()
    with doc.open("a") as out:
        out.write(diary_section(d))
    print("insights and the report ...", flush=True)
    i = insights_benchmarks()
    with doc.open("a") as out:
        out.write(insights_section(i))
    print(f"  10 years: insights {i['insights'][0]:.1f} s, PDF report {i['pdf'][0]:.1f} s")
    import triggers_scenarios as scenarios  # issue 13: its own section, from its own module

    with doc.open("a") as out:
        out.write(scenarios.section(scenarios.run(scenarios.DIARIES // SCALE)))
    print("the web app ...", flush=True)
    import web  # benchmarks/web.py

    with doc.open("a") as out:
        out.write(web.section(web.run()))
    print("the HTTP API and the diary over HTTP ...", flush=True)
    import api as http_api  # benchmarks/api.py: real servers on loopback, loaded by wrk

    with doc.open("a") as out:
        out.write(http_api.section(http_api.run()))
    import startup as issue15  # start-up, the batch path and pgmpy: benchmarks/startup.py

    with doc.open("a") as out:
        out.write("\n" + issue15.section(issue15.run()))
    print(f"wrote {doc if QUICK else doc.relative_to(ROOT)}")


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
| reader start-up (the compiled lexicon, from the cache), median of 5 | {t["pipeline_ms"]:.0f} ms | only when text is given |
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


# --------------------------------------------------------------------------- the diary (issue 3)

PG_URL = os.environ.get(
    "MUSCLEWISE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IMPORT_ROWS = 100_000 // SCALE
BIG_ROWS = 1_000_000 // SCALE
LIST_DAYS = 30
"""``episodes list --site calf --since`` this many days before the diary's last day."""
DIARY_YEARS = 10
"""The generated diaries spread their episodes over this many years."""


def episode_file(path: Path, rows: int, end: datetime) -> None:
    """An export (JSON Lines, as ``musclewise export`` writes it): a profile, then ``rows``
    episodes over the years before ``end``, each with a real assessment from the engine (200
    generated findings assessed once, and reused)."""
    from musclewise import assess

    rng = random.Random(3)
    pool = []
    for _ in range(200):
        given = random_findings(rng)
        assessment = assess(given)
        own = {k: given.pop(k, None) for k in ("site", "side", "pain", "duration_s")}
        for key in ("age", "sex", "pregnant", "medications", "conditions"):
            given.pop(key, None)  # the profile's keys: never stored with an episode
        middle = {"tz": "Europe/London", **own, "findings": given, "notes": None,
                  "kind": assessment["kind"], "triage": assessment["triage"]["level"],
                  "knowledge_version": assessment["knowledge_version"],
                  "assessment": assessment}  # fmt: skip
        pool.append(json.dumps(middle, separators=(",", ":"))[1:-1])
    start = end - timedelta(days=365 * DIARY_YEARS)
    step = (end - start) / rows
    with path.open("w") as out:
        out.write(json.dumps({"record": "profile", "name": "bench", "timezone": "Europe/London",
                              "sex": "female", "birth_year": 1961, "pregnant": None,
                              "created_at": start.isoformat()}) + "\n")  # fmt: skip
        for i in range(rows):
            when = (start + step * i).isoformat()
            out.write(f'{{"record":"episode","id":{i + 1},"started_at":"{when}",'
                      f'{rng.choice(pool)},"created_at":"{when}","updated_at":"{when}"}}\n')  # fmt: skip


SPAWN = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {elapsed} {usage.ru_maxrss}")
"""
"""Runs a command and writes its exit status, wall time and max RSS (KB) to a file. The command
is forked from this small process: a child forked (or vforked) from the benchmark itself, which
has spaCy and the engine loaded by now, would report the benchmark's own peak as its max RSS
(Linux keeps the larger of the address space before and after exec)."""


def timed_child(cmd: list[str], **env: str) -> tuple[float, float, str]:
    """Run a command; its wall time (s), its own peak memory (max RSS, MB) and its output."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as result,
    ):
        spawn = [sys.executable, "-I", "-S", "-c", SPAWN, result.name, *cmd]
        subprocess.run(spawn, stdout=out, stderr=err, env={**os.environ, **env}, check=True)
        status, elapsed, peak_kb = result.read().split()
        out.seek(0)
        err.seek(0)
        if status != "0":
            raise SystemExit(f"{' '.join(cmd)} failed: {err.read().decode()[-2000:]}")
        return float(elapsed), int(peak_kb) / 1024, out.read().decode()


def postgres_reachable() -> str | None:
    """Why PostgreSQL cannot be used (None: it can)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(PG_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


@contextmanager
def diary_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty diary, migrated: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    from sqlalchemy import create_engine, text

    from musclewise.diary import database

    if backend == "sqlite":
        url = f"sqlite:///{folder / f'bench-{time.monotonic_ns()}.sqlite3'}"
        engine = database.make_engine(database.resolve_url(url))
        database.upgrade(engine)
        engine.dispose()
        yield url
        return
    schema = f"mw_bench_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        engine = database.make_engine(database.resolve_url(url))
        database.upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def import_run(path: Path, url: str, rows: int) -> dict[str, float]:
    cmd = [*_one_core(), str(BIN / "musclewise"), "import", str(path), "--json"]
    seconds, peak_mb, out = timed_child(cmd, MUSCLEWISE_DATABASE_URL=url)
    added = json.loads(out)["added"].get("episode", 0)
    if added != rows:
        raise SystemExit(f"import added {added} episodes, not {rows}")
    return {"rows": rows, "seconds": seconds, "per_second": rows / seconds, "peak_mb": peak_mb}


def query_plan(url: str, since: datetime) -> list[str]:
    """The database's plan for the query ``episodes list --site calf --since`` runs."""
    from sqlalchemy import event

    from musclewise.diary import Diary

    with Diary(url) as diary:
        seen: list[tuple[str, Any]] = []

        def keep(_c: Any, _cur: Any, statement: str, params: Any, *_rest: Any) -> None:
            if "FROM episode" in statement and "site" in statement:
                seen.append((statement, params))

        event.listen(diary.engine, "before_cursor_execute", keep)
        diary.list_episodes(site="calf", since=since)
        event.remove(diary.engine, "before_cursor_execute", keep)
        statement, params = seen[-1]
        sqlite = diary.engine.dialect.name == "sqlite"
        with diary.engine.connect() as connection:
            if not sqlite:
                connection.exec_driver_sql("ANALYZE episode")
            rows = connection.exec_driver_sql(
                ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, params
            ).all()
    return [str(row[-1] if sqlite else row[0]).strip() for row in rows]


def list_run(url: str, since: datetime, empty_url: str) -> dict[str, Any]:
    """``episodes list --site calf --since`` over the big diary: the API call in process
    (median of 5 after one warm-up) and the whole command (median of 3), and the query plan;
    the command on an empty diary too, for its fixed cost."""
    from musclewise.diary import Diary

    plan = query_plan(url, since)
    with Diary(url) as diary:
        found = len(diary.list_episodes(site="calf", since=since))
        api = []
        for _ in range(5):
            start = time.perf_counter()
            diary.list_episodes(site="calf", since=since)
            api.append(time.perf_counter() - start)
    day = (since + timedelta(days=1)).date().isoformat()  # a date, as people type it
    cli = {}
    for name, fmt, database in (("json", "json", url), ("table", "table", url),
                                ("empty", "json", empty_url)):  # fmt: skip
        cmd = [str(BIN / "musclewise"), "episodes", "list", "--site", "calf", "--since", day,
               "--format", fmt]  # fmt: skip
        env = {"MUSCLEWISE_DATABASE_URL": database, "COLUMNS": "120"}
        cli[name] = statistics.median(timed_child(cmd, **env)[0] for _ in range(3))
    index = "episode_person_site_started"  # ux_ since migration 0002 (ix_ before)
    return {"rows": found, "api_ms": statistics.median(api) * 1e3, "json_ms": cli["json"] * 1e3,
            "table_ms": cli["table"] * 1e3, "empty_ms": cli["empty"] * 1e3, "plan": plan,
            "uses_index": any(index in line for line in plan)}  # fmt: skip


def diary_benchmarks() -> dict[str, Any]:
    """Import throughput and memory, and a filtered list over a big diary, on each backend."""
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    since = end - timedelta(days=LIST_DAYS)
    backends = ["sqlite"]
    why_not = postgres_reachable()
    if why_not is None:
        backends.append("postgresql")
    else:
        print(f"  PostgreSQL not measured: {why_not}")
    results: dict[str, Any] = {"backends": backends, "why_not": why_not, "since": since,
                               "end": end, "import_rows": IMPORT_ROWS, "big_rows": BIG_ROWS,
                               "load": os.getloadavg()[0]}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {}
        for rows in (IMPORT_ROWS, BIG_ROWS):
            files[rows] = folder / f"episodes-{rows}.jsonl"
            start = time.perf_counter()
            episode_file(files[rows], rows, end)
            size = files[rows].stat().st_size
            print(f"  wrote {rows:,} episodes ({size / 1e6:,.0f} MB) "
                  f"in {time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
        results["file_mb"] = files[BIG_ROWS].stat().st_size / 1e6
        for backend in backends:
            with diary_database(backend, folder) as url:
                small = import_run(files[IMPORT_ROWS], url, IMPORT_ROWS)
            print(f"  {backend}: import {IMPORT_ROWS:,}: {small['per_second']:,.0f} a second, "
                  f"peak {small['peak_mb']:.0f} MB", flush=True)  # fmt: skip
            with diary_database(backend, folder) as url, diary_database(backend, folder) as empty:
                big = import_run(files[BIG_ROWS], url, BIG_ROWS)
                print(f"  {backend}: import {BIG_ROWS:,}: {big['per_second']:,.0f} a second, "
                      f"peak {big['peak_mb']:.0f} MB", flush=True)  # fmt: skip
                listed = list_run(url, since, empty)
                print(f"  {backend}: list {listed['rows']:,} of {BIG_ROWS:,}: "
                      f"{listed['api_ms']:.0f} ms in process, {listed['json_ms']:.0f} ms "
                      f"(--json) and {listed['table_ms']:.0f} ms (table) as a command "
                      f"({listed['empty_ms']:.0f} ms on an empty diary); "
                      f"index used: {listed['uses_index']}", flush=True)  # fmt: skip
            results[backend] = {"small": small, "big": big, "list": listed}
            if backend == "postgresql":
                results["server"] = postgres_version()
    return results


def postgres_version() -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            version = str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()
    return f"PostgreSQL {version.split(maxsplit=1)[0]}"


def diary_section(d: dict[str, Any]) -> str:
    backends = d["backends"]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

    def row(measure: str, cell: Callable[[dict[str, Any]], str], target: str = "") -> str:
        cells = [cell(d[b]) for b in backends]
        if len(backends) == 1:
            cells.append("not measured")
        return f"| {measure} | {' | '.join(cells)} | {target} |"

    def rate(r: dict[str, float]) -> str:
        return f"{r['per_second']:,.0f} a second ({r['seconds']:.1f} s)"

    def plan(r: dict[str, Any]) -> str:
        steps = "; ".join(r["list"]["plan"]).replace("|", "\\|")
        used = "uses" if r["list"]["uses_index"] else "**does not use**"
        return f"{used} the index: `{steps}`"

    since = d["since"].date().isoformat()
    small, big = d["import_rows"], d["big_rows"]
    kb = d["file_mb"] * 1e3 / big
    per_row = " and ".join(
        f"{(d[b]['list']['table_ms'] - d[b]['list']['json_ms']) / max(d[b]['list']['rows'], 1):.2f}"
        f" ({names[b]})"
        for b in backends
    )
    server = d.get("server") or f"not reachable ({d['why_not']})"
    lines = [
        "",
        "## The diary (issue 3)",
        "",
        "| measure | SQLite | PostgreSQL | target |",
        "|---|---|---|---|",
        row(f"`musclewise import` of {small:,} episodes with their assessments",
            lambda r: rate(r["small"]), "≥ 5,000 a second on one core (SQLite)"),
        row(f"`musclewise import` of {big:,} episodes", lambda r: rate(r["big"])),
        row(f"import peak memory (max RSS), {small:,} rows",
            lambda r: f"{r['small']['peak_mb']:.0f} MB", "flat"),
        row(f"import peak memory (max RSS), {big:,} rows",
            lambda r: f"{r['big']['peak_mb']:.0f} MB", "≤ 200 MB"),
        row(f"`episodes list --site calf --since …` over {big:,} episodes: `Diary.list_episodes`, "
            "median of 5", lambda r: f"{r['list']['api_ms']:.0f} ms ({r['list']['rows']:,} episodes)"),
        row("the same, the whole command with `--format json`, median of 3",
            lambda r: f"{r['list']['json_ms']:.0f} ms"),
        row("the same, the whole command as a table, median of 3",
            lambda r: f"{r['list']['table_ms']:.0f} ms"),
        row("the same command on an empty diary (start-up and connection), median of 3",
            lambda r: f"{r['list']['empty_ms']:.0f} ms"),
        row("its query plan", plan, "the index on (person, site, start)"),
    ]  # fmt: skip
    return (
        "\n".join(lines)
        + f"""

The files are exports as `musclewise export` writes them (JSON Lines): a profile, then the
episodes of one person spread evenly over {DIARY_YEARS} years, each with a whole assessment
made by the engine (200 generated findings assessed once and reused; {kb:.1f} KB an episode,
{d["file_mb"]:,.0f} MB for {big:,}). Each import is one `musclewise import FILE` process,
pinned to one core with `taskset -c 0` (the database server, {server} on the same machine, is
not), into an empty database: a SQLite file, or a PostgreSQL schema of its own dropped
afterwards. Rows a second count the whole process, start-up included; peak memory is that
process's own max RSS (started from a small helper process, so that the benchmark's own
memory is not counted). The load average was {d["load"]:.1f} when this section started.

The list runs over the {big:,}-episode diary just imported, for the calf episodes since
{since} (`--since` {LIST_DAYS} days before its last day). PostgreSQL's plan is taken after
`ANALYZE episode` (as autovacuum would run it after an import), SQLite's without statistics
(musclewise never runs `ANALYZE`). In process, much of the time is decoding each episode's
stored assessment (JSON), which the list does not show; as a table rather than JSON, Rich's
layout adds {per_row} ms an episode.

The import writes episodes 500 at a time: one query for those already in the diary (by start
time, with a range so that PostgreSQL scans the index, not the person's whole diary) and one
multi-row `INSERT` through SQLAlchemy Core, instead of two queries and an ORM flush for each
row; the assessment in the file is checked (kind, triage and version) and stored as the JSON
text it is, not decoded and encoded again. Rows are still read one at a time, every bad row is
still listed, and the import is still one transaction.
"""
    )


# --------------------------------------------------------------------------- insights (issue 4)

INSIGHT_FACTORS = {f"factor_{i}": 0.3 for i in range(12)}
"""Twelve daily factors, each on about 3 days in 10: as many as the real threshold table."""
TEN_YEARS = 3650
PG_DIARIES = 1000 // (50 if QUICK else 1)


RATIOS = (1.5, 2.0, 3.0)
RATES = (0.3, 0.8, 1.5, 2.0)
"""Cramps a day on days without the planted trigger."""


def trigger_simulation(diaries: int) -> dict[str, Any]:
    """Detection of a planted trigger over 90 days, and false triggers where none exist."""
    from musclewise.insights.simulate import simulate
    from musclewise.insights.triggers import analyse, sensitivity

    factors = list(INSIGHT_FACTORS)
    comparisons = len(factors) * 4
    detection: dict[str, float] = {}
    predicted: dict[str, float] = {}
    for ratio in RATIOS:
        for base in RATES:
            hits = 0
            for seed in range(diaries):
                diary = simulate(90, INSIGHT_FACTORS, {("factor_0", 1): ratio},
                                 base_rate=base, seed=seed)  # fmt: skip
                hits += any(r.trigger and (r.factor, r.lag, r.kind) == ("factor_0", 1, "cramp")
                            for r in analyse(diary, factors))  # fmt: skip
            detection[f"{ratio:g}@{base:g}"] = hits / diaries
            predicted[f"{ratio:g}@{base:g}"] = sensitivity(0.3, base, 90, comparisons,
                                                           ratio=ratio)  # fmt: skip
        print(f"    rate ratio {ratio:g}: " + ", ".join(
            f"{detection[f'{ratio:g}@{b:g}']:.0%} at {b:g} a day" for b in RATES), flush=True)  # fmt: skip
    null: dict[str, dict[str, float]] = {}
    scenarios = {
        "0.8 a day": {"base_rate": 0.8},
        "2 a day": {"base_rate": 2.0},
        "0.8 a day, bursty weeks": {"base_rate": 0.8, "burst_shape": 1.0},
    }  # fmt: skip
    for name, options in scenarios.items():
        with_any = called = tested = 0
        for seed in range(2 * diaries):
            diary = simulate(90, INSIGHT_FACTORS, {}, seed=10_000 + seed, **options)
            results = analyse(diary, factors)
            found = sum(r.trigger for r in results)
            with_any += found > 0
            called += found
            tested += sum(r.enough_data for r in results)
        null[name] = {"diaries": with_any / (2 * diaries), "comparisons": called / max(tested, 1)}
        print(f"    no trigger, {name}: {null[name]['diaries']:.1%} of diaries", flush=True)
    return {
        "diaries": diaries,
        "detection": detection,
        "predicted": predicted,
        "null_diaries": 2 * diaries,
        "null": null,
        "comparisons": comparisons,
    }


def ten_year_diary(url: str, person: str = "p0000") -> tuple[int, float]:
    """Fill a 3,650-day diary (about 5,000 episodes) through the Diary API: (episodes, s)."""
    from datetime import date

    from musclewise.diary import Diary
    from musclewise.insights.simulate import fill_diary

    start = time.perf_counter()
    with Diary(url, person=person) as diary:
        fill_diary(diary, TEN_YEARS, seed=10, end=date(2026, 10, 31), cramps_a_day=0.55,
                   twitches_a_day=0.2)  # fmt: skip
        episodes = len(diary.list_episodes())
    return episodes, time.perf_counter() - start


def insights_benchmarks() -> dict[str, Any]:
    """Issue 4: the trigger statistics on simulated diaries, insights and the report on a
    10-year diary (SQLite), and insights for one person among many diaries (PostgreSQL)."""
    result: dict[str, Any] = {}
    print("  simulated diaries ...", flush=True)
    result["sim"] = trigger_simulation(500 // SCALE)
    tool = str(BIN / "musclewise")
    with tempfile.TemporaryDirectory() as tmp, diary_database("sqlite", Path(tmp)) as url:
        print("  a 10-year diary on SQLite ...", flush=True)
        result["episodes"], result["fill_s"] = ten_year_diary(url)
        common = ["--database-url", url, "--until", "2026-10-31"]
        insights = [tool, "insights", *common, "--format", "json"]
        timed_child(insights)  # warm the knowledge cache
        result["insights"] = timed_child(insights)[:2]
        pdf = Path(tmp) / "report.pdf"
        result["pdf"] = timed_child([tool, "report", *common, "-o", str(pdf)])[:2]
        result["pdf_pages"] = pdf_pages(pdf)
        result["html"] = timed_child([tool, "report", *common, "-o", f"{tmp}/report.html"])[:2]
    why = postgres_reachable()
    result["postgres"] = None if why else postgres_many(PG_DIARIES)
    result["postgres_why"] = why
    return result


def pdf_pages(path: Path) -> str:
    """How many pages a PDF has (poppler's pdfinfo, which the set-up installs)."""
    if not shutil.which("pdfinfo"):
        return "?"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False)
    text = info.stdout
    return next((line.split()[-1] for line in text.splitlines() if line.startswith("Pages:")),
                "?")  # fmt: skip


NEW_PUBLIC_ID = "replace(gen_random_uuid()::text, '-', '')"
"""A new random 128-bit public id in PostgreSQL (32 hex digits, as the diary makes them)."""


def postgres_many(diaries: int) -> dict[str, Any]:
    """Insights for one person among ``diaries`` 10-year diaries in one PostgreSQL schema: one
    diary filled through the API, copied in SQL to the other people (with a short stored
    assessment, to keep the database small)."""
    from sqlalchemy import create_engine, text

    print(f"  {diaries:,} 10-year diaries on PostgreSQL ...", flush=True)
    with tempfile.TemporaryDirectory() as tmp, diary_database("postgresql", Path(tmp)) as url:
        episodes, _ = ten_year_diary(url)
        engine = create_engine(url)
        start = time.perf_counter()
        with engine.begin() as connection:

            def columns(table: str, *leave_out: str) -> list[str]:
                names = connection.execute(text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
                    "AND table_schema = current_schema() ORDER BY ordinal_position"
                ), {"t": table}).scalars()  # fmt: skip
                return [n for n in names if n not in leave_out]

            person = ", ".join(columns("person", "id", "name"))
            connection.execute(text(
                f"INSERT INTO person (name, {person}) SELECT 'p' || lpad(n::text, 4, '0'), "
                f"{person} FROM person, generate_series(1, :more) AS n WHERE name = 'p0000'"
            ), {"more": diaries - 1})  # fmt: skip
            copies = {
                "day_context": columns("day_context", "person_id"),
                "medicine": columns("medicine", "person_id", "id"),
                "episode": columns("episode", "person_id", "id", "assessment"),
            }
            for table, names in copies.items():
                extra = ", assessment" if table == "episode" else ""
                value = ", json_build_object('kind', t.kind)" if table == "episode" else ""
                listed = ", ".join(names)
                # each copied episode has a public id of its own (they are unique)
                picked = ", ".join(NEW_PUBLIC_ID if n == "public_id" else f"t.{n}" for n in names)
                connection.execute(text(
                    f"INSERT INTO {table} (person_id{extra}, {listed}) "
                    f"SELECT p.id{value}, {picked} FROM {table} t "
                    "JOIN person o ON o.id = t.person_id AND o.name = 'p0000' "
                    "CROSS JOIN person p WHERE p.name <> 'p0000'"
                ))  # fmt: skip
            connection.execute(text("ANALYZE"))
            total = connection.execute(text("SELECT count(*) FROM episode")).scalar_one()
        engine.dispose()
        copy_s = time.perf_counter() - start
        args = [str(BIN / "musclewise"), "insights", "--database-url", url, "--person",
                f"p{diaries // 2:04d}", "--until", "2026-10-31", "--format", "json"]  # fmt: skip
        timed_child(args)
        seconds, peak_mb, _ = timed_child(args)
    return {"diaries": diaries, "episodes_each": episodes, "episodes_total": total,
            "copy_s": copy_s, "seconds": seconds, "peak_mb": peak_mb}  # fmt: skip


def insights_section(r: dict[str, Any]) -> str:
    sim, pg = r["sim"], r["postgres"]
    d, null = sim["detection"], sim["null"]
    header = "| rate ratio | " + " | ".join(f"{b:g} cramps a day" for b in RATES) + " |"
    rows = [header, "|---|" + "---|" * len(RATES)]
    for ratio in RATIOS:
        cells = [f"{d[f'{ratio:g}@{b:g}']:.0%} (predicted {sim['predicted'][f'{ratio:g}@{b:g}']:.0%})"
                 for b in RATES]  # fmt: skip
        rows.append(f"| {ratio:g} | " + " | ".join(cells) + " |")
    detection_table = "\n".join(rows)
    null_rows = [
        "| diaries | with any false trigger | comparisons called triggers |",
        "|---|---|---|",
    ]
    for name, figures in null.items():
        null_rows.append(f"| {name} | {figures['diaries']:.1%} | {figures['comparisons']:.2%} |")
    null_table = "\n".join(null_rows)
    if pg is None:
        pg_row = f"| insights for one person among many diaries on PostgreSQL | not run: {r['postgres_why']} | |"
    else:
        pg_row = (
            f"| insights for one person among {pg['diaries']:,} 10-year diaries in one "
            f"PostgreSQL database ({pg['episodes_total']:,} episodes) | {pg['seconds']:.1f} s, "
            f"peak {pg['peak_mb']:.0f} MB | seconds |"
        )
    return f"""
## Insights and the report (issue 4)

| measure | figure | target |
|---|---|---|
| planted trigger of rate ratio 2 found over 90 days, at 2 cramps a day | {d["2@2"]:.0%} of {sim["diaries"]:,} diaries | ≥ 90% |
| planted trigger of rate ratio 2 found over 90 days, at 1.5 cramps a day | {d["2@1.5"]:.0%} | |
| planted trigger of rate ratio 3 found over 90 days, at 0.8 cramps a day | {d["3@0.8"]:.0%} | |
| diaries with any false trigger where none exist (0.8 cramps a day, 90 days) | {null["0.8 a day"]["diaries"]:.1%} of {sim["null_diaries"]:,} | ≤ 10% |
| the same, with bursty weeks (a gamma multiplier a week, shape 1) | {null["0.8 a day, bursty weeks"]["diaries"]:.1%} | ≤ 10% |
| a 10-year diary on SQLite | 3,650 days, {r["episodes"]:,} episodes (filled through the API in {r["fill_s"]:.0f} s) | |
| its insights: `musclewise insights --format json` | {r["insights"][0]:.1f} s, peak {r["insights"][1]:.0f} MB | seconds |
| its report: `musclewise report -o report.pdf` ({r["pdf_pages"]} pages) | {r["pdf"][0]:.1f} s, peak {r["pdf"][1]:.0f} MB | seconds |
| its report: `musclewise report -o report.html` | {r["html"][0]:.1f} s, peak {r["html"][1]:.0f} MB | |
{pg_row}

Each simulated diary (`musclewise.insights.simulate.simulate`) has {len(INSIGHT_FACTORS)} daily
factors, each present on about 3 days in 10, compared on the same day and the day before for
cramps and twitches (0.1 twitches a day): {sim["comparisons"]} comparisons, Benjamini-Hochberg
across them. The planted effect is on cramps the day after `factor_0`, and counts as found only
when exactly that comparison is named. Whether a trigger can be found depends mostly on how
many episodes the diary holds, so here is the whole table (found in simulation, and beside it
what `musclewise.insights.triggers.sensitivity`, the figure `insights` and the report print
for a person's own diary, predicts):

{detection_table}

Since issue 13 each factor is adjusted for the others and for the other lag, within strata of
four-week block × day of the week: that costs power (the target of issue 4, 90% for a rate
ratio of 2 over 90 days at 2 a day, was met by the method before, which also named factors
that merely travelled with a real one; see "Honest triggers" below). Below what a diary can
show, musclewise says so rather than claim more: it prints how likely a doubling is to be
found with the diary as it is (after the adjustment), and how many days would make that 9 in
10.

Where no trigger was planted ({sim["null_diaries"]:,} diaries each):

{null_table}

Days are compared within the same four weeks and the same day of the week (a conditional
Poisson model), and the variance is widened by the model's own overdispersion, so bursts (bad
weeks that no factor explains, here not aligned with calendar weeks) do not become triggers.
The 10-year diary is `musclewise.insights.simulate.fill_diary`: a
profile, three medicines, the day's context on 9 days in 10, night cramps and eyelid twitches
with planted effects, every episode assessed as it is logged. Times are of one `musclewise`
process, imports included, after a warm-up run; peak memory is that process's own max RSS.
On PostgreSQL one such diary is filled through the API and copied in SQL to every other
person (with a short stored assessment, to keep the database small), then `ANALYZE`; the person
measured is one in the middle.
"""


if __name__ == "__main__":
    main()
