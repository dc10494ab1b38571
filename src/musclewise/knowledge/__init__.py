"""The knowledge base: data files under ``data/``, validated when loaded, versioned, sourced.

Loading reads the YAML files, validates them with the Pydantic models of
:mod:`musclewise.knowledge.schema` (unknown keys rejected, every cross-reference checked) and
returns a :class:`KnowledgeBase`. Validation needs Pydantic, which costs more to import than the
whole start-up budget of ``musclewise assess``; so the validated data is also kept in the user's
cache folder under a checksum (CRC-32 and sizes) of the files, and later runs with the same files read that copy
(``marshal``: plain data only) instead of validating again. Change a file and it is validated
anew. ``MUSCLEWISE_CACHE_DIR`` moves the cache; ``MUSCLEWISE_CACHE_DIR=off`` turns it off.

The cache is trusted only when it is private: the folder is made with mode 0700, and a cached
file is read only when it and its folder belong to the user running musclewise and neither can
be written by anyone else (:func:`trusted`). Anything else is ignored and rebuilt in memory, so a
file planted in a shared or world-writable folder is never read, let alone run.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from musclewise.errors import KnowledgeError

FILES = ("meta", "model", "red_flags", "factors", "advice", "seeds", "medicines", "patterns")
SCHEMA_VERSION = "2"  # bump when schema.py changes what a valid file is

CONTRACT_FACTORS = (
    "dehydration", "heat", "fatigue", "prolonged_exercise", "low_minerals", "diuretic",
    "blood_pressure_medicine", "asthma_medicine", "statin", "caffeine", "nicotine", "alcohol",
    "stress", "eye_strain", "pregnancy", "hypothyroidism", "kidney_disease", "cold",
    "prolonged_position", "poor_stretching", "nerve_compression", "poor_circulation", "neuropathy",
)  # fmt: skip
CONTRACT_CONDITIONS = (
    "peripheral_artery_disease", "deep_vein_thrombosis", "lumbar_stenosis", "restless_legs",
    "hypocalcaemia_tetany", "dystonia", "muscle_strain", "rhabdomyolysis",
    "compartment_syndrome", "statin_myopathy", "motor_neuron_warning", "other",
)  # fmt: skip
SCREEN_HISTORY_KEYS = (
    "recent_injury", "recent_surgery", "wound", "fluid_loss", "long_travel", "new_medicine",
    "spreading",
)  # fmt: skip
"""Besides the warning signs, the yes/no keys the safety screen may ask (contract 1.1's
``triage.unscreened`` can list them)."""
DERIVED_KEYS = ("med_classes",)
"""Facts the engine derives from findings before the rules run (medicine classes)."""


class KnowledgeBase(NamedTuple):
    """The validated knowledge, as plain data (one dict per file)."""

    version: str
    digest: str
    data: dict[str, Any]

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        return {s["id"]: s for s in self.data["meta"]["sources"]}


def _read_files() -> dict[str, bytes]:
    folder = Path(__file__).with_name("data")
    return {name: (folder / f"{name}.yaml").read_bytes() for name in FILES}


def _cache_dir() -> Path | None:
    setting = os.environ.get("MUSCLEWISE_CACHE_DIR")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("musclewise", appauthor=False))


def trusted(path: Path) -> bool:
    """Whether a cached file may be read: it and its folder are owned by this user and
    writable by nobody else (on systems without owners, such as Windows, any file is)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return path.is_file()
    uid = getuid()
    try:
        for st in (path.parent.stat(), path.lstat()):
            if st.st_uid != uid or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return path.is_file()


def _parse(raw: dict[str, bytes]) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parsed: dict[str, Any] = {}
    for name, text in raw.items():
        try:
            doc = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            raise KnowledgeError(f"{name}.yaml is not valid YAML: {exc}") from None
        if not isinstance(doc, dict):
            raise KnowledgeError(f"{name}.yaml must hold a mapping at the top")
        # keys starting with "x-" only hold YAML anchors for reuse inside the file
        parsed[name] = {k: v for k, v in doc.items() if not str(k).startswith("x-")}
    return parsed


def validate(parsed: dict[str, Any]) -> dict[str, Any]:
    """Validate parsed files with the Pydantic models; return the normalised plain data."""
    from pydantic import BaseModel, ValidationError

    from musclewise.findings import FINDINGS_KEYS, SITES, WARNING_SIGNS
    from musclewise.knowledge import medicine_schema, schema

    models: dict[str, Any] = {}
    kinds: dict[str, type[BaseModel]] = {
        "meta": schema.Meta,
        "model": schema.Model,
        "red_flags": schema.RedFlagsFile,
        "factors": schema.FactorsFile,
        "advice": schema.AdviceFile,
        "seeds": schema.SeedsFile,
        "medicines": medicine_schema.MedicinesFile,
        "patterns": schema.PatternsFile,
    }
    problems: list[str] = []
    for name, model in kinds.items():
        try:
            models[name] = model.model_validate(parsed[name])
        except ValidationError as exc:
            problems.extend(_describe(name, e) for e in exc.errors(include_url=False))
    if problems:
        raise KnowledgeError("the knowledge base is invalid:\n  " + "\n  ".join(problems))
    meds = models["medicines"]
    extra_sources = [(f"medicine class {c.id}", list(c.sources)) for c in meds.classes]
    extra_sources += [(f"medicine {d.name}", list(d.sources)) for d in meds.drugs]
    extra_sources += [(f"medicine term {t.term}", list(t.sources)) for t in meds.lay_terms]
    problems = schema.check_references(
        models["meta"],
        models["model"],
        models["red_flags"],
        models["factors"],
        models["advice"],
        models["seeds"],
        models["patterns"],
        keys=set(FINDINGS_KEYS),
        derived_keys=set(DERIVED_KEYS),
        factor_ids=set(CONTRACT_FACTORS),
        condition_ids=set(CONTRACT_CONDITIONS),
        screen_keys={*WARNING_SIGNS, *SCREEN_HISTORY_KEYS},
        site_ids=set(SITES),
        extra_sources=extra_sources,
    )
    if problems:
        raise KnowledgeError("the knowledge base is invalid:\n  " + "\n  ".join(problems))
    return schema.dump(models)


def _describe(name: str, error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{name}.yaml: {where}: {message}" if where else f"{name}.yaml: {message}"


@cache
def load_knowledge() -> KnowledgeBase:
    """The bundled knowledge base, validated (or read from the cache of a validated copy)."""
    raw = _read_files()
    # zlib's CRC-32 and the sizes key the cache: hashlib alone would cost a tenth of the
    # start-up budget to import
    digest = zlib.crc32(SCHEMA_VERSION.encode())
    for name in FILES:
        digest = zlib.crc32(raw[name], zlib.crc32(name.encode(), digest))
    sizes = "-".join(str(len(raw[name])) for name in FILES)
    hexdigest = f"{digest:08x}-{zlib.adler32(sizes.encode()):08x}"
    folder = _cache_dir()
    cached = folder / f"knowledge-{hexdigest}.marshal" if folder else None
    data: dict[str, Any] | None = None
    if cached is not None and trusted(cached):
        try:
            data = marshal.loads(cached.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            data = None
    if data is None:
        data = validate(_parse(raw))
        if cached is not None:
            _write_cache(cached, data)
    return KnowledgeBase(version=data["meta"]["version"], digest=hexdigest, data=data)


def _write_cache(path: Path, data: Any) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(marshal.dumps(data))
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass  # a read-only home: validate every time, which is only slower


def cached(name: str, build: Callable[[], Any]) -> Any:
    """``build()``, kept in the cache folder under ``name`` (plain data and code objects only).

    For derived artefacts of the knowledge base (the compiled engine): ``name`` must change
    whenever what ``build`` returns would.
    """
    folder = _cache_dir()
    path = folder / f"{name}.marshal" if folder else None
    if path is not None and trusted(path):
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            pass
    value = build()
    if path is not None:
        _write_cache(path, value)
    return value


def load_knowledge_from(parsed: dict[str, Any]) -> KnowledgeBase:
    """Validate already-parsed files (for tests and tools); nothing is cached."""
    data = validate(parsed)
    return KnowledgeBase(version=data["meta"]["version"], digest="", data=data)


def parse_files() -> dict[str, Any]:
    """The bundled files parsed but not validated (for tests that break them on purpose)."""
    return _parse(_read_files())
