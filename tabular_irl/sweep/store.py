"""Results that survive: one JSON object per line, appended and flushed per finished cell.

A crash, a killed machine or Ctrl-C loses at most the cells in flight and,
at worst, leaves a half-written last line. :func:`read_rows` reads a results
file back; :class:`ResultsFile` appends to one. On resume:

* rows with ``status == "ok"`` are done: their keys are skipped;
* rows with ``status == "failed"`` are retried (their new row is appended;
  readers keep the last row of each key);
* a last line that is not a complete JSON object (the row being written when
  the process died) is reported with a warning and cut off, so the next row
  starts on a line of its own. A bad line anywhere else is not a crash
  artefact: it is a ``ValueError`` naming the line, and nothing is changed.

Rows are written with :func:`json.dumps` (floats round-trip exactly;
an infinite KL divergence is written ``Infinity``, which Python's :mod:`json`
reads back).
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

__all__ = ["read_rows", "latest_rows", "ResultsFile"]


def _parse(lines: list[bytes], path: str) -> tuple[list[dict], int | None]:
    """``(rows, byte offset of a half-written last line or None)``."""
    rows, offset = [], 0
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or "key" not in row or "status" not in row:
                raise ValueError("not a result row (a JSON object with 'key' and 'status')")
        except ValueError as exc:
            if number == len(lines):
                return rows, offset
            raise ValueError(f"{path}: line {number} is not a result row ({exc}); only the last line of a "
                             "results file can be half-written, so this file was changed by something else")
        rows.append(row)
        offset += len(line)
    return rows, None


def _read(path: str) -> tuple[list[dict], int | None, int]:
    with open(path, "rb") as f:
        data = f.read()
    lines = data.splitlines(keepends=True)
    rows, bad = _parse(lines, path)
    return rows, bad, len(data)


def _warn_half_line(path: str, line: int, size: int, action: str) -> None:
    warnings.warn(f"{path}: line {line} is a half-written row ({size} bytes, the cell in flight when the "
                  f"sweep stopped): {action}", RuntimeWarning, stacklevel=3)


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def read_rows(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every complete row of a results file, in file order (a half-written last line is reported and skipped).

    Parameters
    ----------
    path : str or path-like
        A JSON Lines file written by :func:`tabular_irl.sweep.run_sweep`, or
        a ``.parquet`` one (``tabular_irl.sweep._parquet``: its journal
        when a crash left one beside it; needs pyarrow).

    Returns
    -------
    list of dict

    Raises
    ------
    ValueError
        A line other than the last is not a result row.

    See Also
    --------
    run_sweep : writes them.
    summarize : averages them.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> with open(path, "w") as f:
    ...     _ = f.write('{"key": "a", "status": "ok"}\\n{"key": "b", "sta')  # died while writing b
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     rows = read_rows(path)
    >>> rows, str(caught[0].message).split(": ")[1]
    ([{'key': 'a', 'status': 'ok'}], 'line 2 is a half-written row (17 bytes, the cell in flight when the sweep stopped)')
    """
    if _is_parquet(path):
        from ._parquet import read_rows_parquet

        return read_rows_parquet(path)
    return read_jsonl(path)


def _is_parquet(path: str | os.PathLike) -> bool:
    return os.fspath(path).lower().endswith(".parquet")


def read_jsonl(path: str | os.PathLike) -> list[dict[str, Any]]:
    """:func:`read_rows` of a JSON Lines file."""
    path = os.fspath(path)
    rows, bad, size = _read(path)
    if bad is not None:
        _warn_half_line(path, len(rows) + 1, size - bad, "ignored")
    return rows


def latest_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last row of each key, in the order keys last appear (a retried cell's new row wins).

    Examples
    --------
    >>> latest_rows([{"key": "a", "status": "failed"}, {"key": "b", "status": "ok"}, {"key": "a", "status": "ok"}])
    [{'key': 'b', 'status': 'ok'}, {'key': 'a', 'status': 'ok'}]
    """
    latest: dict[str, dict] = {}
    for row in rows:
        latest.pop(row["key"], None)
        latest[row["key"]] = row
    return list(latest.values())


class ResultsFile:
    """Append rows to a JSON Lines results file, one flushed line per row.

    Parameters
    ----------
    path : str or path-like
    resume : bool
        Keep the rows already there (cutting off a half-written last line);
        ``False`` starts the file afresh.

    Attributes
    ----------
    done : set of str
        Keys of the rows with ``status == "ok"`` already in the file.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> with ResultsFile(path, resume=True) as results:
    ...     results.write({"key": "a", "status": "ok"})
    >>> with ResultsFile(path, resume=True) as again:  # resume: what is done already
    ...     again.done
    {'a'}
    """

    def __init__(self, path: str | os.PathLike, *, resume: bool) -> None:
        self.path = os.fspath(path)
        self.done: set[str] = set()
        if resume and os.path.exists(self.path):
            rows, bad, size = _read(self.path)
            if bad is not None:
                _warn_half_line(self.path, len(rows) + 1, size - bad, "removed; that cell runs again")
                with open(self.path, "r+b") as f:
                    f.truncate(bad)
            elif size and not _ends_with_newline(self.path):
                with open(self.path, "ab") as f:  # a complete last row cut before its newline
                    f.write(b"\n")
            self.done = {r["key"] for r in latest_rows(rows) if r["status"] == "ok"}
        self._file = open(self.path, "a" if resume else "w", encoding="utf-8")

    def write(self, row: dict[str, Any]) -> None:
        """Append one row and flush it to the operating system (it survives the process).

        Examples
        --------
        >>> import os, tempfile
        >>> results = ResultsFile(os.path.join(tempfile.mkdtemp(), "r.jsonl"), resume=False)
        >>> results.write({"key": "a", "status": "failed", "error": "ValueError: ..."})
        >>> results.write({"key": "b", "status": "ok", "error": None})
        >>> results.done  # failed cells are not done: a resume runs them again
        {'b'}
        >>> results.close()
        """
        self._file.write(json.dumps(row, sort_keys=False) + "\n")
        self._file.flush()
        if row.get("status") == "ok":
            self.done.add(row["key"])

    def close(self) -> None:
        """Close the file (rows are already flushed).

        Examples
        --------
        >>> import os, tempfile
        >>> results = ResultsFile(os.path.join(tempfile.mkdtemp(), "r.jsonl"), resume=False)
        >>> results.close()
        """
        self._file.close()

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_results(path: str | os.PathLike, *, resume: bool) -> Any:
    """The writer of a results file: :class:`ResultsFile` (JSON Lines), or for ``.parquet``
    ``tabular_irl.sweep._parquet.ParquetResults`` (an ``ImportError`` without pyarrow)."""
    if _is_parquet(path):
        from ._parquet import ParquetResults

        return ParquetResults(path, resume=resume)
    return ResultsFile(path, resume=resume)
