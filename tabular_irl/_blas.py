"""BLAS threads: one thread for a block of code, or whichever count a repeated step measures faster.

NumPy's and SciPy's BLAS start one thread per core. On an idle machine that
makes a large dense factorisation faster (a 32x32 grid's interior-point
Newton system: about 1.4 times on two cores); with a busy neighbour the
threads wait for each other and the same factorisation takes twice as long
as on one thread. :class:`BlasPace` measures instead of guessing, like the
kernels' own pace (``_pace`` in ``csrc/_kernels.pyx``): for a step repeated many
times it tries both and keeps the faster, all threads only when they are at
least 5% faster, and tries the other again every few steps. Thread counts
are set through threadpoolctl; without it (an install without the package's
dependencies) nothing changes.

"All threads" is the caller's setting: inside ``blas_threads(1)`` both
choices are one thread. BLAS thread counts are process-wide: two paced loops
in threads of one process set them for each other (each still gets its
answers right, only its timings are mixed).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["BlasPace", "blas_threads"]

# All threads only when measured this much faster than one (the kernels' rule, csrc/_kernels.pyx).
_PARALLEL_GAIN = 0.95


def _controller():
    """threadpoolctl's controller of the loaded BLAS libraries, or None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def blas_threads(limit: int | None, controller=None) -> Iterator[None]:
    """BLAS at ``limit`` threads inside the block (``None``: as the caller has it); restored afterwards."""
    if limit is None:
        yield
        return
    if controller is None:  # (not `or`: a controller of no libraries is falsy)
        controller = _controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=limit, user_api="blas"):
        yield


class BlasPace:
    """All BLAS threads or one for each repetition of a step, whichever was measured faster.

    Use as ``with pace.step(): ...`` around each repetition, and
    :meth:`record` the seconds of its BLAS-bound part inside the block. The
    first repetition runs on one thread unmeasured (it pays for first
    touches of memory), the second on one thread, the third on all; then the
    faster (all threads only when at least 5% faster). The other is tried
    again after ``probe_every`` repetitions, then twice as long after each
    probe that confirms the choice (a neighbour starting or stopping mid-run
    is still noticed; a settled choice pays for few probes).
    """

    def __init__(self, probe_every: int = 8):
        self.probe_every = int(probe_every)
        self.seconds: dict[int | None, float] = {}  # latest measurement per choice (None: the caller's threads)
        self._count = 0
        self._current: int | None = None
        self._probing = False
        self._interval = self.probe_every
        self._next_probe = 3 + self.probe_every
        self._controller = _controller()

    def _best(self) -> int | None:
        return None if self.seconds[None] <= _PARALLEL_GAIN * self.seconds[1] else 1

    def choice(self) -> int | None:
        """Threads for the next repetition: ``None`` (all) or ``1``."""
        if self._controller is None:
            return None
        if self._count < 2 or 1 not in self.seconds:
            return 1
        if None not in self.seconds:
            return None
        best = self._best()
        if self._count >= self._next_probe:
            return 1 if best is None else None
        return best

    @contextlib.contextmanager
    def step(self) -> Iterator[None]:
        """Run one repetition on the chosen number of BLAS threads."""
        self._current = self.choice()
        self._probing = self._count >= self._next_probe and len(self.seconds) == 2
        before = self._best() if self._probing else None
        try:
            with blas_threads(self._current, self._controller):
                yield
        finally:
            if self._probing:  # the probe changed the choice: probe again soon; confirmed it: later
                self._interval = self.probe_every if self._best() != before else 2 * self._interval
                self._next_probe = self._count + self._interval
            self._count += 1

    def record(self, seconds: float) -> None:
        """The seconds the BLAS-bound part of the current repetition took."""
        if self._count >= 1:  # the first repetition warms up
            self.seconds[self._current] = float(seconds)
