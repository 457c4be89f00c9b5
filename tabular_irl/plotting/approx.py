"""Figures of the approximate methods' studies (:mod:`tabular_irl.approx` computes them, this draws them).

``tabular_irl.approx.plot_importance_sampling_study`` is this module's
function, looked up when first used, so that ``approx`` stays compute only.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from .._validation import check_table
from ._figure import pyplot, save

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..approx import StudyTable

__all__ = ["plot_importance_sampling_study"]


def plot_importance_sampling_study(table: StudyTable, path: str | os.PathLike | None = None) -> Figure:
    """Bias and variance curves of an :func:`~tabular_irl.approx.importance_sampling_study` table (needs matplotlib).

    Three panels against ``n`` (log-log): the gradient's squared bias and
    variance, the same for ``log Z``, and the ESS fraction; markers are the
    measurements, dashed lines the exact leading-order predictions, thin
    lines the noise floor ``variance / replicates`` below which a measured
    squared bias is not resolved. Saved to ``path`` when given.

    Parameters
    ----------
    table : StudyTable
        What :func:`~tabular_irl.approx.importance_sampling_study` returned.
    path : str or path-like, optional
        Also save the figure there (110 dpi).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        ``table`` is not a table of :func:`~tabular_irl.approx.importance_sampling_study`.

    See Also
    --------
    tabular_irl.approx.importance_sampling_study : the table it draws.

    Examples
    --------
    >>> import os, tempfile
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.approx import importance_sampling_study
    >>> world = gridworld(2, slip=0.2, initial=(0, 0))
    >>> demos = sample_trajectories(world.mdp, soft_backward(world.mdp, world.reward, horizon=3).policy, 10,
    ...                             horizon=3, seed=0)
    >>> table = importance_sampling_study(world.mdp, world.features, world.reward, demos, horizon=3,
    ...                                   n=(10, 20), n_repeats=3, seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "study.png")
    >>> fig = plot_importance_sampling_study(table, path)  # needs matplotlib
    >>> len(fig.axes), os.path.exists(path)  # needs matplotlib
    (3, True)
    """
    check_table(table, ("sampler", "n", "grad_var"), "importance_sampling_study")
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    names = list(dict.fromkeys(table.column("sampler")))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, name in enumerate(names):
        sub = table.where(sampler=name)
        n = sub.column("n")
        c = colours[k % len(colours)]
        for ax, var, bias in ((axes[0], "grad_var", "grad_bias"), (axes[1], "logZ_var", "logZ_bias")):
            ax.loglog(n, sub.column(var), "o-", color=c, label=f"{name}: variance")
            ax.loglog(n, sub.column(bias) ** 2, "s:", color=c, mfc="none", label=f"{name}: bias$^2$")
            ax.loglog(n, sub.column(bias + "_se") ** 2, "-", color=c, lw=0.6, alpha=0.35)
            pv, pb = sub.column(var + "_pred"), sub.column(bias + "_pred")
            if np.all(np.isfinite(pv)):
                ax.loglog(n, pv, "--", color=c, alpha=0.6)
                ax.loglog(n, pb**2, "-.", color=c, alpha=0.4)
        axes[2].semilogx(n, sub.column("ess_fraction"), "o-", color=c, label=name)
        pe = sub.column("ess_fraction_pred")
        if np.all(np.isfinite(pe)):
            axes[2].semilogx(n, pe, "--", color=c, alpha=0.6)
    axes[0].set_title("importance-sampled gradient")
    axes[1].set_title("log Z estimate")
    axes[2].set_title("effective sample size / n")
    for ax in axes:
        ax.set_xlabel("samples n")
    axes[0].set_ylabel("squared error")
    axes[0].legend(fontsize=7)
    axes[2].legend(fontsize=7)
    axes[2].set_ylim(0, 1.05)
    fig.suptitle("markers: measured over replicates; dashed / dash-dotted: exact leading-order variance / "
                 "bias$^2$; thin: noise floor of the measured bias$^2$ (variance / replicates)", fontsize=9)
    fig.tight_layout()
    save(fig, path, 110)
    return fig
