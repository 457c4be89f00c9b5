"""examples/importance_sampling_study.py runs in a reduced configuration and shows what it claims."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "importance_sampling_study.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("examples_importance_sampling_study", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_example_runs_prints_its_table_and_saves_its_figure(example, tmp_path, capsys):
    has_mpl = importlib.util.find_spec("matplotlib") is not None
    figure = tmp_path / "is.png"
    res = example.run(size=3, horizon=5, n_demos=20, ns=(10, 100), n_repeats=8, seed=1, figure=figure)
    out = capsys.readouterr().out
    table = res["table"]
    assert len(table.rows) == 4 * 2
    assert "sampler" in out and "grad_var_pred" in out and "ess_fraction_pred" in out
    assert "fitted slope of log RMSE on log n" in out
    assert np.isfinite(res["slope"]) and -1.0 < res["slope"] < 0.0  # -0.5 up to 20-replicate noise
    if has_mpl:
        assert res["figure"] == str(figure) and figure.stat().st_size > 10_000  # three panels of curves
    else:  # pragma: no cover - the plot extra missing
        assert res["figure"] is None and "no figure" in out


def test_example_command_line(example, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["--size", "3", "--horizon", "5", "--n-demos", "10", "--max-n", "30", "--repeats", "3", "--no-figure"]
    assert example.main(argv) == 0
    out = capsys.readouterr().out
    assert "ess_fraction" in out and "finished in" in out
    assert not list(tmp_path.iterdir())  # --no-figure wrote nothing


@pytest.mark.parametrize("argv,flag", [(["--repeats", "1"], "--repeats"), (["--slip", "2"], "--slip"),
                                       (["--max-n", "5"], "--max-n"), (["--size", "0"], "--size")])
def test_example_command_line_rejects_bad_arguments(example, capsys, argv, flag):
    with pytest.raises(SystemExit) as exc:
        example.main(argv)
    assert exc.value.code == 2
    assert flag in capsys.readouterr().err
