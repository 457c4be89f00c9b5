"""Thread count and build information of the compiled kernels."""

from __future__ import annotations

import os

from . import _kernels

__all__ = ["get_num_threads", "set_num_threads", "show_config", "threads_for"]

# Below this many state-action pairs a parallel region costs more than it saves.
_PARALLEL_MIN_ROWS = 20_000

_num_threads: int | None = None


def get_num_threads() -> int:
    """Threads the kernels use for large problems.

    ``set_num_threads`` wins; then the environment variable
    ``TABULAR_IRL_NUM_THREADS``; then OpenMP's default (all cores). Always 1
    when the kernels were built without OpenMP. Results do not depend on it.
    """
    if not _kernels.openmp_enabled():
        return 1
    if _num_threads is not None:
        return _num_threads
    env = os.environ.get("TABULAR_IRL_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    return max(1, _kernels.max_threads())


def set_num_threads(n: int | None) -> None:
    """Set the kernels' thread count (``None`` restores the default)."""
    global _num_threads
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an integer >= 1 or None, got {n!r}")
    _num_threads = n


def threads_for(mdp) -> int:
    """Threads worth using for a pass over ``mdp`` (1 for small problems)."""
    if mdp.n_states * mdp.n_actions < _PARALLEL_MIN_ROWS:
        return 1
    return get_num_threads()


def show_config(print_out: bool = True) -> dict:
    """Report the version, whether the kernels are compiled, OpenMP and threads.

    Returns the information as a dict (and prints it unless ``print_out=False``).
    """
    from . import __version__

    info = {
        "version": __version__,
        "kernels_compiled": _kernels.__file__.endswith((".so", ".pyd")),
        "kernels_path": _kernels.__file__,
        "openmp": _kernels.openmp_enabled(),
        "num_threads": get_num_threads(),
        "cpu_count": os.cpu_count(),
    }
    if print_out:
        width = max(map(len, info))
        for key, value in info.items():
            print(f"{key:<{width}} : {value}")
    return info
