"""Result arrays formed on first access: what a plan or a visitation holds but nobody may read.

A :class:`~tabular_irl.SoftPlan` keeps ``V`` and forms its ``(T, S, A)`` ``Q``
and ``policy`` only when they are read; a :class:`~tabular_irl.Visitation`
made from a plan does the same for ``state_action``. Each array is formed
once, cached, and read-only, with the bits it would have had if it had been
formed eagerly.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validation import readonly

__all__ = ["LazyArrays", "readonly"]  # readonly re-exported: its home is _validation


class LazyArrays:
    """Named arrays of one result: those given, and those ``form(name)`` makes on first access (then cached).

    A result object holds one of these as a dataclass field (so that
    ``dataclasses.replace`` carries it over); it takes no part in ``repr``
    or equality.
    """

    __slots__ = ("_arrays", "_form")

    def __init__(self, arrays: dict[str, np.ndarray | None], form: Callable[[str], np.ndarray] | None = None):
        readonly(*arrays.values())
        self._arrays = {k: v for k, v in arrays.items() if v is not None}
        self._form = form

    def get(self, name: str) -> np.ndarray:
        arr = self._arrays.get(name)
        if arr is None:
            if self._form is None:
                raise AttributeError(f"{name} was neither given nor can be formed")
            arr = self._form(name)
            readonly(arr)
            self._arrays[name] = arr
        return arr

    def formed(self, name: str) -> np.ndarray | None:
        """The array if it exists already, else None (never forms it)."""
        return self._arrays.get(name)
