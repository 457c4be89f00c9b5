"""Bayesian inverse reinforcement learning: a posterior over rewards, not one point estimate.

================================  ================================================================
:func:`log_posterior`             unnormalised log posterior and its exact gradient
                                  (Boltzmann or MaxEnt likelihood; uniform, Gaussian, Laplace prior)
:func:`bayesian_irl`              samples of it: PolicyWalk, MALA or HMC, with ESS and split-R̂
:func:`map_irl`                   its mode (Choi & Kim 2011), by L-BFGS-B on the exact gradient
:func:`value_at_risk`             a policy's posterior loss and its alpha-VaR (Brown & Niekum 2018)
:func:`exact_grid_posterior`      the posterior on the PolicyWalk grid, by enumeration
:func:`effective_sample_size`,    diagnostics of any chains
:func:`split_rhat`
================================  ================================================================
"""

from ._diagnostics import effective_sample_size, split_rhat
from ._results import BayesianIRLResult, MAPResult, ValueAtRisk
from .grid import exact_grid_posterior
from .likelihood import log_posterior
from .map import map_irl
from .risk import value_at_risk
from .samplers import bayesian_irl

__all__ = [
    "log_posterior",
    "bayesian_irl",
    "BayesianIRLResult",
    "map_irl",
    "MAPResult",
    "value_at_risk",
    "ValueAtRisk",
    "exact_grid_posterior",
    "effective_sample_size",
    "split_rhat",
]
