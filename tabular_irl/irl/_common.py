"""Pieces shared by the IRL algorithms: validated setup and exact feature expectations."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._features import LinearFeatures, as_linear_features
from .._validation import check_finite_array, check_trajectories
from .. import _passes
from ..mdp import MDP, check_mdp
from ..trajectories import Trajectories

__all__ = [
    "check_mdp",
    "features_for",
    "policy_feature_expectations",
    "expert_feature_expectations",
    "check_demos",
]


def features_for(mdp: MDP, features: Any) -> LinearFeatures:
    """Validated linear features for ``mdp``: ``(S, d)`` dense or sparse, or ``(S, A, d)``."""
    return as_linear_features(features, mdp.n_states, mdp.n_actions)


def policy_feature_expectations(mdp: MDP, features: LinearFeatures, policy: np.ndarray, horizon: int | None,
                                discount: float, initial: np.ndarray | None = None) -> np.ndarray:
    r"""Exact :math:`\mu(\pi) = \sum_{s,a} \sum_t \gamma^t \Pr(s_t = s, a_t = a)\, \phi(s, a)`, shape ``(d,)``.

    ``policy`` must be validated already (``(S, A)`` or ``(T, S, A)``, e.g. from
    a plan); ``horizon=None`` means the discounted occupancy.
    """
    init = mdp.initial if initial is None else initial
    return features.contract(_passes.expected_counts(mdp, policy, horizon, discount, init))


def check_demos(demos: Any, mdp: MDP, horizon: int | None) -> Trajectories:
    """``demos`` as validated ``Trajectories``; kept for ``irl/_objective.py``, now :func:`check_trajectories`."""
    return check_trajectories(demos, "demos", mdp, horizon)


def expert_feature_expectations(mdp: MDP, features: LinearFeatures, demos_or_features: Any,
                                horizon: int | None, discount: float) -> np.ndarray:
    r"""The expert's feature expectations ``(d,)``: empirical from ``Trajectories``
    (``mean_i sum_t gamma^t phi(s_t, a_t)``, horizon checked) or given as an array."""
    if isinstance(demos_or_features, Trajectories):
        demos = check_trajectories(demos_or_features, "demos", mdp, horizon)
        return features.contract(demos.counts(mdp.n_states, mdp.n_actions, discount=discount))
    return check_finite_array(demos_or_features, "demos", (features.d,))
