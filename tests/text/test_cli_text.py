"""Free text on the command line, in batch, and the start-up of commands without text."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonschema

from ..conftest import run_cli, shared_path


def test_assess_reads_free_text(assessment_schema: dict[str, Any]) -> None:
    result = run_cli(
        "assess", "woke up at 3am with my left calf locked solid, agony for two minutes, "
        "no swelling", "--side", "right", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    jsonschema.validate(out, assessment_schema)
    assert out["kind"] == "cramp"
    read = {u["key"]: u for u in out["understood"]}
    assert read["site"]["value"] == "calf"
    assert read["side"] == {"key": "side", "value": "left", "said": "left calf",
                            "overridden": True}  # fmt: skip
    assert read["swelling"]["value"] is False


def test_readable_output_says_what_was_understood() -> None:
    result = run_cli("assess", "my right calf cramped at night, 8/10, no swelling")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "I understood: " in text and "pain 8/10" in text and "no swelling" in text


def test_text_lines_in_json_batch() -> None:
    lines = [
        {"text": "my eyelid keeps twitching, painless, for 3 days"},
        {"text": "calf cramp in the night", "site": "foot"},
        {"text": ""},
    ]
    data = "\n".join(json.dumps(x) for x in lines).encode() + b"\n"
    result = run_cli("assess", "--json", "-", input=data)
    assert result.returncode == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["kind"] == "spasm"
    assert {"key": "site", "value": "calf", "said": "calf", "overridden": True} in out[1][
        "understood"
    ]
    assert out[2]["line"] == 3


def test_structured_assess_does_not_import_the_nlp_stack() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['musclewise', 'assess', '--format', 'json', '--site', 'calf']\n"
        "from musclewise.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('spacy', 'negspacy', 'thinc')]\n"
        "print('NLP:', bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert b"NLP: []" in result.stdout, result.stdout[-300:]


def test_eval_text_mode_scores_the_reading() -> None:
    path = shared_path("vignettes", "public.yaml")
    result = run_cli("eval", str(path), "--mode", "text", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["mode"] == "text"
    assert summary["reading"]["precision"] >= 0.9
    assert "site" in summary["reading"]["per_key"]
