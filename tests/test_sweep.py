"""Known-truth sweeps (tabular_irl.sweep): specs, keys, resumable results, engines, summaries.

Real engines, no mocks: the serial loop, a real process pool, a real CLI
subprocess interrupted with SIGINT. The one injected fault is a method that
raises ``KeyboardInterrupt`` from inside its k-th cell, standing for Ctrl-C.
(The Dask engine has its own module, test_sweep_dask.py, skipped without Dask.)
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tabular_irl.sweep import cells as sweep_cells
from tabular_irl.sweep import expand, load_spec, read_rows, run_cell, run_sweep, summarize
from tabular_irl.sweep.cells import TIMING_FIELDS
from tabular_irl.sweep.spec import cell_key

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# 8 small cells (3x3 gridworld, 4 decisions): about 0.2 s each
SPEC = {
    "seeds": [0, 1],
    "n_demos": [5, 20],
    "horizon": 4,
    "environments": [{"kind": "gridworld", "rows": 3, "slip": 0.2}],
    "methods": [{"name": "mce", "l2": 0.1}, {"name": "mmp"}],
}


def results(path):
    """The rows of a results file without the fields that measure the run (time, memory), sorted by key."""
    rows = [{k: v for k, v in row.items() if k not in TIMING_FIELDS} for row in read_rows(path)]
    return sorted(rows, key=lambda r: r["key"])


@pytest.fixture(scope="module")
def serial_out(tmp_path_factory):
    """The results of SPEC run serially (copy it before changing it)."""
    out = tmp_path_factory.mktemp("serial") / "results.jsonl"
    run = run_sweep(SPEC, out, progress=False)
    assert (run.n_cells, run.n_ok, run.n_failed, run.n_skipped) == (8, 8, 0, 0)
    return out


@pytest.fixture(scope="module")
def serial_rows(serial_out):
    return results(serial_out)


# -- specs and keys -------------------------------------------------------------------


def test_cells_have_distinct_stable_keys():
    cells = expand(SPEC)
    assert len(cells) == 8
    assert len({c.key for c in cells}) == 8
    assert [c.key for c in cells] == [c.key for c in expand(SPEC)]
    # a builder's seed defaults to the cell's (one world per seed); given, it fixes the world
    worlds = expand({**SPEC, "environments": [{"kind": "objectworld", "size": 4}]})
    assert {c.seed: c.environment["seed"] for c in worlds} == {0: 0, 1: 1}
    fixed = expand({**SPEC, "environments": [{"kind": "objectworld", "size": 4, "seed": 7}]})
    assert {c.environment["seed"] for c in fixed} == {7}


def test_key_hashes_the_parameters_and_the_version():
    params = {"seed": 0, "n_demos": 5}
    assert cell_key(params) == cell_key(dict(reversed(params.items())))  # order does not matter
    assert cell_key(params) != cell_key({**params, "seed": 1})
    assert cell_key(params) != cell_key(params, version="0.0.0")


def test_labels_are_not_part_of_the_key():
    labelled = {**SPEC, "methods": [{"name": "mce", "l2": 0.1, "label": "MCE"}, {"name": "mmp"}]}
    assert [c.key for c in expand(labelled)] == [c.key for c in expand(SPEC)]
    assert expand(labelled)[0].method_label == "MCE"


@pytest.mark.parametrize("change, names", [
    ({"seed": [0]}, ["'seed'", "'seeds'", "'n_demos'"]),
    ({"environments": [{"kind": "gridwrld"}]}, ["'gridwrld'", "'gridworld'", "'objectworld'"]),
    ({"environments": [{"kind": "gridworld", "size": 3}]}, ["'size'", "(gridworld)", "'rows'", "'slip'"]),
    ({"methods": [{"name": "maxentt"}]}, ["'maxentt'", "'maxent'", "'mce'", "'lp'"]),
    ({"methods": [{"name": "maxnet"}]}, ["methods[0] 'name': unknown method 'maxnet' (did you mean 'maxent'",
                                         "valid names: 'maxent', 'mce'", "'gail'", "'bayesian'"]),
    ({"methods": [{"name": "mmp", "l1": 1.0}]}, ["'l1'", "methods[0] (mmp)", "'C'", "'loss'"]),
    ({"expert": "greedy"}, ["'greedy'", "'soft'", "'optimal'"]),
])
def test_a_bad_spec_fails_before_anything_runs_naming_the_key(tmp_path, change, names):
    spec = {**SPEC, **change}
    out = tmp_path / "results.jsonl"
    with pytest.raises(ValueError) as info:
        run_sweep(spec, out, progress=False)
    for name in names:
        assert name in str(info.value)
    assert not out.exists()


def test_an_environment_that_cannot_be_built_fails_before_anything_runs(tmp_path):
    spec = {**SPEC, "environments": [{"kind": "objectworld", "size": 4, "features": "nonesuch"}]}
    with pytest.raises(ValueError, match="objectworld.*cannot be built.*nonesuch"):
        run_sweep(spec, tmp_path / "results.jsonl", progress=False)
    assert not (tmp_path / "results.jsonl").exists()


def test_load_spec_reads_toml_and_json(tmp_path):
    (tmp_path / "spec.toml").write_text(
        'seeds = [0, 1]\nn_demos = [5, 20]\nhorizon = 4\n'
        '[[environments]]\nkind = "gridworld"\nrows = 3\nslip = 0.2\n'
        '[[methods]]\nname = "mce"\nl2 = 0.1\n[[methods]]\nname = "mmp"\n')
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    keys = [c.key for c in expand(SPEC)]
    assert [c.key for c in expand(load_spec(tmp_path / "spec.toml"))] == keys
    assert [c.key for c in expand(load_spec(tmp_path / "spec.json"))] == keys
    (tmp_path / "bad.toml").write_text("seeds = [0,\n")
    with pytest.raises(ValueError, match="bad.toml: not a valid sweep spec"):
        load_spec(tmp_path / "bad.toml")


def test_the_example_spec_is_valid():
    cells = expand(load_spec(EXAMPLES / "sweep_objectworld_evd.toml"))
    assert {c.method_label for c in cells} == {"maxent", "mmp", "lp", "apprenticeship"}
    assert len({c.key for c in cells}) == len(cells)


# -- one cell ---------------------------------------------------------------------------


def test_a_cell_gives_the_same_numbers_twice():
    cell = expand(SPEC)[0]
    first, second = run_cell(cell), run_cell(cell)
    for name in TIMING_FIELDS:
        first.pop(name), second.pop(name)
    assert first == second
    assert first["status"] == "ok" and first["error"] is None


def test_a_cell_measures_against_the_truth():
    row = run_cell(expand(SPEC)[1])
    for name in ("evd", "evd_policy", "kl", "total_variation", "reward_correlation", "converged", "n_iter"):
        assert row[name] is not None, name
    assert 0.0 <= row["total_variation"] <= 1.0
    assert -1.0 <= row["reward_correlation"] <= 1.0
    assert row["epic"] is None or 0.0 <= row["epic"] <= 1.0  # None: a constant learned reward has no distance
    assert row["wall_time"] > 0
    assert isinstance(row["peak_memory"], int) and row["peak_memory"] >= 0  # 0: the cell fit in memory already held


def test_peak_memory_sees_what_a_cell_allocates():
    import numpy as np

    out = {}
    with sweep_cells._peak_memory(out):
        block = np.ones(50_000_000 // 8)  # 50 MB, touched
        del block
    assert 45_000_000 <= out["peak_memory"] <= 500_000_000


# -- results that survive ---------------------------------------------------------------


def test_a_failing_cell_is_recorded_and_retried_on_resume(tmp_path):
    # the non-causal model is undiscounted only: a discounted maxent cell fails (a ValueError saying why)
    spec = {**SPEC, "seeds": [0], "n_demos": [5], "discount": 0.9,
            "methods": [{"name": "maxent"}, {"name": "mmp"}]}
    out = tmp_path / "results.jsonl"
    run = run_sweep(spec, out, progress=False)
    assert (run.n_ok, run.n_failed) == (1, 1)
    failed = [r for r in read_rows(out) if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["method"] == "maxent"
    assert failed[0]["error"].startswith("ValueError:") and "causal" in failed[0]["error"]
    again = run_sweep(spec, out, progress=False)
    assert (again.n_skipped, again.n_ok, again.n_failed) == (1, 0, 1)  # only the failed cell ran again
    assert len(read_rows(out)) == 3


def test_a_serial_sweep_runs_its_cells_with_blas_on_one_thread(tmp_path, monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    if not before:
        pytest.skip("NumPy links no BLAS that threadpoolctl sees")
    fit, options = sweep_cells.METHODS["mmp"]
    seen = []

    def recording_fit(*args):
        seen.append(blas_threads())
        return fit(*args)

    monkeypatch.setitem(sweep_cells.METHODS, "mmp", (recording_fit, options))
    run_sweep({**SPEC, "methods": [{"name": "mmp"}]}, tmp_path / "results.jsonl", progress=False)
    assert seen == [[1] * len(before)] * 4  # inside every cell
    assert blas_threads() == before  # and the caller's settings back afterwards


def test_serial_and_processes_give_identical_rows(tmp_path, serial_rows):
    out = tmp_path / "results.jsonl"
    run = run_sweep(SPEC, out, engine="processes", workers=2, progress=False)
    assert run.n_ok == 8
    assert results(out) == serial_rows


def test_an_interrupted_sweep_resumes_with_exactly_the_missing_cells(tmp_path, monkeypatch, serial_rows):
    fit, options = sweep_cells.METHODS["mmp"]
    calls = []

    def interrupted_fit(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C inside the third mmp cell
        return fit(*args)

    monkeypatch.setitem(sweep_cells.METHODS, "mmp", (interrupted_fit, options))
    out = tmp_path / "results.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, out, progress=False)
    # cells in order: mce x 4, then mmp: 4 + 2 rows written before the interruption
    written = results(out)
    assert len(written) == 6
    monkeypatch.setitem(sweep_cells.METHODS, "mmp", (fit, options))
    run = run_sweep(SPEC, out, progress=False)
    assert (run.n_skipped, run.n_ok, run.n_failed) == (6, 2, 0)
    assert results(out) == serial_rows  # no lost row, no duplicate, same numbers
    print(f"interrupted inside cell 7 of 8 with 6 rows written; resumed: {run}")


def test_sigint_to_the_cli_then_resume(tmp_path, serial_rows):
    # 128 cells, about 3 s: the signal must arrive mid-run even when this process is slow to notice the rows
    # (with 16 cells, under load, the sweep once finished before the signal)
    spec = {**SPEC, "seeds": list(range(32))}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    out = tmp_path / "results.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "tabular_irl", "sweep", str(tmp_path / "spec.json"),
                                "--out", str(out), "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=tmp_path)  # not the checkout: the installed package is the one imported
    deadline = time.monotonic() + 60
    while (not out.exists() or len(out.read_bytes().splitlines()) < 2) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()
    assert "interrupted" in stderr.decode()
    done = len(read_rows(out))
    assert 2 <= done < 128
    run = run_sweep(spec, out, progress=False)
    assert (run.n_skipped, run.n_ok) == (done, 128 - done)
    rows = results(out)
    assert len(rows) == 128 and len({r["key"] for r in rows}) == 128
    keys = {r["key"] for r in serial_rows}
    assert [r for r in rows if r["key"] in keys] == serial_rows  # the cells shared with SPEC: same numbers
    print(f"SIGINT to 'tabular-irl sweep' after {done} of 128 rows: exit 130; resumed: {run}")


def test_a_half_written_last_line_is_reported_and_ignored(tmp_path, serial_out, serial_rows):
    out = tmp_path / "results.jsonl"
    lines = serial_out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # the last row cut in half
    with pytest.warns(RuntimeWarning, match="line 8 is a half-written row"):
        assert len(read_rows(out)) == 7
    with pytest.warns(RuntimeWarning, match="line 8 is a half-written row.*runs again"):
        run = run_sweep(SPEC, out, progress=False)
    assert (run.n_skipped, run.n_ok) == (7, 1)
    assert results(out) == serial_rows
    print(f"last row cut in half; resumed: {run}")


def test_a_bad_line_before_the_last_is_an_error(tmp_path, serial_out):
    out = tmp_path / "results.jsonl"
    lines = serial_out.read_bytes().splitlines(keepends=True)
    out.write_bytes(lines[0] + b"{not json\n" + b"".join(lines[1:]))
    with pytest.raises(ValueError, match="line 2 is not a result row"):
        run_sweep(SPEC, out, progress=False)
    assert out.read_bytes() == lines[0] + b"{not json\n" + b"".join(lines[1:])  # left as it was


def test_no_resume_starts_afresh(tmp_path):
    out = tmp_path / "results.jsonl"
    spec = {**SPEC, "seeds": [0], "n_demos": [5]}
    run_sweep(spec, out, progress=False)
    run = run_sweep(spec, out, resume=False, progress=False)
    assert (run.n_skipped, run.n_ok) == (0, 2)
    assert len(read_rows(out)) == 2


def test_bad_engine_fails_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="engine must be None, one of 'serial', 'processes', 'dask'"):
        run_sweep(SPEC, tmp_path / "results.jsonl", engine="threads", progress=False)
    assert not (tmp_path / "results.jsonl").exists()


# -- summaries and plots ----------------------------------------------------------------


def test_summarize_gives_mean_and_standard_error_over_seeds(serial_rows):
    table = summarize(serial_rows, by=["method", "n_demos"], metrics=["evd"])
    assert table.columns == ("method", "n_demos", "n", "failed", "evd", "evd_se")
    assert len(table.rows) == 4
    for method, n_demos, n, failed, mean, se in table.rows:
        values = [r["evd"] for r in serial_rows if r["method"] == method and r["n_demos"] == n_demos]
        assert (n, failed) == (2, 0)
        assert mean == pytest.approx(sum(values) / 2, rel=1e-12)
        assert se == pytest.approx(abs(values[0] - values[1]) / 2, rel=1e-9)  # sd / sqrt(2) for two values


def test_sweep_report_cli_prints_the_table_and_draws_the_figure(tmp_path, serial_out, capsys):
    pytest.importorskip("matplotlib")
    from tabular_irl.cli import main

    assert main(["sweep-report", str(serial_out), "--plot", str(tmp_path / "fig.png")]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split("\t")[:4] == ["method", "n_demos", "n", "failed"]
    assert (tmp_path / "fig.png").stat().st_size > 1000


# -- environments from files and Gymnasium ------------------------------------------------


def test_an_mdp_file_environment_is_keyed_by_its_content(tmp_path):
    from tabular_irl import gridworld
    from tabular_irl.io import save_mdp

    world = gridworld(3, slip=0.2)
    save_mdp(tmp_path / "grid.npz", world.mdp, features=world.features, reward=world.reward)
    (tmp_path / "spec.toml").write_text('seeds = 0\nn_demos = 10\nhorizon = 4\n[[environments]]\nkind = "file"\n'
                                        'path = "grid.npz"\n[[methods]]\nname = "mmp"\n')
    spec = load_spec(tmp_path / "spec.toml")  # the path is relative to the spec's folder
    cell = expand(spec)[0]
    assert cell.environment["path"] == str(tmp_path / "grid.npz")
    gridworld_cell = expand({**SPEC, "seeds": 0, "n_demos": 10, "methods": [{"name": "mmp"}]})[0]
    row, same = run_cell(cell), run_cell(gridworld_cell)
    assert row["status"] == "ok"
    assert row["evd"] == same["evd"] and row["reward_correlation"] == same["reward_correlation"]
    save_mdp(tmp_path / "grid.npz", world.mdp, features=world.features, reward=2 * world.reward)
    assert expand(spec)[0].key != cell.key  # another file content, another cell


def test_a_gymnasium_environment():
    pytest.importorskip("gymnasium")
    spec = {"seeds": 0, "n_demos": 20, "horizon": 6, "environments": [{"kind": "gymnasium", "id": "FrozenLake-v1"}],
            "methods": [{"name": "mce", "l2": 0.1}]}
    row = run_cell(expand(spec)[0])
    assert row["status"] == "ok", row["error"]
    assert row["environment"] == "gymnasium" and row["env_params"] == {"kind": "gymnasium", "id": "FrozenLake-v1"}


def test_the_epic_column_compares_as_the_mdp_sees_the_rewards(monkeypatch):
    # discounted: both rewards lifted through the cell's MDP (epic_distance with mdp=); undiscounted: the paper's
    calls = []
    real = sweep_cells.epic_distance

    def spy(a, b, **kw):
        calls.append(kw)
        return real(a, b, **kw)

    monkeypatch.setattr(sweep_cells, "epic_distance", spy)
    for discount in (0.9, None):
        spec = dict(SPEC, seeds=[0], n_demos=[20], methods=[{"name": "mce", "l2": 0.1}])
        if discount is not None:
            spec["discount"] = discount
        row = run_cell(expand(spec)[0])
        assert 0.0 < row["epic"] < 1.0
    assert calls[0]["discount"] == 0.9 and calls[0]["mdp"].n_states == 9
    assert calls[1] == {"discount": 1.0}
