"""The result protocol every fitted model follows.

A fit (:func:`~tabular_irl.maxent_irl`, :func:`~tabular_irl.max_margin_planning`,
:func:`~tabular_irl.apprenticeship_learning`, :func:`~tabular_irl.lp_irl`,
:func:`~tabular_irl.approx.airl`) returns a small frozen dataclass of its own,
with what only that method knows, and always these attributes:

``theta`` : ndarray
    The parameters fitted: the weights of the linear reward
    ``features @ theta``, or the reward's own parameters for a tabular method.
``reward`` : ndarray, shape (S, A)
    The learned reward as a state-action table (a state reward broadcast over
    actions).
``policy`` : ndarray, shape (T, S, A) or (S, A)
    The policy the method implies: time-indexed with a horizon, stationary
    without one.
``objective`` : float
    What the method optimised, at ``theta``.
``converged`` : bool
``message`` : str
    How the fit ended, in words; when not converged, what to try.
``n_iter`` : int
``method`` : str
    The solver that ran.
``history`` : dict
    Per-iteration records (lists), empty when the solver keeps none.

Not converging is never an error: the fit warns with
:class:`~tabular_irl.exceptions.ConvergenceWarning` (:func:`warn_not_converged`)
and returns its result with ``converged=False``. Code that handles any fit
(plots, the command line, sweeps) reads these attributes and never switches on
the result's class.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .._deprecation import past_wrappers
from ..exceptions import ConvergenceWarning

__all__ = ["FitResult", "PROTOCOL_FIELDS", "warn_not_converged", "renamed", "attach"]

# The attributes of the protocol, in the order of the docs.
PROTOCOL_FIELDS = ("theta", "reward", "policy", "objective", "converged", "message", "n_iter", "method", "history")


@runtime_checkable
class FitResult(Protocol):
    """What every fitted model returns: see the module :mod:`tabular_irl.irl._result`.

    ``isinstance(fit, FitResult)`` checks that the attributes are present
    (not their shapes or types).

    Attributes
    ----------
    theta : ndarray
    reward : ndarray, shape (S, A)
    policy : ndarray, shape (T, S, A) or (S, A)
    objective : float
    converged : bool
    message : str
    n_iter : int
    method : str
    history : dict

    See Also
    --------
    maxent_irl, max_margin_planning, apprenticeship_learning, lp_irl : fits that return it.
    tabular_irl.approx.airl : the adversarial fit.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.irl import FitResult, max_margin_planning, maxent_irl
    >>> world = gridworld(4, slip=0.1)
    >>> phi = world.feature_sets["coordinates"]  # (S, 2)
    >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=6, seed=0)
    >>> fits = maxent_irl(world.mdp, phi, demos, horizon=6), max_margin_planning(world.mdp, phi, demos, horizon=6)
    >>> for fit in fits:
    ...     print(isinstance(fit, FitResult), fit.method, fit.reward.shape, fit.policy.shape, fit.converged)
    True L-BFGS-B (16, 5) (6, 16, 5) True
    True cutting_plane (16, 5) (6, 16, 5) True
    """

    @property
    def theta(self) -> np.ndarray: ...

    @property
    def reward(self) -> np.ndarray: ...

    @property
    def policy(self) -> np.ndarray: ...

    @property
    def objective(self) -> float: ...

    @property
    def converged(self) -> bool: ...

    @property
    def message(self) -> str: ...

    @property
    def n_iter(self) -> int: ...

    @property
    def method(self) -> str: ...

    @property
    def history(self) -> dict: ...


def warn_not_converged(message: str, stacklevel: int = 2) -> None:
    """Issue the :class:`~tabular_irl.exceptions.ConvergenceWarning` of a fit that did not converge.

    ``stacklevel`` counts as for :func:`warnings.warn` called where this is
    called (2: the caller's caller, the user's line for a public function).
    """
    warnings.warn(message, ConvergenceWarning, stacklevel=past_wrappers(stacklevel + 1))


def renamed(old: str, new: str, get: Callable[[Any], Any] | None = None) -> property:
    """A read-only property ``old`` kept for one release: it warns and returns ``new``.

    ``get(self)`` computes the old value when it is not simply ``self.<new>``
    (an old meaning that the new attribute no longer has). The
    ``DeprecationWarning`` names the new attribute.
    """
    def fget(self: Any) -> Any:
        cls = type(self).__name__
        warnings.warn(f"{cls}.{old} is deprecated and will be removed in the next release; use {cls}.{new}",
                      DeprecationWarning, stacklevel=2)
        return getattr(self, new) if get is None else get(self)

    fget.__doc__ = f"Deprecated alias: use ``{new}``."
    return property(fget)


def attach(result: Any, **hidden: Any) -> Any:
    """Set attributes on a frozen dataclass that are not its fields; return ``result``.

    For what a result's methods need but its users should not see (a solver's
    validated problem): not in the constructor, ``repr``, equality or
    :func:`dataclasses.replace`.
    """
    for name, value in hidden.items():
        object.__setattr__(result, name, value)
    return result
