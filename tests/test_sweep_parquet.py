"""Parquet results (tabular_irl.sweep._parquet): the rows of JSON Lines, resumable, read back everywhere.

Skipped without pyarrow, except the test that its absence is a clear ImportError.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from test_sweep import SPEC, results

from tabular_irl.sweep import cells as sweep_cells
from tabular_irl.sweep import read_rows, run_sweep, summarize
from tabular_irl.sweep import _parquet
from tabular_irl.sweep._parquet import journal_path

try:
    import pyarrow.parquet as pq
except ImportError:  # the [parquet] extra is optional
    pq = None
needs_pyarrow = pytest.mark.skipif(pq is None, reason="needs pyarrow (the [parquet] extra)")


def defined(rows):
    """Rows without their None fields: a field a row lacks reads back from Parquet as None (one schema)."""
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


@pytest.fixture(scope="module")
def jsonl_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("jsonl") / "results.jsonl"
    run_sweep(SPEC, out, progress=False)
    return out


@pytest.fixture(scope="module")
def jsonl_rows(jsonl_out):
    return results(jsonl_out)


@needs_pyarrow
def test_parquet_holds_the_rows_of_json_lines_to_the_bit(tmp_path, jsonl_out, jsonl_rows):
    out = tmp_path / "results.parquet"
    run = run_sweep(SPEC, out, progress=False)
    assert run.n_ok == 8
    assert not os.path.exists(journal_path(out))  # a clean end: the Parquet file alone holds the rows
    table = pq.read_table(out)
    assert table.num_rows == 8 and {"key", "status", "evd", "epic", "env_params"} <= set(table.column_names)
    rows = results(out)
    assert [r["key"] for r in rows] == [r["key"] for r in jsonl_rows]
    assert defined(rows) == defined(jsonl_rows)  # every metric, bit for bit; dicts back as dicts
    metrics = ["evd", "epic", "kl", "converged"]  # not the timing fields: they differ between two runs
    assert summarize(out, metrics=metrics).rows == summarize(jsonl_out, metrics=metrics).rows


@needs_pyarrow
def test_an_interrupted_parquet_sweep_resumes_with_exactly_the_missing_cells(tmp_path, monkeypatch, jsonl_rows):
    monkeypatch.setattr(_parquet, "REWRITE_EVERY", 4)  # rewrites mid-sweep, and at the interruption
    fit, options = sweep_cells.METHODS["mmp"]
    calls = []

    def interrupted_fit(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C inside the third mmp cell: 6 rows done
        return fit(*args)

    monkeypatch.setitem(sweep_cells.METHODS, "mmp", (interrupted_fit, options))
    out = tmp_path / "results.parquet"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, out, progress=False)
    assert pq.read_table(out).num_rows == 6 and not os.path.exists(journal_path(out))
    monkeypatch.setitem(sweep_cells.METHODS, "mmp", (fit, options))
    run = run_sweep(SPEC, out, progress=False)
    assert (run.n_skipped, run.n_ok, run.n_failed) == (6, 2, 0)
    assert defined(results(out)) == defined(jsonl_rows)  # no lost row, no duplicate


@needs_pyarrow
def test_a_killed_parquet_sweep_leaves_its_journal_and_resumes_from_it(tmp_path, jsonl_rows):
    # SIGKILL (no cleanup at all) after a few rows: the journal has them, the Parquet file is behind
    spec = {**SPEC, "seeds": [0, 1, 2, 3]}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    out = tmp_path / "results.parquet"
    journal = journal_path(out)
    process = subprocess.Popen([sys.executable, "-m", "tabular_irl", "sweep", str(tmp_path / "spec.json"),
                                "--out", str(out), "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=tmp_path)
    deadline = time.monotonic() + 60
    while (not os.path.exists(journal) or len(open(journal, "rb").read().splitlines()) < 3) \
            and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert os.path.exists(journal)
    with open(journal, "ab") as f:
        f.write(b'{"key": "half')  # killed while writing a row
    with pytest.warns(RuntimeWarning, match="half-written row"):
        done = len(read_rows(out))  # read from the journal: nothing written is lost
    assert 3 <= done < 16
    with pytest.warns(RuntimeWarning, match="half-written row.*runs again"):
        run = run_sweep(spec, out, progress=False)
    assert (run.n_skipped, run.n_ok) == (done, 16 - done)
    rows = results(out)
    assert len(rows) == 16 and len({r["key"] for r in rows}) == 16 and not os.path.exists(journal)
    keys = {r["key"] for r in jsonl_rows}
    assert defined([r for r in rows if r["key"] in keys]) == defined(jsonl_rows)
    print(f"SIGKILL after {done} of 16 rows in the journal; resumed: {run}")


@needs_pyarrow
def test_a_finished_parquet_file_resumes_and_no_resume_starts_afresh(tmp_path):
    spec = {**SPEC, "seeds": [0], "n_demos": [5]}
    out = tmp_path / "results.parquet"
    run_sweep(spec, out, progress=False)
    bigger = {**spec, "seeds": [0, 1]}
    run = run_sweep(bigger, out, progress=False)  # no journal: the file's rows start one
    assert (run.n_skipped, run.n_ok) == (2, 2)
    assert len(read_rows(out)) == 4
    run = run_sweep(spec, out, resume=False, progress=False)
    assert (run.n_skipped, run.n_ok) == (0, 2) and len(read_rows(out)) == 2


@needs_pyarrow
def test_sweep_report_cli_reads_parquet(tmp_path, capsys):
    from tabular_irl.cli import main

    out = tmp_path / "results.parquet"
    run_sweep({**SPEC, "n_demos": [5]}, out, progress=False)
    assert main(["sweep-report", str(out), "--metrics", "evd", "epic"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["method", "n", "failed", "evd", "evd_se", "epic", "epic_se"]
    assert [line.split("\t")[:3] for line in lines[1:]] == [["mce", "2", "0"], ["mmp", "2", "0"]]


def test_without_pyarrow_a_parquet_out_is_an_import_error_naming_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match=r'pip install "tabular_irl\[parquet\]"'):
        run_sweep(SPEC, tmp_path / "results.parquet", progress=False)
    assert os.listdir(tmp_path) == []  # before anything ran or was written
