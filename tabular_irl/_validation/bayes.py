"""Arguments of Bayesian IRL, EPIC and identifiability: boxes, grid steps, points in a box, probabilities, joint tables."""

from __future__ import annotations

from typing import Any

import numpy as np

from .scalars import _describe, check_distribution, check_finite_array, check_positive_real, check_real


# --------------------------------------------------------------------------
# Bayesian IRL, EPIC and identifiability (tabular_irl.bayes, metrics.epic_distance,
# tabular_irl.identifiability): options, boxes, grids and sampler settings
# --------------------------------------------------------------------------

def check_bounds(bounds: Any, name: str = "bounds") -> tuple[float, float]:
    """A box ``(lo, hi)`` of finite reals with ``lo < hi``, the same in every coordinate."""
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (lo, hi) of real numbers, got {_describe(bounds)}") from None
    lo, hi = check_real(lo, f"{name}[0]"), check_real(hi, f"{name}[1]")
    if not lo < hi:
        raise ValueError(f"{name} must satisfy lo < hi, got ({lo!r}, {hi!r})")
    return lo, hi


# A step that divides the box up to this relative error still makes a grid:
# (hi - lo) / step read from decimal literals (0.1, 0.3) is rarely an exact integer.
GRID_RTOL = 1e-9


def check_grid_step(step: Any, lo: float, hi: float) -> int:
    """The number of grid points ``K`` per coordinate of ``lo, lo + step, ..., hi``.

    ``step`` must be positive, no larger than the box, and divide ``hi - lo``
    into a whole number of steps (within :data:`GRID_RTOL`).
    """
    step = check_positive_real(step, "step")
    if step > hi - lo:
        raise ValueError(f"step must be at most the box's width hi - lo = {hi - lo!r}, got {step!r}")
    ratio = (hi - lo) / step
    n = round(ratio)
    if abs(ratio - n) > GRID_RTOL * max(1.0, ratio):
        raise ValueError(f"step must divide the box (hi - lo = {hi - lo!r}) into whole steps, got step={step!r} "
                         f"({ratio:.6g} steps); choose (hi - lo) / n")
    return int(n) + 1


def check_in_box(theta: np.ndarray, lo: float, hi: float, name: str) -> None:
    """Every entry of ``theta`` inside ``[lo, hi]``."""
    outside = (theta < lo) | (theta > hi)
    if np.any(outside):
        idx = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(f"{name} must lie in the box [{lo!r}, {hi!r}] of bounds, got {theta[idx]!r} at index "
                         f"{idx if len(idx) != 1 else idx[0]}")


def check_probability(value: Any, name: str, *, open_interval: bool = True) -> float:
    """A real number in ``(0, 1)`` (``[0, 1]`` when ``open_interval=False``)."""
    out = check_real(value, name, 0.0, 1.0)
    if open_interval and not 0.0 < out < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {out!r}")
    return out


def check_joint_distribution(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A finite, non-negative array of ``shape`` summing to 1 within :data:`ROW_SUM_ATOL` (e.g. an EPIC coverage).

    Errors name the flat (C-order) index of a negative entry.
    """
    arr = check_finite_array(value, name, shape)
    check_distribution(arr.ravel(), name, arr.size)
    return arr
