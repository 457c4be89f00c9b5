"""IRL algorithms, one module per family; every fit follows :class:`FitResult`."""

from ._result import FitResult
from .apprenticeship import (
    ApprenticeshipResult,
    apprenticeship_learning,
    min_norm_point,
)
from .lp import LPIRLResult, lp_irl
from .margin import MMPResult, max_margin_planning, mmp_margin_violations, mmp_objective
from .maxent import (
    MaxEntResult,
    classic_maxent_gradient,
    classic_maxent_irl,
    maxent_hessian,
    maxent_hessp,
    maxent_irl,
    maxent_objective,
    reward_gradient,
)

__all__ = [
    "FitResult",
    "MaxEntResult",
    "maxent_objective",
    "maxent_hessp",
    "maxent_hessian",
    "maxent_irl",
    "reward_gradient",
    "classic_maxent_gradient",
    "classic_maxent_irl",
    "MMPResult",
    "max_margin_planning",
    "mmp_objective",
    "mmp_margin_violations",
    "LPIRLResult",
    "lp_irl",
    "ApprenticeshipResult",
    "apprenticeship_learning",
    "min_norm_point",
]
