"""One vocabulary: every old spelling still works for one release, with a DeprecationWarning naming the new one."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import tabular_irl as tirl
from tabular_irl import approx
from tabular_irl._deprecation import DeprecatedUnpacking, renamed_arguments, reordered_arguments, warn_deprecated
from tabular_irl.checks import check_objective_gradient, run_all_checks
from tabular_irl.irl import apprenticeship_learning, maxent_hessp
from tabular_irl.trajectories import empirical_visitation

T = 4


@pytest.fixture(scope="module")
def small():
    world = tirl.gridworld(3, slip=0.2)
    plan = tirl.soft_backward(world.mdp, 2 * world.reward, horizon=T)
    demos = tirl.sample_trajectories(world.mdp, plan.policy, 6, horizon=T, seed=0)
    return world, plan, demos


def _same(new, old, match):
    """``old()`` warns with a message matching ``match`` and returns what ``new()`` does."""
    expected = new()
    with pytest.warns(DeprecationWarning, match=match):
        got = old()
    return expected, got


# -- the helpers --------------------------------------------------------------------------------------------


def test_renamed_arguments_maps_the_old_keyword_and_warns_at_the_callers_line():
    @renamed_arguments(old="new")
    def f(a, *, new=0):
        return a + new

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new spelling is silent
        assert f(1, new=2) == 3
    with pytest.warns(DeprecationWarning, match=r"f\(old=\.\.\.\) is deprecated, use f\(new=\.\.\.\)") as record:
        assert f(1, old=2) == 3
    assert record[0].filename == __file__
    with pytest.raises(TypeError, match="got both 'old'"):
        f(1, old=2, new=3)
    assert f.__name__ == "f" and f.__wrapped__.__name__ == "f"


def test_reordered_arguments_recognises_the_old_order_only():
    @reordered_arguments(("b", "a", "c"), is_old=lambda args: isinstance(args[0], str), old_defaults={"c": 0})
    def g(a, b, c):
        return f"{a}-{b}-{c}"

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert g(1, "x", 2) == "1-x-2"
    with pytest.warns(DeprecationWarning, match=r"use g\(a, b, c, \.\.\.\)") as record:
        assert g("x", 1, 2) == "1-x-2"
        assert g("x", 1) == "1-x-0"
    assert record[0].filename == __file__
    with pytest.raises(TypeError, match="multiple values for argument 'a'"):
        g("x", 1, a=3)


def test_deprecated_unpacking_yields_the_old_tuple():
    class Pair(DeprecatedUnpacking):
        _unpacking = ("left", "right")
        left, right = 1, 2

    with pytest.warns(DeprecationWarning, match=r"unpacking the Pair into \(left, right\).*\.left, \.right"):
        left, right = Pair()
    assert (left, right) == (1, 2)


def test_warnings_from_a_decorated_function_point_at_the_users_line(small):
    world, plan, _ = small
    rho = approx.occupancy_measure(world.mdp, plan.policy[0], discount=0.8)
    with pytest.warns(tirl.ConvergenceWarning) as record:
        approx.airl(world.mdp, rho, discount=0.8, max_iter=1)
    assert record[0].filename == __file__


def test_warn_deprecated_message_names_both_spellings():
    with pytest.warns(DeprecationWarning, match=r"^x is deprecated, use y instead \(it keeps working"):
        warn_deprecated("x", "y", stacklevel=2)


# -- one test per rename ----------------------------------------------------------------------------------


def test_gridworld_start_is_initial():
    new, old = _same(lambda: tirl.gridworld(3, initial=(0, 1)), lambda: tirl.gridworld(3, start=(0, 1)),
                     r"gridworld\(start=\.\.\.\) is deprecated, use gridworld\(initial=\.\.\.\)")
    assert_array_equal(new.mdp.initial, old.mdp.initial)


def test_weighted_feature_expectations_trajectories_is_demos(small):
    world, _, demos = small
    new, old = _same(lambda: approx.weighted_feature_expectations(world.mdp, demos=demos, features=world.features),
                     lambda: approx.weighted_feature_expectations(world.mdp, trajectories=demos,
                                                                  features=world.features),
                     r"use weighted_feature_expectations\(demos=\.\.\.\)")
    assert_array_equal(new.feature_counts, old.feature_counts)


@pytest.mark.filterwarnings("ignore::tabular_irl.ConvergenceWarning")  # a few iterations are enough here
def test_airl_expert_is_demos(small):
    world, plan, _ = small
    rho = approx.occupancy_measure(world.mdp, plan.policy[0], discount=0.8)
    new, old = _same(lambda: approx.airl(world.mdp, demos=rho, discount=0.8, max_iter=3),
                     lambda: approx.airl(world.mdp, expert=rho, discount=0.8, max_iter=3),
                     r"use airl\(demos=\.\.\.\)")
    assert_array_equal(new.occupancy, old.occupancy)


@pytest.mark.filterwarnings("ignore::tabular_irl.ConvergenceWarning")  # a few iterations are enough here
def test_airl_n_policy_samples_is_n(small):
    world, _, demos = small
    kw = dict(discount=0.8, max_iter=2, seed=3, smoothing=0.01)
    new, old = _same(lambda: approx.airl(world.mdp, demos, n=20, **kw),
                     lambda: approx.airl(world.mdp, demos, n_policy_samples=20, **kw),
                     r"use airl\(n=\.\.\.\)")
    assert_array_equal(new.occupancy, old.occupancy)


def test_apprenticeship_demos_or_expert_features_is_demos(small):
    world, _, demos = small
    phi = world.feature_sets["coordinates"]
    new, old = _same(lambda: apprenticeship_learning(world.mdp, phi, demos=demos, horizon=T, max_iter=3),
                     lambda: apprenticeship_learning(world.mdp, phi, demos_or_expert_features=demos, horizon=T,
                                                     max_iter=3),
                     r"use apprenticeship_learning\(demos=\.\.\.\)")
    assert_array_equal(new.theta, old.theta)


def test_run_all_checks_n_demos_is_n(small):
    world, _, _ = small
    new, old = _same(lambda: run_all_checks(world.mdp, horizon=2, seed=0, n=3),
                     lambda: run_all_checks(world.mdp, horizon=2, seed=0, n_demos=3),
                     r"use run_all_checks\(n=\.\.\.\)")
    assert [r.error for r in new] == [r.error for r in old]


@pytest.mark.parametrize("study", ["importance_sampling_study", "feature_expectation_study"])
def test_studies_ns_is_n(small, study):
    world, plan, demos = small
    if study == "importance_sampling_study":
        def run(**kw):
            return approx.importance_sampling_study(world.mdp, world.features, world.reward, demos, horizon=T,
                                                    n_repeats=2, seed=0, **kw)
    else:
        def run(**kw):
            return approx.feature_expectation_study(world.mdp, plan.policy, world.features, horizon=T,
                                                    n_repeats=2, seed=0, **kw)
    new, old = _same(lambda: run(n=(3, 6)), lambda: run(ns=(3, 6)), rf"use {study}\(n=\.\.\.\)")
    assert new.rows == old.rows


def test_importance_sampling_theory_start_is_initial(small):
    world, _, _ = small
    rho = np.full(9, 1 / 9)
    args = (world.mdp, world.features, np.zeros(9), np.full((9, 5), 0.2))
    new, old = _same(lambda: approx.importance_sampling_theory(*args, horizon=T, initial=rho),
                     lambda: approx.importance_sampling_theory(*args, horizon=T, start=rho),
                     r"use importance_sampling_theory\(initial=\.\.\.\)")
    assert new.log_partition == old.log_partition


@pytest.mark.filterwarnings("ignore::tabular_irl.ConvergenceWarning")  # a few iterations are enough here
def test_plot_gridworld_summary_n_paths_is_n(small):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    world, _, demos = small
    fit = tirl.maxent_irl(world.mdp, world.features, demos, horizon=T, max_iter=3)
    with pytest.warns(DeprecationWarning, match=r"use plot_gridworld_summary\(n=\.\.\.\)"):
        fig = tirl.plotting.plot_gridworld_summary(world, fit, demos=demos, n_paths=2, dpi=20)
    paths = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == "trajectory"]
    assert len(paths) == 2
    plt.close(fig)


def test_check_objective_gradient_old_order(small):
    world, _, demos = small
    theta = np.linspace(-0.5, 0.5, 9)
    new, old = _same(lambda: check_objective_gradient(world.mdp, world.features, theta, demos, horizon=T, seed=0),
                     lambda: check_objective_gradient(world.mdp, world.features, demos, theta, horizon=T, seed=0),
                     r"use check_objective_gradient\(mdp, features, theta, demos, \.\.\.\)")
    assert new.error == old.error
    # theta used to be optional (zeros): the three-argument old call still works
    zeros, omitted = _same(lambda: check_objective_gradient(world.mdp, world.features, None, demos, horizon=T, seed=0),
                           lambda: check_objective_gradient(world.mdp, world.features, demos, horizon=T, seed=0),
                           "check_objective_gradient")
    assert zeros.error == omitted.error


def test_maxent_hessp_old_order(small):
    world, _, demos = small
    theta, v = np.linspace(-0.5, 0.5, 9), np.ones(9)
    new, old = _same(lambda: maxent_hessp(theta, v, world.mdp, world.features, demos, horizon=T),
                     lambda: maxent_hessp(world.mdp, world.features, theta, demos, v, horizon=T),
                     r"use maxent_hessp\(theta, v, mdp, features, demos, \.\.\.\)")
    assert_array_equal(new, old)


def test_maxent_hessp_is_scipys_hessp(small):
    """The new order is SciPy's ``hessp(x, p, *args)``: ``args=`` carries the problem to both callbacks."""
    from scipy.optimize import minimize

    world, _, demos = small
    kw = dict(horizon=T, l2=1.0)

    def loss(theta, mdp, features, demos):  # minimise -L
        value, grad = tirl.maxent_objective(mdp, features, theta, demos, **kw)
        return -value, -grad

    res = minimize(loss, np.zeros(9), jac=True, method="trust-ncg", args=(world.mdp, world.features, demos),
                   hessp=lambda theta, v, *args: -maxent_hessp(theta, v, *args, **kw), options={"gtol": 1e-8})
    assert np.abs(res.jac).max() < 1e-7  # a stationary point of -L, reached with exact Hessian-vector products
    fit = tirl.maxent_irl(world.mdp, world.features, demos, **kw)
    np.testing.assert_allclose(res.x, fit.theta, rtol=0, atol=1e-7)


def test_empirical_visitation_unpacks_like_the_old_tuple(small):
    world, _, demos = small
    vis = empirical_visitation(demos, world.mdp.n_states, world.mdp.n_actions)
    assert isinstance(vis, tirl.Visitation)
    with pytest.warns(DeprecationWarning, match=r"unpacking the Visitation into \(state, state_action\)"):
        D, mu = vis
    assert D is vis.state and mu is vis.state_action


def test_objectives_return_exactly_value_and_gradient(small):
    """Objectives are ``(value, gradient)`` pairs, as ``scipy.optimize.minimize(..., jac=True)`` expects."""
    from tabular_irl.irl import classic_maxent_gradient, mmp_margin_violations, mmp_objective, reward_gradient

    world, _, demos = small
    theta = np.linspace(-0.5, 0.5, 9)
    pairs = [tirl.maxent_objective(world.mdp, world.features, theta, demos, horizon=T),
             mmp_objective(world.mdp, world.features, theta, demos, horizon=T),
             classic_maxent_gradient(world.mdp, world.features, theta, demos, horizon=T),
             reward_gradient(world.mdp, world.reward, demos, horizon=T)]
    for pair in pairs:
        assert isinstance(pair, tuple) and len(pair) == 2 and np.ndim(pair[0]) == 0
    # mmp_objective's former third output has a function of its own
    assert mmp_margin_violations(world.mdp, world.features, theta, demos, horizon=T).shape == (demos.n_trajectories,)
