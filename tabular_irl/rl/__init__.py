"""Reinforcement learning with imitation, measured exactly on tabular MDPs.

Softmax tabular policies given by ``logits`` (time-indexed ``(T, S, A)`` with
``horizon=``, or stationary ``(S, A)``), whose returns ``J`` are exact policy
evaluations from ``mdp.initial`` (or ``initial=``):

* :func:`behavior_cloning` (maximum likelihood) and :func:`imitation_gap`: the
  exact cost of compounding errors, against ``T^2 epsilon`` and ``T epsilon``;
  :func:`dagger`, sampled or on exact state distributions.
* :func:`policy_gradient`: the exact ``(J, dJ/dlogits)``; :func:`reinforce_gradient`:
  its sampled estimate (on-policy, off-policy, from a fusion of behaviour
  policies), with the per-trajectory terms; :func:`gradient_estimator_study`
  tabulates its bias and variance.
* :func:`pretrain_finetune` (cloning, then policy gradients), :func:`hybrid_objective`
  and :func:`hybrid_policy_optimization` (the return plus ``lam`` times the
  demonstrations' log-likelihood).
* :func:`q_learning`: replay buffer, target table, demonstrations (DQfD's
  margin), count bonus, with the exact ``||Q - Q*||`` along the way.
* :func:`gail`: the GAIL policy loop, with the exact Jensen-Shannon divergence
  of every iterate.

Every method's iterates are evaluated exactly, so learning curves are exact.
"""

from ._results import (
    BehaviorCloningResult,
    DaggerResult,
    ImitationGap,
    PolicyOptimizationResult,
    QLearningResult,
    ReinforceGradient,
)
from .adversarial import gail
from .cloning import behavior_cloning, dagger, imitation_gap
from .gradients import policy_gradient, reinforce_gradient
from .hybrid import hybrid_objective, hybrid_policy_optimization, pretrain_finetune
from .qlearning import q_learning
from .study import gradient_estimator_study

__all__ = [
    "behavior_cloning",
    "imitation_gap",
    "BehaviorCloningResult",
    "ImitationGap",
    "dagger",
    "DaggerResult",
    "policy_gradient",
    "reinforce_gradient",
    "ReinforceGradient",
    "gradient_estimator_study",
    "pretrain_finetune",
    "hybrid_objective",
    "hybrid_policy_optimization",
    "PolicyOptimizationResult",
    "q_learning",
    "QLearningResult",
    "gail",
]
