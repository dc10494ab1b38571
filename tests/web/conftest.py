from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musclewise.web import create_app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(f"sqlite:///{tmp_path / 'diary.sqlite3'}")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.web.close()
