"""Episodes have an opaque public id (128 random bits) and the diary finds an episode by it,
only within its own person."""

from __future__ import annotations

import re

import pytest

from musclewise.diary import Diary, NotFoundError


def test_public_ids_are_random_hex_and_found_only_by_their_person(db_url: str) -> None:
    with Diary(db_url, person="ann") as ann, Diary(db_url, person="bob") as bob:
        first = ann.add_episode("calf", pain=3)
        second = ann.add_episode("shin", pain=2)
        theirs = bob.add_episode("foot", pain=1)
        for episode in (first, second, theirs):
            assert re.fullmatch(r"[0-9a-f]{32}", episode.public_id)
        assert len({first.public_id, second.public_id, theirs.public_id}) == 3
        assert ann.get_episode(first.id).public_id == first.public_id
        assert ann.episode_id(second.public_id) == second.id
        with pytest.raises(NotFoundError):
            ann.episode_id(theirs.public_id)
        with pytest.raises(NotFoundError):
            bob.episode_id(first.public_id)
        with pytest.raises(NotFoundError):
            ann.episode_id("")
