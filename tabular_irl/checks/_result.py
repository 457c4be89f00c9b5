r"""The result of an identity check and the tolerance model every check uses.

A check measures an error in units where a correct computation errs by
rounding only (see "Error units" in :mod:`tabular_irl.checks`) and compares it
with a tolerance: :data:`EXACT_TOL` for exact identities recomputed by another
route, :data:`FD_TOL` plus the bound :func:`fd_allowance` for central
differences, whose step :func:`fd_step` minimises that bound. Directions of
the derivative checks are random and scaled so that the return they perturb
lies in ``[-1, 1]`` (:func:`scaled_directions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._logspace import discount_weights
from .._validation import check_horizon_discount, check_reward
from ..mdp import MDP, check_mdp

__all__ = ["CheckResult"]

EPS = float(np.finfo(np.float64).eps)

# Default tolerances, with their reasons:
# - exact identities recomputed in another order differ by a few ulps per
#   backup or flow step; 1e-9 (relative to the value scale, absolute for
#   probabilities) leaves room for ~1e6 accumulated rounding steps and still
#   catches any wrong term (errors of 1e-3 and up).
EXACT_TOL = 1e-9
# - central differences along a direction whose derivative is at most 1 err
#   by ~h^2 (truncation) + eps * H * M / h (rounding), about 1e-10 .. 1e-8 for
#   the steps chosen below; 1e-6 catches a wrong gradient term of any
#   practical size. The rounding bound itself is added to the tolerance so a
#   long horizon or a large reward scale cannot fail a correct gradient.
FD_TOL = 1e-6


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one identity check.

    Attributes
    ----------
    name : str
        What was checked, in words.
    error : float
        The measured error (its measure, absolute or relative, is in ``detail``);
        ``nan`` counts as failed.
    tolerance : float
        The threshold it was compared with.
    passed : bool
        ``error <= tolerance``.
    detail : str
        How the error was measured, and what else was seen.

    See Also
    --------
    run_all_checks : returns a list of them.

    Examples
    --------
    >>> result = CheckResult("rows sum to 1", error=2.2e-16, tolerance=1e-9, passed=True, detail="max |sum - 1|")
    >>> print(result)
    [pass] rows sum to 1: error 2.200e-16 (tol 1e-09); max |sum - 1|
    """

    name: str
    error: float
    tolerance: float
    passed: bool
    detail: str = ""

    def __str__(self) -> str:
        text = f"[{'pass' if self.passed else 'FAIL'}] {self.name}: error {self.error:.3e} (tol {self.tolerance:.3g})"
        return f"{text}; {self.detail}" if self.detail else text


def worst_key(errors: dict[str, float]) -> str:
    """The key of the largest error (a NaN counts as the largest)."""
    return max(errors, key=lambda k: np.inf if np.isnan(errors[k]) else errors[k])


def make_result(name: str, error: float, tolerance: float, detail: str) -> CheckResult:
    """The :class:`CheckResult` of a measured error: passed when ``error <= tolerance`` (NaN fails)."""
    error = float(error)
    return CheckResult(name=name, error=error, tolerance=float(tolerance),
                       passed=bool(error <= tolerance), detail=detail)


# --------------------------------------------------------------------------
# the model, the scale of directions and the finite-difference error bound
# --------------------------------------------------------------------------
def resolve_model(mdp: Any, reward: Any, horizon: Any, discount: Any,
                  causal: bool = True) -> tuple[MDP, int | None, float, np.ndarray]:
    """``(mdp, T, gamma, r (S, A))`` validated, as every check that takes a reward starts."""
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount, causal)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    return mdp, T, gamma, r


def effective_horizon(T: int | None, gamma: float) -> float:
    """``H = sum_{t<T} gamma^t`` (``1 / (1 - gamma)`` without a horizon): the largest total count."""
    if T is None:
        return 1.0 / (1.0 - gamma)
    return float(np.sum(discount_weights(T, gamma)))


def random_directions(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """``n`` standard normal directions of ``shape``, shape ``(n, *shape)``."""
    return rng.standard_normal((n, *shape))


def unit_scale(table: np.ndarray, H: float) -> float:
    """The factor making ``max |table| * H = 1`` (1 for an all-zero table)."""
    top = float(np.abs(table).max()) * H
    return 1.0 / top if top > 0 else 1.0


def scaled_directions(rng: np.random.Generator, n: int, shape: tuple[int, ...], H: float,
                      reward: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random directions and their reward tables, scaled so that every return they add lies in ``[-1, 1]``.

    ``reward`` maps a direction to its ``(S, A)`` reward table (``features.reward``
    for directions in ``theta`` space; the identity, the default, for directions
    that are reward tables). Each direction is multiplied by :func:`unit_scale` of
    its table with ``H`` the largest total count (:func:`effective_horizon`), so
    the (discounted) return of the table along any trajectory lies in ``[-1, 1]``.

    Returns
    -------
    directions : ndarray, shape (n, *shape)
    tables : ndarray, shape (n, S, A)
    """
    table = (lambda v: v) if reward is None else reward
    u = random_directions(rng, n, shape)
    u *= np.array([unit_scale(table(v), H) for v in u]).reshape((n,) + (1,) * len(shape))
    return u, np.array([table(v) for v in u])


def fd_step(H: float, M: float, tau: float = 1.0) -> float:
    """Central-difference step minimising the bound of :func:`fd_allowance`.

    ``h^2 / (3 tau^2) + 4 eps H M / h`` is smallest at ``h = (6 eps H M tau^2)^(1/3)``: about 1e-4
    for ``H M ~ 1e3`` at temperature 1.
    """
    return float(np.clip((6.0 * EPS * H * M * tau * tau) ** (1.0 / 3.0), 1e-6, 1e-2))


def fd_allowance(h: float, H: float, M: float, tau: float = 1.0) -> float:
    """Bound on the central-difference error of an exact derivative: truncation plus rounding.

    Truncation ``h^2 |f3| / 6`` with ``f3`` the third derivative, ``|f3| <= 2 / tau^2``: along a
    direction scaled so that the perturbed return ``X`` lies in ``[-1, 1]``, ``f3`` of
    ``tau log Z(r / tau)`` is the third cumulant of ``X`` over ``tau^2`` (non-causal model), and
    ``|E (X - EX)^3| <= 2 Var X <= 2``;
    the causal log partition, a composition of soft-max backups, has derivatives of the same order.
    Rounding: ``V_0`` accumulates at most a few ulps of ``M = max |Q|`` per backup over ``H``
    effective backups, and the difference quotient divides that by ``h``.
    """
    return h * h / (3.0 * tau * tau) + 4.0 * EPS * H * M / h
