"""musclewise: tell a muscle cramp from a twitch or a mimic, triage it, and say why.

Health information, not a diagnosis. The public API:

- :func:`assess`: findings (contract 1) in, an assessment (contract 1) out;
- :func:`validate_findings`: check findings, naming each bad key;
- :func:`load_knowledge`: the validated, versioned knowledge base;
- :class:`TriageEngine`: the pure engine compiled from a knowledge base;
- the errors of :mod:`musclewise.errors`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from musclewise.errors import FindingsError, KnowledgeError, MusclewiseError, UsageError

if TYPE_CHECKING:
    from musclewise.assessment import assess
    from musclewise.engine import TriageEngine
    from musclewise.findings import validate_findings
    from musclewise.knowledge import load_knowledge

__version__ = "0.1.0"

_LAZY = {
    "assess": "musclewise.assessment",
    "TriageEngine": "musclewise.engine",
    "validate_findings": "musclewise.findings",
    "load_knowledge": "musclewise.knowledge",
}
"""The public names imported when first used (PEP 562), so that ``import musclewise.cli`` for
``--help`` does not load the engine."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'musclewise' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "FindingsError",
    "KnowledgeError",
    "MusclewiseError",
    "TriageEngine",
    "UsageError",
    "__version__",
    "assess",
    "load_knowledge",
    "validate_findings",
]
