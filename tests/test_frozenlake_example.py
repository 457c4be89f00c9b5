"""``examples/frozenlake_irl.py``: MCE IRL on Gymnasium's FrozenLake recovers a policy as good as the expert's."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("gymnasium")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "frozenlake_irl.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("examples_frozenlake_irl", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result(example):
    return example.main(["--n-demos", "200", "--episodes", "400", "--quiet"])


def test_optimal_success_is_gymnasiums(result):
    # Gymnasium's registry: FrozenLake-v1 "optimum = 0.74" within its 100-step TimeLimit
    assert result["horizon"] == 100
    assert 0.744 <= result["optimal_success"] <= 0.7445
    assert result["expert_success"] == pytest.approx(result["optimal_success"], rel=1e-12)


def test_learned_greedy_policy_is_nearly_as_good_as_the_expert(result):
    assert result["converged"]
    assert result["greedy_success"] >= result["expert_success"] - 0.01  # 0.7402 vs 0.7442 at seed 0
    assert 0.0 <= result["greedy_evd"] <= 0.01
    # EVD under a 0/1 goal reward is the difference of success probabilities
    assert result["greedy_evd"] == pytest.approx(result["expert_success"] - result["greedy_success"], abs=1e-12)
    theta_goal, theta_hole = result["theta"]
    assert theta_goal > 0 > theta_hole  # the goal is sought, holes avoided


def test_soft_policy_is_between_random_and_the_expert(result):
    assert result["uniform_success"] < 0.05 < result["soft_success"] < result["expert_success"]
    assert result["soft_evd"] > result["greedy_evd"]


def test_recorded_demonstrations_are_possible_under_the_mdp(result):
    demos, mdp = result["demos"], result["mdp"]
    assert demos.states.shape == (200, 101) and demos.actions.shape == (200, 100)
    P = mdp.to_dense()
    probs = P[demos.states[:, :-1], demos.actions, demos.states[:, 1:]]
    assert np.all(probs > 0)  # every recorded step of the real environment is a transition of the MDP
    # the demonstrations reach the goal about as often as the expert's exact success probability
    n = demos.n_trajectories
    sd = np.sqrt(result["expert_success"] * (1 - result["expert_success"]) / n)
    assert abs(result["demo_success_rate"] - result["expert_success"]) <= 4 * sd


def test_monte_carlo_success_agrees_with_the_exact_value(result):
    p, n = result["greedy_success"], 400
    assert abs(result["greedy_monte_carlo"] - p) <= 4 * np.sqrt(p * (1 - p) / n)


def test_figure_is_optional(example, tmp_path, capsys):
    out = example.run(n_demos=20, episodes=0, figure=str(tmp_path / "curves.png"), verbose=True)
    printed = capsys.readouterr().out
    assert "learned, greedy" in printed and "uniform random" in printed
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert out["figure"] is None and "no figure" in printed
    else:
        assert out["figure"] == str(tmp_path / "curves.png") and (tmp_path / "curves.png").stat().st_size > 0
    assert np.isnan(out["greedy_monte_carlo"])
