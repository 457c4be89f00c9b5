"""The file commands of the command line (solve, visitation, irl, check): outputs equal the direct API."""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from tabular_irl import (
    gridworld,
    maxent_irl,
    sample_trajectories,
    soft_backward,
    value_iteration,
    visitation,
)
from tabular_irl.cli import main
from tabular_irl.io import save_mdp, save_trajectories

# outputs are the same floating-point computation as the API call, so they agree to rounding
EXACT = dict(rtol=1e-12, atol=1e-12)
T = 5


@pytest.fixture
def world():
    return gridworld(4, slip=0.2, step_reward=-0.1)


@pytest.fixture
def mdp_file(tmp_path, world):
    return str(save_mdp(tmp_path / "grid", world.mdp, features=world.features, reward=world.reward, horizon=T))


@pytest.fixture
def demos(world):
    expert = soft_backward(world.mdp, 2.0 * world.reward, horizon=T)
    return sample_trajectories(world.mdp, expert.policy, 100, horizon=T, seed=0)


@pytest.fixture
def demos_file(tmp_path, demos):
    return str(save_trajectories(tmp_path / "demos", demos))


def _run(args, capsys):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_one_line_error(code, err):
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tabular-irl: error: ")


# --------------------------------------------------------------------------
# solve
# --------------------------------------------------------------------------
def test_solve_writes_the_soft_plan(tmp_path, mdp_file, world, capsys):
    out = tmp_path / "plan.npz"
    code, text, _ = _run(["solve", mdp_file, "--out", out], capsys)
    assert code == 0
    plan = soft_backward(world.mdp, world.reward, horizon=T)
    with np.load(out) as f:
        assert sorted(f.files) == ["Q", "V", "log_partition", "policy"]
        for name in ("V", "Q", "policy"):
            assert_allclose(f[name], getattr(plan, name), **EXACT)
        assert f["log_partition"].shape == ()
        assert_allclose(f["log_partition"], plan.log_partition, **EXACT)
    assert f"{plan.log_partition:.10f}" in text
    assert "S=16" in text and "A=5" in text and f"T={T}" in text


def test_solve_flags_override_the_file(tmp_path, mdp_file, world, capsys):
    out = tmp_path / "plan"  # .npz is appended
    args = ["solve", mdp_file, "--horizon", 3, "--non-causal", "--temperature", 0.5, "--out", out]
    assert _run(args, capsys)[0] == 0
    plan = soft_backward(world.mdp, world.reward, horizon=3, causal=False, temperature=0.5)
    with np.load(tmp_path / "plan.npz") as f:
        assert_allclose(f["policy"], plan.policy, **EXACT)
        assert_allclose(f["log_partition"], plan.log_partition, **EXACT)


def test_solve_hard_discounted_reports_convergence(tmp_path, mdp_file, world, capsys):
    out = tmp_path / "hard.npz"
    code, text, _ = _run(["solve", mdp_file, "--hard", "--discount", 0.9, "--out", out], capsys)
    assert code == 0
    plan = value_iteration(world.mdp, world.reward, discount=0.9)
    with np.load(out) as f:
        assert_array_equal(f["policy"], plan.policy)
        assert_allclose(f["V"], plan.V, **EXACT)
    assert f"{plan.n_iter} sweeps" in text and "error bound" in text


# --------------------------------------------------------------------------
# visitation
# --------------------------------------------------------------------------
def test_visitation_of_a_solved_policy(tmp_path, mdp_file, world, capsys):
    plan_file, out = tmp_path / "plan.npz", tmp_path / "vis.npz"
    assert _run(["solve", mdp_file, "--out", plan_file], capsys)[0] == 0
    code, text, _ = _run(["visitation", mdp_file, "--policy", plan_file, "--out", out], capsys)
    assert code == 0
    vis = visitation(world.mdp, soft_backward(world.mdp, world.reward, horizon=T).policy, horizon=T)
    with np.load(out) as f:
        assert sorted(f.files) == ["state", "state_action", "total_state_action"]
        for name in f.files:
            assert_allclose(f[name], getattr(vis, name), **EXACT)
    error = float(re.search(r"row-sum check: .* = (\S+)", text).group(1))
    assert error < 1e-12


def test_visitation_discounted_occupancy(tmp_path, mdp_file, world, capsys):
    policy = np.full((world.mdp.n_states, world.mdp.n_actions), 1.0 / world.mdp.n_actions)
    np.savez(tmp_path / "uniform.npz", policy=policy)
    out = tmp_path / "vis.npz"
    args = ["visitation", mdp_file, "--policy", tmp_path / "uniform.npz", "--discount", 0.8, "--out", out]
    code, text, _ = _run(args, capsys)
    assert code == 0
    vis = visitation(world.mdp, policy, discount=0.8)
    with np.load(out) as f:
        assert_allclose(f["state"], vis.state, **EXACT)
        assert_allclose(f["total_state_action"], vis.total_state_action, **EXACT)
    assert "occupancy check" in text


# --------------------------------------------------------------------------
# irl
# --------------------------------------------------------------------------
@pytest.mark.parametrize("non_causal", [False, True])
def test_irl_writes_the_fit(tmp_path, mdp_file, demos_file, world, demos, non_causal, capsys):
    out = tmp_path / "fit.npz"
    args = ["irl", mdp_file, demos_file, "--l2", 1e-3, "--out", out] + (["--non-causal"] if non_causal else [])
    code, text, _ = _run(args, capsys)
    assert code == 0
    fit = maxent_irl(world.mdp, world.features, demos, horizon=T, causal=not non_causal, l2=1e-3)
    with np.load(out) as f:
        assert sorted(f.files) == ["policy", "reward", "theta"]
        assert_allclose(f["theta"], fit.theta, **EXACT)
        assert_allclose(f["reward"], fit.reward, **EXACT)
        assert_allclose(f["policy"], fit.plan.policy, **EXACT)
    assert "converged: True" in text
    assert f"objective {fit.objective:.10f}" in text
    assert f"mean log-likelihood {fit.log_likelihood:.10f}" in text
    assert f"{fit.moment_matching_error:.3e}" in text


def test_irl_not_converging_is_reported_not_an_error(tmp_path, mdp_file, demos_file, capsys):
    code, text, err = _run(["irl", mdp_file, demos_file, "--max-iter", 1, "--out", tmp_path / "fit"], capsys)
    assert code == 0
    assert "converged: False" in text and "warning: not converged" in text
    assert err == ""


# --------------------------------------------------------------------------
# check: prints tabular_irl.checks.run_all_checks
# --------------------------------------------------------------------------
def _reported(text):
    """``(passed, error, tolerance)`` of every result line."""
    return [(mark == "pass", float(err), float(tol))
            for mark, err, tol in re.findall(r"^  \[(pass|FAIL)\] .*?: error (\S+) \(tol (\S+)\)", text, re.M)]


@pytest.mark.parametrize("slip", [0.0, 0.2])
def test_check_passes_on_gridworlds(tmp_path, slip, capsys):
    world = gridworld(3, slip=slip)
    path = save_mdp(tmp_path / "grid", world.mdp, reward=world.reward, horizon=4)
    code, text, _ = _run(["check", path], capsys)
    assert code == 0, text
    assert "FAIL" not in text and "10 of 10 checks passed" in text
    reported = _reported(text)
    assert len(reported) == 10 and all(passed and err <= tol and err < 1e-8 for passed, err, tol in reported)
    assert ("[pass] deterministic dynamics: causal = non-causal" in text) == (slip == 0.0)
    assert "horizon T=4" in text and "one-hot state features" in text


def test_check_prints_what_the_api_measures(tmp_path, world, mdp_file, capsys):
    from tabular_irl.checks import run_all_checks

    code, text, _ = _run(["check", mdp_file, "--seed", 3], capsys)
    assert code == 0
    results = run_all_checks(world.mdp, world.features, horizon=T, reward=world.reward, seed=3)
    assert [line.strip() for line in text.splitlines()[1:-1]] == [str(r) for r in results]


def test_check_without_reward_uses_a_seeded_random_one(tmp_path, world, capsys):
    path = save_mdp(tmp_path / "dynamics", world.mdp)
    code, first, _ = _run(["check", path, "--horizon", 3, "--seed", 7], capsys)
    assert code == 0 and "random" in first
    assert _run(["check", path, "--horizon", 3, "--seed", 7], capsys)[1].splitlines()[1:-1] == first.splitlines()[1:-1]


def test_check_discounted_runs_the_causal_checks(tmp_path, world, capsys):
    path = save_mdp(tmp_path / "disc", world.mdp, features=world.feature_sets["coordinates"], discount=0.9)
    code, text, _ = _run(["check", path], capsys)
    assert code == 0 and "4 of 4 checks passed" in text and "discount 0.9" in text
    assert "non-causal" not in text.split("\n", 1)[1]
    code, text, _ = _run(["check", path, "--horizon", 3], capsys)  # the flags replace the file's pair
    assert code == 0 and "10 of 10 checks passed" in text and "horizon T=3" in text


def test_check_exits_1_when_a_check_fails(tmp_path, monkeypatch, capsys):
    from tabular_irl import soft_backward, visitation
    from tabular_irl.checks import covariance, derivatives, identities

    # the classic bug: the non-causal policy rolled forward under P where the posterior belongs
    def rollout(mdp, reward, *, horizon, temperature=1.0, initial=None):
        plan = soft_backward(mdp, reward, horizon=horizon, causal=False, temperature=temperature)
        return visitation(mdp, plan.policy, horizon=horizon, initial=initial)

    for module in (identities, derivatives, covariance):  # every check that reads the posterior
        monkeypatch.setattr(module, "posterior_marginals", rollout)
    world = gridworld(3, slip=0.3)
    path = save_mdp(tmp_path / "grid", world.mdp, reward=world.reward, horizon=4)
    code, text, _ = _run(["check", path], capsys)
    assert code == 1
    assert "[FAIL] posterior marginals" in text and "[FAIL] d log_partition / d r" in text
    failed = [(err, tol) for passed, err, tol in _reported(text) if not passed]
    assert len(failed) >= 2 and all(err > 100 * tol for err, tol in failed)
    assert f"{10 - len(failed)} of 10 checks passed" in text


# --------------------------------------------------------------------------
# bad input: one line on stderr, non-zero exit, no traceback
# --------------------------------------------------------------------------
def test_bad_files_exit_nonzero_with_one_line(tmp_path, world, mdp_file, demos_file, capsys):
    bare = str(save_mdp(tmp_path / "bare", world.mdp, horizon=T))
    text_file = tmp_path / "text.npz"
    text_file.write_text("not an archive")
    np.save(tmp_path / "array.npy", np.zeros(3))
    np.savez(tmp_path / "nopolicy.npz", other=np.zeros(3))
    out = str(tmp_path / "out.npz")
    cases = [
        ["solve", tmp_path / "missing.npz", "--out", out],
        ["solve", text_file, "--out", out],
        ["solve", bare, "--out", out],  # no reward
        ["solve", mdp_file, "--out", tmp_path / "no" / "such" / "dir.npz"],
        ["solve", mdp_file, "--hard", "--temperature", 2, "--out", out],
        ["solve", mdp_file, "--discount", 0.9, "--non-causal", "--out", out],
        ["irl", bare, demos_file, "--out", out],  # no features
        ["irl", mdp_file, mdp_file, "--out", out],  # an MDP where demonstrations belong
        ["visitation", mdp_file, "--policy", demos_file, "--out", out],
        ["visitation", mdp_file, "--policy", tmp_path / "array.npy", "--out", out],
        ["visitation", mdp_file, "--policy", tmp_path / "nopolicy.npz", "--out", out],
        ["visitation", mdp_file, "--policy", text_file, "--out", out],
        ["check", tmp_path / "missing.npz"],
        ["check", tmp_path],  # a directory
    ]
    for args in cases:
        code, _, err = _run(args, capsys)
        _assert_one_line_error(code, err)
    assert "save_mdp" in _run(["solve", bare, "--out", out], capsys)[2]


@pytest.mark.parametrize("args", [["solve"], ["solve", "x.npz"], ["solve", "x.npz", "--out", "o", "--horizon", "0"],
                                  ["solve", "x.npz", "--out", "o", "--hard", "--non-causal"],
                                  ["visitation", "x.npz", "--out", "o"], ["irl", "x.npz", "--out", "o"],
                                  ["irl", "x.npz", "d.npz", "--out", "o", "--method", "sgd"],
                                  ["check", "x.npz", "--tol", "-1"], ["check", "x.npz", "--horizon", "two"]])
def test_bad_flags_exit_2_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    _assert_one_line_error(exc.value.code, capsys.readouterr().err)


@pytest.mark.parametrize("command", ["solve", "visitation", "irl", "check"])
def test_help_documents_the_output(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "MDP_FILE" in text
    if command != "check":
        assert "savez_compressed" in text and "OUT.npz" in text


def test_make_sample_info_write_and_describe_their_files(tmp_path, capsys):
    from tabular_irl import load_mdp, load_trajectories

    grid, demos = str(tmp_path / "g.npz"), str(tmp_path / "d.npz")
    assert main(["make", "gridworld", "--size", "4", "--slip", "0.2", "--horizon", "6", "--out", grid]) == 0
    loaded = load_mdp(grid)
    want = gridworld(4, slip=0.2)
    assert loaded.mdp.n_states == 16 and loaded.horizon == 6
    assert np.array_equal(loaded.reward, want.reward) and np.array_equal(loaded.features, want.features)
    assert loaded.metadata["parameters"] == {"rows": 4, "cols": None, "slip": 0.2}
    for policy in ("soft", "optimal", "uniform"):
        assert main(["sample", grid, "--policy", policy, "-n", "7", "--seed", "3", "--out", demos]) == 0
        got = load_trajectories(demos)
        assert got.states.shape == (7, 7) and got.actions.shape == (7, 6)
    assert main(["make", "garnet", "--states", "9", "--actions", "2", "--branching", "3", "--out", grid]) == 0
    assert load_mdp(grid).mdp.nnz == 9 * 2 * 3
    capsys.readouterr()
    assert main(["info", demos]) == 0
    assert "7 trajectories of 6 steps" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["make", "Nope-v0", "--out", "{out}"], "'Nope-v0' is not gridworld, objectworld, garnet or a Gymnasium id"),
    (["make", "gridworld", "--slip", "2", "--out", "{out}"], "argument --slip"),
    (["sample", "{grid}", "--horizon", "0", "--out", "{out}"], "argument --horizon"),
    (["info", "{junk}"], "not a .npz file of tabular_irl"),
    (["plot", "{grid}", "{junk}", "--grid", "3x", "--out", "{out}"], "expected ROWSxCOLS"),
])
def test_make_sample_info_bad_input_is_one_line(tmp_path, capsys, argv, message):
    if "Nope-v0" in argv:
        pytest.importorskip("gymnasium")
    grid, junk = tmp_path / "g.npz", tmp_path / "junk.npz"
    junk.write_text("not a zip")
    assert main(["make", "gridworld", "--size", "3", "--out", str(grid)]) == 0
    capsys.readouterr()
    try:
        code = main([a.format(grid=grid, junk=junk, out=tmp_path / "x.npz") for a in argv])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("tabular-irl") or "usage:" in err
