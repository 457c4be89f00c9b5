"""Progress display for long iterative work (fits, studies, long solves).

One small object, :class:`Progress`, reports ``iteration`` and a few named
numbers (objective, gradient norm, ...) per iteration. Whether and how it
shows is the caller's ``progress`` argument:

* ``False``: never;
* ``True``: always, from the first iteration: a ``tqdm`` counter on a
  terminal when ``tqdm`` is installed (``pip install "tabular_irl[progress]"``),
  else plain lines on ``stderr``, at most one every :data:`_LINE_INTERVAL`
  seconds, plus the last iteration when the work ends;
* ``None`` (the default of every long call): on a terminal as ``True``, but
  only once the work has run :data:`_AUTO_DELAY` seconds; where ``stderr`` is
  not a terminal (a pipe, a CI log, ``nohup``), plain lines only (no ``tqdm``
  redraws), once the work has run :data:`_PIPE_DELAY` seconds, at most one
  every :data:`_PIPE_INTERVAL` seconds, each with the elapsed time (and the
  ETA when the number of iterations is known). ``TABULAR_IRL_PROGRESS=0``
  silences the automatic display (batch jobs); ``TABULAR_IRL_PROGRESS=1``
  turns it on as ``True`` would.

Examples
--------
>>> with progress_bar("fit", False) as bar:  # False: nothing is shown
...     for k in range(1, 4):
...         bar.update(k, objective=-1.0 / k)
"""

from __future__ import annotations

import os
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
# Automatic progress where stderr is not a terminal (logs): the first line after
# this many seconds of work, then at most one line per _PIPE_INTERVAL seconds.
_PIPE_DELAY = 5.0
_PIPE_INTERVAL = 10.0
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
    """``"objective -12.345678, max|gradient| 1.2e-05, failed 0"``: objectives to 8 digits, residuals to 2, counts whole."""
    return ", ".join(f"{name} {value}" if isinstance(value, (int, np.integer)) and not isinstance(value, bool)
                     else f"{name} {value:.8g}" if "objective" in name else f"{name} {value:.2e}"
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
    interval : float, optional
        Plain lines: at most one per this many seconds (:data:`_LINE_INTERVAL`).
    total : int, optional
        The number of iterations, when known: lines then show ``k/total`` and an ETA.
    plain : bool, default False
        Plain lines even when ``tqdm`` is installed (logs: no redraws).
    """

    def __init__(self, desc: str, *, delay: float = 0.0, stream: IO[str] | None = None,
                 interval: float | None = None, total: int | None = None, plain: bool = False) -> None:
        self.desc = desc
        self.stream = sys.stderr if stream is None else stream
        self._delay = delay
        self._interval = _LINE_INTERVAL if interval is None else interval
        self._total = total
        self._start = time.monotonic()
        self._last_line = -np.inf
        self._pending: str | None = None  # the latest update not yet written (plain lines)
        self._n = 0
        self._bar = None
        self._timed = plain  # log lines carry the elapsed time
        tqdm = None
        if not plain:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
        if tqdm is not None:
            self._bar = tqdm(desc=desc, total=total, unit="it", file=self.stream, leave=False, delay=delay,
                             mininterval=_TQDM_MININTERVAL, dynamic_ncols=True)

    def update(self, iteration: int, **values: float) -> None:
        """Record that ``iteration`` (1-based) finished with these named values."""
        self._n = int(iteration)
        text = _format(values)
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            self._bar.update(self._n - self._bar.n)
            return
        now = time.monotonic()
        where = f"iteration {self._n}" + (f"/{self._total}" if self._total else "")
        if self._timed:
            elapsed = now - self._start
            where += f", {elapsed:.1f} s"
            if self._total and self._n:
                where += f", ETA {elapsed * (self._total - self._n) / self._n:.0f} s"
        self._pending = f"{self.desc}: {where}" + (f": {text}" if text else "")
        if now - self._start >= self._delay and now - self._last_line >= self._interval:
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


def _environment_choice() -> bool | None:
    """``TABULAR_IRL_PROGRESS``: ``0`` -> False, ``1`` -> True, unset or anything else -> None."""
    value = os.environ.get("TABULAR_IRL_PROGRESS", "").strip().lower()
    return {"0": False, "false": False, "no": False, "off": False,
            "1": True, "true": True, "yes": True, "on": True}.get(value)


def progress_bar(desc: str, progress: bool | None, *, total: int | None = None) -> Progress | _Silent:
    """A :class:`Progress` for ``desc``, or a silent stand-in when ``progress`` says no.

    Parameters
    ----------
    desc : str
        What is running.
    progress : bool or None
        ``True``: show, from the first iteration. ``False``: show nothing.
        ``None``: automatic (the module docstring): on a terminal after
        :data:`_AUTO_DELAY` seconds; elsewhere plain timestamped lines after
        :data:`_PIPE_DELAY` seconds, one per :data:`_PIPE_INTERVAL` seconds at
        most; ``TABULAR_IRL_PROGRESS=0`` / ``1`` decides instead.
    total : int, optional
        The number of iterations, when known (an ETA is then shown).

    Returns
    -------
    Progress or a silent object with the same ``update`` / ``close`` methods.

    Examples
    --------
    >>> with progress_bar("fit", False) as bar:
    ...     bar.update(1, objective=-2.5)  # shows nothing: progress=False
    """
    progress = check_progress(progress)
    if progress is None:
        progress = _environment_choice()
        if progress is None:
            if _is_terminal(sys.stderr):
                return Progress(desc, delay=_AUTO_DELAY, total=total)
            return Progress(desc, delay=_PIPE_DELAY, interval=_PIPE_INTERVAL, total=total, plain=True)
    if progress is False:
        return _Silent()
    return Progress(desc, delay=0.0, total=total)
