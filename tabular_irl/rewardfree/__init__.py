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
Exploration (Hazan et al. 2019)
    :func:`max_state_entropy`, the certified optimum over all policies, and
    :func:`maxent_exploration`, Frank--Wolfe over policies.
State-marginal matching (Lee et al. 2019)
    :func:`min_state_marginal_kl`, the certified optimum, and
    :func:`state_marginal_matching`, naive or averaged (fictitious play).
Empowerment (Klyubin et al. 2005)
    :func:`empowerment`, the ``n``-step channel capacity by Blahut--Arimoto
    with its bracket.
Goals (Pong et al. 2020)
    :func:`skew_fit_weights`, :func:`skew`, :func:`goal_mutual_information`
    (``I(S_T; G)``) and the tabular loop :func:`skew_fit`.
Skills (Eysenbach et al. 2018)
    :func:`skill_discovery` with the exact discriminator, and DIAYN's
    variational bound :func:`skill_information_bound`.
"""

from ._results import ExplorationResult, MarginalOptimum
from .empowerment import EmpowermentResult, empowerment
from .exploration import max_state_entropy, maxent_exploration
from .matching import min_state_marginal_kl, state_marginal_matching
from .goals import GoalInformation, SkewFitResult, goal_mutual_information, skew, skew_fit, skew_fit_weights
from .skills import SkillResult, skill_discovery, skill_information_bound
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
    "max_state_entropy",
    "maxent_exploration",
    "state_marginal_matching",
    "min_state_marginal_kl",
    "empowerment",
    "skew_fit_weights",
    "skew",
    "skew_fit",
    "goal_mutual_information",
    "skill_discovery",
    "skill_information_bound",
    "MarginalOptimum",
    "EmpowermentResult",
    "GoalInformation",
    "SkewFitResult",
    "SkillResult",
    "ExplorationResult",
]
