"""What every figure shares: matplotlib imported on first use, new axes, saving.

matplotlib is imported only when a figure is drawn (:func:`pyplot`), never at
package import; without it the ``ImportError`` names the ``[plot]`` extra.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._validation import _describe, check_path

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# the size of a new single-panel figure (inches)
PANEL_SIZE = (5.0, 4.2)


def _interactive_session() -> bool:
    """Whether Python runs interactively: a REPL prompt, ``python -i`` or IPython / Jupyter."""
    if hasattr(sys, "ps1") or sys.flags.interactive:
        return True
    ipython = sys.modules.get("IPython")
    try:
        return ipython is not None and ipython.get_ipython() is not None
    except Exception:  # pragma: no cover - a broken IPython install
        return False


def pyplot():
    """Return ``matplotlib.pyplot``, or raise ImportError saying how to install it.

    The backend is left as the user chose it: a backend already in use
    (``pyplot`` imported, ``matplotlib.use``, ``%matplotlib inline`` in
    Jupyter), the ``MPLBACKEND`` environment variable or a ``matplotlibrc``
    setting all win. Only when nothing chose one and Python is not interactive
    (a script, the command line, a test run) is the file-only ``Agg`` backend
    selected, so that drawing never opens a window or needs a display. An
    interactive session keeps matplotlib's automatic choice, so that
    ``plt.show()`` works there.
    """
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            'plots need matplotlib: pip install "tabular_irl[plot]" (or pip install matplotlib)'
        ) from None
    if "matplotlib.pyplot" not in sys.modules and not _interactive_session():
        try:
            chosen = matplotlib.rcParams._get_backend_or_none()
        except AttributeError:  # pragma: no cover - matplotlib < 3.5 spelled it differently
            chosen = os.environ.get("MPLBACKEND")
        if chosen is None:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def panel(ax: Any, figsize: tuple[float, float] = PANEL_SIZE) -> Axes:
    """``ax`` (checked: a matplotlib ``Axes``), or the axes of a new figure of ``figsize`` inches."""
    plt = pyplot()
    if ax is None:
        fig = plt.figure(figsize=figsize, layout="constrained")
        return fig.add_subplot()
    from matplotlib.axes import Axes

    # the one check of an argument left outside tabular_irl._validation: it needs matplotlib's class
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {_describe(ax)}")
    return ax


def save(fig: Figure, path: Any, dpi: float, **savefig: Any) -> None:
    """Write ``fig`` to ``path`` (format from the extension) at ``dpi``; nothing when ``path`` is None."""
    if path is not None:
        fig.savefig(check_path(path), dpi=dpi, **savefig)


def finish(ax: Axes, title: str | None, path: Any, dpi: float) -> Axes:
    """The end of every single-panel function: the title, the file if asked for; returns ``ax``."""
    if title is not None:
        ax.set_title(title)
    save(ax.figure, path, dpi)
    return ax


def save_figure(draw: Callable[[Any], Any], path: str | os.PathLike | None, *, dpi: int = 120) -> str | None:
    """Draw and save a figure when matplotlib is installed; otherwise say so and return None.

    For scripts whose figure is optional (the ``examples/`` gallery): ``draw``
    receives ``matplotlib.pyplot`` and returns a Figure, which is written to
    ``path`` (tight bounding box) and closed.

    Parameters
    ----------
    draw : callable
        ``draw(plt) -> Figure``.
    path : str, PathLike or None
        Where to write the figure; ``None`` draws nothing.
    dpi : int, default 120

    Returns
    -------
    str or None
        ``str(path)`` when a file was written, else None (and one line printed
        saying why when matplotlib is missing).

    See Also
    --------
    plot_gridworld_summary : a figure to save.

    Examples
    --------
    >>> import os, tempfile
    >>> from tabular_irl.plotting import save_figure
    >>> save_figure(lambda plt: plt.figure(), None) is None
    True
    >>> path = os.path.join(tempfile.mkdtemp(), "empty.png")
    >>> save_figure(lambda plt: plt.figure(figsize=(1, 1)), path) == path  # needs matplotlib
    figure written to ...
    True
    """
    if path is None:
        return None
    try:
        plt = pyplot()
    except ImportError as exc:
        print(f"no figure: {exc}")
        return None
    fig = draw(plt)
    save(fig, path, dpi, bbox_inches="tight")
    plt.close(fig)
    print(f"figure written to {path}")
    return str(path)
