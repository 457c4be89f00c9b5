"""The runnable examples run, in a reduced configuration, and check what they claim."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from tabular_irl import objectworld, soft_backward

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name):
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"examples_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def deep_maxent():
    return _load("deep_maxent_objectworld")


@pytest.fixture(scope="module")
def small_run(deep_maxent):
    return deep_maxent.run(size=6, horizon=8, n_demos=100, iterations=40, seed=0, verbose=False)


def test_deep_maxent_backprop_matches_finite_differences(small_run):
    # central differences with eps=1e-6 on an objective of magnitude ~10 err by
    # ~1e-9 relative (rounding); a wrong chain-rule term errs by O(1)
    assert small_run["gradient_check_error"] < 1e-6


def test_deep_maxent_training_increases_the_objective(small_run):
    history = small_run["objective_history"]
    assert len(history) == 40
    assert small_run["initial_objective"] == history[0]
    assert small_run["final_objective"] > small_run["initial_objective"]


def test_deep_maxent_final_metrics_are_finite(small_run):
    keys = ["final_objective", "deep_evd", "deep_correlation", "linear_evd", "linear_correlation",
            "linear_objective", "expert_value", "gradient_check_abs_error"]
    values = np.array([small_run[k] for k in keys])
    assert np.all(np.isfinite(values)), dict(zip(keys, values))
    assert -1.0 <= small_run["deep_correlation"] <= 1.0
    assert -1.0 <= small_run["linear_correlation"] <= 1.0


def test_deep_maxent_direct_metrics_agree_with_package_metrics(deep_maxent):
    metrics = pytest.importorskip("tabular_irl.metrics")
    world = objectworld(5, seed=1)
    true = np.asarray(world.reward)
    learned = np.asarray(world.features) @ np.array([1.0, -0.5, 0.25, 0.0])
    expert = soft_backward(world.mdp, 5 * true, horizon=6).policy
    other = soft_backward(world.mdp, learned, horizon=6).policy
    # both sum the same ~S*A products in a different order
    assert deep_maxent.direct_expected_value_difference(world.mdp, true, expert, other, horizon=6) == pytest.approx(
        metrics.expected_value_difference(world.mdp, true, expert, other, horizon=6), rel=1e-10, abs=1e-12)
    assert deep_maxent.direct_reward_correlation(true, learned) == pytest.approx(
        metrics.reward_correlation(true, learned), rel=1e-10)


def test_deep_maxent_command_line_runs(deep_maxent, capsys):
    argv = ["--size", "5", "--horizon", "5", "--n-demos", "30", "--iterations", "5", "--seed", "2", "--quiet"]
    assert deep_maxent.main(argv) == 0
    out = capsys.readouterr().out
    assert "deep" in out and "linear" in out and "gradient check" in out


def test_deep_maxent_command_line_rejects_bad_arguments(deep_maxent, capsys):
    with pytest.raises(SystemExit) as exc:
        deep_maxent.main(["--size", "0"])
    assert exc.value.code == 2
    assert "--size" in capsys.readouterr().err
