"""Thread count and build information of the compiled kernels."""

from __future__ import annotations

import os

__all__ = ["get_num_threads", "set_num_threads", "show_config"]

_num_threads: int | None = None


def get_num_threads() -> int:
    """Threads the kernels use for large problems.

    ``set_num_threads`` wins; then the environment variable
    ``TABULAR_IRL_NUM_THREADS``; then OpenMP's default (all cores). Always 1
    when the kernels were built without OpenMP. Results do not depend on it.
    Problems with fewer than 50 000 state-action pairs run on one thread
    whatever it says (a parallel region would cost more than it saves), and
    every pass paces itself: each time step runs on the thread count measured
    faster so far (one thread or this many), probing the other now and then,
    so a busy neighbouring process or BLAS threads spinning after the caller's
    own matrix products never make the default slower than one thread. Idle
    OpenMP threads sleep (a passive wait policy, unless ``OMP_WAIT_POLICY`` or
    ``GOMP_SPINCOUNT`` is set) instead of spinning on the caller's cores.

    Returns
    -------
    int
        The thread count, ``>= 1``.

    See Also
    --------
    set_num_threads : change it.
    show_config : the build and thread settings.

    Examples
    --------
    >>> from tabular_irl import get_num_threads
    >>> n = get_num_threads()
    >>> isinstance(n, int), n >= 1
    (True, True)
    """
    from . import _passes  # the kernels' build facts (the pass layer imports this module)

    if not _passes.openmp_enabled():
        return 1
    if _num_threads is not None:
        return _num_threads
    env = os.environ.get("TABULAR_IRL_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    return max(1, _passes.max_threads())


def set_num_threads(n: int | None) -> None:
    """Set the kernels' thread count (``None`` restores the default).

    Process-wide; it overrides ``TABULAR_IRL_NUM_THREADS``. Results are the
    same, bit for bit, for every thread count. Without OpenMP it is accepted
    and ignored (:func:`get_num_threads` stays 1).

    Parameters
    ----------
    n : int or None
        Threads to use, ``>= 1``; ``None``: the default of
        :func:`get_num_threads`.

    Raises
    ------
    ValueError
        If ``n`` is not an integer ``>= 1`` or ``None``.

    See Also
    --------
    get_num_threads : the current count.
    show_config : the build and thread settings.

    Examples
    --------
    >>> from tabular_irl import get_num_threads, set_num_threads
    >>> set_num_threads(1)
    >>> get_num_threads()
    1
    >>> set_num_threads(None)  # back to the default
    >>> set_num_threads(0)
    Traceback (most recent call last):
        ...
    ValueError: n must be an integer >= 1 or None, got 0
    """
    global _num_threads
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an integer >= 1 or None, got {n!r}")
    _num_threads = n


def show_config(print_out: bool = True) -> dict:
    """Report the version, whether the kernels are compiled, OpenMP and threads.

    Parameters
    ----------
    print_out : bool, default True
        Print one ``key : value`` line per entry.

    Returns
    -------
    dict
        ``version`` (str), ``kernels_compiled`` (bool), ``kernels_path``
        (str), ``openmp`` (bool: built with OpenMP), ``num_threads`` (int,
        :func:`get_num_threads`) and ``cpu_count`` (int or None).

    See Also
    --------
    get_num_threads, set_num_threads

    Examples
    --------
    >>> from tabular_irl import show_config
    >>> info = show_config()  # doctest: +ELLIPSIS
    version          : ...
    kernels_compiled : ...
    kernels_path     : ...
    openmp           : ...
    num_threads      : ...
    cpu_count        : ...
    >>> list(info)
    ['version', 'kernels_compiled', 'kernels_path', 'openmp', 'num_threads', 'cpu_count']
    >>> show_config(print_out=False)["num_threads"] >= 1
    True
    """
    from . import __version__, _passes

    info = {
        "version": __version__,
        "kernels_compiled": _passes.kernels_path().endswith((".so", ".pyd")),
        "kernels_path": _passes.kernels_path(),
        "openmp": _passes.openmp_enabled(),
        "num_threads": get_num_threads(),
        "cpu_count": os.cpu_count(),
    }
    if print_out:
        width = max(map(len, info))
        for key, value in info.items():
            print(f"{key:<{width}} : {value}")
    return info
