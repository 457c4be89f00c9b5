"""The sweep's adapted methods (gail, importance_maxent, bayesian) and the EPIC metric of every row.

Each adapted method is checked against what it claims (GAIL's row reward makes
its policy soft-optimal; the importance-sampled MaxEnt reaches the exact
MaxEnt fit as samples grow; Bayesian IRL's reward is the posterior mean's) and
is deterministic from the cell's seed on every engine (serial and a process
pool here; Dask in test_sweep_dask.py).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from test_sweep import results

from tabular_irl import gridworld, sample_trajectories, soft_backward
from tabular_irl.exceptions import ConvergenceWarning
from tabular_irl.metrics import epic_distance
from tabular_irl.sweep import expand, run_cell, run_sweep, summarize
from tabular_irl.sweep import _methods
from tabular_irl.sweep.cells import World, _measure, build_world

# 3 methods x 2 seeds of a 3x3 gridworld, 4 decisions: a few seconds in all
METHODS_SPEC = {
    "seeds": [0, 1],
    "n_demos": [10],
    "horizon": 4,
    "environments": [{"kind": "gridworld", "rows": 3, "slip": 0.2, "features": "coordinates"}],
    "methods": [{"name": "gail", "n_iter": 20}, {"name": "importance_maxent", "n_samples": 200},
                {"name": "bayesian", "n_samples": 40, "burn_in": 10}],
}
CONTRACT = ("reward_correlation", "epic", "evd", "kl", "converged", "n_iter", "objective", "message")


@pytest.fixture(scope="module")
def methods_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("methods") / "results.jsonl"
    run = run_sweep(METHODS_SPEC, out, progress=False)
    assert (run.n_ok, run.n_failed) == (6, 0)
    return out


def test_the_adapted_methods_fill_the_row_contract_and_their_diagnostics(methods_out):
    rows = {(r["method"], r["seed"]): r for r in results(methods_out)}
    for (method, _), row in rows.items():
        assert row["status"] == "ok", row["error"]
        for name in CONTRACT:
            assert row[name] is not None, (method, name)
        assert 0.0 <= row["epic"] <= 1.0
    for seed in (0, 1):
        gail_row, is_row, bayes_row = (rows[m, seed] for m in ("gail", "importance_maxent", "bayesian"))
        assert gail_row["n_iter"] <= 20 and gail_row["gail_js"] >= 0.0
        assert 0.0 < is_row["is_ess"] <= 200.0
        assert 0.0 <= bayes_row["acceptance_rate"] <= 1.0 and bayes_row["ess"] > 0.0
        assert bayes_row["n_iter"] == 50  # draws made: 10 burn-in + 40 kept, one chain
        assert bayes_row["converged"] == (bayes_row["rhat"] < 1.01)
        assert "acceptance_rate" not in gail_row and "gail_js" not in bayes_row  # each its own


def test_the_adapted_methods_are_deterministic_in_a_process_pool(tmp_path, methods_out):
    out = tmp_path / "results.jsonl"
    run_sweep(METHODS_SPEC, out, engine="processes", workers=2, progress=False)
    assert results(out) == results(methods_out)


def _world_and_demos(n=20, horizon=4):
    problem = gridworld(3, slip=0.2)
    features = problem.feature_sets["coordinates"]
    expert = soft_backward(problem.mdp, 3 * problem.reward, horizon=horizon).policy
    demos = sample_trajectories(problem.mdp, expert, n, horizon=horizon, seed=0)
    return World(problem.mdp, features, np.asarray(problem.reward)), demos


def test_gail_reward_is_the_one_its_policy_is_soft_optimal_for():
    world, demos = _world_and_demos()
    with pytest.warns(ConvergenceWarning):  # from demonstrations, JS stalls at their sampling error
        fit = _methods.fit_gail(world, demos, 4, None, 0, {"n_iter": 30})
    # r = log pi: the soft backup gives V = 0 and the policy back, for any discount
    plan = soft_backward(world.mdp, fit.reward, discount=0.9)
    assert_allclose(plan.V, 0.0, atol=1e-12)
    assert_allclose(plan.policy, fit.policy, rtol=1e-10, atol=1e-14)


def test_importance_sampled_maxent_reaches_the_exact_fit_with_many_samples():
    from tabular_irl.irl import maxent_irl

    world, demos = _world_and_demos(n=50, horizon=3)
    exact = maxent_irl(world.mdp, world.features, demos, horizon=3, causal=False, l2=0.01)
    few = _methods.fit_importance_maxent(world, demos, 3, None, 0, {"n_samples": 100})
    many = _methods.fit_importance_maxent(world, demos, 3, None, 0, {"n_samples": 20000})
    assert many.converged and few.converged
    error = [np.abs(fit.reward - exact.reward).max() for fit in (few, many)]
    assert error[1] < 0.01 * np.abs(exact.reward).max()  # the estimate is consistent (0.2 % at 20000)
    assert error[1] < error[0]
    with pytest.raises(ValueError, match="undiscounted"):
        _methods.fit_importance_maxent(world, demos, 3, 0.9, 0, {})


def test_bayesian_reward_is_the_posterior_mean_of_its_chain():
    from tabular_irl.bayes import bayesian_irl, map_irl

    world, demos = _world_and_demos()
    fit = _methods.fit_bayesian(world, demos, 4, None, 3, {"n_samples": 30, "burn_in": 5})
    model = dict(features=world.features, horizon=4, likelihood="maxent", prior="gaussian")
    chain = bayesian_irl(world.mdp, demos, method="hmc", n_samples=30, burn_in=5, step=0.4 / np.sqrt(20),
                         start=map_irl(world.mdp, demos, **model).theta, seed=3, **model)
    assert_allclose(fit.reward, world.features @ chain.mean[:, None] * np.ones((1, 5)), rtol=1e-12, atol=1e-14)
    assert fit.extra["acceptance_rate"] == chain.acceptance_rate
    assert fit.extra["ess"] == chain.ess.min() and fit.extra["rhat"] == chain.rhat.max()


# -- EPIC in every row ---------------------------------------------------------------------


def test_every_row_has_the_epic_distance_of_the_learned_reward():
    spec = {"seeds": [0], "n_demos": [20], "horizon": 4, "environments": [{"kind": "gridworld", "rows": 3}],
            "methods": [{"name": "mce", "l2": 0.1}], "discount": [None, 0.8]}
    for cell in expand(spec):
        row = run_cell(cell)
        world = build_world(cell.environment)
        from tabular_irl.irl import maxent_irl

        fit = maxent_irl(world.mdp, world.features, _demos(world, cell), horizon=4, discount=cell.discount,
                         l2=0.1, progress=False)
        if cell.discount is None:  # an undiscounted horizon: the paper's distance, discount 1, no dynamics
            assert row["epic"] == epic_distance(world.reward, fit.reward, discount=1.0)
        else:  # discounted: both rewards as the cell's MDP sees them
            assert row["epic"] == epic_distance(world.reward, fit.reward, discount=cell.discount, mdp=world.mdp)
        assert 0.0 < row["epic"] < 1.0
    assert "epic" in summarize([row]).columns and "epic_se" in summarize([row]).columns


def _demos(world, cell):
    expert = soft_backward(world.mdp, world.reward, horizon=cell.horizon, discount=cell.discount).policy
    return sample_trajectories(world.mdp, expert, cell.n_demos, horizon=cell.horizon, seed=cell.seed)


def test_epic_is_none_for_a_constant_learned_reward():
    cell = expand({"seeds": 0, "n_demos": 5, "horizon": 3, "environments": [{"kind": "gridworld", "rows": 3}],
                   "methods": [{"name": "mce"}]})[0]
    world = build_world(cell.environment)
    S, A = world.mdp.n_states, world.mdp.n_actions
    constant = _methods.SweepFit(reward=np.full((S, A), 2.0), policy=np.full((S, A), 1.0 / A), converged=True,
                                 n_iter=0, objective=None, message="")
    expert = soft_backward(world.mdp, world.reward, horizon=3).policy
    row = _measure(world, cell, expert, constant)
    assert row["epic"] is None and row["reward_correlation"] is None
    assert row["evd"] is not None
