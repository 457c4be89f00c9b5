"""Benchmark environments: each builder returns a :class:`Problem`.

- :func:`gridworld` — slippery grid with walls and absorbing goals;
- :func:`objectworld` — Levine et al. (2011), a nonlinear reward of object distances;
- :func:`random_mdp` — Garnet random MDPs with a random linear reward.

:mod:`tabular_irl.envs.gymnasium` reads Gymnasium's toy-text environments
(the adapter behind :meth:`tabular_irl.MDP.from_gymnasium`; Gymnasium itself
stays an optional extra, never imported here).
"""

from ._problem import GridGeometry, Problem
from .garnet import random_mdp
from .gridworld import gridworld
from .objectworld import objectworld

__all__ = ["Problem", "GridGeometry", "gridworld", "objectworld", "random_mdp"]
