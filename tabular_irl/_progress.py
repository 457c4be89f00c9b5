"""Progress display for long iterative work (IRL fits).

One small object, :class:`Progress`, reports ``iteration`` and a few named
numbers (objective, gradient norm, ...) per iteration:

* with ``tqdm`` installed (``pip install "tabular_irl[progress]"``): a
  ``tqdm`` counter on ``stderr`` showing the numbers as its postfix, removed
  when the work ends (the caller's own report follows);
* without it: plain lines on ``stderr``, at most one every
  :data:`_LINE_INTERVAL` seconds, plus the last iteration when the work ends.

Whether it shows at all is the caller's ``progress`` argument: ``True`` always,
``False`` never, ``None`` (the default of every fit) only when ``stderr`` is a
terminal, and then only once the work has run for :data:`_AUTO_DELAY` seconds,
so that quick fits, pipes, log files, CI and notebooks stay silent.

Examples
--------
>>> with progress_bar("fit", False) as bar:  # False: nothing is shown
...     for k in range(1, 4):
...         bar.update(k, objective=-1.0 / k)
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

import numpy as np

from ._validation import _describe

__all__ = ["Progress", "progress_bar", "check_progress"]

# Automatic progress (progress=None on a terminal) appears only for work that
# has run this long (seconds): a fit that finishes sooner prints nothing.
_AUTO_DELAY = 1.0
# Plain-line fallback: at most one line per this many seconds (a bounded rate
# however fast the iterations are).
_LINE_INTERVAL = 1.0
# tqdm redraws at most this often (seconds; tqdm's own default)
_TQDM_MININTERVAL = 0.1


def check_progress(progress: Any) -> bool | None:
    """Validate a ``progress`` argument: ``True``, ``False`` or ``None`` (automatic)."""
    if progress is None or isinstance(progress, (bool, np.bool_)):
        return None if progress is None else bool(progress)
    raise TypeError(f"progress must be True, False or None (automatic: on when stderr is a terminal), "
                    f"got {_describe(progress)}")


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _format(values: dict[str, float]) -> str:
    """``"objective -12.345678, max|gradient| 1.2e-05"``: objectives to 8 digits, residuals to 2."""
    return ", ".join(f"{name} {value:.8g}" if "objective" in name else f"{name} {value:.2e}"
                     for name, value in values.items())


class Progress:
    """Per-iteration progress of one piece of work, on ``stream`` (default ``sys.stderr``).

    Use :func:`progress_bar` to make one; call :meth:`update` once per
    iteration and :meth:`close` (or use it as a context manager) at the end.

    Parameters
    ----------
    desc : str
        What is running, e.g. ``"maxent_irl"``; starts every line.
    delay : float
        Seconds to wait before the first display.
    stream : file-like, optional
        Where to write; ``sys.stderr`` as it is when the object is made.
    """

    def __init__(self, desc: str, *, delay: float = 0.0, stream: IO[str] | None = None) -> None:
        self.desc = desc
        self.stream = sys.stderr if stream is None else stream
        self._delay = delay
        self._start = time.monotonic()
        self._last_line = -np.inf
        self._pending: str | None = None  # the latest update not yet written (plain lines)
        self._n = 0
        self._bar = None
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            self._bar = tqdm(desc=desc, total=None, unit="it", file=self.stream, leave=False, delay=delay,
                             mininterval=_TQDM_MININTERVAL, dynamic_ncols=True)

    def update(self, iteration: int, **values: float) -> None:
        """Record that ``iteration`` (1-based) finished with these named values."""
        self._n = int(iteration)
        text = _format(values)
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            self._bar.update(self._n - self._bar.n)
            return
        self._pending = f"{self.desc}: iteration {self._n}" + (f": {text}" if text else "")
        now = time.monotonic()
        if now - self._start >= self._delay and now - self._last_line >= _LINE_INTERVAL:
            self._write(self._pending, now)

    def _write(self, line: str, now: float) -> None:
        print(line, file=self.stream, flush=True)
        self._last_line = now
        self._pending = None

    def close(self) -> None:
        """End the display (plain lines: write the last iteration if it was held back)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._pending is not None and self._last_line > -np.inf:
            self._write(self._pending, time.monotonic())

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Silent:
    """The no-op stand-in when progress is off."""

    def update(self, iteration: int, **values: float) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def progress_bar(desc: str, progress: bool | None) -> Progress | _Silent:
    """A :class:`Progress` for ``desc``, or a silent stand-in when ``progress`` says no.

    Parameters
    ----------
    desc : str
        What is running.
    progress : bool or None
        ``True``: show, from the first iteration. ``False``: show nothing.
        ``None``: show only when ``sys.stderr`` is a terminal, after
        :data:`_AUTO_DELAY` seconds.

    Returns
    -------
    Progress or a silent object with the same ``update`` / ``close`` methods.

    Examples
    --------
    >>> with progress_bar("fit", False) as bar:
    ...     bar.update(1, objective=-2.5)  # shows nothing: progress=False
    """
    progress = check_progress(progress)
    if progress is False or (progress is None and not _is_terminal(sys.stderr)):
        return _Silent()
    return Progress(desc, delay=_AUTO_DELAY if progress is None else 0.0)
