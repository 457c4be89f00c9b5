"""Figures for gridworlds and fits (optional: ``pip install "tabular_irl[plot]"``).

matplotlib is imported only when a figure is drawn, never at package import.
"""

from __future__ import annotations

__all__: list[str] = []


def _pyplot():
    """Return ``matplotlib.pyplot`` with a non-interactive backend, or raise ImportError saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            'plots need matplotlib: pip install "tabular_irl[plot]" (or pip install matplotlib)'
        ) from None
    # figures are written to files; never open a window (works headless, in CI and over ssh)
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt
