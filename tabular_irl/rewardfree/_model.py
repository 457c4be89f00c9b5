r"""The model behind every state marginal: an MDP, a horizon or a discount, a start.

The *state marginal* of a policy is the normalised expected (discounted)
count of decisions taken in each state,

.. math::

    p_\pi(s) = \frac{1}{Z} \sum_{t} \gamma^t \Pr(s_t = s), \qquad
    Z = \sum_{t<T} \gamma^t \ \text{(finite horizon)}, \quad
    Z = \frac{1}{1 - \gamma} \ \text{(discounted)},

that is :math:`\frac{1}{T} \sum_{t<T} D_t(s)` for an undiscounted horizon
and :math:`(1 - \gamma) d(s)` without one. It is linear in the state-action
visitation, so the marginals of all (time-indexed, randomised) policies form a
polytope whose vertices are marginals of deterministic policies: a linear
objective over it is maximised by hard planning (:func:`best_response`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _passes
from .._validation import check_distribution, check_horizon_discount, discount_argument
from ..mdp import MDP, check_mdp
from ..planning import soft_backward, value_iteration

__all__ = ["Model", "resolve_model", "normaliser", "normalise_counts"]


@dataclass(frozen=True)
class Model:
    """A validated ``(mdp, T, gamma, initial)``: ``T`` None when discounted without a horizon."""

    mdp: MDP
    horizon: int | None
    discount: float
    initial: np.ndarray

    @property
    def normaliser(self) -> float:
        """``Z`` of :func:`normaliser`."""
        return normaliser(self.horizon, self.discount)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of a policy of this model: ``(T, S, A)`` or ``(S, A)``."""
        S, A = self.mdp.n_states, self.mdp.n_actions
        return (S, A) if self.horizon is None else (self.horizon, S, A)

    def counts(self, policy: np.ndarray) -> np.ndarray:
        """Expected discounted state-action counts ``(S, A)`` of a validated policy."""
        return _passes.expected_counts(self.mdp, policy, self.horizon, self.discount, self.initial)

    def marginal(self, policy: np.ndarray) -> np.ndarray:
        """The state marginal ``p_pi (S,)`` of a validated policy."""
        return normalise_counts(self.counts(policy).sum(axis=1), self.normaliser)

    def uniform_policy(self) -> np.ndarray:
        """The uniformly random policy, time-indexed with a horizon."""
        return np.full(self.shape, 1.0 / self.mdp.n_actions)

    def best_response(self, reward: np.ndarray, *, temperature: float = 0.0
                      ) -> tuple[np.ndarray, np.ndarray, float]:
        """``(policy, marginal, best)`` for the state reward ``reward (S,)``.

        ``best = max_p <reward, p>`` over all achievable marginals, from hard
        planning (exact: policy iteration when discounted). ``temperature > 0``
        returns the soft-optimal policy (and its marginal) instead; ``best``
        stays the hard maximum, the certificate Frank--Wolfe needs.
        """
        arg = discount_argument(self.horizon, self.discount)
        method = "policy_iteration" if self.horizon is None else "value_iteration"
        hard = value_iteration(self.mdp, reward, horizon=self.horizon, discount=arg, method=method)
        V0 = hard.V if self.horizon is None else hard.V[0]
        best = float(np.einsum("s,s->", self.initial, V0)) / self.normaliser
        if temperature > 0:
            plan = soft_backward(self.mdp, reward, horizon=self.horizon, discount=arg, temperature=temperature,
                                 method="auto")
            policy = np.ascontiguousarray(plan.policy)
        else:
            policy = np.ascontiguousarray(hard.policy)
        return policy, self.marginal(policy), best


def normaliser(T: int | None, gamma: float) -> float:
    """``Z``: the total weight of the decisions, ``sum_{t<T} gamma^t`` or ``1 / (1 - gamma)``."""
    if T is None:
        return 1.0 / (1.0 - gamma)
    if gamma == 1.0:
        return float(T)
    return float(np.sum(gamma ** np.arange(T, dtype=np.float64)))


def normalise_counts(counts: np.ndarray, normaliser: float) -> np.ndarray:
    """``counts / Z``, clipped at 0 (the LU solve may leave ``-1e-17``)."""
    return np.maximum(counts / normaliser, 0.0)


def resolve_model(mdp: Any, horizon: Any, discount: Any, initial: Any) -> Model:
    """Validate ``(mdp, horizon, discount, initial)`` into a :class:`Model`."""
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount)
    init = np.ascontiguousarray(mdp.initial) if initial is None else check_distribution(initial, "initial",
                                                                                         mdp.n_states)
    return Model(mdp, T, gamma, init)
