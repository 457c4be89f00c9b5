"""Figures of fitted models: learned against true reward, convergence, and one summary of a fit on a grid.

Every fit is read through the result protocol (:mod:`tabular_irl.irl._result`:
``reward``, ``policy``, ``history``, ...), never by its class.

Examples
--------
>>> import tabular_irl as tirl
>>> from tabular_irl.plotting import plot_convergence, plot_gridworld_summary
>>> world = tirl.gridworld(5, slip=0.1)
>>> expert = tirl.soft_backward(world.mdp, 2 * world.reward, horizon=10)
>>> demos = tirl.sample_trajectories(world.mdp, expert.policy, 200, horizon=10, seed=0)
>>> fit = tirl.maxent_irl(world.mdp, world.features, demos, horizon=10, l2=1e-3)
>>> ax = plot_convergence(fit)  # doctest: +SKIP
>>> fig = plot_gridworld_summary(world, fit, demos=demos, path="summary.png")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .._deprecation import renamed_arguments
from .._validation import (
    as_state_values,
    check_finite_numbers,
    check_grid,
    check_grid_problem,
    check_grid_values,
    check_history,
    check_positive_real,
    discount_argument,
)
from ..metrics import _check_reward_pair, reward_correlation
from ._figure import finish, panel, pyplot, save
from .grid import plot_grid_values, plot_policy, plot_trajectories

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_convergence", "plot_reward_scatter", "plot_gridworld_summary"]

# the size of the summary figure (inches)
_SUMMARY_SIZE = (13.0, 8.0)


# history keys: (label, drawn on the log-scaled residual axis)
_SERIES = {
    "objective": ("objective", False),
    "lower_bound": ("certified lower bound", False),
    "grad_norm": ("max |gradient|", True),
    "max_violation": ("max margin violation", True),
    "margin": ("||mu_E - mu_bar||_2", True),
    "js_divergence": ("JS divergence of occupancies", True),
    "occupancy_change": ("occupancy change", True),
}


def plot_convergence(
    result: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Objective and gradient norm (or the method's residual) per iteration of a fit.

    Parameters
    ----------
    result : fit result, dict or sequence
        A fit (its ``history``, :mod:`tabular_irl.irl._result`):
        :func:`~tabular_irl.maxent_irl` (``"objective"`` and ``"grad_norm"``,
        the ``max |gradient|``), :func:`~tabular_irl.max_margin_planning`
        (objective, certified ``"lower_bound"`` and, for cutting planes, the
        largest ``"max_violation"``), :func:`~tabular_irl.apprenticeship_learning`
        (``"margin"``), :func:`~tabular_irl.approx.airl` (``"js_divergence"``,
        ``"occupancy_change"``); a history dict with some of those keys; or a
        sequence of objective values.
    ax, title, path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.axes.Axes
        The objective-like series (objective, lower bound) are drawn on
        ``ax``, linear; the residuals (gradient norm, violation, margin) on a
        log-scaled twin axis at the right (on ``ax`` itself when there is no
        objective). Line ``i`` of either axis has x-data ``1..n_iter`` and
        y-data the recorded series.

    Raises
    ------
    TypeError
        ``result`` has an empty history (:func:`~tabular_irl.lp_irl` solves
        one linear programme and records none) or is not a fit, dict or
        sequence.
    ValueError
        Its history has none of the series above.

    See Also
    --------
    plot_gridworld_summary : includes this panel.
    tabular_irl.irl.FitResult : the ``history`` it reads.

    Examples
    --------
    >>> ax = plot_convergence({"objective": [-3.0, -2.5, -2.4], "grad_norm": [1.0, 0.1, 1e-4]})  # doctest: +SKIP
    """
    series = check_history(result, _SERIES)
    dpi = check_positive_real(dpi, "dpi")
    ax = panel(ax)
    from matplotlib.ticker import MaxNLocator

    left = [k for k in series if not _SERIES[k][1]]
    right = [k for k in series if _SERIES[k][1]]
    residual_ax = ax.twinx() if left and right else ax
    colors = iter(["tab:blue", "tab:green", "tab:red", "tab:purple", "tab:orange"])
    handles = []
    for keys, target in ((left, ax), (right, residual_ax)):
        for key in keys:
            y = series[key]
            style = "--" if key == "lower_bound" else "-"
            (line,) = target.plot(np.arange(1, len(y) + 1), y, style, marker="." if len(y) < 40 else None,
                                  color=next(colors), label=_SERIES[key][0], gid=key)
            handles.append(line)
        if target is residual_ax and right:
            if any(np.any(series[k] > 0) for k in right):
                target.set_yscale("log")
            target.set_ylabel(", ".join(_SERIES[k][0] for k in right) + (" (log)" if target.get_yscale() == "log"
                                                                          else ""))
    if left:
        ax.set_ylabel(", ".join(_SERIES[k][0] for k in left))
    n_iter = max(len(v) for v in series.values())
    ax.set_xlabel("iteration")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if n_iter == 0:
        ax.text(0.5, 0.5, "no iterations recorded", transform=ax.transAxes, ha="center", va="center")
    else:
        ax.legend(handles=handles, loc="center right", fontsize="small", framealpha=0.8)
    return finish(ax, title, path, dpi)


def plot_reward_scatter(
    true_reward: Any,
    learned_reward: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    fit_line: bool = True,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Learned against true reward, one point per state (or state-action pair), with their correlation.

    IRL recovers a reward only up to shifts and scaling (and more), so the
    question is whether the points lie on *some* increasing line: the title
    shows the Pearson correlation (:func:`tabular_irl.metrics.reward_correlation`)
    and a dashed least-squares line is drawn.

    Parameters
    ----------
    true_reward, learned_reward : array_like, shape (S,) or (S, A)
        A state-action reward whose columns are all equal counts as a state
        reward (one point per state); a state reward paired with a
        state-action one is broadcast over actions.
    ax, title, path, dpi
        As in :func:`plot_grid_values` (``title`` replaces the correlation).
    fit_line : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
        The points are one ``PathCollection`` (``gid="reward_scatter"``)
        whose offsets are ``(true, learned)``.

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    tabular_irl.metrics.reward_correlation : the correlation it shows.

    Examples
    --------
    >>> ax = plot_reward_scatter([0.0, 0.0, 1.0], [0.1, -0.1, 2.0])  # doctest: +SKIP
    """
    pair = []
    for value, name in ((true_reward, "true_reward"), (learned_reward, "learned_reward")):
        arr = check_finite_numbers(value, name)
        pair.append(as_state_values(arr, arr.shape[0]) if arr.ndim == 2 else arr)
    x, y = _check_reward_pair(*pair)
    dpi = check_positive_real(dpi, "dpi")
    ax = panel(ax)
    ax.scatter(x, y, s=14, alpha=0.7, color="tab:blue", edgecolors="none", gid="reward_scatter")
    try:
        rho = reward_correlation(x, y)
        subtitle = f"correlation {rho:.3f}"
    except ValueError:  # a constant reward: the correlation is undefined
        rho, subtitle = None, "correlation undefined (a constant reward)"
    if fit_line and rho is not None:
        slope, intercept = np.polyfit(x, y, 1)
        xs = np.array([x.min(), x.max()])
        ax.plot(xs, slope * xs + intercept, "--", color="0.3", linewidth=1, gid="fit_line",
                label=f"least squares, slope {slope:.3g}")
        ax.legend(loc="upper left", fontsize="small")
    ax.set_xlabel("true reward")
    ax.set_ylabel("learned reward")
    return finish(ax, subtitle if title is None else title, path, dpi)


def _model(fit: Any, demos: Any, horizon: Any, discount: Any) -> tuple[Any, Any]:
    """``(horizon, discount)`` to plan and roll out with: as given, else the fit's, else the demonstrations'."""
    if horizon is not None or discount is not None:
        return horizon, discount
    plan = getattr(fit, "plan", None)
    if plan is not None:
        return plan.horizon, discount_argument(plan.horizon, plan.discount)
    policy = getattr(fit, "policy", None)
    if policy is not None and np.ndim(policy) == 3:  # a time-indexed policy carries its horizon
        return np.shape(policy)[0], None
    if getattr(demos, "horizon", None) is not None:
        return demos.horizon, None
    # a figure-specific need, not a malformed argument: nothing says which model to plan with
    raise ValueError("horizon or discount is needed to roll out the learned policy (or plan with a learned "
                     "reward): pass horizon=T and/or discount=gamma (or demos, whose horizon is used)")


class _Learned(NamedTuple):
    """What the summary draws of a fit."""

    reward: np.ndarray  # (S,), or (S, A) when it depends on the action
    cells: np.ndarray  # (S,): one number per cell
    label: str
    policy: np.ndarray  # (T, S, A) or (S, A)
    V: np.ndarray | None  # (S,): V_0 of the fit's plan
    visits: np.ndarray  # (S,): expected visits
    history: Any  # what plot_convergence reads, or None
    note: str  # on the policy panel's title


def _learned(world: Any, fit: Any, demos: Any, horizon: Any, discount: Any) -> _Learned:
    """What the summary draws of ``fit``.

    A fit is read through the result protocol (:mod:`tabular_irl.irl._result`):
    ``reward``, ``policy``, ``history``; and, where a fit has them, two
    optional attributes: ``plan`` (its :class:`~tabular_irl.SoftPlan`: the
    value function drawn under the arrows, and the model) and ``visitation``
    (the fitted model's own expected visitation, which for non-causal MaxEnt is
    the posterior, not the rollout of its policy). Anything without a
    ``policy`` is a learned reward: the policy drawn is the optimal one for it.
    """
    from ..inference import visitation
    from ..planning import value_iteration

    mdp = world.mdp
    horizon, discount = _model(fit, demos, horizon, discount)
    reward = as_state_values(check_finite_numbers(getattr(fit, "reward", fit), "fit.reward"), mdp.n_states)
    if reward.shape == (mdp.n_states, mdp.n_actions):
        # a reward of the action (AIRL's f(s, a)): a cell shows its best action's, the scatter every pair
        cells, label = reward.max(axis=1), "max_a learned r(s, a)"
    else:
        reward = cells = check_grid_values(reward, check_grid(world), "fit.reward").ravel()
        label = "learned r(s)"
    plan = getattr(fit, "plan", None)
    policy = getattr(fit, "policy", None)
    note = ""
    if policy is None:
        plan = value_iteration(mdp, reward, horizon=horizon, discount=discount)
        policy, note = plan.policy, " (optimal for it)"
    vis = getattr(fit, "visitation", None)
    if vis is None:
        vis = visitation(mdp, policy, horizon=horizon, discount=discount)
    V = None if plan is None else plan.V[0] if plan.V.ndim == 2 else plan.V
    history = fit if getattr(fit, "history", None) else None  # an empty history: nothing to draw
    return _Learned(reward, cells, label, policy, V, vis.total_state_action.sum(axis=1), history, note)


@renamed_arguments(n_paths="n")
def plot_gridworld_summary(
    world: Any,
    fit: Any,
    *,
    demos: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    true_reward: Any = None,
    n: int = 10,
    title: str | None = None,
    figsize: tuple[float, float] = _SUMMARY_SIZE,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Figure:
    """One figure of an IRL fit on a gridworld: rewards, visitation, policy, convergence.

    Six panels, found by ``ax.get_label()``:

    ``"true_reward"``
        the true reward heatmap (goals starred, walls grey);
    ``"learned_reward"``
        the learned reward heatmap;
    ``"reward_scatter"``
        learned against true reward with their correlation;
    ``"visitation"``
        the learned policy's expected number of visits to each cell
        (``sum_t gamma^t Pr(s_t = s)``, log colour scale) with ``n``
        demonstrations drawn over it;
    ``"policy"``
        the learned policy at ``t = 0`` as arrows over its value ``V_0``;
    ``"convergence"``
        objective and gradient norm per iteration (:func:`plot_convergence`).

    Parameters
    ----------
    world : Problem with a grid
        E.g. ``gridworld(...)``: its ``mdp``, ``grid`` and (true) ``reward``.
    fit : fitted model, or array_like
        Any fit of the result protocol (:mod:`tabular_irl.irl._result`):
        its ``reward``, ``policy`` (drawn at ``t = 0``; its visitation is
        shown) and ``history``. A fit that keeps its ``plan`` (a
        :class:`~tabular_irl.SoftPlan`, as :func:`~tabular_irl.maxent_irl`'s)
        also has its value ``V_0`` drawn under the arrows, and one that keeps
        its model's ``visitation`` has that shown (for non-causal MaxEnt: the
        posterior). A learned state reward ``(S,)`` itself is drawn with the
        policy optimal for it (:func:`~tabular_irl.value_iteration`).
    demos : Trajectories, optional
        Demonstrations to draw (and whose horizon to plan with).
    horizon, discount : optional
        The model of the policy's visitation (and of planning for a reward
        array); by default the fit's (``fit.plan``), the length of a
        time-indexed ``fit.policy``, or the demonstrations' horizon.
    true_reward : array_like, shape (S,), optional
        Default ``world.reward``.
    n : int, default 10
        Demonstrations drawn over the visitation (formerly ``n_paths``, deprecated).
    title : str, optional
        The figure's title.
    figsize : (float, float), default (13, 8)
        Inches; the PNG is ``figsize * dpi`` pixels.
    path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    plot_grid_values, plot_policy, plot_trajectories, plot_reward_scatter, plot_convergence : its panels.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(5, slip=0.1)
    >>> expert = tirl.soft_backward(world.mdp, 2 * world.reward, horizon=10)
    >>> demos = tirl.sample_trajectories(world.mdp, expert.policy, 200, horizon=10, seed=0)
    >>> fit = tirl.maxent_irl(world.mdp, world.features, demos, horizon=10, l2=1e-3)
    >>> fig = plot_gridworld_summary(world, fit, demos=demos, path="summary.png")  # doctest: +SKIP
    """
    geom = check_grid_problem(world)
    truth = world.reward if true_reward is None else true_reward
    if truth is None:  # a figure-specific need, not a malformed argument
        raise ValueError("true_reward is needed: this world has no reward (world.reward is None)")
    truth = check_grid_values(truth, geom, "true_reward").ravel()
    dpi = check_positive_real(dpi, "dpi")
    learned = _learned(world, fit, demos, horizon, discount)
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=figsize, layout="constrained")
    names = ["true_reward", "learned_reward", "reward_scatter", "visitation", "policy", "convergence"]
    for ax, name in zip(axes.flat, names):
        ax.set_label(name)
    plot_grid_values(geom, truth, ax=axes[0, 0], title="true reward", label="r(s)", dpi=dpi)
    plot_grid_values(geom, learned.cells, ax=axes[0, 1], title="learned reward", label=learned.label, dpi=dpi)
    plot_reward_scatter(truth, learned.reward, ax=axes[0, 2], dpi=dpi)
    axes[0, 2].set_title(f"learned vs true reward\n{axes[0, 2].get_title()}")
    vis = learned.visits
    positive = vis[vis > 0]
    floor = max(float(positive.min()), 1e-6 * float(positive.max())) if positive.size else 1.0
    plot_grid_values(geom, np.maximum(vis, floor), ax=axes[1, 0], norm="log", cmap="magma",
                     label="expected visits (log scale)",
                     title="expected visits" + (" + demonstrations" if demos is not None else ""),
                     dpi=dpi)
    if demos is not None:
        plot_trajectories(geom, demos, n=n, ax=axes[1, 0], color="tab:cyan", alpha=0.8, dpi=dpi)
    plot_policy(geom, learned.policy, values=learned.V, ax=axes[1, 1],
                label=None if learned.V is None else "V_0(s)", title="learned policy at t=0" + learned.note, dpi=dpi)
    if learned.history is not None:
        plot_convergence(learned.history, ax=axes[1, 2], title="convergence", dpi=dpi)
    else:
        axes[1, 2].set_axis_off()
        axes[1, 2].text(0.5, 0.5, "no per-iteration history", ha="center", va="center",
                        transform=axes[1, 2].transAxes)
    if title is not None:
        fig.suptitle(title)
    save(fig, path, dpi)
    return fig
