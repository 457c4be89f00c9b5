"""Memory up front: the bytes an output needs, checked against the memory available before allocating.

A request whose outputs cannot fit fails at once with a ``MemoryError`` that
names the output, the bytes it needs, the bytes available and the way out,
instead of swapping, being killed, or failing minutes later inside NumPy.
The limit is ``TABULAR_IRL_MEMORY_LIMIT`` (bytes, or with a K/M/G/T suffix)
when set, else the memory the operating system reports as available.
"""

from __future__ import annotations

import os

__all__ = ["available_memory", "check_fits", "human_bytes"]


def _parse_bytes(text: str) -> int | None:
    """``"8G"``, ``"512M"``, ``"1e9"`` -> bytes; None when it does not parse."""
    text = text.strip().upper().removesuffix("B")
    scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(text[-1:], 1)
    try:
        value = float(text[:-1] if scale > 1 else text)
    except ValueError:
        return None
    return int(value * scale) if value > 0 else None


# Requests below this many bytes are not worth asking the operating system about
# (reading /proc/meminfo costs ~0.1 ms: more than a small pass); a user's
# TABULAR_IRL_MEMORY_LIMIT is still applied to them.
_ASK_THE_SYSTEM_ABOVE = 64 * 2**20


def _user_limit() -> int | None:
    return _parse_bytes(os.environ.get("TABULAR_IRL_MEMORY_LIMIT", ""))


def available_memory() -> int | None:
    """Bytes an allocation may take: ``TABULAR_IRL_MEMORY_LIMIT`` if set, else the OS's available memory.

    ``MemAvailable`` of ``/proc/meminfo`` on Linux, the free physical pages
    elsewhere; None when neither can be read (then nothing is refused).
    """
    limit = _user_limit()
    if limit is not None:
        return limit
    return _system_available()


def _system_available() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def human_bytes(n: float) -> str:
    """``"51.2 MB"``, ``"67.1 GB"``, ``"7,290 TB"``: three significant digits below a terabyte."""
    if n >= 1e12:
        return f"{n / 1e12:,.0f} TB" if n >= 1e14 else f"{n / 1e12:.3g} TB"
    if n >= 1e8:
        return f"{n / 1e9:.3g} GB"
    if n >= 1e5:
        return f"{n / 1e6:.3g} MB"
    return f"{n / 1e3:.3g} kB" if n >= 1e3 else f"{n:.0f} B"


def check_fits(nbytes: int, what: str, way_out: str) -> None:
    """Raise ``MemoryError`` when ``nbytes`` (an output about to be allocated) cannot fit.

    The message names the output, the bytes it needs, the bytes available and
    ``way_out`` (how to avoid it), so that a request fails at once instead of
    swapping or being killed.
    """
    free = _user_limit()
    if free is None:
        if nbytes < _ASK_THE_SYSTEM_ABOVE:
            return
        free = _system_available()
    if free is not None and nbytes > free:
        raise MemoryError(f"{what} needs {human_bytes(nbytes)}, more than the {human_bytes(free)} of memory available "
                          f"(TABULAR_IRL_MEMORY_LIMIT or the system's); {way_out}")
