"""schemathesis over the whole OpenAPI document: no server error, every answer as documented.

One check is left out: that every request valid by the schema is accepted. The contract has
rules no JSON Schema states (a ``text`` from which nothing can be read is an error, a condition
listed twice is an error), so a schema-valid request may rightly get a 422.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from musclewise.api import create_app

FOLDER = tempfile.mkdtemp(prefix="musclewise-api-fuzz-")
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(f"sqlite:///{Path(FOLDER) / 'diary.sqlite3'}")
)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_request_as_documented(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
