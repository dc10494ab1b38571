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


# ------------------------------------------------------------------ the same, with accounts
# The web app with accounts serves the API under /api/v1 to a personal token only: every
# request of the whole document, made with a token, is answered as documented too.
ACCOUNTS_FOLDER = tempfile.mkdtemp(prefix="musclewise-api-fuzz-accounts-")


def _accounts_app() -> tuple[object, str]:
    from musclewise.web import create_app as create_web_app

    app = create_web_app(
        f"sqlite:///{Path(ACCOUNTS_FOLDER) / 'diary.sqlite3'}",
        accounts=True,
        bind="127.0.0.1",
        hosts=("testserver",),  # (the name schemathesis's ASGI client sends)
    )
    accounts = app.state.auth.accounts
    made = accounts.add("fuzz@example.org", "a long pass phrase for fuzzing")
    _, secret = accounts.create_token(made.id)
    return app, secret


ACCOUNTS_APP, TOKEN = _accounts_app()
with_token = schemathesis.openapi.from_asgi("/api/v1/openapi.json", ACCOUNTS_APP)


@with_token.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_with_accounts_a_token_holder_gets_every_answer_as_documented(
    case: schemathesis.Case,
) -> None:
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance],
    )
    assert response.status_code != 401, "the token was not taken"
