r"""Learning without rewards, exactly: entropy, state marginals, exploration, empowerment, skills.

The questions of unsupervised reinforcement learning -- how much of the state
space a policy covers, how much control an agent has, which skills are
distinguishable -- answered with the package's exact passes instead of
density models and samples.

Information theory
    :func:`entropy`, :func:`kl_divergence`, :func:`mutual_information`,
    :func:`conditional_entropy` (nats unless ``base=``; ``0 log 0 = 0``).
State marginals
    :func:`state_marginal` (``(1/T) sum_{t<T} D_t`` or ``(1 - gamma) d``),
    :func:`state_entropy` and its exact gradient
    :func:`state_entropy_gradient`; mixtures of policies
    (:func:`mixture_marginal`, :func:`mixture_policy`).
"""

from .info import conditional_entropy, entropy, kl_divergence, mutual_information
from .marginals import mixture_marginal, mixture_policy, state_entropy, state_entropy_gradient, state_marginal

__all__ = [
    "entropy",
    "kl_divergence",
    "mutual_information",
    "conditional_entropy",
    "state_marginal",
    "state_entropy",
    "state_entropy_gradient",
    "mixture_marginal",
    "mixture_policy",
]
