"""Assess one episode from Python: validation, medicines, then the pure engine.

>>> from musclewise import assess
>>> assess({"site": "calf", "pain": 8, "duration_s": 90, "onset": "during_sleep"})["kind"]
'cramp'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from musclewise.contract import Assessment
from musclewise.errors import FieldProblem, FindingsError
from musclewise.findings import validate_findings
from musclewise.knowledge import cached as knowledge_cached
from musclewise.knowledge import load_knowledge

if TYPE_CHECKING:
    from musclewise.engine import TriageEngine
    from musclewise.engine.chunks import ChunkAssessor
    from musclewise.medicines import MedicineMatch, MedicineResolver


@cache
def default_engine() -> TriageEngine:
    """The engine for the bundled knowledge base, compiled once per process.

    Compiling the knowledge tests into Python costs more than the start-up budget, so the
    compiled program is cached beside the validated knowledge, under the knowledge digest,
    the Python version, musclewise's version and a checksum of every module that generates it
    (:func:`generator_checksum`).
    """
    import sys

    from musclewise.engine import TriageEngine
    from musclewise.engine.conditions import Program

    knowledge = load_knowledge()
    name = f"engine-{knowledge.digest}-{generator_checksum()}-{sys.implementation.cache_tag}"

    built: list[TriageEngine] = []

    def build() -> tuple[object, ...]:
        built.append(TriageEngine(knowledge))
        return tuple(built[0].program)

    program = Program(*knowledge_cached(name, build))
    return built[0] if built else TriageEngine(knowledge, program)


def generator_checksum() -> str:
    """A checksum of musclewise's version and of every source file of the engine package,
    which together decide what program the engine generates (the rules' order, ``near_rules``,
    ``ASK_KEY``, the code writer), and of the findings module whose warning signs it reads."""
    import zlib
    from pathlib import Path

    from musclewise import __version__, findings

    engine_dir = Path(__file__).with_name("engine")
    digest = zlib.crc32(__version__.encode())
    for path in [*sorted(engine_dir.glob("*.py")), Path(findings.__file__)]:
        digest = zlib.crc32(path.read_bytes(), zlib.crc32(path.name.encode(), digest))
    return f"{digest:08x}"


@cache
def default_chunks() -> ChunkAssessor:
    """The bundled engine for many findings at once (imports NumPy)."""
    from musclewise.engine import chunks

    return chunks.ChunkAssessor(default_engine())


@cache
def default_resolver() -> MedicineResolver:
    """The medicine resolver for the bundled knowledge base."""
    from musclewise.medicines import MedicineResolver

    return MedicineResolver.from_data(load_knowledge().data["medicines"])


def resolve_medicines(names: Sequence[str]) -> list[MedicineMatch]:
    """Each medicine name as the knowledge base reads it (see :mod:`musclewise.medicines`)."""
    return default_resolver().resolve_all(names) if names else []


def read_into(findings: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[dict[str, Any]]]:
    """Findings with their ``text`` read into the other keys (a key given explicitly wins), and
    what was understood from the text; findings without ``text`` come back as they are.

    The free-text reader (spaCy) is imported only here, and only when there is a text.
    """
    if "text" not in findings:
        return findings, []
    from musclewise.text import merge

    merged, understood = merge(findings)
    if not understood and set(merged) <= {"text"}:
        raise FindingsError([FieldProblem("text", NOTHING_READ)], hint=NOTHING_READ_HINT)
    try:
        return validate_findings(merged), understood
    except FindingsError as exc:  # the reader made a value the contract refuses: a bug
        raise FindingsError(
            [FieldProblem("text", f"was read into invalid findings ({exc.message})")]
        ) from None


NOTHING_READ = "nothing could be read from the text (no site, symptom or warning sign)"
NOTHING_READ_HINT = (
    "say where it happened (calf, eyelid, ...) and what happened, in a sentence (in English); "
    "with trouble breathing, chest pain or a drooping face, call emergency services now"
)
"""A text from which nothing can be read is refused (contract 1.1), never answered: "asdf qwer
zxcv" must not get a self-care answer. With other findings given, the text is only context."""


def assess_valid(findings: Mapping[str, Any]) -> Assessment:
    """Assess findings that already passed :func:`validate_findings`.

    When ``text`` is given, the assessment also has ``understood``: each finding read from the
    text, ``{key, value, said}`` (``overridden: true`` when an explicit key took its place).
    """
    has_text = "text" in findings
    findings, understood = read_into(findings)
    findings = {k: v for k, v in findings.items() if k != "text"}
    medicines = resolve_medicines(findings.get("medications", ()))
    result = default_engine().assess(findings, medicines)
    if has_text:
        result["understood"] = understood
    return result


def assess(findings: object) -> Assessment:
    """Assess one findings object of contract 1; returns an assessment of contract 1.

    Raises :class:`~musclewise.errors.FindingsError` naming every key that is not valid.
    """
    return assess_valid(validate_findings(findings))
