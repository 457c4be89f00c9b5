"""Linear reward features ``r(s, a) = phi(s, a) @ theta`` without materialising ``(S, A, d)``.

State features ``(S, d)`` -- dense or ``scipy.sparse`` (one-hot features of a
large grid are an identity matrix) -- are kept as they are and broadcast over
actions only in the ``(S, A)`` reward; state-action features are ``(S, A, d)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ._blasfree import matvec, rmatvec
from ._validation import _coo_triplets, check_features, check_finite_array

__all__ = ["LinearFeatures", "as_linear_features"]


class LinearFeatures:
    """Validated features with the two contractions MaxEnt needs.

    ``reward(theta) -> (S, A)`` and ``contract(table (S, A)) -> (d,)``, with
    ``contract(t) = sum_{s,a} t[s, a] phi(s, a)`` (expected or empirical
    state-action counts to feature counts). Build with
    :func:`as_linear_features`, which validates.

    Attributes
    ----------
    phi : ndarray of shape (S, d) or (S, A, d), or scipy.sparse.csr_array of shape (S, d)
        State features are kept as they are (dense or sparse) and broadcast
        over actions only in :meth:`reward`.
    n_states, n_actions : int
    per_action : bool
        True for ``(S, A, d)`` state-action features.

    Examples
    --------
    >>> import numpy as np
    >>> phi = as_linear_features(np.eye(3), n_states=3, n_actions=2)   # one-hot state features
    >>> phi.d, phi.per_action
    (3, False)
    >>> phi.reward(np.array([0.0, 1.0, 2.0])).tolist()                # r(s, a) = phi(s) @ theta
    [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    >>> phi.contract(np.full((3, 2), 0.5)).tolist()                   # sum_{s,a} t[s, a] phi(s)
    [1.0, 1.0, 1.0]
    """

    def __init__(self, phi, n_states: int, n_actions: int) -> None:
        self.phi = phi  # (S, d) dense or CSR, or (S, A, d) dense
        self.n_states, self.n_actions = n_states, n_actions
        self.per_action = isinstance(phi, np.ndarray) and phi.ndim == 3

    @property
    def d(self) -> int:
        """Number of features ``d``."""
        return int(self.phi.shape[-1])

    def reward(self, theta: np.ndarray) -> np.ndarray:
        """``r(s, a) = phi(s, a) @ theta``, shape ``(S, A)``, for ``theta`` of shape ``(d,)`` (trusted)."""
        if self.per_action:
            return matvec(self.phi, theta)
        return np.repeat(matvec(self.phi, theta)[:, None], self.n_actions, axis=1)

    def contract(self, table: np.ndarray) -> np.ndarray:
        """``sum_{s,a} table[s, a] phi(s, a)``, shape ``(d,)``, for ``table`` of shape ``(S, A)`` (trusted)."""
        if self.per_action:
            return np.einsum("sa,sak->k", table, self.phi)
        return rmatvec(self.phi, table.sum(axis=1))


def _check_sparse(x: Any, name: str, n_states: int) -> sp.csr_array:
    """A canonical float64 CSR copy of sparse state features, structure proven first."""
    if x.ndim != 2 or x.shape[0] != n_states or x.shape[1] < 1:
        raise ValueError(f"sparse {name} must have shape (S, d) = ({n_states}, d), got shape {x.shape}")
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    rows, cols, data = _coo_triplets(x, name)
    if rows.size and (rows.min() < 0 or rows.max() >= x.shape[0] or cols.min() < 0 or cols.max() >= x.shape[1]):
        raise ValueError(f"{name} has an index out of range for shape {x.shape}")
    check_finite_array(data, f"{name} (non-zero entries)")
    csr = sp.csr_array((data, (rows, cols)), shape=x.shape)
    csr.sum_duplicates()
    return csr


def as_linear_features(features: Any, n_states: int, n_actions: int, name: str = "features") -> LinearFeatures:
    """Validate ``features`` ``(S, d)`` (dense or sparse) or ``(S, A, d)`` into a :class:`LinearFeatures`.

    Parameters
    ----------
    features : array_like of shape (S, d) or (S, A, d), or scipy.sparse of shape (S, d)
        Finite real values, ``d >= 1``.
    n_states, n_actions : int
        ``S`` and ``A`` of the MDP they belong to.
    name : str
        The argument's name in error messages.

    Returns
    -------
    LinearFeatures
        Dense state features are not copied to ``(S, A, d)``; sparse ones are
        kept sparse (canonical CSR, float64).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> as_linear_features(sp.identity(4), 4, 5).phi.format          # one-hot features of a large grid
    'csr'
    >>> as_linear_features(np.zeros((4, 5, 2)), 4, 5).per_action
    True
    >>> as_linear_features(np.zeros((3, 2)), 4, 5)
    Traceback (most recent call last):
        ...
    ValueError: features must have shape (S, d) = (4, d) or (S, A, d) = (4, 5, d), got shape (3, 2)
    """
    if sp.issparse(features):
        return LinearFeatures(_check_sparse(features, name, n_states), n_states, n_actions)
    if isinstance(features, np.ndarray) and features.ndim == 2 and features.shape[0] == n_states:
        phi = check_finite_array(features, name)  # no (S, A, d) copy for state features
        if phi.shape[1] < 1:
            raise ValueError(f"{name} must have at least one feature (d >= 1), got shape {phi.shape}")
        return LinearFeatures(phi, n_states, n_actions)
    phi = check_features(features, n_states, n_actions, name)  # lists and the like; (S, A, d)
    state_only = np.ndim(features) == 2
    return LinearFeatures(np.ascontiguousarray(phi[:, 0, :]) if state_only else phi, n_states, n_actions)
