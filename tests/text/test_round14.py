"""The fourteenth round's readings: what must not be read as well as what must."""

from __future__ import annotations

import pytest

from musclewise.text import read_text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # sitting that brings the feeling back is no relief by sitting
        ("it eases while I am walking but returns as soon as I sit down again",
         "relieved_by_bending_forward"),
        ("restless legs, worse when I sit in the evening", "relieved_by_bending_forward"),
        # a medicine that kicks in is no injury
        ("his foot curls under until the medication kicks in", "recent_injury"),
        ("the cramp goes once the painkillers kicked in", "recent_injury"),
        # anxiety, a pressure or sugars through the roof are not pain
        ("calf twitches, health anxiety through the roof", "severe_unrelenting_pain"),
        ("calf cramps and my sugars are through the roof", "severe_unrelenting_pain"),
        # nights in a place are not nights in a week
        ("calf cramp, then 3 nights in hospital with a chest infection", "episodes_per_week"),
        ("a cramp that lasted 2 days in hospital", "episodes_per_week"),
        # a cramp that forces you up to stand is no urge to move
        ("the cramp makes me get up and walk it off", "urge_to_move"),
        ("my calf cramp forced me to get up and stretch it", "urge_to_move"),
    ],
)  # fmt: skip
def test_does_not_read(text: str, key: str) -> None:
    assert key not in read_text(text).findings


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("pins and needles from the cast, the pain is through the roof", "severe_unrelenting_pain",
         True),
        ("got kicked in the shin and now it's rock hard", "recent_injury", True),
        ("legs ache walking and ease when I sit down", "relieved_by_bending_forward", True),
        ("cramps four nights in the week", "episodes_per_week", 4.0),
        ("cramps 3 days in a week", "episodes_per_week", 3.0),
        ("she can't walk on it", "weakness", True),
        ("it compels me to get up and walk about", "urge_to_move", True),
        ("his shin hurts if you touch it", "tenderness", True),
    ],
)  # fmt: skip
def test_reads(text: str, key: str, value: object) -> None:
    assert read_text(text).findings.get(key) == value


@pytest.mark.parametrize(
    "text",
    [
        "3 nights in",
        "3 nights in the",
        "four nights in a",
        "nights in the week",
        "kicks in",
        "through the roof",
        "returns as soon as I sit",
        "compels me to",
        "can't walk on",
        "hurts when I touch",
        "2 days in",
        "cramp 5 times in",
    ],
)
def test_never_raises_at_the_end_of_a_text(text: str) -> None:
    read_text(text)
    read_text("calf cramp " + text)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("the cramp started at 7 this morning and it's still locked now at 12", 5 * 3600),
        ("calf cramp since 7, still going at lunch", 5 * 3600),
        ("calf cramp at 11, still tight at noon", 3600),
    ],
)
def test_still_going_at_a_later_time(text: str, seconds: int) -> None:
    assert read_text(text).findings.get("duration_s") == seconds


@pytest.mark.parametrize(
    "text",
    [
        "calf cramp at 7 this morning, gone in a minute, meeting now at 12",
        "cramp woke me at 3 and my calf was still sore at lunch",
        "calf cramp at 9, still going at",
    ],
)
def test_no_long_cramp_from_a_later_time(text: str) -> None:
    assert read_text(text).findings.get("duration_s", 0) < 600


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("UPDATE: the swelling is gone and I'm walking fine", "swelling", None),
        ("EDIT: the redness has disappeared", "redness", None),
        ("the swelling's gone but my calf is still red and hot", "redness", True),
        ("the swelling has nearly gone", "swelling", True),
        ("the swelling has not gone", "swelling", True),
        ("my calf swelling is gone down a bit but it's still swollen", "swelling", True),
    ],
)
def test_a_swelling_said_gone(text: str, key: str, value: object) -> None:
    assert read_text(text).findings.get(key) == value


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("my granddaughter (9) has cramps in her feet at night", 9, "female"),
        ("my stepson, 14, got cramp in his calf at football", 14, "male"),
        ("my dotter is 6 and her calf hurts", 6, "female"),
        ("my brother's daughter is 9 and gets cramps in her feet", 9, "female"),
        ("my husband's mum, 78, has cramps in her calves", 78, "female"),
        ("my son's 12 and his calf cramped", 12, "male"),
    ],
)
def test_a_grandchild_or_stepchild(text: str, age: int, sex: str) -> None:
    found = read_text(text).findings
    assert (found.get("age"), found.get("sex")) == (age, sex)
