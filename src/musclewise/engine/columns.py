"""The posterior of many findings at once, in columns (NumPy): issue 15's vectorised model.

:meth:`ColumnModel.posterior` gives, for a chunk of facts, what
:meth:`musclewise.engine.model.NaiveBayes.posterior` gives for each alone, to the bit: each
case's answers are read into an index array (one column an answer, through the model's
remembered answers), the tempered rows are gathered from the model's one table and added to the
prior left to right, and each row is normalised with ``math.exp`` and a left-to-right sum, the
operations in the per-case order (NumPy's vectorised ``exp`` rounds differently from
``math.exp`` in the last place). Pure (no I/O), and imported only where a chunk is assessed, so
that NumPy stays off the start-up of the one-at-a-time commands.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from musclewise.engine.model import NaiveBayes


class ColumnModel:
    """The engine's naive Bayes model as one table of tempered rows, for chunks of facts."""

    def __init__(self, model: NaiveBayes) -> None:
        self.model = model
        hypotheses = len(model.log_prior)
        self.log_prior = np.asarray(model.log_prior, dtype=np.float64)
        self.zero = len(model.table)
        """The row of zeros: what an unanswered feature adds."""
        self.table = np.asarray([*model.table, (0.0,) * hypotheses], dtype=np.float64)

    def scores(self, cases: Sequence[list[int]]) -> NDArray[np.float64]:
        """The unnormalised log posterior for each case given as the positions of its answers'
        rows in the model's table (``Answer.position``), in the order the case gives them."""
        return self.scores_at(self.positions(cases))

    def positions(self, cases: Sequence[list[int]]) -> NDArray[np.intp]:
        """The positions of each case's answers as one array, shape (cases, most answers),
        each row filled up with :attr:`zero`."""
        width = max(map(len, cases), default=0)
        zero = [self.zero] * width
        index = np.array([found + zero[len(found) :] for found in cases], dtype=np.intp)
        return index.reshape(len(cases), width)

    def scores_at(self, index: NDArray[np.intp]) -> NDArray[np.float64]:
        """:meth:`scores` of the cases as :meth:`positions` gives them."""
        logp = np.repeat(self.log_prior[None, :], len(index), axis=0)
        for k in range(index.shape[1]):  # left to right, as the per-case sum (adding 0.0 is 0)
            logp += self.table[index[:, k]]
        return logp

    def posterior(self, chunk: Sequence[Mapping[str, Any]]) -> NDArray[np.float64]:
        """The posterior of every hypothesis for each case, shape (cases, hypotheses): each
        case's answers read through the model's remembered answers, in the order given."""
        answers = self.model.answers
        cases = [
            [a.position for key, x in facts.items() for a in answers(key, x)] for facts in chunk
        ]
        return normalised_rows(self.scores(cases))


def normalised_rows(logp: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each row of log scores as probabilities, as :func:`musclewise.engine.model.normalised`
    computes them (``math.exp``, then a left-to-right sum)."""
    shifted = logp - logp.max(axis=1, keepdims=True)
    weights = np.fromiter(map(math.exp, shifted.ravel().tolist()), np.float64, shifted.size)
    weights = weights.reshape(shifted.shape)
    total = weights[:, 0].copy()
    for k in range(1, weights.shape[1]):
        total += weights[:, k]
    weights /= total[:, None]
    return weights
