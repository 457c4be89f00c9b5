"""Linear reward features ``r(s, a) = phi(s, a) @ theta`` without materialising ``(S, A, d)``.

State features ``(S, d)`` -- dense or ``scipy.sparse`` (one-hot features of a
large grid are an identity matrix) -- are kept as they are and broadcast over
actions only in the ``(S, A)`` reward; state-action features are ``(S, A, d)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import check_features, check_finite_array

__all__ = ["LinearFeatures", "as_linear_features"]


class LinearFeatures:
    """Validated features with the two contractions MaxEnt needs.

    ``reward(theta) -> (S, A)`` and ``contract(table (S, A)) -> (d,)``, with
    ``contract(t) = sum_{s,a} t[s, a] phi(s, a)``.
    """

    def __init__(self, phi, n_states: int, n_actions: int) -> None:
        self.phi = phi  # (S, d) dense or CSR, or (S, A, d) dense
        self.n_states, self.n_actions = n_states, n_actions
        self.per_action = isinstance(phi, np.ndarray) and phi.ndim == 3

    @property
    def d(self) -> int:
        return int(self.phi.shape[-1])

    def reward(self, theta: np.ndarray) -> np.ndarray:
        if self.per_action:
            return self.phi @ theta
        r = np.asarray(self.phi @ theta, dtype=np.float64)
        return np.repeat(r[:, None], self.n_actions, axis=1)

    def contract(self, table: np.ndarray) -> np.ndarray:
        if self.per_action:
            return np.einsum("sa,sak->k", table, self.phi)
        return np.asarray(self.phi.T @ table.sum(axis=1), dtype=np.float64)


def as_linear_features(features: Any, n_states: int, n_actions: int, name: str = "features") -> LinearFeatures:
    """Validate ``features`` ``(S, d)`` (dense or sparse) or ``(S, A, d)``."""
    if sp.issparse(features):
        if features.ndim != 2 or features.shape[0] != n_states or features.shape[1] < 1:
            raise ValueError(f"sparse {name} must have shape (S, d) = ({n_states}, d), got shape {features.shape}")
        csr = sp.csr_array(features, dtype=np.float64)
        check_finite_array(csr.data, f"{name} (non-zero entries)")
        return LinearFeatures(csr, n_states, n_actions)
    if isinstance(features, np.ndarray) and features.ndim == 2 and features.shape[0] == n_states:
        phi = check_finite_array(features, name)  # no (S, A, d) copy for state features
        if phi.shape[1] < 1:
            raise ValueError(f"{name} must have at least one feature (d >= 1), got shape {phi.shape}")
        return LinearFeatures(phi, n_states, n_actions)
    phi = check_features(features, n_states, n_actions, name)  # lists and the like; (S, A, d)
    state_only = np.ndim(features) == 2
    return LinearFeatures(np.ascontiguousarray(phi[:, 0, :]) if state_only else phi, n_states, n_actions)
