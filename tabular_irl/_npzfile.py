"""Reading the members of a ``.npz`` archive safely: each header checked before its data is read.

A file from a stranger can declare a member of any size (a crafted 8 MB file
can declare 8 GB of compressed zeros). :class:`NpzReader` reads each member's
``.npy`` header without decompressing its data, checks it against the zip
entry's declared size, the shape the caller allows and the memory available,
and only then reads the data; every error names the file and the field.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import Any

import numpy as np

from ._memory import check_fits

__all__ = ["NpzReader"]


class NpzReader:
    """Fields of one open ``.npz`` file, each read on demand with errors that name the file and field."""

    def __init__(self, npz: Any, where: str) -> None:
        self.npz, self.where = npz, where

    def error(self, what: str, problem: str) -> ValueError:
        return ValueError(f"{self.where}: {what} {problem}")

    def has(self, name: str) -> bool:
        return name in self.npz.files

    def declared(self, name: str) -> tuple[tuple[int, ...], np.dtype]:
        """``(shape, dtype)`` from the member's ``.npy`` header, read without decompressing its data.

        The header must agree with the size the zip entry declares, so that a
        member cannot claim one size and hold another.
        """
        member = self.npz.zip.getinfo(f"{name}.npy")
        try:
            with self.npz.zip.open(member) as fh:
                version = np.lib.format.read_magic(fh)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(fh)
                header_bytes = fh.tell()
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise self.error(f"field {name!r}", f"cannot be read ({type(exc).__name__}: {exc})") from exc
        data_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if not dtype.hasobject and member.file_size != header_bytes + data_bytes:
            raise self.error(f"field {name!r}", f"declares shape {shape} of {dtype} ({data_bytes:,} bytes) in its "
                                                f"header, but the archive stores {member.file_size - header_bytes:,} "
                                                "bytes of data for it")
        return shape, dtype

    def array(self, name: str, kinds: str, ndims: tuple[int, ...], *, max_entries: int | None = None,
              shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Field ``name``, its header checked before its data is read.

        ``max_entries``: the most entries the format allows it given the
        fields read so far; ``shape``: the exact shape it must have. A member
        beyond either (or beyond the memory available) is refused from its
        header alone, without allocating what it declares.
        """
        if not self.has(name):
            raise self.error(f"field {name!r}", "is missing")
        declared, dtype = self.declared(name)
        entries = int(np.prod(declared, dtype=object))
        if shape is not None and declared != shape and not (declared == (1,) and shape == ()):
            if len(shape) == len(declared) == 1:
                raise self.error(f"field {name!r}:", f"{name} must have length {shape[0]}, got length {declared[0]}")
            raise self.error(f"field {name!r}", f"must have shape {shape}, its header declares {declared}")
        if max_entries is not None and entries > max_entries:
            raise self.error(f"field {name!r}", f"declares {entries:,} entries (shape {declared}), more than the "
                                                f"{max_entries:,} the format allows here")
        try:
            check_fits(entries * dtype.itemsize, f"field {name!r} of {self.where} (shape {declared}, {dtype})",
                       "this file cannot be read on this machine")
        except MemoryError as exc:
            raise self.error(f"field {name!r}", f"cannot be read: {exc}") from None
        try:
            arr = self.npz[name]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise self.error(f"field {name!r}", f"cannot be read ({type(exc).__name__}: {exc})") from exc
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in kinds or arr.dtype.fields is not None:
            expected = {"iu": "integer", "iuf": "real", "US": "string"}.get(kinds, kinds)
            raise self.error(f"field {name!r}", f"must hold {expected} values, got dtype {arr.dtype}")
        if arr.ndim not in ndims:
            if 0 in ndims and arr.shape == (1,):
                return arr.reshape(())
            want = " or ".join("a scalar (0-d)" if n == 0 else f"{n}-d" for n in ndims)
            raise self.error(f"field {name!r}", f"must be {want}, got shape {arr.shape}")
        return arr

    def string(self, name: str) -> str:
        value = self.array(name, "US", (0,))[()]
        if isinstance(value, bytes):
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise self.error(f"field {name!r}", f"is not UTF-8 text: {exc}") from exc
        return str(value)

    def scalar(self, name: str, kinds: str) -> Any:
        return self.array(name, kinds, (0,))[()].item()

    def check(self, what: str, fn: Any, *args: Any) -> Any:
        """``fn(*args)``, its ``ValueError`` / ``TypeError`` re-raised as a ``ValueError`` naming ``what``."""
        try:
            return fn(*args)
        except (ValueError, TypeError) as exc:
            raise self.error(what, f"is invalid: {exc}") from exc
