"""The output format every command that answers takes (``--format text|json``): defined once."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    text = "text"
    json = "json"
