"""Figures for gridworlds and fits (optional: ``pip install "tabular_irl[plot]"``).

matplotlib is imported only when a figure is drawn, never at package import;
without it every function raises an ``ImportError`` that names the extra.

Every function draws into the ``ax`` it is given, or into a new figure, returns
what it drew into (the ``Axes``; :func:`plot_gridworld_summary` and
:func:`plot_state_marginals` the ``Figure``)
and, with ``path=``, also writes the figure to that file (the format from the
extension, PNG by default, at ``dpi``). The figure is left open: close it with
``matplotlib.pyplot.close(fig)`` when drawing many. Fits are read through the
result protocol (:mod:`tabular_irl.irl._result`), whatever method made them.

======================================  ==================================================
:func:`plot_grid_values`                a per-state array as a heatmap (reward, value,
                                        visitation)
:func:`plot_policy`                     the policy as arrows (expected move per cell)
:func:`plot_trajectories`               demonstrations as paths through the cells
:func:`plot_convergence`                objective and gradient norm per iteration of a fit
:func:`plot_reward_scatter`             learned against true reward, with the correlation
:func:`plot_gridworld_summary`          all of the above for one fit on one figure (the
                                        ``tabular-irl demo --plot`` figure)
:func:`plot_learning_curves`            exact returns per iteration of ``rl`` runs, with
                                        ``J*``
:func:`plot_imitation_gap`              the imitation gap against the horizon, with ``T^2
                                        eps R`` and ``T eps R``
:func:`plot_gradient_estimator_study`   bias, variance or ESS bars of the policy-gradient
                                        estimators
:func:`plot_state_marginals`            state marginals side by side on one colour scale
                                        (a policy, a target, a mixture, the optimum)
:func:`plot_exploration_curves`         entropy, KL or ``I(S;Z)`` per iteration against
                                        the exact optimum, with the Frank--Wolfe gap
:func:`plot_empowerment`                per-state empowerment on the grid
:func:`save_figure`                     draw and save when matplotlib is there (examples)
======================================  ==================================================

The modules: :mod:`~tabular_irl.plotting.grid` (heatmaps, arrows, paths),
:mod:`~tabular_irl.plotting.fits` (fitted models),
:mod:`~tabular_irl.plotting.approx` (the studies of :mod:`tabular_irl.approx`),
:mod:`~tabular_irl.plotting.rl` (the learning curves and studies of :mod:`tabular_irl.rl`),
:mod:`~tabular_irl.plotting.rewardfree` (learning without rewards,
:mod:`tabular_irl.rewardfree`).

Examples
--------
>>> import tabular_irl as tirl
>>> from tabular_irl.plotting import plot_grid_values, plot_policy
>>> world = tirl.gridworld(5, slip=0.1)
>>> plan = tirl.soft_backward(world.mdp, world.reward, horizon=8)
>>> ax = plot_grid_values(world, plan.V[0], label="V_0(s)")   # doctest: +SKIP
>>> ax = plot_policy(world, plan.policy, ax=ax, path="policy.png")  # doctest: +SKIP
"""

from . import approx, fits, grid, rewardfree, rl
from ._figure import pyplot as _pyplot  # its old name: examples and scripts import it from here
from ._figure import save_figure
from .fits import plot_convergence, plot_gridworld_summary, plot_reward_scatter
from .grid import plot_grid_values, plot_policy, plot_trajectories
from .rewardfree import plot_empowerment, plot_exploration_curves, plot_state_marginals
from .rl import plot_gradient_estimator_study, plot_imitation_gap, plot_learning_curves

__all__ = [
    "plot_grid_values",
    "plot_policy",
    "plot_trajectories",
    "plot_convergence",
    "plot_reward_scatter",
    "plot_gridworld_summary",
    "plot_learning_curves",
    "plot_imitation_gap",
    "plot_gradient_estimator_study",
    "plot_state_marginals",
    "plot_exploration_curves",
    "plot_empowerment",
    "save_figure",
]
