"""Sliding-window counts over boolean flags, in O(n) with one cumulative sum.

Every rule is "k of the last n points have property P", so all of them reduce to these two
helpers; no Python loop runs over the points.
"""

import numpy as np
from numpy.typing import NDArray

BoolArray = NDArray[np.bool_]
CountArray = NDArray[np.intp]


def window_counts(flags: BoolArray, window: int) -> CountArray:
    """At each position, how many of the `window` points ending there are flagged.

    Near the start, where fewer than `window` points exist, the count covers the points there
    are, as if the series were preceded by unflagged points.
    """
    cumulative = np.cumsum(flags, dtype=np.intp)
    counts = cumulative.copy()
    counts[window:] -= cumulative[:-window]
    return counts


def run_ends(flags: BoolArray, length: int) -> BoolArray:
    """True where the `length` points ending at that position are all flagged."""
    return window_counts(flags, length) == length
