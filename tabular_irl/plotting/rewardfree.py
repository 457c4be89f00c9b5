"""Figures of learning without rewards (:mod:`tabular_irl.rewardfree`): coverage, curves, empowerment.

State marginals side by side on one colour scale (a policy, a target, a
mixture, the exact optimum), the exact entropy or KL per iteration of the
iterative methods against the certified optimum, and per-state empowerment
on the grid. Results are read by their fields (``history``,
``gap_history``, ``value``, ``states``), never by their class.

Examples
--------
>>> import tabular_irl as tirl
>>> from tabular_irl import rewardfree as rf
>>> from tabular_irl.plotting import plot_exploration_curves, plot_state_marginals
>>> world = tirl.gridworld(4, goals=[], initial=(0, 0))
>>> best = rf.max_state_entropy(world.mdp, horizon=6, tol=1e-6)
>>> mix = rf.maxent_exploration(world.mdp, horizon=6, n_iter=20)
>>> fig = plot_state_marginals(world, {"mixture": mix.marginal, "optimum": best.marginal})  # doctest: +SKIP
>>> ax = plot_exploration_curves({"fully-corrective": mix}, optimum=best)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import (
    check_bool,
    check_cells,
    check_iteration_curves,
    check_grid,
    check_partial_state_values,
    check_positive_real,
    check_real,
    check_state_distributions,
)
from ._figure import PANEL_SIZE, finish, panel, pyplot, save
from .grid import grid_heatmap

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_state_marginals", "plot_exploration_curves", "plot_empowerment"]


def _entropy(p: np.ndarray) -> float:
    """``H(p)`` in nats with ``0 log 0 = 0`` (p already checked to be a distribution)."""
    from ..rewardfree import entropy

    return float(entropy(p))


def plot_state_marginals(
    grid: Any,
    marginals: Any,
    *,
    mark: Any = None,
    show_entropy: bool = False,
    axes: Any = None,
    title: str | None = None,
    label: str | None = "state marginal",
    cmap: str = "magma",
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Figure:
    r"""State marginals side by side on the grid, one shared colour scale.

    For comparing coverage: a policy's marginal
    :math:`\frac1T \sum_{t<T} D_t(s)` against a target, a mixture of
    policies or the exact optimum of :func:`~tabular_irl.rewardfree.max_state_entropy`
    (Hazan et al. 2019; Lee et al. 2019). Every panel uses the colour scale
    ``[0, max]`` over all panels, so equal colours are equal probabilities.

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
        The layout (``world.grid`` or ``world``).
    marginals : mapping {str: array_like (S,)}, sequence of (S,) or array_like (K, S)
        The distributions over states, one panel each (titled by the
        mapping's keys, else ``0, 1, ...``); a ``(K, S)`` array such as
        ``skill_discovery(...).marginals`` gives ``K`` panels. Each must sum
        to 1 (within 1e-5).
    mark : (row, col) or sequence of (row, col), optional
        Cells to mark with a cross on every panel (a target's mode, the
        start cell).
    show_entropy : bool, default False
        Append ``H = ... nats`` (:func:`~tabular_irl.rewardfree.entropy`) to
        each panel's title.
    axes : sequence of matplotlib Axes, optional
        ``K`` axes to draw into; a new ``1 x K`` figure by default.
    title : str, optional
        The figure's title.
    label : str or None, default "state marginal"
        The colorbar's label; ``None`` draws no colorbar.
    cmap : str, default "magma"
    path : str or path-like, optional
        Also save the figure there.
    dpi : float, default 100

    Returns
    -------
    matplotlib.figure.Figure
        Panel ``k`` (``fig.axes[k]``) holds one image whose data is
        ``marginals[k]`` reshaped to ``(rows, cols)`` (walls masked); all
        images share one ``Normalize(0, max)``. Marked cells are a
        ``Line2D`` with ``gid="mark"`` on each panel.

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    plot_grid_values : one per-state array.
    plot_exploration_curves : the entropy or KL per iteration.
    tabular_irl.rewardfree.state_marginal : computes a marginal.

    References
    ----------
    .. [1] E. Hazan, S. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019.
    .. [2] L. Lee, B. Eysenbach, E. Parisotto, E. Xing, S. Levine,
       R. Salakhutdinov. "Efficient Exploration via State Marginal
       Matching." arXiv:1906.05274, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import tabular_irl as tirl
    >>> from tabular_irl.rewardfree import state_marginal
    >>> world = tirl.gridworld(4, goals=[], initial=(0, 0))
    >>> walk = state_marginal(world.mdp, np.full((16, 5), 0.2), horizon=6)
    >>> fig = plot_state_marginals(world, {"random walk": walk, "uniform": np.full(16, 1 / 16)},
    ...                            mark=(0, 0), show_entropy=True)  # doctest: +SKIP
    """
    geom = check_grid(grid)
    labels, rows = check_state_distributions(marginals, geom.n_states)
    marked = None if mark is None else check_cells(mark, geom, "mark")
    show_entropy = check_bool(show_entropy, "show_entropy")
    dpi = check_positive_real(dpi, "dpi")
    if axes is None:
        plt = pyplot()
        width, height = PANEL_SIZE
        fig = plt.figure(figsize=(0.8 * width * len(labels) + 1.0, 0.8 * height), layout="constrained")
        axes = fig.subplots(1, len(labels), squeeze=False)[0]
    else:
        axes = list(axes) if not hasattr(axes, "figure") else [axes]
        if len(axes) != len(labels):
            raise ValueError(f"axes must hold one Axes per marginal ({len(labels)}), got {len(axes)}")
        axes = [panel(ax) for ax in axes]
    from matplotlib.colors import Normalize

    shown = rows[:, ~geom.walls.ravel()]
    norm = Normalize(0.0, float(shown.max()) if shown.size and shown.max() > 0 else 1.0)
    image = None
    for ax, name, p in zip(axes, labels, rows):
        image = grid_heatmap(ax, geom, p.reshape(geom.shape), cmap=cmap, norm=norm)
        if marked is not None:
            ax.plot(marked[1], marked[0], linestyle="none", marker="X", markersize=max(6.0, 90.0 / max(geom.shape)),
                    markerfacecolor="white", markeredgecolor="black", markeredgewidth=0.8, zorder=4, gid="mark")
        ax.set_title(f"{name}\nH = {_entropy(p):.4f} nats" if show_entropy else name)
    fig = axes[0].figure
    if label is not None:
        fig.colorbar(image, ax=list(axes), label=label, shrink=0.85)
    if title is not None:
        fig.suptitle(title)
    save(fig, path, dpi)
    return fig


def plot_exploration_curves(
    curves: Any,
    *,
    optimum: Any = None,
    gap: bool = False,
    ax: Axes | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """The exact entropy, KL or ``I(S;Z)`` per iteration, against the certified optimum.

    Draws each result's ``history`` (computed exactly at every iteration by
    :func:`~tabular_irl.rewardfree.maxent_exploration`,
    :func:`~tabular_irl.rewardfree.state_marginal_matching`,
    :func:`~tabular_irl.rewardfree.skill_discovery`), a horizontal line at
    the exact optimum (:func:`~tabular_irl.rewardfree.max_state_entropy`,
    :func:`~tabular_irl.rewardfree.min_state_marginal_kl`) and, optionally,
    the Frank--Wolfe gap, an upper bound on the distance to the optimum
    (Hazan et al. 2019).

    Parameters
    ----------
    curves : result, array_like (n,) or mapping {str: result or array_like}
        One curve, or several labelled ones (the legend shows the labels).
    optimum : float or result with ``value``, optional
        The exact optimum, drawn as a dashed black line (``gid="optimum"``).
    gap : bool, default False
        Also draw each result's ``gap_history`` (dotted, same colour) on a
        log-scaled twin axis at the right.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    ylabel : str, optional
        The left axis' label (e.g. ``"H(d) (nats)"``).
    title, path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.axes.Axes
        One ``Line2D`` per curve with ``gid="history"``, x-data ``1..n``
        and y-data the history; the gaps (``gid="gap"``) on the twin axis.

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    plot_convergence : the same for fitted reward models.
    plot_state_marginals : the final marginals.

    References
    ----------
    .. [1] E. Hazan, S. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019.

    Examples
    --------
    >>> ax = plot_exploration_curves({"naive": [3.2, 3.5, 3.2], "averaged": [3.2, 1.4, 1.2]},
    ...                              optimum=1.1, ylabel="KL")  # doctest: +SKIP
    """
    series = check_iteration_curves(curves, "history")
    gaps = check_iteration_curves(curves, "gap_history") if check_bool(gap, "gap") else {}
    level = None if optimum is None else check_real(getattr(optimum, "value", optimum), "optimum")
    dpi = check_positive_real(dpi, "dpi")
    ax = panel(ax)
    from matplotlib.ticker import MaxNLocator

    colors = {}
    for label, y in series.items():
        (line,) = ax.plot(np.arange(1, y.size + 1), y, label=label or None, gid="history")
        colors[label] = line.get_color()
    if level is not None:
        ax.axhline(level, color="black", linestyle="--", linewidth=1.0, label="exact optimum", gid="optimum")
    if gaps:
        right = ax.twinx()
        for label, g in gaps.items():
            right.plot(np.arange(1, g.size + 1), g, linestyle=":", color=colors[label],
                       label=f"gap ({label})" if label else "Frank-Wolfe gap", gid="gap")
        if any(np.any((g > 0) & np.isfinite(g)) for g in gaps.values()):
            right.set_yscale("log")
        right.set_ylabel("Frank-Wolfe gap (dotted)")
    ax.set_xlabel("iteration")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if any(series) or level is not None:
        ax.legend(fontsize="small", framealpha=0.8)
    return finish(ax, title, path, dpi)


def plot_empowerment(
    grid: Any,
    empowerment: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    label: str | None = None,
    cmap: str = "viridis",
    colorbar: bool = True,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    r"""Per-state empowerment on the grid: how many futures each cell controls.

    :math:`\mathfrak{E}_n(s)`, the capacity of the channel from ``n``-step
    action sequences to the state reached (Klyubin et al. 2005), from
    :func:`~tabular_irl.rewardfree.empowerment`. Walls, and states the
    result does not cover, are grey.

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
    empowerment : EmpowermentResult or array_like, shape (S,) or (rows, cols)
        A result (its ``value`` on its ``states``) or one value per state.
    ax, title, path, dpi
        As in :func:`plot_grid_values`.
    label : str, optional
        The colorbar's label; by default ``"n-step empowerment (nats)"``
        for a result, ``"empowerment"`` for an array.
    cmap : str, default "viridis"
    colorbar : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the values on the grid, masked at walls and at
        states without a value.

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    plot_grid_values : any per-state array.
    tabular_irl.rewardfree.empowerment : computes it.

    References
    ----------
    .. [1] A. S. Klyubin, D. Polani, C. L. Nehaniv. "Empowerment: A Universal
       Agent-Centric Measure of Control." IEEE CEC 2005.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> from tabular_irl.rewardfree import empowerment
    >>> world = tirl.gridworld(5, slip=0.0, goals=[])
    >>> ax = plot_empowerment(world, empowerment(world.mdp, 2))  # doctest: +SKIP
    """
    geom = check_grid(grid)
    states = getattr(empowerment, "states", None)
    values = getattr(empowerment, "value", empowerment)
    data = check_partial_state_values(values, geom, "empowerment", states)
    colorbar = check_bool(colorbar, "colorbar")
    dpi = check_positive_real(dpi, "dpi")
    if label is None:
        steps = getattr(empowerment, "n_steps", None)
        label = f"{steps}-step empowerment (nats)" if steps is not None else "empowerment"
    ax = panel(ax)
    unknown = np.isnan(data)
    image = grid_heatmap(ax, geom, np.where(unknown, 0.0, data), cmap=cmap, mask=unknown)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=label, shrink=0.9)
    return finish(ax, title, path, dpi)
