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


# --------------------------------------------------------------------------
# the teaching gallery: each script's main() returns the numbers it prints
# --------------------------------------------------------------------------
def _has_matplotlib():
    return importlib.util.find_spec("matplotlib") is not None


def _run_gallery(name, tmp_path, capsys):
    """Run ``examples/<name>.py``'s ``main``; its figure is written when matplotlib is there."""
    figure = tmp_path / f"{name}.png"
    out = _load(name).main(figure)
    printed = capsys.readouterr().out
    assert printed.strip(), f"{name} printed nothing"
    if _has_matplotlib():
        assert out["figure"] == str(figure) and figure.stat().st_size > 0
    else:
        assert out["figure"] is None and "no figure" in printed
    return out, printed


def test_soft_bellman_by_hand_equals_the_kernel(tmp_path, capsys):
    out, printed = _run_gallery("soft_bellman_by_hand", tmp_path, capsys)
    assert out["causal_error"] < 1e-12 and out["noncausal_error"] < 1e-12
    # Jensen: log E e^V >= E V, equality at the last step (V_T = 0 for every successor)
    assert out["jensen_gap_min"] >= 0.0 and out["jensen_gap_max"] > 0.1
    assert out["log_partition"]["non-causal"] > out["log_partition"]["causal"]
    assert "kernel vs hand" in printed


def test_forward_backward_messages_give_the_posterior(tmp_path, capsys):
    out, printed = _run_gallery("forward_backward_messages", tmp_path, capsys)
    for key in ("log_beta_error", "log_Z_error", "state_error", "state_action_error", "enumeration_error"):
        assert out[key] < 1e-12, (key, out[key])
    assert "alpha_t(s) beta_t(s) / Z" in printed


def test_noncausal_rollout_is_biased_on_the_gamble(tmp_path, capsys):
    out, printed = _run_gallery("noncausal_rollout_bias", tmp_path, capsys)
    # the rollout knows the coin is fair; the posterior is optimistic about it
    assert out["rollout_good"] == pytest.approx(0.495034, abs=1e-6)
    assert out["posterior_good"] == pytest.approx(0.976780, abs=1e-6)
    assert out["tv_max"] > 0.4
    # central differences of log_partition (h = 1e-5: error ~1e-10) side with the posterior
    assert out["fd_derivative"] == pytest.approx(out["posterior_derivative"], abs=1e-8)
    assert abs(out["fd_derivative"] - out["rollout_derivative"]) > 1.0
    assert out["tv_deterministic"] < 1e-12
    assert f"{out['tv_max']:.6f}" in printed


def test_maxent_gradient_is_feature_matching(tmp_path, capsys):
    out, _ = _run_gallery("maxent_gradient_feature_matching", tmp_path, capsys)
    assert out["hand_vs_objective"] < 1e-12
    assert out["finite_difference_error"] < 1e-8
    assert np.abs(out["gradient_at_zero"]).max() > 1.0  # far from matched at theta = 0 ...
    assert out["converged"] and out["moment_matching_error"] < 1e-6  # ... matched at the fit
    assert out["fit_gradient_vs_hand"] < 1e-12


def test_hessian_is_minus_the_covariance(tmp_path, capsys):
    out, printed = _run_gallery("hessian_covariance", tmp_path, capsys)
    assert out["hessian_error"] < 1e-12  # enumeration of all 216 trajectories against the kernels
    # 100 refits: the spread of theta_hat is the standard error of one fit (Monte Carlo error ~7%)
    ratio = out["spread"] / out["mean_standard_error"]
    assert np.all((0.8 < ratio) & (ratio < 1.25)), ratio
    assert np.all(np.abs(out["bias"]) < 3 * out["spread"] / np.sqrt(100))
    assert "max |H + Cov|" in printed


def test_lp_irl_certificate_holds(tmp_path, capsys):
    out, printed = _run_gallery("lp_irl_certificate", tmp_path, capsys)
    norms = []
    for l1 in (0.0, 0.5, 1.0):
        res = out[l1]
        assert res["converged"] and res["min_margin"] >= -1e-9, (l1, res)  # every margin >= 0 (HiGHS tolerance)
        assert res["value_loss"] <= 1e-9, (l1, res)  # value iteration on the recovered reward agrees
        norms.append(res["l1_norm"])
    assert norms[0] > norms[1] > norms[2] > 0, norms  # sparser with l1, never the trivial R = 0 here
    assert "the expert is optimal" in printed


def test_apprenticeship_margins_shrink(tmp_path, capsys):
    out, printed = _run_gallery("apprenticeship_margins", tmp_path, capsys)
    for method in ("max_margin", "projection"):
        res = out[method]
        margins = res["margins"]
        assert res["converged"] and res["distance"] <= 1e-2
        assert np.all(np.diff(margins) <= 1e-12), margins  # never increases
        assert margins[-1] < margins[0] / 100 if method == "max_margin" else margins[-1] < margins[0] / 10
        assert res["worst_value_gap"] <= res["distance"] * (1 + 1e-12)  # Cauchy-Schwarz
    assert out["max_margin"]["margins"].size < out["projection"]["margins"].size
    assert "converged after" in printed


def test_gallery_runs_without_matplotlib(tmp_path, capsys, monkeypatch):
    module = _load("soft_bellman_by_hand")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    out = module.main(tmp_path / "none.png")
    assert out["figure"] is None and not (tmp_path / "none.png").exists()
    assert "no figure" in capsys.readouterr().out


def test_gan_view_of_irl(tmp_path, capsys):
    out, printed = _run_gallery("gan_view_of_irl", tmp_path, capsys)
    # GAIL: the best discriminator's objective is 2 JS - log 4
    assert out["gail_identity_error"] < 1e-12 and out["gail_js_uniform"] > 0.1
    # AIRL on exact occupancies: JS falls to rounding, the occupancy and the reward (modulo shaping) are recovered
    js = out["js_history"]
    assert out["converged"] and js[0] > 0.1 and js[-1] < 1e-12
    assert np.all(np.diff(js[:10]) < 0)
    assert out["occupancy_error"] < 1e-6
    assert out["reward_correlation"] > 1 - 1e-6
    # EPIC: 0 on the MDP (f = log pi_E is an expected shaping of the truth), large read without the dynamics
    assert out["epic"] < 1e-6 and out["epic_without_dynamics"] > 0.1
    assert "JS(rho_E || rho_pi)" in printed


def test_epic_regret_bound(tmp_path, capsys):
    out, printed = _run_gallery("epic_regret_bound", tmp_path, capsys)
    # Gleave et al.'s Theorem 4.9 and the proof's sharper steps hold for every perturbed reward
    assert out["holds"] and np.all(out["regret"] <= out["occupancy_bound"] + 1e-12)
    assert np.all(out["sharp_bound"] <= out["bound"]) and out["K"] == pytest.approx(125.0)
    # shaping and rescaling alone: EPIC 0 and no regret; large noise: real regret, EPIC well above 0
    assert out["shaping_only"].epic < 1e-6 and abs(out["shaping_only"].regret) < 1e-9
    assert out["regret"].max() > 0.5 and out["epic"][np.argmax(out["regret"])] > 0.3
    assert "the bound holds for all 300 pairs: True" in printed
