"""How the product does on descriptions it was not built from.

Scores ``benchmarks/data/holdout.yaml`` (written by the lead, in his own words, apart from the
reader's development set and the knowledge base's tests) and the public vignettes the three
ways issue 9 asks: from the text alone, from the text followed by the interview and its safety
screen (as ``musclewise check --simulate`` with the text and the findings), and from the
structured findings. Prints a table; ``run.py`` writes it into ``docs/benchmarks.md``.

    python benchmarks/holdout.py [FILE ...]
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    ROOT / "benchmarks" / "data" / "holdout.yaml",
    ROOT / "benchmarks" / "data" / "holdout2.yaml",
    ROOT / "benchmarks" / "data" / "holdout3.yaml",
    ROOT / "benchmarks" / "data" / "holdout4.yaml",
    ROOT / "benchmarks" / "data" / "holdout5.yaml",
    ROOT / "benchmarks" / "data" / "holdout6.yaml",
    ROOT / "benchmarks" / "data" / "holdout7.yaml",
    ROOT / "benchmarks" / "data" / "holdout8.yaml",
    ROOT / "benchmarks" / "data" / "holdout9.yaml",
    ROOT / "benchmarks" / "data" / "holdout10.yaml",
    ROOT / "benchmarks" / "data" / "holdout11.yaml",
    ROOT / "benchmarks" / "data" / "holdout12.yaml",
    ROOT / "benchmarks" / "data" / "holdout13.yaml",
    ROOT / "benchmarks" / "data" / "holdout14.yaml",
    ROOT / "benchmarks" / "data" / "holdout15.yaml",
    ROOT / "benchmarks" / "data" / "holdout16.yaml",
    ROOT.parent / "shared" / "vignettes" / "public.yaml",
]
RANK = {"self_care": 0, "see_doctor": 1, "urgent": 2, "emergency": 3}


def _score(cases: list[dict[str, Any]]) -> dict[str, Any]:
    from musclewise import assess
    from musclewise.assessment import default_engine, read_into, resolve_medicines
    from musclewise.errors import FindingsError
    from musclewise.interview import simulate

    rows: dict[str, dict[str, Any]] = {
        way: {"under": 0, "emergency_missed": 0, "kind_right": 0, "exact": 0, "refused": 0}
        for way in ("text", "text + screen", "structured")
    }
    questions: list[int] = []
    emergencies = sum(1 for c in cases if c["gold"]["triage"] == "emergency")
    for case in cases:
        gold = case["gold"]
        results: dict[str, dict[str, Any] | None] = {}
        try:
            results["text"] = assess({"text": case["text"]})
        except FindingsError:
            results["text"] = None
        try:
            start = {k: v for k, v in read_into({"text": case["text"]})[0].items() if k != "text"}
        except FindingsError:
            start = {}
        asked, results["text + screen"] = simulate(
            default_engine(), case["answers"], resolve_medicines, start=start
        )
        questions.append(len(asked))
        results["structured"] = assess(case["answers"])
        for way, result in results.items():
            row = rows[way]
            if result is None:
                row["refused"] += 1
                given = -1
            else:
                given = RANK[result["triage"]["level"]]
                row["kind_right"] += result["kind"] == gold["kind"]
            row["exact"] += given == RANK[gold["triage"]]
            if given < RANK[gold["triage"]]:
                row["under"] += 1
                row["emergency_missed"] += gold["triage"] == "emergency"
    n = len(cases)
    return {
        "cases": n,
        "emergencies": emergencies,
        "median_questions": statistics.median(questions) if questions else 0,
        "ways": {
            way: {
                "emergency_missed": r["emergency_missed"],
                "under_triaged": r["under"] / n,
                "triage_exact": r["exact"] / n,
                "kind": r["kind_right"] / n,
                "refused": r["refused"],
            }
            for way, r in rows.items()
        },
    }


def table(files: list[Path] | None = None) -> str:
    """The markdown table of every file's scores."""
    lines = [
        "| set | way | emergencies missed | under-triaged | triage exact | kind | questions (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    for path in files or FILES:
        if not path.exists():
            continue
        cases = yaml.safe_load(path.read_text("utf-8"))
        scores = _score(cases)
        for way, s in scores["ways"].items():
            asked = f"{scores['median_questions']:g}" if way == "text + screen" else ""
            lines.append(
                f"| {path.stem} ({scores['cases']}) | {way} | {s['emergency_missed']} of "
                f"{scores['emergencies']} | {s['under_triaged']:.1%} | {s['triage_exact']:.1%} "
                f"| {s['kind']:.1%} | {asked} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table([Path(a) for a in sys.argv[1:]] or None))
