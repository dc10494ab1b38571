"""Insights from a diary: which daily factors go with more episodes, and warning patterns.

:mod:`musclewise.insights.triggers` compares episode rates on days with and without each
factor (rate ratios with exact intervals, Benjamini-Hochberg across factors);
:mod:`musclewise.insights.simulate` makes diaries with planted effects to prove it works.
Both are pure: plain data in, plain data out.
"""
