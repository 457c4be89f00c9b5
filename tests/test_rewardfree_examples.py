"""The gallery scripts of learning without rewards run and show what they claim."""

import numpy as np
import pytest

from test_examples import _run_gallery


def test_maxent_exploration_reaches_the_certified_coverage(tmp_path, capsys):
    out, printed = _run_gallery("maxent_exploration_coverage", tmp_path, capsys)
    assert out["lower"] <= out["optimum"] <= out["upper"] and out["upper"] - out["lower"] <= 1e-4
    assert abs(out["optimum"] - out["mixture_entropy"]) <= 1e-3  # the claim
    assert out["mixture_entropy"] <= out["upper"] + 1e-12  # no policy beats the certified bound
    assert out["optimum"] - out["walk_entropy"] > 0.5 and out["mixture_entropy"] > out["hazan_entropy"]
    assert out["history"].shape == (100,) and out["history"][-1] == out["mixture_entropy"]
    assert "exact optimum (max_state_entropy)" in printed


def test_averaged_matching_converges_and_naive_oscillates(tmp_path, capsys):
    out, printed = _run_gallery("state_marginal_matching_curves", tmp_path, capsys)
    assert out["lower"] - 1e-12 <= out["averaged"] and abs(out["averaged"] - out["minimum"]) <= 1e-3
    assert out["naive"] - out["minimum"] > 1.0
    tail = out["naive_tail"]
    assert np.ptp(tail) > 0.1 and np.all(tail > out["minimum"] + 1.0)  # it never settles near the minimum
    assert "naive over its last 20 iterations" in printed


def test_empowerment_of_four_rooms_is_log_of_the_reachable_count(tmp_path, capsys):
    out, printed = _run_gallery("empowerment_four_rooms", tmp_path, capsys)
    assert out["converged"] and out["states"].size == 104  # 121 cells less 17 wall cells
    for n in (1, 3):
        assert out["errors"][n] < 1e-9 and out["brackets"][n] <= 1e-12
    # one step: three to five options, i.e. log 3 .. log 5
    assert out["values"][1].min() == pytest.approx(np.log(3), abs=1e-12)
    assert out["values"][1].max() == pytest.approx(np.log(5), abs=1e-12)
    assert "log #reachable" in printed


def test_skills_bound_is_tight_at_the_exact_discriminator(tmp_path, capsys):
    out, printed = _run_gallery("skill_discovery_open_grid", tmp_path, capsys)
    assert abs(out["exact_bound"] - out["information"]) < 1e-12
    assert abs(out["value"] - out["information"]) < 1e-12
    assert out["blurred_bound"] < out["information"] - 1e-3
    assert out["history"][0] < out["value"] < out["log_k"]
    assert "bound at the exact discriminator" in printed
