"""Gridworld figures: per-state heatmaps, policy arrows, demonstration paths.

Grid plots take the layout as ``grid``: a :class:`~tabular_irl.envs.GridGeometry`
(``world.grid``), a problem that has one (``world``), or a ``(rows, cols)``
pair (the gridworld's five actions, no walls, no goals). Cell ``(row, col)``
is drawn at ``x = col``, ``y = row`` with row 0 at the top, as in the grid
itself; walls are grey, goals are marked with a star.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import (
    check_count,
    check_grid,
    check_grid_values,
    check_policy_at,
    check_positive_real,
    check_real_half_open,
    check_seed,
    check_state_paths,
)
from ..envs._problem import GridGeometry
from ._figure import finish, panel

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_grid_values", "plot_policy", "plot_trajectories"]


def _grid_frame(ax, geom: GridGeometry) -> None:
    """Limits, orientation (row 0 on top), integer ticks and labels of a grid panel."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlim(-0.5, geom.cols - 0.5)
    ax.set_ylim(geom.rows - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax.set_xlabel("col")
    ax.set_ylabel("row")


def _walls_and_goals(ax, geom: GridGeometry, *, walls: bool) -> None:
    """Grey wall cells (unless a heatmap already shows them) and a star on each goal."""
    if walls and geom.walls.any():
        from matplotlib.colors import ListedColormap

        ax.imshow(np.where(geom.walls, 1.0, np.nan), cmap=ListedColormap(["0.35"]), vmin=0, vmax=1,
                  extent=(-0.5, geom.cols - 0.5, geom.rows - 0.5, -0.5), interpolation="nearest", zorder=0.5)
    if geom.goals:
        rows, cols = zip(*geom.goals)
        ax.plot(cols, rows, linestyle="none", marker="*", markersize=max(6.0, 120.0 / max(geom.shape)),
                markerfacecolor="white", markeredgecolor="black", markeredgewidth=0.8, zorder=4, gid="goal",
                label="goal")


def _grid_axes(ax: Any, geom: GridGeometry) -> Axes:
    """``ax`` or a new panel; a fresh panel gets the grid's frame, walls and goals, else draw over what is there."""
    ax = panel(ax)
    if not ax.has_data():
        _grid_frame(ax, geom)
        _walls_and_goals(ax, geom, walls=True)
    return ax


def grid_heatmap(ax: Axes, geom: GridGeometry, data: np.ndarray, *, cmap: str, norm: Any = None,
                 mask: np.ndarray | None = None) -> Any:
    """Draw ``data`` ``(rows, cols)`` on ``ax`` as the grid's heatmap, walls (and ``mask``) grey; return the image.

    The frame (limits, row 0 on top, labels) and the goals' stars come with it.
    """
    import matplotlib

    colormap = matplotlib.colormaps[cmap].with_extremes(bad="0.35")
    hidden = geom.walls if mask is None else geom.walls | mask
    image = ax.imshow(np.ma.masked_array(data, mask=hidden), cmap=colormap, norm=norm, interpolation="nearest",
                      origin="upper", extent=(-0.5, geom.cols - 0.5, geom.rows - 0.5, -0.5))
    _grid_frame(ax, geom)
    _walls_and_goals(ax, geom, walls=False)
    return image


def plot_grid_values(
    grid: Any,
    values: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    label: str | None = None,
    cmap: str = "viridis",
    norm: Any = None,
    colorbar: bool = True,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """A per-state array as a heatmap on the grid (reward, value, visitation, ...).

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
        The layout (``world.grid`` or ``world``).
    values : array_like, shape (S,) or (rows, cols)
        One number per state, in state order ``s = row * cols + col`` (or
        already arranged on the grid). A state-action array ``(S, A)`` whose
        columns are all equal (a state reward broadcast over actions, as in
        ``fit.reward``) is accepted too. Wall cells are drawn grey whatever
        their value.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title, label : str, optional
        Panel title and colorbar label.
    cmap : str, default "viridis"
    norm : str or matplotlib Normalize, optional
        Colour scaling, e.g. ``"log"`` for visitation frequencies.
    colorbar : bool, default True
    path : str or path-like, optional
        Also save the figure there.
    dpi : float, default 100

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` is the heatmap; its data is ``values`` on the grid.

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    plot_policy : arrows over the values.
    plot_gridworld_summary : a whole fit.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(4)
    >>> ax = plot_grid_values(world, world.reward, title="reward")  # doctest: +SKIP
    """
    geom = check_grid(grid)
    data = check_grid_values(values, geom, "values")
    dpi = check_positive_real(dpi, "dpi")
    ax = panel(ax)
    image = grid_heatmap(ax, geom, data, cmap=cmap, norm=norm)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=label, shrink=0.9)
    return finish(ax, title, path, dpi)


def plot_policy(
    grid: Any,
    policy: Any,
    *,
    t: int = 0,
    kind: str = "mean",
    values: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
    label: str | None = None,
    cmap: str = "viridis",
    color: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    r"""The policy as one arrow per cell (walls and goals excluded).

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
    policy : array_like, shape (S, A), (T, S, A) or (S,) of int
        ``policy[s, a]`` (stationary), ``policy[t, s, a]`` (time-indexed:
        drawn at time ``t``) or one action per state. ``A`` must be the
        grid's number of actions.
    t : int, default 0
        The time step drawn from a ``(T, S, A)`` policy.
    kind : {"mean", "argmax"}
        ``"mean"``: the expected intended move
        :math:`\sum_a \pi(a|s)\,\delta_a` (``delta_a = (drow, dcol)`` of
        action ``a``): a full-length arrow for a certain move, a short one
        for an undecided or staying policy. ``"argmax"``: the most likely
        action's move, full length (no arrow where it is "stay").
    values : array_like, shape (S,) or (rows, cols), optional
        A heatmap drawn underneath (e.g. ``plan.V[t]``), with its colorbar.
    ax, title, path, dpi
        As in :func:`plot_grid_values`.
    label, cmap
        The heatmap's colorbar label and colormap, as in :func:`plot_grid_values`.
    color : str, optional
        Arrow colour; white on a heatmap, black otherwise.

    Returns
    -------
    matplotlib.axes.Axes
        The arrows are one ``Quiver`` (``gid="policy"``) with an arrow at
        each non-wall, non-goal cell, in state order.

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    plot_grid_values : the heatmap underneath.
    plot_trajectories : paths over the grid.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(5, slip=0.1)
    >>> plan = tirl.soft_backward(world.mdp, world.reward, horizon=8)
    >>> ax = plot_policy(world, plan.policy, values=plan.V[0], label="V_0(s)")  # doctest: +SKIP
    """
    geom = check_grid(grid)
    pi = check_policy_at(policy, geom.n_states, len(geom.action_deltas), t,
                         where=f" for this {geom.rows} x {geom.cols} grid with {len(geom.action_deltas)} actions")
    if kind not in ("mean", "argmax"):  # check_option when _validation has it
        raise ValueError(f"kind must be 'mean' or 'argmax', got {kind!r}")
    dpi = check_positive_real(dpi, "dpi")
    if values is not None:
        ax = plot_grid_values(geom, values, ax=ax, label=label, cmap=cmap, dpi=dpi)
    else:
        ax = _grid_axes(ax, geom)
    deltas = np.asarray(geom.action_deltas, dtype=np.float64)  # (A, 2): (drow, dcol)
    if kind == "argmax":
        pi = np.eye(pi.shape[1])[pi.argmax(axis=1)]
    move = pi @ deltas  # (S, 2)
    skip = geom.walls.ravel().copy()
    for row, col in geom.goals:
        skip[row * geom.cols + col] = True
    states = np.flatnonzero(~skip)
    rows, cols = np.divmod(states, geom.cols)
    if color is None:
        color = "white" if values is not None else "black"
    # angles="xy": (dcol, drow) in data units, so drow > 0 points down the grid (rows grow downwards);
    # scale 1.25: a certain move is an arrow 0.8 cells long, centred on its cell
    ax.quiver(cols, rows, move[states, 1], move[states, 0], angles="xy", scale_units="xy", scale=1.25,
              pivot="middle", color=color, edgecolor="black" if color == "white" else color, linewidth=0.4,
              width=0.055 / max(geom.shape), headwidth=3.5, headlength=3.5, headaxislength=3.0, zorder=3,
              gid="policy")
    return finish(ax, title, path, dpi)


def plot_trajectories(
    grid: Any,
    demos: Any,
    *,
    n: int | None = 10,
    ax: Axes | None = None,
    title: str | None = None,
    color: str = "tab:red",
    alpha: float = 0.7,
    jitter: float = 0.2,
    seed: int | np.random.Generator | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Demonstrations as paths through the cells, start marked by a dot.

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
    demos : Trajectories or array_like of int, shape (N, T+1) or (T+1,)
        The state sequences ``s_0, ..., s_T`` (actions are not drawn).
    n : int or None, default 10
        Draw the first ``n`` paths (all with ``None``).
    ax, title, path, dpi
        As in :func:`plot_grid_values`.
    color : str, default "tab:red"
    alpha : float, default 0.7
    jitter : float, default 0.2
        Each path is shifted by a random offset of at most this many cells
        (drawn with ``seed``), so that paths through the same cells stay
        distinguishable; ``0`` draws them through the cell centres.
    seed : int, Generator or None, optional
        Seed of the offsets; give one for the same figure every time.

    Returns
    -------
    matplotlib.axes.Axes
        One ``Line2D`` per path with ``gid="trajectory"``; its data is
        ``(col + dx, row + dy)`` of the path's states.

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install tabular_irl[plot]``).
    TypeError, ValueError
        An argument of the wrong type or value; the message names it.

    See Also
    --------
    plot_policy : the policy that drew them.
    tabular_irl.sample_trajectories : draws demonstrations.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(5, slip=0.1)
    >>> plan = tirl.soft_backward(world.mdp, world.reward, horizon=8)
    >>> demos = tirl.sample_trajectories(world.mdp, plan.policy, 5, horizon=8, seed=0)
    >>> ax = plot_trajectories(world, demos, jitter=0.1)  # doctest: +SKIP
    """
    geom = check_grid(grid)
    paths = check_state_paths(demos, geom.n_states)
    if n is not None:
        paths = paths[:check_count(n, "n")]
    jitter = check_real_half_open(jitter, "jitter", 0.0, 0.5)  # cells: half a cell would reach the next one
    dpi = check_positive_real(dpi, "dpi")
    ax = _grid_axes(ax, geom)
    offsets = check_seed(seed).uniform(-jitter, jitter, size=(len(paths), 2))
    for path_states, (dx, dy) in zip(paths, offsets):
        rows, cols = np.divmod(path_states, geom.cols)
        (line,) = ax.plot(cols + dx, rows + dy, color=color, alpha=alpha, linewidth=1.2, zorder=2.5,
                          gid="trajectory")
        ax.plot(cols[0] + dx, rows[0] + dy, marker="o", markersize=3.5, color=color, alpha=alpha, zorder=2.6,
                gid="trajectory_start")
    return finish(ax, title, path, dpi)
