"""Parquet results: a JSON Lines journal beside the file, the Parquet file rewritten from it.

A Parquet file cannot be appended to row by row: its footer, written last,
describes every row group, and one schema holds for all rows. Writing a row
group per finished cell would make files of thousands of one-row groups, and
a process killed mid-write leaves no footer, so nothing of the file could be
read. So ``run_sweep(spec, "results.parquet")`` keeps the JSON Lines
guarantees of :mod:`tabular_irl.sweep.store` and adds the Parquet file on top:

* every row is appended and flushed to the journal ``results.parquet.journal.jsonl``
  as its cell finishes (a crash loses at most the cells in flight, as with
  JSON Lines);
* every :data:`REWRITE_EVERY` rows, and when the sweep ends (finished or
  interrupted), the Parquet file is rewritten whole from the journal: to a
  temporary file, then renamed over it, so ``results.parquet`` is always a
  complete, readable file;
* after a clean end the journal is removed: ``results.parquet`` alone holds
  every row. A journal left behind (a crash) holds every row the Parquet file
  has and those since; :func:`read_rows_parquet` and resume read it in that
  case, so nothing written is lost. Resuming from a Parquet file without a
  journal starts a new journal from the file's rows.

In the file, a row's ``env_params`` and ``method_options`` (dicts whose keys
differ between rows) are JSON text; every other field is a column of its own.
The schema is the union of the rows' fields, so a field a row lacks (the
metrics of a failed row, the sampler diagnostics of another method) reads back
as ``None``: rows read back equal the rows written, up to fields that are
``None``.

Needs pyarrow (``pip install "tabular_irl[parquet]"``), imported only here.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .._validation import check_positive_int
from .store import ResultsFile, read_jsonl

__all__ = ["ParquetResults", "read_rows_parquet", "journal_path", "REWRITE_EVERY"]

# rows between two rewrites of the Parquet file (a rewrite costs a read and a write of every row so far)
REWRITE_EVERY = 64
# fields holding dicts with row-dependent keys: JSON text in the file
_JSON_FIELDS = ("env_params", "method_options")


def journal_path(path: str | os.PathLike) -> str:
    """The JSON Lines journal of a Parquet results file (module docstring)."""
    return os.fspath(path) + ".journal.jsonl"


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ImportError('a .parquet results file needs pyarrow: pip install "tabular_irl[parquet]" '
                          "(or write JSON Lines: --out results.jsonl)") from None
    return pyarrow, pyarrow.parquet


def _write_table(rows: list[dict[str, Any]], path: str) -> None:
    """Write ``rows`` to ``path`` as one Parquet file, atomically (a temporary file renamed over it)."""
    pa, pq = _pyarrow()
    encoded = [{k: (json.dumps(v) if k in _JSON_FIELDS else v) for k, v in row.items()} for row in rows]
    columns: dict[str, None] = {}  # the union of the rows' fields, in the order they first appear
    for row in encoded:
        columns.update(dict.fromkeys(row))
    # every row with every column: from_pylist would take the columns of the first row only
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in encoded])
    temporary = path + ".tmp"
    pq.write_table(table, temporary)
    os.replace(temporary, path)


def _read_table(path: str) -> list[dict[str, Any]]:
    _, pq = _pyarrow()
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        for field in _JSON_FIELDS:
            if isinstance(row.get(field), str):
                row[field] = json.loads(row[field])
    return rows


def read_rows_parquet(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every row of a Parquet results file: its journal's when one is left beside it (module docstring).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "results.parquet")
    >>> with ParquetResults(path, resume=True) as results:  # needs pyarrow
    ...     results.write({"key": "a", "status": "ok", "env_params": {"size": 4}, "evd": 0.5})
    >>> read_rows_parquet(path), os.path.exists(journal_path(path))  # needs pyarrow
    ([{'key': 'a', 'status': 'ok', 'env_params': {'size': 4}, 'evd': 0.5}], False)
    """
    path = os.fspath(path)
    journal = journal_path(path)
    if os.path.exists(journal):
        _pyarrow()  # the same requirement whichever file holds the rows
        return read_jsonl(journal)
    return _read_table(path)


class ParquetResults:
    """Write rows to a Parquet results file through its journal (module docstring); as :class:`ResultsFile`.

    Parameters
    ----------
    path : str or path-like
        The ``.parquet`` file.
    resume : bool
        Keep the rows already there (journal first, else the Parquet file);
        ``False`` starts afresh (removing both).
    rewrite_every : int, optional
        Rows between two rewrites of the Parquet file (default :data:`REWRITE_EVERY`).

    Attributes
    ----------
    done : set of str
        Keys of the rows with ``status == "ok"`` already written.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "results.parquet")
    >>> with ParquetResults(path, resume=True) as results:  # needs pyarrow
    ...     results.write({"key": "a", "status": "ok"})
    >>> with ParquetResults(path, resume=True) as again:  # needs pyarrow
    ...     again.done
    {'a'}
    """

    def __init__(self, path: str | os.PathLike, *, resume: bool, rewrite_every: int | None = None) -> None:
        _pyarrow()  # before anything runs or is written
        self.path = os.fspath(path)
        self.rewrite_every = check_positive_int(REWRITE_EVERY if rewrite_every is None else rewrite_every,
                                                "rewrite_every")
        journal = journal_path(self.path)
        seed_rows: list[dict[str, Any]] = []
        if not resume:
            for stale in (self.path, journal):
                if os.path.exists(stale):
                    os.remove(stale)
        elif not os.path.exists(journal) and os.path.exists(self.path):
            seed_rows = _read_table(self.path)  # a finished file resumed: its rows start a new journal
        self._journal = ResultsFile(journal, resume=resume)
        for row in seed_rows:
            self._journal.write(row)
        self._since_rewrite = 0

    @property
    def done(self) -> set[str]:
        return self._journal.done

    def write(self, row: dict[str, Any]) -> None:
        """Append one row to the journal (flushed); rewrite the Parquet file every ``rewrite_every`` rows."""
        self._journal.write(row)
        self._since_rewrite += 1
        if self._since_rewrite >= self.rewrite_every:
            self.flush()

    def flush(self) -> None:
        """Rewrite the Parquet file from the journal now."""
        _write_table(read_jsonl(self._journal.path), self.path)
        self._since_rewrite = 0

    def close(self) -> None:
        """Rewrite the Parquet file one last time and remove the journal: the file holds every row."""
        self._journal.close()
        self.flush()
        os.remove(self._journal.path)

    def __enter__(self) -> ParquetResults:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
