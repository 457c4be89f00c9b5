"""Figures of :mod:`tabular_irl.rl`: exact learning curves, the imitation gap against the horizon, estimator bars.

Every ``rl`` method evaluates its iterates exactly, so a learning curve drawn
here is the exact return per iteration, not a noisy estimate; these functions
only draw what the results recorded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_bool, check_curves, check_gap_series, check_option, check_positive_real, \
    check_real, check_table
from ._figure import finish, panel

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..approx import StudyTable

__all__ = ["plot_learning_curves", "plot_imitation_gap", "plot_gradient_estimator_study"]

# the y-label of the series the rl results record
_YLABELS = {"value": "exact return J", "gap": "exact gap J(expert) - J(policy)", "q_error": "||Q - Q*||_inf",
            "js": "Jensen-Shannon divergence", "objective": "objective"}
_XLABELS = {"step": "environment steps", "iteration": "iteration"}


def plot_learning_curves(
    curves: Any,
    *,
    key: str = "value",
    x: str | None = None,
    optimal_value: float | None = None,
    logy: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Exact learning curves of several :mod:`tabular_irl.rl` runs on one Axes.

    Each curve is one series of a result's ``history`` (by default
    ``"value"``, the exact return ``J`` of every iterate) against its
    iterations (``"step"`` for :func:`~tabular_irl.rl.q_learning`,
    ``"iteration"`` for :func:`~tabular_irl.rl.dagger`,
    :func:`~tabular_irl.rl.pretrain_finetune`,
    :func:`~tabular_irl.rl.hybrid_policy_optimization` and
    :func:`~tabular_irl.rl.gail`). A number is drawn as a flat dashed level
    (behavioural cloning's return, which has no iterations); the optimum
    ``J*`` as a black dotted line.

    Parameters
    ----------
    curves : mapping of str to result, dict, sequence or float; or one of those
        Labels to curves. A curve is a result with a ``history``, a history
        dict (e.g. ``{"n": [...], "gap": [...]}`` with ``x="n"``), a 1-d
        sequence of values (drawn against ``0, 1, ...``; means over seeds,
        say) or a real number (a flat reference level). One curve alone is
        labelled by ``key``.
    key : str, default "value"
        The history series drawn: ``"value"``, ``"gap"`` (DAgger),
        ``"q_error"`` (Q-learning), ``"js"`` (GAIL), ``"objective"``...
    x : str, optional
        The history series on the x-axis; by default ``"step"`` or
        ``"iteration"``, whichever the history has (else ``0, 1, ...``).
    optimal_value : float, optional
        ``J*``, drawn as a reference line labelled ``"J*"``.
    logy : bool, default False
        A logarithmic y-axis (for ``"q_error"`` or ``"js"``).
    ax, title, path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.axes.Axes
        One line per curve, in the order given, with the label as its label
        and ``gid``: x-data the iterations, y-data the recorded series; a
        flat level is a horizontal line; ``J*`` comes last (``gid="J*"``).

    Raises
    ------
    TypeError
        A curve is none of the above, a label is not a string, ``key`` or
        ``x`` not a string.
    ValueError
        A history lacks ``key`` or ``x``, a series is empty, not finite or of
        another length than its x-data.

    See Also
    --------
    tabular_irl.rl.pretrain_finetune, tabular_irl.rl.q_learning, tabular_irl.rl.dagger : the histories.
    plot_convergence : a fit's objective and gradient norm.

    Examples
    --------
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.rl import pretrain_finetune
    >>> world = gridworld(3)
    >>> plan = value_iteration(world.mdp, world.reward, horizon=4)
    >>> demos = sample_trajectories(world.mdp, plan.policy, 5, horizon=4, seed=0)
    >>> fit = pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=5, lr=1.0)
    >>> J_star = world.mdp.initial @ plan.V[0]
    >>> ax = plot_learning_curves({"pretrain, finetune": fit}, optimal_value=J_star)  # needs matplotlib
    >>> [line.get_label() for line in ax.get_lines()]  # needs matplotlib
    ['pretrain, finetune', 'J*']
    """
    series = check_curves(curves, key, x)
    reference = None if optimal_value is None else check_real(optimal_value, "optimal_value")
    logy = check_bool(logy, "logy")
    dpi = check_positive_real(dpi, "dpi")
    ax = panel(ax)
    for k, (label, xs, ys) in enumerate(series):
        colour = f"C{k % 10}"  # by position, so that a flat level takes its turn in the cycle too
        if xs is None:
            ax.axhline(ys[0], ls="--", lw=1.2, label=label, gid=label, color=colour)
        else:
            ax.plot(xs, ys, marker="." if ys.size <= 40 else None, label=label, gid=label, color=colour)
    if reference is not None:
        ax.axhline(reference, color="k", ls=":", label="J*", gid="J*")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(_XLABELS.get(x, x) if x is not None else _x_label(curves))
    ax.set_ylabel(_YLABELS.get(key, key))
    ax.legend(fontsize="small", framealpha=0.8)
    return finish(ax, title, path, dpi)


def _x_label(curves: Any) -> str:
    """What the default x-axis counts: the first history's ``"step"`` or ``"iteration"``."""
    entries = curves.values() if isinstance(curves, Mapping) else [curves]
    for entry in entries:
        history = entry if isinstance(entry, Mapping) else getattr(entry, "history", None)
        for k in _XLABELS:
            if isinstance(history, Mapping) and k in history:
                return _XLABELS[k]
    return "iteration"


def plot_imitation_gap(
    gaps: Any,
    *,
    bounds: bool = True,
    loglog: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    r"""The exact imitation gap against the horizon, with the quadratic and the linear bound.

    Behavioural cloning's gap is at most ``T^2 eps R`` (Ross & Bagnell
    2010); a learner whose mistakes can be undone loses ``O(T eps R)``
    (Ross, Gordon & Bagnell 2011). On a log-log scale the two bounds have
    slopes 2 and 1, and the exact gap runs parallel to the one it attains.

    Parameters
    ----------
    gaps : list of ImitationGap, table, or mapping of str to either
        One series: :func:`~tabular_irl.rl.imitation_gap` results (one per
        horizon), or a table (a dict or a ``StudyTable``) with the columns
        ``"horizon"``, ``"gap"``, ``"bc_bound"`` and optionally
        ``"linear_bound"`` (else ``bc_bound / horizon``); or labels to series
        (several problems on one figure).
    bounds : bool, default True
        Draw ``T^2 eps R`` (dashed) and ``T eps R`` (dotted), black; once when
        every series has the same bounds, else once per series.
    loglog : bool, default True
        Logarithmic axes (else linear).
    ax, title, path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.axes.Axes
        Per series, a line of the gaps (``gid`` its label) against the
        sorted horizons, then the bound lines (``gid`` ``"bc_bound"`` and
        ``"linear_bound"``, suffixed ``":label"`` when drawn per series).

    Raises
    ------
    TypeError
        ``gaps`` is not one of the above.
    ValueError
        A table misses a column, its columns differ in length, a value is not
        finite or a horizon is below 1.

    See Also
    --------
    tabular_irl.rl.imitation_gap : the exact gap and both bounds.

    References
    ----------
    Ross & Bagnell (2010). Efficient reductions for imitation learning. AISTATS.
    Ross, Gordon & Bagnell (2011). A reduction of imitation learning and structured prediction to no-regret
    online learning. AISTATS.

    Examples
    --------
    >>> ax = plot_imitation_gap({"horizon": [5, 10], "gap": [0.14, 0.53], "bc_bound": [0.25, 1.0]})  # needs matplotlib
    >>> ax.get_lines()[0].get_ydata().tolist(), ax.get_lines()[2].get_ydata().tolist()  # needs matplotlib
    ([0.14, 0.53], [0.05, 0.1])
    """
    table = check_gap_series(gaps)
    bounds = check_bool(bounds, "bounds")
    loglog = check_bool(loglog, "loglog")
    dpi = check_positive_real(dpi, "dpi")
    ax = panel(ax)
    markers = "os^vDP*X"
    for k, (label, cols) in enumerate(table.items()):
        ax.plot(cols["horizon"], cols["gap"], marker=markers[k % len(markers)], label=label, gid=label)
    if bounds:
        first = next(iter(table.values()))
        shared = all(cols["horizon"].shape == first["horizon"].shape
                     and all(np.array_equal(cols[c], first[c]) for c in ("horizon", "bc_bound", "linear_bound"))
                     for cols in table.values())
        for label, cols in ([(None, first)] if shared else table.items()):
            suffix = "" if label is None else f", {label}"
            ax.plot(cols["horizon"], cols["bc_bound"], "k--", label=r"$T^2 \epsilon R$ (cloning)" + suffix,
                    gid="bc_bound" + ("" if label is None else f":{label}"))
            ax.plot(cols["horizon"], cols["linear_bound"], "k:", label=r"$T \epsilon R$ (linear)" + suffix,
                    gid="linear_bound" + ("" if label is None else f":{label}"))
    if loglog:
        from matplotlib.ticker import NullFormatter, ScalarFormatter

        ax.set_xscale("log")
        ax.set_yscale("log")
        # the horizons themselves as plain ticks: a log axis over less than a decade labels 6x10^0
        ax.set_xticks(np.unique(np.concatenate([cols["horizon"] for cols in table.values()])))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel="horizon T", ylabel="J(expert) - J(policy)")
    ax.legend(fontsize="small", framealpha=0.8)
    return finish(ax, title, path, dpi)


_QUANTITIES = {"bias": "||mean estimate - exact gradient||", "variance": "per-trajectory variance (trace)",
               "ess": "effective sample size"}


def plot_gradient_estimator_study(
    table: StudyTable,
    quantity: str = "bias",
    *,
    error_bars: float = 2.0,
    log: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Bars of one column of :func:`~tabular_irl.rl.gradient_estimator_study`: bias, variance or ESS.

    One bar per row of the table (sampler x ``future_ratios``), in its
    order; the unbiased estimator (all the ratios up to each reward's step)
    in one colour, the lecture's ratios up to the scored step in another.

    Parameters
    ----------
    table : StudyTable
        What :func:`~tabular_irl.rl.gradient_estimator_study` returned.
    quantity : {"bias", "variance", "ess"}, default "bias"
        The column drawn. ``"bias"`` bars carry error bars of
        ``error_bars * bias_se`` (its noise level).
    error_bars : float, default 2.0
        How many standard errors the bias bars' error bars span (0: none).
    log : bool, optional
        A logarithmic y-axis; by default for ``"variance"`` only.
    ax, title, path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.axes.Axes
        Bar ``i`` (``ax.patches[i]``) has the height of row ``i``'s
        ``quantity``; the tick labels name the sampler and the ratios.

    Raises
    ------
    TypeError
        ``table`` is not a table of :func:`~tabular_irl.rl.gradient_estimator_study`.
    ValueError
        ``quantity`` is not one of the names above, ``error_bars < 0``.

    See Also
    --------
    tabular_irl.rl.gradient_estimator_study : the table it draws.
    tabular_irl.rl.reinforce_gradient : the estimator measured.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward
    >>> from tabular_irl.rl import gradient_estimator_study
    >>> world = gridworld(3)
    >>> expert = soft_backward(world.mdp, 3 * world.reward, horizon=4).policy
    >>> table = gradient_estimator_study(world.mdp, world.reward, np.zeros((9, 5)), expert, horizon=4, n=200, seed=0)
    >>> ax = plot_gradient_estimator_study(table, "variance")  # needs matplotlib
    >>> [p.get_height() for p in ax.patches] == table.column("variance").tolist()  # needs matplotlib
    True
    """
    table = check_table(table, ("sampler", "future_ratios", "bias", "bias_se", "variance", "ess"),
                        "gradient_estimator_study")
    quantity = check_option(quantity, "quantity", tuple(_QUANTITIES))
    error_bars = check_positive_real(error_bars, "error_bars", allow_zero=True)
    log = quantity == "variance" if log is None else check_bool(log, "log")
    dpi = check_positive_real(dpi, "dpi")
    ax = panel(ax)
    future = np.asarray(table.column("future_ratios"), dtype=bool)
    heights = np.asarray(table.column(quantity), dtype=np.float64)
    positions = np.arange(heights.size)
    yerr = error_bars * np.asarray(table.column("bias_se"), dtype=np.float64) \
        if quantity == "bias" and error_bars > 0 else None
    colours = np.where(future, "tab:blue", "tab:orange")
    ax.bar(positions, heights, yerr=yerr, capsize=3 if yerr is not None else 0, color=colours)
    # one legend entry per kind of ratios, from proxy patches outside the bars the tests count
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="tab:blue", label="all ratios (unbiased)"),
                       Patch(color="tab:orange", label="ratios up to t")], fontsize="small")
    ax.set_xticks(positions, [f"{s}\n{'all' if f else 'up to t'}" for s, f in zip(table.column("sampler"), future)],
                  fontsize="x-small")
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(_QUANTITIES[quantity] + (f" ({error_bars:g} SE bars)" if yerr is not None else ""))
    return finish(ax, title, path, dpi)
