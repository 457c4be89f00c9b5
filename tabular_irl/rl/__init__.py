"""Reinforcement learning with imitation, measured exactly on tabular MDPs.

Softmax tabular policies given by ``logits`` (time-indexed ``(T, S, A)`` with
``horizon=``, or stationary ``(S, A)``), whose returns ``J`` are exact policy
evaluations from ``mdp.initial`` (or ``initial=``):

* :func:`policy_gradient`: the exact ``(J, dJ/dlogits)``.
"""

from .gradients import policy_gradient

__all__ = [
    "policy_gradient",
]
