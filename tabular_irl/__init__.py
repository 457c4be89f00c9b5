"""tabular_irl: exact, fast inverse reinforcement learning on discrete MDPs."""

__version__ = "0.1.0"

from . import approx, bayes, checks, identifiability, metrics, plotting, rewardfree, rl, sweep
from ._config import get_num_threads, set_num_threads, show_config
from .batch import SoftValues, soft_backward_batch
from .envs import Problem, gridworld, objectworld, random_mdp
from .inference import (
    Visitation,
    expected_feature_counts,
    posterior_marginals,
    visitation,
)
from .io import (
    MDPFile,
    load_mdp,
    load_metadata,
    load_trajectories,
    save_mdp,
    save_trajectories,
)
from .irl import (
    ApprenticeshipResult,
    LPIRLResult,
    MaxEntResult,
    MMPResult,
    apprenticeship_learning,
    classic_maxent_gradient,
    classic_maxent_irl,
    lp_irl,
    max_margin_planning,
    maxent_hessian,
    maxent_hessp,
    maxent_irl,
    maxent_objective,
    reward_gradient,
)
from .mdp import MDP
from .exceptions import ConvergenceWarning
from .planning import SoftPlan, soft_backward, value_iteration
from .trajectories import Trajectories, empirical_feature_counts, sample_trajectories

__all__ = [
    "approx",
    "bayes",
    "checks",
    "identifiability",
    "metrics",
    "plotting",
    "rewardfree",
    "rl",
    "sweep",
    "MDP",
    "MDPFile",
    "save_mdp",
    "load_mdp",
    "save_trajectories",
    "load_trajectories",
    "load_metadata",
    "Problem",
    "gridworld",
    "objectworld",
    "random_mdp",
    "SoftPlan",
    "soft_backward",
    "value_iteration",
    "ConvergenceWarning",
    "soft_backward_batch",
    "SoftValues",
    "Visitation",
    "visitation",
    "posterior_marginals",
    "expected_feature_counts",
    "Trajectories",
    "sample_trajectories",
    "empirical_feature_counts",
    "maxent_objective",
    "maxent_irl",
    "maxent_hessp",
    "maxent_hessian",
    "reward_gradient",
    "classic_maxent_gradient",
    "classic_maxent_irl",
    "MaxEntResult",
    "max_margin_planning",
    "MMPResult",
    "lp_irl",
    "LPIRLResult",
    "apprenticeship_learning",
    "ApprenticeshipResult",
    "show_config",
    "get_num_threads",
    "set_num_threads",
]
