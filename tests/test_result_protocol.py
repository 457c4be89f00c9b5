"""Every fitted model follows one result protocol (tabular_irl/irl/_result.py).

``theta``, ``reward (S, A)``, ``policy`` (``(T, S, A)`` with a horizon, ``(S, A)``
without), ``objective``, ``converged`` (a bool), ``message`` (a str), ``n_iter``,
``method``, ``history``; non-convergence warns with ``ConvergenceWarning`` and
returns ``converged=False``, never raises. Old attribute names keep working for
one release with a ``DeprecationWarning`` naming the new one.
"""

import dataclasses
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

import tabular_irl
import tabular_irl.exceptions
import tabular_irl.planning
from helpers import tiny_problem
from tabular_irl import (
    ConvergenceWarning,
    apprenticeship_learning,
    classic_maxent_irl,
    expected_feature_counts,
    lp_irl,
    max_margin_planning,
    maxent_irl,
    sample_trajectories,
    soft_backward,
    value_iteration,
    visitation,
)
from tabular_irl.approx import AIRLResult, airl, occupancy_measure
from tabular_irl.irl import ApprenticeshipResult, FitResult, LPIRLResult, MaxEntResult, MMPResult
from tabular_irl.irl._result import PROTOCOL_FIELDS

S, A, T, D = 4, 3, 4, 3
GAMMA = 0.8
RESULT_CLASSES = (MaxEntResult, MMPResult, ApprenticeshipResult, LPIRLResult, AIRLResult)


@pytest.fixture(scope="module")
def problem():
    """A tiny MDP, state features (S, d), an expert's policies and demonstrations for both models."""
    mdp, _, _, r = tiny_problem(5, S, A)
    phi = np.random.default_rng(5).normal(size=(S, D))
    finite = soft_backward(mdp, 2.0 * r, horizon=T).policy
    deterministic, _, _, _ = tiny_problem(5, S, A, deterministic=True)  # where the classic gradient is exact
    stationary = soft_backward(mdp, 2.0 * r, discount=GAMMA).policy
    return {
        "mdp": mdp,
        "phi": phi,
        "demos": sample_trajectories(mdp, finite, 200, horizon=T, seed=0),
        "mu_horizon": expected_feature_counts(visitation(mdp, finite, horizon=T), phi),
        "mu_discount": expected_feature_counts(visitation(mdp, stationary, discount=GAMMA), phi),
        "rho": occupancy_measure(mdp, stationary, discount=GAMMA),
        "optimal": value_iteration(mdp, r, discount=GAMMA).policy,  # deterministic, for LP IRL
        "demos_discount": sample_trajectories(mdp, stationary, 200, horizon=T, seed=1),
        # max margin planning plans once per distinct demonstration (Hamming loss): few of them
        "few": sample_trajectories(mdp, finite, 10, horizon=T, seed=3),
        "few_discount": sample_trajectories(mdp, stationary, 10, horizon=T, seed=4),
        "deterministic": deterministic,
        "demos_deterministic": sample_trajectories(
            deterministic, soft_backward(deterministic, 2.0 * r, horizon=T).policy, 200, horizon=T, seed=2),
    }


def _maxent(p, model, max_iter, **kw):
    demos = p["demos"] if "horizon" in model else p["demos_discount"]
    return maxent_irl(p["mdp"], p["phi"], demos, l2=0.1, max_iter=max_iter or 1000, **model, **kw)


def _classic(p, model, max_iter):
    return classic_maxent_irl(p["deterministic"], p["phi"], p["demos_deterministic"], l2=0.1,
                              max_iter=max_iter or 1000, **model)


def _mmp(p, model, max_iter, method):
    demos = p["few"] if "horizon" in model else p["few_discount"]
    return max_margin_planning(p["mdp"], p["phi"], demos, method=method, max_iter=max_iter, **model)


def _apprenticeship(p, model, max_iter, method):
    mu_E = p["mu_horizon"] if "horizon" in model else p["mu_discount"]
    return apprenticeship_learning(p["mdp"], p["phi"], mu_E, method=method, epsilon=1e-6,
                                   max_iter=max_iter or 200, **model)


def _lp(p, model, max_iter, features):
    # linprog has no iteration count to cap usefully on a tiny LP (presolve may finish it): a zero time
    # limit stops it short instead
    options = None if max_iter is None else {"time_limit": 0.0}
    return lp_irl(p["mdp"], p["optimal"], features=p["phi"] if features else None, options=options, **model)


def _airl(p, model, max_iter):
    return airl(p["mdp"], p["rho"], max_iter=max_iter or 200, **model)


HORIZON, DISCOUNT = {"horizon": T}, {"discount": GAMMA}
# (name, fit(problem, model, max_iter), models it supports)
FITS = [
    ("maxent_causal", _maxent, (HORIZON, DISCOUNT)),
    ("maxent_noncausal", lambda p, m, it: _maxent(p, m, it, causal=False), (HORIZON,)),
    ("classic_maxent", _classic, (HORIZON,)),
    ("mmp_cutting_plane", lambda p, m, it: _mmp(p, m, it, "cutting_plane"), (HORIZON, DISCOUNT)),
    ("mmp_subgradient", lambda p, m, it: _mmp(p, m, it, "subgradient"), (HORIZON, DISCOUNT)),
    ("apprenticeship_projection", lambda p, m, it: _apprenticeship(p, m, it, "projection"), (HORIZON, DISCOUNT)),
    ("apprenticeship_max_margin", lambda p, m, it: _apprenticeship(p, m, it, "max_margin"), (HORIZON, DISCOUNT)),
    ("lp_finite_state", lambda p, m, it: _lp(p, m, it, False), (DISCOUNT,)),
    ("lp_features", lambda p, m, it: _lp(p, m, it, True), (DISCOUNT,)),
    ("airl", _airl, (DISCOUNT,)),
]
CASES = [pytest.param(fit, model, id=f"{name}-{'horizon' if 'horizon' in model else 'discount'}")
         for name, fit, models in FITS for model in models]


def check_protocol(fit, model):
    """Every attribute of the protocol, with its type and shape."""
    assert isinstance(fit, RESULT_CLASSES) and isinstance(fit, FitResult)
    for name in PROTOCOL_FIELDS:
        assert hasattr(fit, name), name
    assert isinstance(fit.theta, np.ndarray) and fit.theta.ndim == 1 and fit.theta.dtype == np.float64
    assert np.all(np.isfinite(fit.theta))
    assert fit.reward.shape == (S, A) and fit.reward.dtype == np.float64 and np.all(np.isfinite(fit.reward))
    policy = np.asarray(fit.policy)
    if "horizon" in model and not isinstance(fit, AIRLResult):
        assert policy.shape == (T, S, A)
    else:
        assert policy.shape == (S, A)
    assert np.all(policy >= 0)
    assert_allclose(policy.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    assert isinstance(fit.objective, float) and np.isfinite(fit.objective)
    assert type(fit.converged) is bool
    assert isinstance(fit.message, str) and fit.message
    assert isinstance(fit.n_iter, int) and not isinstance(fit.n_iter, bool) and fit.n_iter >= 0
    assert isinstance(fit.method, str) and fit.method
    assert isinstance(fit.history, dict)


@pytest.mark.parametrize("fit,model", CASES)
def test_fit_follows_the_protocol_and_converges_without_warning(problem, fit, model):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        result = fit(problem, model, None)
    check_protocol(result, model)
    assert result.converged, result.message


@pytest.mark.parametrize("fit,model", CASES)
def test_not_converging_warns_and_returns_converged_false(problem, fit, model):
    with pytest.warns(ConvergenceWarning) as caught:
        result = fit(problem, model, 1)
    check_protocol(result, model)
    assert result.converged is False
    assert any(str(w.message) == result.message for w in caught)  # the warning says what the result says


def test_every_result_class_is_covered_and_declares_the_protocol(problem):
    seen = {type(fit(problem, models[0], None)) for _, fit, models in FITS}
    assert seen == set(RESULT_CLASSES)
    for cls in RESULT_CLASSES:
        declared = {f.name for f in dataclasses.fields(cls)} | set(dir(cls))
        assert set(PROTOCOL_FIELDS) <= declared, (cls.__name__, set(PROTOCOL_FIELDS) - declared)


def test_linear_rewards_are_features_at_theta(problem):
    phi = problem["phi"]
    for fit in (_maxent(problem, HORIZON, None), _mmp(problem, DISCOUNT, None, "cutting_plane"),
                _apprenticeship(problem, HORIZON, None, "max_margin"), _lp(problem, DISCOUNT, None, True)):
        assert_allclose(fit.reward, np.repeat((phi @ fit.theta)[:, None], A, axis=1), rtol=0, atol=1e-12)


@pytest.mark.parametrize("model", [HORIZON, DISCOUNT])
@pytest.mark.parametrize("method", ["projection", "max_margin"])
def test_apprenticeship_policy_has_the_mixtures_feature_expectations(problem, model, method):
    """One Markov policy visits (s, a) as the mixture does (Puterman 1994, Theorem 5.5.1)."""
    fit = _apprenticeship(problem, model, None, method)
    assert np.count_nonzero(fit.mixture_weights) >= 2  # a mixture, not one of its policies
    mu = expected_feature_counts(visitation(problem["mdp"], fit.policy, **model), problem["phi"])
    assert_allclose(mu, fit.mixture_feature_expectations, rtol=0, atol=1e-12)
    mixture = sum(w * visitation(problem["mdp"], pi, **model).total_state_action
                  for w, pi in zip(fit.mixture_weights, fit.policies))
    assert_allclose(visitation(problem["mdp"], fit.policy, **model).total_state_action, mixture, rtol=0, atol=1e-12)


def test_convergence_warning_is_one_class_in_its_three_homes():
    assert tabular_irl.ConvergenceWarning is tabular_irl.exceptions.ConvergenceWarning
    assert tabular_irl.planning.ConvergenceWarning is tabular_irl.exceptions.ConvergenceWarning
    assert issubclass(ConvergenceWarning, UserWarning)


# --------------------------------------------------------------------------
# old names, for one release
# --------------------------------------------------------------------------
@pytest.mark.parametrize("features", [False, True])
def test_lp_old_names_warn_and_keep_their_meaning(problem, features):
    fit = _lp(problem, DISCOUNT, None, features)
    with pytest.warns(DeprecationWarning, match=r"LPIRLResult\.success is deprecated.*use LPIRLResult\.converged"):
        assert fit.success is True
    with pytest.warns(DeprecationWarning, match=r"LPIRLResult\.status is deprecated.*use LPIRLResult\.converged"):
        assert fit.status == 0
    with pytest.warns(DeprecationWarning, match=r"LPIRLResult\.alpha is deprecated.*use LPIRLResult\.theta"):
        alpha = fit.alpha
    if features:
        np.testing.assert_array_equal(alpha, fit.theta)
    else:
        assert alpha is None  # the finite-state LP had no feature weights
    # the old (S,) reward is state_reward; reward is the protocol's (S, A) table
    np.testing.assert_array_equal(fit.reward, np.repeat(fit.state_reward[:, None], A, axis=1))


def test_lp_old_status_of_a_short_solve(problem):
    with pytest.warns(ConvergenceWarning):
        fit = _lp(problem, DISCOUNT, 1, False)
    with pytest.warns(DeprecationWarning):
        assert fit.success is False
    with pytest.warns(DeprecationWarning):
        assert fit.status == 1  # linprog: iteration or time limit


def test_maxent_result_keeps_its_solver_out_of_its_fields(problem):
    fit = _maxent(problem, HORIZON, None)
    assert "_problem" not in {f.name for f in dataclasses.fields(MaxEntResult)}
    assert "_problem" not in repr(fit)
    np.testing.assert_array_equal(fit.policy, fit.plan.policy)
    H = fit.hessian()
    se = fit.standard_errors()
    assert H.shape == (D, D) and se.shape == (D,) and np.all(np.isfinite(se))
    bare = dataclasses.replace(fit)  # a result not returned by a fit has no problem to differentiate
    with pytest.raises(AttributeError, match="maxent_hessian"):
        bare.hessian()
