"""``musclewise knowledge``: browse the knowledge base (conditions, factors, red flags,
medicines, sources, seeds), readable or as JSON."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer

from musclewise.errors import UsageError

app = typer.Typer(
    help="Browse the knowledge base: what musclewise knows, and where each fact comes from.",
    no_args_is_help=False,
    invoke_without_command=True,
)

JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _kb() -> Any:
    from musclewise.knowledge import load_knowledge

    return load_knowledge()


def _emit(
    data: Any, as_json: bool, rows: Sequence[Sequence[Any]], headers: tuple[str, ...]
) -> None:
    if as_json:
        import msgspec

        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(data)) + b"\n")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(*headers, show_lines=False, expand=True)
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    Console().print(table)


def _pick(
    items: list[dict[str, Any]], key: str, wanted: str | None, what: str
) -> list[dict[str, Any]]:
    if wanted is None:
        return items
    chosen = [i for i in items if i[key] == wanted]
    if not chosen:
        import difflib

        names = [i[key] for i in items]
        close = difflib.get_close_matches(wanted, names, n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        raise UsageError(f"no {what} '{wanted}'{hint}")
    return chosen


@app.callback()
def overview(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """The version and what the knowledge base holds."""
    if ctx.invoked_subcommand is not None:
        return
    kb = _kb()
    d = kb.data
    counts = {
        "version": kb.version,
        "released": d["meta"]["released"],
        "hypotheses": len(d["model"]["hypotheses"]),
        "features": len(d["model"]["features"]),
        "red_flags": len(d["red_flags"]["rules"]),
        "factors": len(d["factors"]["factors"]),
        "relief": len(d["advice"]["relief"]),
        "prevention": len(d["advice"]["prevention"]),
        "medicine_classes": len(d["medicines"]["classes"]),
        "medicines": len(d["medicines"]["drugs"]),
        "sources": len(d["meta"]["sources"]),
        "seed_positions": len(d["seeds"]["positions"]),
        "patterns": len(d["patterns"]["patterns"]),
    }
    words = {"seed_positions": "where the two source articles disagree"}
    rows = [(words.get(k, k.replace("_", " ")), str(v)) for k, v in counts.items()]
    _emit(counts, as_json, rows, ("knowledge base", ""))
    if not as_json:
        typer.echo(
            "Sections: musclewise knowledge conditions | factors | red-flags | medicines | "
            "sources | articles  (each takes an id, and --json)"
        )


@app.command()
def conditions(
    condition: str | None = typer.Argument(
        None, help="One hypothesis id, e.g. deep_vein_thrombosis."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """The kinds and the mimics the model tells apart, with their priors and sources."""
    items = _pick(_kb().data["model"]["hypotheses"], "id", condition, "condition")
    rows = [(h["id"], h["kind"], f"{h['prior']:.3f}", h["level_if_likely"], h["summary"],
             ", ".join(h["sources"])) for h in items]  # fmt: skip
    _emit(items, as_json, rows, ("id", "kind", "prior", "level if likely", "summary", "sources"))


@app.command()
def factors(
    factor: str | None = typer.Argument(None, help="One factor id, e.g. dehydration."),
    as_json: bool = JsonOpt,
) -> None:
    """Contributing factors: how each is recognised and how strong the evidence is."""
    items = _pick(_kb().data["factors"]["factors"], "id", factor, "factor")
    rows = [(f["id"], f["evidence"], f["summary"] + (f"\nDisputed: {f['disagreement']}"
             if f.get("disagreement") else ""), ", ".join(f["sources"])) for f in items]  # fmt: skip
    _emit(items, as_json, rows, ("id", "evidence", "summary", "sources"))


@app.command("red-flags")
def red_flags(
    level: str | None = typer.Option(None, "--level", help="Only this level, e.g. emergency."),
    as_json: bool = JsonOpt,
) -> None:
    """The warning signs and the triage level each sets."""
    items = _pick(_kb().data["red_flags"]["rules"], "level", level, "level")
    rows = [(r["id"], r["level"], r["text"], ", ".join(r["sources"])) for r in items]
    _emit(items, as_json, rows, ("id", "level", "what it means", "sources"))


@app.command()
def medicines(
    name: str | None = typer.Argument(None, help="A medicine as you would write it, e.g. Lipitor."),
    as_json: bool = JsonOpt,
) -> None:
    """Medicine classes linked to cramps; with a NAME, how musclewise reads that medicine."""
    data = _kb().data["medicines"]
    if name is not None:
        from musclewise.assessment import resolve_medicines

        match = resolve_medicines([name])[0]
        result = {
            "given": match.given,
            "name": match.name,
            "drugbank_id": match.drugbank_id,
            "classes": list(match.classes),
            "how": match.how,
            "suggestion": match.suggestion,
        }
        _emit(result, as_json, list(result.items()), ("", ""))
        return
    classes = [
        (c["id"], c["name"], c.get("note", ""), ", ".join(c["sources"])) for c in data["classes"]
    ]
    _emit(data["classes"], as_json, classes, ("class", "name", "note", "sources"))


@app.command()
def sources(
    source: str | None = typer.Argument(None, help="One source id, e.g. NICE."),
    as_json: bool = JsonOpt,
) -> None:
    """The bibliography: every source id cited, with its title and address."""
    items = _pick(_kb().data["meta"]["sources"], "id", source, "source")
    kinds = {"seed": "article", "patient_info": "patient information"}
    rows = [(s["id"], kinds.get(s["kind"], s["kind"]), s["title"], s.get("url", "")) for s in items]
    _emit(items, as_json, rows, ("id", "kind", "title", "url"))


def seeds(as_json: bool = JsonOpt) -> None:
    """Where the two source articles musclewise started from disagree, and which way it goes
    and why."""
    kb = _kb()
    items = kb.data["seeds"]["positions"]
    titles = {sid: entry["title"].split(" (")[0] for sid, entry in kb.sources.items()}
    rows = [(p["topic"], "\n".join(f"{titles.get(k, k)}: {v}" for k, v in p["says"].items()),
             p["product"], p["why"]) for p in items]  # fmt: skip
    _emit(items, as_json, rows, ("question", "the two articles say", "musclewise", "why"))


app.command("articles")(seeds)
app.command("seeds", hidden=True)(seeds)  # the older name
