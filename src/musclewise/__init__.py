"""musclewise: tell a muscle cramp from a twitch or a mimic, triage it, and say why.

Health information, not a diagnosis. The public API:

- :func:`assess`: findings (contract 1) in, an assessment (contract 1) out;
- :func:`validate_findings`: check findings, naming each bad key;
- :func:`load_knowledge`: the validated, versioned knowledge base;
- :class:`Engine`: the pure engine compiled from a knowledge base;
- the errors of :mod:`musclewise.errors`.
"""

from __future__ import annotations

from musclewise.assessment import assess
from musclewise.engine import Engine
from musclewise.errors import FindingsError, KnowledgeError, MusclewiseError, UsageError
from musclewise.findings import validate_findings
from musclewise.knowledge import load_knowledge

__version__ = "0.1.0"

__all__ = [
    "Engine",
    "FindingsError",
    "KnowledgeError",
    "MusclewiseError",
    "UsageError",
    "__version__",
    "assess",
    "load_knowledge",
    "validate_findings",
]
