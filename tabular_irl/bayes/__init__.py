"""Bayesian inverse reinforcement learning: a posterior over rewards, not one point estimate.

==============================  ==================================================================
:func:`log_posterior`           unnormalised log posterior and its exact gradient
                                (Boltzmann or MaxEnt likelihood; uniform, Gaussian, Laplace prior)
:func:`exact_grid_posterior`    the posterior on the PolicyWalk grid, by enumeration
==============================  ==================================================================
"""

from .grid import exact_grid_posterior
from .likelihood import log_posterior

__all__ = ["log_posterior", "exact_grid_posterior"]
