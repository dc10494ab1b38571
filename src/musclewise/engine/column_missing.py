"""What each case's ``missing`` names, for a chunk of cases at once (issue 15).

:meth:`ColumnMissing.ranked` ranks, in columns, what :meth:`musclewise.engine.TriageEngine.assess`
ranks one case at a time: how far each unknown key could raise the triage (the single-key rules
above the level reached, and the rules not yet decided that one answer could make hold), plus
how far its question could move the posterior (:meth:`TriageEngine.shifts`, computed once for
each posterior rounded to tenths); ranked by score, ties by name, and merged with the questions
that tell the likeliest explanations apart. Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
from msgspec import Raw

from musclewise.engine.column_tests import UNKNOWN, ColumnTests, Encoder
from musclewise.engine.model import ASK_KEY, pairwise_separation
from musclewise.engine.parts import (
    ACTIVE_ABOVE,
    KIND_QUESTIONS,
    LEVELS,
    MISSING_LIMIT,
    QUANTA,
    RANK,
)
from musclewise.findings import FINDINGS_KEYS

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from musclewise.engine import TriageEngine

    Column = NDArray[np.float64]
    Tri = NDArray[np.int8]

CACHE_SIZE = 8192
"""How many encoded ``missing`` lists, and rounded posteriors' shifts, are remembered."""
_encode = msgspec.json.Encoder().encode


class ColumnMissing:
    """The ``missing`` of many cases at once (see the module)."""

    def __init__(self, engine: TriageEngine, encoder: Encoder, tests: ColumnTests) -> None:
        self.encoder = encoder
        self.tests = tests
        specs = engine.specs
        self.near_rules = [
            (RANK[r.level], i, sorted(r.test.required), specs[i])
            for i, r in enumerate(engine.rules)
            if r.test.flat is None
        ]
        """The rules a single answer could make hold: their level's rank, place, the keys they
        need, and their test."""
        asked = {f.ask_key for f in engine.features if f.ask}
        flat = {k for level in LEVELS for k in engine.triage_gains(level)}
        atoms = {ASK_KEY.get(k, k) for k in encoder.slots}
        self.keys = sorted(asked | flat | (atoms & set(FINDINGS_KEYS)))
        """Every key ``missing`` could name, in alphabetical order (ties are broken so)."""
        self.column = {k: j for j, k in enumerate(self.keys)}
        self.key_slots = [encoder.slot(k) for k in self.keys]
        self.flat_gains = np.asarray(
            [[engine.triage_gains(level).get(k, math.nan) for k in self.keys]
             for level in LEVELS],
            dtype=np.float64,
        )  # fmt: skip
        """The single-key rules' gains by level, for each key (NaN: none)."""
        self.shift_rows: dict[Any, int] = {}
        """Where each rounded posterior's row is in :attr:`shift_table`."""
        self.shift_table: Column = np.full((1024, len(self.keys)), np.nan)
        asked_features = [f for f in engine.features if f.ask]
        count = range(len(engine.hypotheses))
        self.separation = [
            (i, j, np.asarray([pairwise_separation(f, i, j) for f in asked_features]))
            for i in count
            for j in count
            if i < j
        ]
        """Each pair of hypotheses, in the engine's order, and how well each question tells
        them apart."""
        self.asked_columns = [
            (column, [n for n, f in enumerate(asked_features) if f.ask_key == key])
            for column, key in enumerate(self.keys)
            if any(f.ask_key == key for f in asked_features)
        ]
        """Each key ``missing`` could name that a question of the model asks, with its
        questions."""
        states, width = QUANTA + 2, len(engine.hypotheses)  # 0: not active; 1 + the rounding
        self.shift_powers = (
            states ** np.arange(width, dtype=np.int64) if states**width < 2**63 else None
        )
        """Powers that make each rounded posterior one number (None: too many hypotheses)."""
        self.encoded: dict[bytes, Raw] = {}
        """Each ``missing`` list, encoded, by the keys' columns in order (-1: none)."""

    def ranked(
        self,
        answers: Tri,
        nodes: dict[int, Tri],
        known: NDArray[np.bool_],
        levels: list[str],
        post: Column,
    ) -> list[Raw]:
        """Each case's ``missing`` (as the engine ranks it), in columns: how far
        each unknown key could raise the triage (the single-key rules above the level; the rules
        not yet decided that one answer could make hold), plus how far it could move the
        posterior; ranked by score, then by name (the keys are in alphabetical order)."""
        current = np.asarray([RANK[level] for level in levels], dtype=np.float64)
        given = known[self.key_slots].T
        score = self.flat_gains[current.astype(np.intp)]
        score[given] = np.nan
        slots = self.encoder.slots
        for rank, i, required, spec in self.near_rules:
            mask = (rank > current) & (answers[i] == UNKNOWN)
            if len(required) > 1:
                mask &= (~known[[slots[k] for k in required]]).sum(axis=0) <= 1
            if not mask.any():
                continue
            found: list[tuple[str, NDArray[np.bool_]]] = []
            self.tests.near(spec, mask, nodes, known, found)
            gap = rank - current
            for asked, where in found:
                j = self.column[ASK_KEY.get(asked, asked)]
                score[:, j] = np.fmax(score[:, j], np.where(where, gap, np.nan))
        shift = self._shift_table(post)
        shift[given] = np.nan
        total = np.where(np.isnan(shift), score, np.where(np.isnan(score), 0.0, score) + shift)
        ranked = total >= 0.01
        by_score = _stable_order(np.where(ranked, -total, np.inf), ranked)
        shifted = ~np.isnan(shift)
        by_shift = _stable_order(np.where(shifted, -shift, np.inf), shifted)
        return self._chosen(by_score, ranked.sum(axis=1), by_shift, shifted.sum(axis=1))

    def _chosen(
        self,
        by_score: NDArray[np.intp],
        scored: NDArray[np.intp],
        by_shift: NDArray[np.intp],
        shifting: NDArray[np.intp],
    ) -> list[Raw]:
        """Each case's ``missing``, encoded, from the keys by score (the first ``scored`` of each
        row count) and by shift (the first ``shifting``), as :meth:`TriageEngine.assess` merges
        them: the best by score but the last :data:`KIND_QUESTIONS` places, then up to that many
        of the questions that move the posterior most not already chosen, then the rest by
        score up to :data:`MISSING_LIMIT`."""
        limit, first = MISSING_LIMIT, MISSING_LIMIT - KIND_QUESTIONS
        best = by_score[:, : limit + KIND_QUESTIONS]
        best_ok = np.arange(best.shape[1]) < scored[:, None]
        head, head_ok = best[:, :first], best_ok[:, :first]
        moves = by_shift[:, :limit]
        moves_ok = np.arange(moves.shape[1]) < shifting[:, None]
        moves_ok &= ~((moves[:, :, None] == head[:, None, :]) & head_ok[:, None, :]).any(axis=2)
        moves_ok &= np.cumsum(moves_ok, axis=1) <= KIND_QUESTIONS
        tail, tail_ok = best[:, first:], best_ok[:, first:]
        tail_ok &= ~((tail[:, :, None] == moves[:, None, :]) & moves_ok[:, None, :]).any(axis=2)
        before = head_ok.sum(axis=1) + moves_ok.sum(axis=1)
        tail_ok &= before[:, None] + np.cumsum(tail_ok, axis=1) <= limit
        keep = np.concatenate([head_ok, moves_ok, tail_ok], axis=1)
        order = np.argsort(~keep, axis=1, kind="stable")[:, :limit]
        chosen = np.take_along_axis(np.concatenate([head, moves, tail], axis=1), order, axis=1)
        chosen = np.where(np.take_along_axis(keep, order, axis=1), chosen, -1).astype(np.int16)
        width = chosen.shape[1]
        if width:  # each case's chosen columns as one bytes key
            rows = np.ascontiguousarray(chosen).view(f"V{2 * width}").ravel().tolist()
        else:
            rows = [b""] * len(chosen)
        names = self.keys
        known = self.encoded
        out: list[Raw] = []
        for c, row in enumerate(rows):
            raw = known.get(row)
            if raw is None:
                raw = Raw(_encode([names[j] for j in chosen[c].tolist() if j >= 0]))
                if len(known) < CACHE_SIZE:
                    known[row] = raw
            out.append(raw)
        return out

    def _shift_table(self, post: Column) -> Column:
        """For each case, how far each question could move the posterior (NaN: not enough to
        count), as :meth:`TriageEngine.shifts` gives it on the posterior rounded to 0.1."""
        active = post > ACTIVE_ABOVE
        codes = np.where(active, np.rint(post * QUANTA) + 1, 0).astype(np.int64)
        if self.shift_powers is not None:  # one number a rounded posterior
            keys = codes @ self.shift_powers
            distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            names: list[Any] = distinct.tolist()
        else:  # too many hypotheses for one number: the rows themselves
            distinct, first, inverse = np.unique(
                codes, axis=0, return_index=True, return_inverse=True
            )
            names = [tuple(row) for row in distinct.tolist()]
        known = self.shift_rows
        if len(known) + len(names) > CACHE_SIZE:  # start again
            known.clear()
        firsts = first.tolist()
        new = [n for n, key in enumerate(names) if key not in known]
        if new:
            rows = self._shifts(codes[[firsts[n] for n in new]])
            need = len(known) + len(new)
            if need > len(self.shift_table):  # room for twice as many
                grown = np.full((2 * need, len(self.keys)), np.nan)
                grown[: len(self.shift_table)] = self.shift_table
                self.shift_table = grown
            self.shift_table[len(known) : need] = rows
            for n in new:
                known[names[n]] = len(known)
        at = [known[key] for key in names]
        table: Column = self.shift_table[np.asarray(at, dtype=np.intp)[inverse.ravel()]]
        return table

    def _shifts(self, codes: NDArray[np.int64]) -> Column:
        """:meth:`TriageEngine.shifts` for each rounded posterior (``codes``: 0 for a hypothesis
        left out, else 1 + its probability in tenths), as a row over :attr:`missing_keys`: the
        sum over pairs of explanations of 2·p·q·separation, the pairs in the engine's order
        (a pair with one left out adds exactly 0.0), each question's largest above 0.005."""
        tenths = np.where(codes > 0, codes - 1, 0).astype(np.float64)
        total = tenths.sum(axis=1)  # whole numbers: exact in any order
        acc = np.zeros((len(codes), len(self.separation[0][2])))
        for i, j, separation in self.separation:
            weight = 2.0 * tenths[:, i] * tenths[:, j] / (total * total)
            acc += weight[:, None] * separation
        acc = np.where(acc > 0.005, acc, np.nan)
        out = np.full((len(codes), len(self.keys)), np.nan)
        for column, asked in self.asked_columns:
            out[:, column] = np.fmax.reduce(acc[:, asked], axis=1)
        return out


def _stable_order(keys: Column, used: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Each row's columns by ascending ``keys``, ties in column order, the columns ``used``
    by no row left out (they would sort last)."""
    columns = np.flatnonzero(used.any(axis=0))
    order: NDArray[np.intp] = columns[np.argsort(keys[:, columns], axis=1, kind="stable")]
    return order


__all__ = ["ColumnMissing"]
