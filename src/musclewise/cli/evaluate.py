"""``musclewise eval``: score a vignette file (kind, mimics, triage, factors)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from musclewise.errors import UsageError


class Mode(StrEnum):
    structured = "structured"
    text = "text"


def eval_command(
    vignettes: Path = typer.Argument(..., help="A YAML file of vignettes, like shared/vignettes/public.yaml."),
    mode: Mode = typer.Option(Mode.structured, "--mode", help="structured: assess the 'answers'; text: assess the 'text' alone, and score the findings read from it against the 'answers'."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:  # fmt: skip
    """Score musclewise on vignettes with gold answers.

    Prints kind accuracy, mimic top-1 and top-3, the triage confusion matrix, under- and
    over-triage, factor recall and precision, and every miss. Exits 1 if any case is
    under-triaged.
    """
    import yaml

    from musclewise.assessment import assess
    from musclewise.evaluation import evaluate

    try:
        data: Any = yaml.safe_load(vignettes.read_text("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {vignettes}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{vignettes} is not valid YAML: {exc}") from None
    if not isinstance(data, list):
        raise UsageError(f"{vignettes} must hold a list of vignettes")
    if mode is Mode.text:
        from musclewise.evaluation import score_reading
        from musclewise.text import read_text

        report = evaluate(data, assess, lambda v: {"text": v.get("text", "")})
        summary = report.summary()
        summary["mode"] = "text"
        summary["reading"] = score_reading(data, lambda t: read_text(t).findings).summary()
    else:
        report = evaluate(data, assess)
        summary = report.summary()
    if as_json:
        import msgspec

        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(summary)) + b"\n")
    else:
        _print(summary)
    if report.under_triaged:
        raise typer.Exit(1)


def _print(s: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if s["misses"]:
        console.print("[bold]Misses[/bold]")
        for miss in s["misses"]:
            console.print(f"  {miss['id']}: " + "; ".join(miss["problems"]))
    levels = list(s["triage_confusion"])
    table = Table("gold \\ given", *levels, title="Triage (rows: gold)")
    for gold, row in s["triage_confusion"].items():
        table.add_row(gold, *(str(row[level]) for level in levels))
    console.print(table)
    console.print(
        f"cases {s['cases']}  kind accuracy {s['kind_accuracy']:.3f}  "
        f"mimic top-1 {s['mimic_top1']:.3f}  top-3 {s['mimic_top3']:.3f} ({s['mimic_cases']} cases)\n"
        f"triage exact {s['triage_exact']:.3f}  under-triaged {s['under_triaged']}  "
        f"over-triaged {s['over_triaged']} ({s['over_triage_rate']:.3f})\n"
        f"factor recall {s['factor_recall']:.3f}  precision {s['factor_precision']:.3f}"
    )
    reading = s.get("reading")
    if reading:
        table = Table("key", "precision", "recall", "tp", "fp", "fn",
                      title="Findings read from the text, against the answers")  # fmt: skip
        for key, k in reading["per_key"].items():
            table.add_row(key, f"{k['precision']:.2f}", f"{k['recall']:.2f}", str(k["tp"]),
                          str(k["fp"]), str(k["fn"]))  # fmt: skip
        console.print(table)
        for miss in reading["misses"]:
            console.print(f"  {miss['id']}: " + "; ".join(miss["problems"]))
        console.print(
            f"reading: precision {reading['precision']:.3f}  recall {reading['recall']:.3f} "
            "(pooled over every key the vignettes use)"
        )
