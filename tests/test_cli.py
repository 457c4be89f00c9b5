"""The command line: the README's main job runs and reports the exact numbers."""

import subprocess
import sys

import pytest

from tabular_irl import gridworld, posterior_marginals, soft_backward
from tabular_irl.cli import main


def test_demo_reports_exact_log_partitions(capsys):
    assert main(["demo", "--size", "4", "--horizon", "5", "--n-demos", "0"]) == 0
    out = capsys.readouterr().out
    world = gridworld(4, slip=0.2, step_reward=-0.1)
    reward = 2.0 * world.reward  # the demo's default --goal-reward-scale
    causal = soft_backward(world.mdp, reward, horizon=5).log_partition
    noncausal = posterior_marginals(world.mdp, reward, horizon=5).log_partition
    assert f"{causal:.10f}" in out
    assert f"{noncausal:.10f}" in out
    assert "S=16" in out and "T=5" in out
    assert "IRL" not in out


@pytest.mark.parametrize("algorithm", ["mce", "maxent"])
def test_demo_fits_irl_and_reports_recovery(algorithm, capsys):
    from tabular_irl import maxent_irl, sample_trajectories
    from tabular_irl.metrics import expected_value_difference

    args = ["demo", "--size", "4", "--horizon", "6", "--n-demos", "200", "--seed", "3", "--algorithm", algorithm]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "converged: True" in out
    world = gridworld(4, slip=0.2, step_reward=-0.1)
    expert = soft_backward(world.mdp, 2.0 * world.reward, horizon=6)
    demos = sample_trajectories(world.mdp, expert.policy, 200, horizon=6, seed=3)
    fit = maxent_irl(world.mdp, world.features, demos, horizon=6, l2=1e-3, causal=algorithm == "mce")
    evd = expected_value_difference(world.mdp, world.reward, expert.policy, fit.plan.policy, horizon=6)
    assert f"expected value difference under the true reward = {evd:.6f}" in out
    assert f"objective {fit.objective:.8f}" in out


def test_demo_deterministic_dynamics_shows_no_rollout_gap(capsys):
    assert main(["demo", "--size", "3", "--slip", "0", "--horizon", "4", "--n-demos", "0"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if "exact posterior (the classic shortcut)" in row)
    assert float(line.split("=")[1].split()[0]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("args", [["demo", "--size", "0"], ["demo", "--slip", "2"], ["demo", "--size", "x"],
                                  ["demo", "--n-demos", "-1"], ["demo", "--algorithm", "gail"],
                                  ["demo", "--l2", "-1"], ["demo", "--epsilon", "0"], ["demo", "--l2", "nan"]])
def test_bad_arguments_exit_nonzero_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_module_entry_point_runs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tabular_irl", "config"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "openmp" in proc.stdout and "kernels_compiled" in proc.stdout


def test_demo_compares_every_method(capsys):
    assert main(["demo", "--size", "4", "--horizon", "6", "--n-demos", "30", "--algorithm", "all"]) == 0
    out = capsys.readouterr().out
    for name in ["maximum causal entropy IRL", "MaxEnt IRL", "apprenticeship learning",
                 "maximum margin planning", "LP IRL"]:
        assert name in out
    assert out.count("expected value difference under the true reward") == 5
    assert "nan" not in out.lower()
