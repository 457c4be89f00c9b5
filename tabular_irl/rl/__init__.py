"""Reinforcement learning with imitation, measured exactly on tabular MDPs.

Softmax tabular policies given by ``logits`` (time-indexed ``(T, S, A)`` with
``horizon=``, or stationary ``(S, A)``), whose returns ``J`` are exact policy
evaluations from ``mdp.initial`` (or ``initial=``):

* :func:`behavior_cloning` (maximum likelihood) and :func:`imitation_gap`: the
  exact cost of compounding errors, against ``T^2 epsilon`` and ``T epsilon``.
* :func:`policy_gradient`: the exact ``(J, dJ/dlogits)``.
"""

from ._results import BehaviorCloningResult, ImitationGap
from .cloning import behavior_cloning, imitation_gap
from .gradients import policy_gradient

__all__ = [
    "behavior_cloning",
    "imitation_gap",
    "BehaviorCloningResult",
    "ImitationGap",
    "policy_gradient",
]
