"""The assessment's answer-by-answer words for a chunk of cases at once (issue 15).

Which answers the explanation names, and which answers say why each mimic is suspected, are
chosen for the whole chunk with NumPy, as :meth:`musclewise.engine.words.Words.explain` and
:meth:`~musclewise.engine.words.Words.why` choose them one case at a time: the same sort (by how
much an answer favours one hypothesis over another, then by the answer's words: the order of the
engine's sorted tuples), the same thresholds. The sentences themselves are the engine's
(:class:`~musclewise.engine.words.Words`), worded once and looked up by number. Pure: no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from musclewise.engine.words import BETTER, STRONG, TELLING, WHY, WORDS_CACHE_SIZE, WORSE, Words

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from musclewise.engine.model import NaiveBayes

NONE = -1
"""No sentence (a place left empty)."""


class ColumnWords:
    """The explanation's and the suspected mimics' answers, for a chunk."""

    def __init__(self, model: NaiveBayes, words: Words) -> None:
        self.words = words
        self.observations = model.observations
        self.hypotheses = len(model.log_prior)
        rows = [o.feature.loglik[o.value] for o in self.observations]
        self.loglik = np.asarray([*rows, (0.0,) * self.hypotheses], dtype=np.float64)
        """Each answer's untempered log-likelihoods, by its position in the model's table (the
        last row: no answer)."""
        texts = [o.feature.descriptions[o.value] for o in self.observations]
        order = {text: rank for rank, text in enumerate(sorted(set(texts)))}
        self.text_rank = np.asarray([*(order[t] for t in texts), 0], dtype=np.int64)
        """Where each answer's words come in sorted order (ties in the sort are broken so)."""
        # each answer's mimics it favours by more than STRONG over a cramp and a twitch: the
        # answer's first in strong_mimic and strong_loss, and how many (the loss as Words.gains
        # has it: negated, so that most comes first)
        common = np.maximum(self.loglik[:, words.i_cramp], self.loglik[:, words.i_spasm])
        strong_start: list[int] = []
        strong_count: list[int] = []
        strong_mimic: list[int] = []
        strong_loss: list[float] = []
        for row, best in zip(self.loglik.tolist(), common.tolist(), strict=True):
            strong_start.append(len(strong_mimic))
            for i in words.mimics:
                if row[i] - best > STRONG:
                    strong_mimic.append(i)
                    strong_loss.append(-(row[i] - best))
            strong_count.append(len(strong_mimic) - strong_start[-1])
        self.strong_start = np.asarray(strong_start, dtype=np.intp)
        self.strong_count = np.asarray(strong_count, dtype=np.intp)
        self.strong_mimic = np.asarray(strong_mimic, dtype=np.intp)
        self.strong_loss = np.asarray(strong_loss, dtype=np.float64)
        self.sentences: dict[int, tuple[str, str]] = {}
        """The explanation's sentences (favouring the likeliest, and against it) by
        :meth:`explanations`' number (remembered up to :data:`WORDS_CACHE_SIZE`)."""
        self.why: dict[int, str] = {}
        """The sentences saying why a mimic is suspected, by :meth:`reasons`' number."""

    def explanations(
        self, positions: NDArray[np.intp], top: NDArray[np.intp], second: NDArray[np.intp]
    ) -> list[list[str]]:
        """For each case (its answers' ``positions``, padded with the empty row; the likeliest
        hypothesis ``top`` and the next ``second``), the explanation's sentences about its
        answers, in order: up to :data:`BETTER` that favour ``top`` most, then up to
        :data:`WORSE` that favour ``second`` most, each only if it favours by more than
        :data:`TELLING` (:meth:`Words.explain`)."""
        n, h = len(positions), self.hypotheses
        out: list[list[str]] = [[] for _ in range(n)]
        loss = self.loglik[positions, second[:, None]] - self.loglik[positions, top[:, None]]
        rank = self.text_rank[positions]
        pair = top * h + second
        known = self.sentences
        if len(known) >= WORDS_CACHE_SIZE:  # start again
            known.clear()
        for better, where in ((True, loss < -TELLING), (False, loss > TELLING)):
            case, k = np.nonzero(where)
            order = np.lexsort((rank[case, k], loss[case, k], case))
            case, k = case[order], k[order]
            # the first of each case's (the most against it: the last), in order
            at = _place(case, first=better)
            keep = at < (BETTER if better else WORSE)
            case, k = case[keep], k[keep]
            codes = positions[case, k] * (h * h) + pair[case]
            for code in np.unique(codes).tolist():
                if code not in known:
                    where_at, pair_code = divmod(code, h * h)
                    observation = self.observations[where_at]
                    _, _, good, bad = self.words.sentence(observation, *divmod(pair_code, h))
                    known[code] = good, bad
            side = 0 if better else 1
            for c, code in zip(case.tolist(), codes.tolist(), strict=True):
                out[c].append(known[code][side])
        return out

    def reasons(self, positions: NDArray[np.intp]) -> list[dict[int, list[str]]]:
        """For each case (its answers' ``positions``), and each mimic some answer favours by
        more than :data:`STRONG` over a cramp and a twitch: the answers that favour it most, at
        most :data:`WHY` of them, most first (:meth:`Words.why`), by the mimic's place among
        the hypotheses."""
        out: list[dict[int, list[str]]] = [{} for _ in range(len(positions))]
        case, k = np.nonzero(self.strong_count[positions])
        at = positions[case, k]
        counts = self.strong_count[at]
        case, k = np.repeat(case, counts), np.repeat(k, counts)
        runs = np.cumsum(counts) - counts
        pair = np.repeat(self.strong_start[at] - runs, counts) + np.arange(len(case))
        mimic, loss = self.strong_mimic[pair], self.strong_loss[pair]
        order = np.lexsort((self.text_rank[positions[case, k]], loss, mimic, case))
        case, k, mimic = case[order], k[order], mimic[order]
        keep = _place(case * self.hypotheses + mimic, first=True) < WHY
        case, mimic = case[keep], mimic[keep]
        codes = positions[case, k[keep]] * self.hypotheses + mimic
        known = self.why
        if len(known) >= WORDS_CACHE_SIZE:
            known.clear()
        for code in np.unique(codes).tolist():
            if code not in known:
                where, i = divmod(code, self.hypotheses)
                known[code] = self.words.gains(self.observations[where])[i][2]
        for c, i, code in zip(case.tolist(), mimic.tolist(), codes.tolist(), strict=True):
            why = out[c].get(i)
            if why is None:
                out[c][i] = [known[code]]
            else:
                why.append(known[code])
        return out


def _place(groups: NDArray[np.intp], first: bool) -> NDArray[np.intp]:
    """Each item's place in its run of equal ``groups`` (sorted): counted from the run's start,
    or (``first`` false) from its end."""
    size = len(groups)
    if not size:
        return np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    lengths = np.diff(np.r_[starts, size])
    at = np.arange(size) - np.repeat(starts, lengths)
    if first:
        return at
    out: NDArray[np.intp] = np.repeat(lengths, lengths) - 1 - at
    return out


__all__ = ["ColumnWords"]
