"""Apprenticeship learning (Abbeel & Ng 2004): the nearest-hull-point solver, both reward steps, the guarantee."""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from helpers import seeds, tiny_problem
from tabular_irl import ConvergenceWarning, MDP, gridworld, sample_trajectories, soft_backward, value_iteration
from tabular_irl.irl._common import features_for, policy_feature_expectations
from tabular_irl.irl.apprenticeship import ApprenticeshipResult, apprenticeship_learning, min_norm_point
from tabular_irl.metrics import policy_value

METHODS = ["projection", "max_margin"]
# (horizon, discount) of the models the algorithm supports
MODELS = [(8, None), (None, 0.9), (6, 0.9)]


# -- oracles ---------------------------------------------------------------------------


def _face_enumeration_distance(P, y):
    """Distance from y to conv(P) by brute force over every face spanned by <= d+1 points.

    The nearest point lies in the relative interior of a face spanned by affinely independent
    points (Caratheodory), where it is the affine hull's nearest point with positive weights.
    Subsets whose affine solution has a negative weight are skipped: their nearest point
    is covered by a smaller subset.
    """
    k, d = P.shape
    best = np.inf
    for m in range(1, min(k, d + 1) + 1):
        for S in itertools.combinations(range(k), m):
            Q = P[list(S)] - y
            # KKT of min |alpha @ Q|^2 s.t. sum(alpha) = 1
            K = np.zeros((m + 1, m + 1))
            K[:m, :m] = Q @ Q.T
            K[:m, m] = K[m, :m] = 1.0
            rhs = np.zeros(m + 1)
            rhs[m] = 1.0
            alpha = np.linalg.lstsq(K, rhs, rcond=None)[0][:m]
            if np.all(alpha >= -1e-12) and abs(alpha.sum() - 1.0) < 1e-9:
                best = min(best, float(np.linalg.norm(alpha @ Q)))
    return best


def _slsqp_max_margin(mus, mu_E):
    """The max-margin QP as stated: max t s.t. w.mu_E >= w.mu_j + t, ||w||_2 <= 1 (a general solver)."""
    k, d = mus.shape
    D = mu_E - mus  # (k, d)
    cons = [{"type": "ineq", "fun": lambda z: D @ z[:d] - z[d], "jac": lambda z: np.column_stack([D, -np.ones(k)])},
            {"type": "ineq", "fun": lambda z: 1.0 - z[:d] @ z[:d],
             "jac": lambda z: np.concatenate([-2 * z[:d], [0.0]])[None]}]
    best = -np.inf
    rng = np.random.default_rng(0)
    for start in [np.append(D.mean(0) / max(np.linalg.norm(D.mean(0)), 1e-12), 0.0), *rng.normal(size=(3, d + 1))]:
        z0 = start.copy()
        z0[d] = min(D @ z0[:d]) if np.linalg.norm(z0[:d]) <= 1 else 0.0
        res = minimize(lambda z: -z[d], z0, jac=lambda z: np.append(np.zeros(d), -1.0), constraints=cons,
                       method="SLSQP", options={"ftol": 1e-14, "maxiter": 500})
        best = max(best, float(res.x[d]))
    return best


def _check_kkt(P, y, x, atol):
    """Optimality of x in conv(P): <y - x, p_j - x> <= 0 for every point."""
    assert np.max((P - x) @ (y - x)) <= atol


def _check_distribution(weights, k):
    assert weights.shape == (k,)
    assert np.all(weights >= 0.0)
    assert abs(weights.sum() - 1.0) <= 1e-12


# -- the nearest point of a hull ---------------------------------------------------------


@given(seed=seeds, k=st.integers(1, 6), d=st.integers(1, 3),
       shape=st.sampled_from(["random", "duplicates", "collinear", "inside"]))
def test_min_norm_point_matches_face_enumeration(seed, k, d, shape):
    rng = np.random.default_rng(seed)
    P = rng.normal(size=(k, d))
    if shape == "duplicates":
        P = P[rng.integers(k, size=k + 2)]
    elif shape == "collinear":
        P = rng.normal(size=d) + rng.normal(size=(k, 1)) * rng.normal(size=d)
    y = rng.dirichlet(np.ones(len(P))) @ P if shape == "inside" else 2 * rng.normal(size=d)
    weights, x = min_norm_point(P, y)
    _check_distribution(weights, len(P))
    assert_allclose(x, weights @ P, rtol=0, atol=1e-14)
    scale = max(1.0, float(np.max(np.sum((P - y) ** 2, axis=1))))
    _check_kkt(P, y, x, 1e-10 * scale)
    assert abs(np.linalg.norm(x - y) - _face_enumeration_distance(P, y)) <= 1e-10 * np.sqrt(scale)
    if shape == "inside":
        assert np.linalg.norm(x - y) <= 1e-10 * np.sqrt(scale)


def test_min_norm_point_matches_a_general_solver_in_more_dimensions(rng):
    P = rng.normal(size=(12, 8))
    y = 3 * rng.normal(size=8)
    weights, x = min_norm_point(P, y)
    res = minimize(lambda lam: np.sum((lam @ P - y) ** 2), np.full(12, 1 / 12), method="SLSQP",
                   jac=lambda lam: 2 * P @ (lam @ P - y), bounds=[(0, 1)] * 12,
                   constraints=[{"type": "eq", "fun": lambda lam: lam.sum() - 1}],
                   options={"ftol": 1e-15, "maxiter": 1000})
    # SLSQP is a general method, accurate to ~1e-8 here and feasible only to ~1e-12: made feasible,
    # its answer can be no better than Wolfe's
    lam = np.maximum(res.x, 0.0) / np.maximum(res.x, 0.0).sum()
    assert np.linalg.norm(x - y) <= np.linalg.norm(lam @ P - y) + 1e-12
    assert abs(np.linalg.norm(x - y) - np.linalg.norm(lam @ P - y)) <= 1e-6
    _check_kkt(P, y, x, 1e-10 * np.max(np.sum((P - y) ** 2, axis=1)))


def test_min_norm_point_closed_forms():
    # nearest point of the segment y = 1, 0 <= x <= 2 to (0.5, 0) is (0.5, 1) = 0.75 p0 + 0.25 p1
    weights, x = min_norm_point([[0.0, 1.0], [2.0, 1.0]], [0.5, 0.0])
    assert_allclose(weights, [0.75, 0.25], rtol=0, atol=1e-15)
    assert_allclose(x, [0.5, 1.0], rtol=0, atol=1e-15)
    # beyond the end of the segment: the end point
    weights, x = min_norm_point([[0.0, 1.0], [2.0, 1.0]], [3.0, 0.0])
    assert_allclose(weights, [0.0, 1.0], rtol=0, atol=1e-15)
    # origin inside a triangle: distance 0; the origin by default
    weights, x = min_norm_point([[1.0, 0.0], [-1.0, 1.0], [-1.0, -1.0]])
    assert_allclose(weights, [0.5, 0.25, 0.25], rtol=0, atol=1e-15)
    assert_allclose(x, [0.0, 0.0], rtol=0, atol=1e-15)
    # a single (repeated) point
    weights, x = min_norm_point([[2.0, -1.0]] * 3, [0.0, 0.0])
    _check_distribution(weights, 3)
    assert_allclose(x, [2.0, -1.0], rtol=0, atol=0)


# -- the algorithm on gridworlds ---------------------------------------------------------


def _world(features="mixed"):
    world = gridworld(5, slip=0.2)
    coords = np.asarray(world.feature_sets["coordinates"])
    if features == "coordinates":
        return world, coords
    onehot = np.asarray(world.feature_sets["onehot"])
    if features == "onehot":
        return world, onehot
    return world, np.column_stack([coords, onehot[:, [3, 12, 20]]])  # d = 5


def _mu(world, phi, policy, horizon, discount):
    gamma = 1.0 if discount is None else discount
    return policy_feature_expectations(world.mdp, features_for(world.mdp, phi), policy, horizon, gamma)


def _prefix_distances(result):
    mus, mu_E = result.feature_expectations, result.expert_feature_expectations
    return np.array([np.linalg.norm(mu_E - min_norm_point(mus[: i + 1], mu_E)[1]) for i in range(result.n_iter)])


@pytest.mark.parametrize("features,expert_discount", [("onehot", None), ("mixed", 0.9), ("coordinates", 0.9)])
def test_projection_margins_non_increasing_and_mu_bar_in_hull(features, expert_discount):
    world, phi = _world(features)
    horizon, discount = (8, None) if expert_discount is None else (None, expert_discount)
    w = np.random.default_rng(0).normal(size=phi.shape[1])
    expert = soft_backward(world.mdp, phi @ w, horizon=horizon, discount=discount).policy
    mu_E = _mu(world, phi, expert, horizon, discount)
    fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=horizon, discount=discount, epsilon=1e-3)
    assert fit.converged and fit.n_iter >= 3
    t = fit.margins
    assert np.all(np.diff(t) <= 1e-12 * t[0]), np.diff(t).max()
    # mu_bar is a convex combination of the policies found so far: t >= the hull distance
    assert np.all(t >= _prefix_distances(fit) - 1e-12 * t[0])
    assert t[0] == pytest.approx(np.linalg.norm(mu_E - fit.feature_expectations[0]), rel=1e-14)


def test_projection_is_the_orthogonal_projection_onto_the_line():
    """Each mu_bar is the foot of the perpendicular from mu_E to the line through the last mu_bar and
    the new mu (when that foot lies between them): Pythagoras links consecutive margins."""
    world, phi = _world("onehot")
    expert = soft_backward(world.mdp, phi @ np.linspace(-1, 1, 25), horizon=8).policy
    mu_E = _mu(world, phi, expert, 8, None)
    with pytest.warns(ConvergenceWarning, match="max_iter=15"):
        fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=8, epsilon=1e-6, max_iter=15)
    mus, t = fit.feature_expectations, fit.margins
    mu_bar = mus[0]
    for i in range(1, fit.n_iter):
        step = mus[i] - mu_bar
        along = step @ (mu_E - mu_bar) / np.linalg.norm(step)  # component of mu_E - mu_bar along the line
        assert 0.0 < along < np.linalg.norm(step)  # the foot lies strictly inside the segment here
        assert t[i] ** 2 == pytest.approx(t[i - 1] ** 2 - along**2, rel=1e-9)
        foot = mu_bar + along * step / np.linalg.norm(step)
        assert (mu_E - foot) @ step == pytest.approx(0.0, abs=1e-9 * t[0] ** 2)
        mu_bar = foot
    assert_allclose(fit.theta, (mu_E - mu_bar) / np.linalg.norm(mu_E - mu_bar), rtol=0, atol=1e-9)


def test_projection_stays_in_the_hull_for_unattainable_expert_features():
    """Without clipping the paper's step leaves the hull when mu_E is not attainable."""
    world, phi = _world("coordinates")
    with pytest.warns(ConvergenceWarning):
        fit = apprenticeship_learning(world.mdp, phi, [-2.0, 4.0], horizon=8, epsilon=1e-6, max_iter=30)
    assert np.all(np.diff(fit.margins) <= 1e-12 * fit.margins[0])
    assert np.all(fit.margins >= _prefix_distances(fit) - 1e-12 * fit.margins[0])


@pytest.mark.parametrize("features", ["coordinates", "mixed"])
def test_max_margin_margin_is_the_hull_distance_at_every_iteration(features):
    world, phi = _world(features)
    w = np.random.default_rng(1).normal(size=phi.shape[1])
    w /= np.linalg.norm(w)
    expert = value_iteration(world.mdp, phi @ w, horizon=8).policy
    mu_E = _mu(world, phi, expert, 8, None)
    fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=8, method="max_margin", epsilon=1e-3)
    assert fit.converged and fit.n_iter >= 3
    mus = fit.feature_expectations
    for i, t in enumerate(fit.margins):
        if features == "coordinates":  # d = 2: brute force over the faces
            assert t == pytest.approx(_face_enumeration_distance(mus[: i + 1], mu_E), rel=1e-10, abs=1e-10)
        if t > 1e-9:  # the QP itself, by a general solver (accurate to ~1e-7)
            assert t == pytest.approx(_slsqp_max_margin(mus[: i + 1], mu_E), rel=1e-6, abs=1e-7)
    # the last theta attains the margin: it is feasible for the QP with value t (w = 0 when t = 0)
    theta, t = fit.theta, fit.margins[-1]
    if t > 0.0:
        assert np.linalg.norm(theta) == pytest.approx(1.0, rel=1e-12)
        assert np.min((mu_E - mus[: fit.n_iter]) @ theta) >= t - 1e-10
    else:
        assert np.all(theta == 0.0)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("horizon,discount", MODELS)
def test_mixture_value_is_within_epsilon_of_the_expert_for_every_linear_reward(method, horizon, discount):
    world, phi = _world("mixed")
    rng = np.random.default_rng(2)
    w_true = rng.normal(size=5)
    w_true *= 0.8 / np.linalg.norm(w_true)  # ||w||_2 <= 1
    expert = value_iteration(world.mdp, phi @ w_true, horizon=horizon, discount=discount).policy
    mu_E = _mu(world, phi, expert, horizon, discount)
    eps = 1e-3
    fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=horizon, discount=discount, method=method,
                                  epsilon=eps)
    assert fit.converged, fit.message
    assert fit.distance <= eps
    _check_distribution(fit.mixture_weights, len(fit.policies))
    assert_allclose(fit.mixture_feature_expectations, fit.mixture_weights @ fit.feature_expectations,
                    rtol=0, atol=1e-12)
    assert fit.distance == pytest.approx(np.linalg.norm(mu_E - fit.mixture_feature_expectations), rel=1e-12)
    shape = world.mdp.n_states, world.mdp.n_actions
    assert all(p.shape == (shape if horizon is None else (horizon, *shape)) for p in fit.policies)
    # values by an independent path (metrics.policy_value), the true reward and random ones
    kw = dict(horizon=horizon, discount=discount)
    for k, w in enumerate([w_true, *rng.normal(size=(4, 5))]):
        r = phi @ w
        v_expert = policy_value(world.mdp, expert, r, **kw)
        v_mix = sum(lam * policy_value(world.mdp, pi, r, **kw) for lam, pi in zip(fit.mixture_weights, fit.policies))
        assert abs(v_expert - v_mix) <= eps * np.linalg.norm(w) + 1e-9
        if k == 0:  # the expert is optimal for w_true
            assert v_expert - v_mix >= -1e-9


@pytest.mark.parametrize("method", METHODS)
def test_trajectories_and_expert_feature_array_agree(method):
    world, phi = _world("mixed")
    horizon, discount = 8, 0.9
    expert = soft_backward(world.mdp, phi @ np.array([0.5, 0.5, -1.0, 0.0, 1.0]), horizon=horizon).policy
    demos = sample_trajectories(world.mdp, expert, 300, horizon=horizon, seed=0)
    # the empirical feature expectations by hand: mean_i sum_t gamma^t phi(s_t)
    by_hand = np.mean([sum(discount**t * phi[s] for t, s in enumerate(states[:-1])) for states in demos.states],
                      axis=0)
    kw = dict(horizon=horizon, discount=discount, method=method, epsilon=1e-3)
    from_demos = apprenticeship_learning(world.mdp, phi, demos, **kw)
    from_array = apprenticeship_learning(world.mdp, phi, by_hand, **kw)
    assert_allclose(from_demos.expert_feature_expectations, by_hand, rtol=0, atol=1e-12)
    assert from_demos.converged and from_array.converged
    assert from_demos.n_iter == from_array.n_iter
    assert_allclose(from_demos.margins, from_array.margins, rtol=1e-9, atol=1e-12)
    assert_allclose(from_demos.mixture_weights, from_array.mixture_weights, rtol=0, atol=1e-9)
    assert from_demos.distance <= 1e-3


def _all_deterministic_policies(S, A, T):
    for choice in itertools.product(range(A), repeat=S * T):
        yield np.eye(A)[np.array(choice).reshape(T, S)]  # (T, S, A)


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=25)
@given(seed=seeds, offset=st.booleans())
def test_result_against_the_enumerated_attainable_set(method, seed, offset):
    """On a tiny MDP the attainable feature expectations are the hull of every deterministic policy's."""
    S, A, T, d = 2, 2, 2, 2
    mdp, _, _, _ = tiny_problem(seed % 10_000, S, A)
    rng = np.random.default_rng(seed % 10_000 + 7)
    phi = rng.normal(size=(S, A, d))
    F = features_for(mdp, phi)
    vertices = np.array([policy_feature_expectations(mdp, F, pi, T, 1.0)
                         for pi in _all_deterministic_policies(S, A, T)])
    if offset:  # usually outside the attainable set
        mu_E = vertices.mean(0) + 3 * rng.normal(size=d)
    else:
        mu_E = rng.dirichlet(np.ones(len(vertices))) @ vertices
    true_distance = _face_enumeration_distance(vertices, mu_E)
    eps, max_iter = 1e-6, 40
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = apprenticeship_learning(mdp, phi, mu_E, horizon=T, method=method, epsilon=eps, max_iter=max_iter)
    assert fit.distance_lower_bound <= true_distance + 1e-10  # a certificate, never more than the truth
    assert fit.distance >= true_distance - 1e-10
    if method == "max_margin":  # fully corrective: finitely many vertices, finite convergence
        assert fit.n_iter < max_iter
    if true_distance <= eps / 2:
        assert fit.converged
    if fit.converged:
        assert fit.distance <= eps
    elif fit.n_iter < max_iter:  # stopped early: proven unattainable, within epsilon of the best mixture
        assert fit.distance_lower_bound > eps
        assert fit.distance <= fit.distance_lower_bound + eps + 1e-12
        assert fit.distance <= true_distance + eps + 1e-12
    else:  # the projection method's certificate closes at Frank-Wolfe's sublinear rate
        assert method == "projection" and fit.distance_lower_bound > eps


@pytest.mark.parametrize("method", METHODS)
def test_unattainable_expert_features_are_reported(method):
    world, phi = _world("coordinates")
    # coordinates lie in [0, 1], so 8 decisions give feature expectations in [0, 8]^2
    with pytest.warns(ConvergenceWarning, match="not attainable"):
        fit = apprenticeship_learning(world.mdp, phi, [20.0, 20.0], horizon=8, method=method, epsilon=1e-3)
    assert not fit.converged
    assert fit.distance_lower_bound > np.linalg.norm([12.0, 12.0])  # at least the distance to [0, 8]^2
    assert fit.distance_lower_bound <= fit.distance <= fit.distance_lower_bound + 1e-3
    assert "increase epsilon" in fit.message.lower()
    assert fit.n_iter < 200


@pytest.mark.parametrize("method", METHODS)
def test_max_iter_exhausted_is_reported(method):
    world, phi = _world("onehot")
    expert = soft_backward(world.mdp, phi @ np.linspace(-1, 1, 25), horizon=8).policy
    mu_E = _mu(world, phi, expert, 8, None)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=8, method=method, epsilon=1e-6, max_iter=2)
    assert not fit.converged and fit.n_iter == 2 and len(fit.policies) == 3
    assert fit.distance > 1e-6 and fit.distance_lower_bound <= 1e-6
    assert "increase max_iter" in fit.message.lower()
    assert f"{fit.distance:.3g}" in fit.guarantee


def test_first_policy_default_and_theta0():
    world, phi = _world("coordinates")
    mu_E = [1.5, 2.5]
    with pytest.warns(ConvergenceWarning):
        fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=5, max_iter=1)
    assert np.all(fit.policies[0][..., 0] == 1.0)  # theta0 = 0: every action ties, ties go to action 0
    theta0 = np.array([1.0, -2.0])
    with pytest.warns(ConvergenceWarning):
        fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=5, max_iter=1, theta0=theta0)
    assert_allclose(fit.policies[0], value_iteration(world.mdp, phi @ theta0, horizon=5).policy, rtol=0, atol=0)
    assert_allclose(fit.feature_expectations[0], _mu(world, phi, fit.policies[0], 5, None), rtol=0, atol=1e-12)


def test_result_is_frozen():
    world, phi = _world("coordinates")
    fit = apprenticeship_learning(world.mdp, phi, [4.0, 4.0], horizon=8)
    assert isinstance(fit, ApprenticeshipResult) and fit.converged
    assert "<= epsilon" in fit.guarantee
    for arr in (fit.feature_expectations, fit.margins, fit.theta, fit.mixture_weights,
                fit.mixture_feature_expectations, fit.expert_feature_expectations):
        with pytest.raises(ValueError):
            arr[0] = 1.0
    with pytest.raises(AttributeError):
        fit.converged = False


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(method="gradient"), ValueError, "method must be one of"),
    (dict(method=None), ValueError, "method must be one of"),
    (dict(epsilon=0.0), ValueError, "epsilon must be a finite number > 0"),
    (dict(epsilon=-1e-3), ValueError, "epsilon"),
    (dict(epsilon=float("nan")), ValueError, "epsilon"),
    (dict(epsilon=float("inf")), ValueError, "epsilon"),
    (dict(epsilon="small"), TypeError, "epsilon must be a real number"),
    (dict(epsilon=True), TypeError, "epsilon"),
    (dict(max_iter=0), ValueError, "max_iter must be >= 1"),
    (dict(max_iter=2.0), TypeError, "max_iter must be an integer"),
    (dict(max_iter=True), TypeError, "max_iter"),
    (dict(theta0=[1.0, 2.0, 3.0]), ValueError, r"theta0 must have shape \(2,\)"),
    (dict(theta0=[np.nan, 1.0]), ValueError, "theta0 must be finite"),
    (dict(horizon=None), ValueError, "give horizon"),
    (dict(horizon=3.0), TypeError, "horizon"),
    (dict(discount=1.0, horizon=None), ValueError, "discount"),
])
def test_bad_arguments(kwargs, error, match):
    world, phi = _world("coordinates")
    call = dict(horizon=4) | kwargs
    with pytest.raises(error, match=match):
        apprenticeship_learning(world.mdp, phi, [1.0, 1.0], **call)


def test_bad_data():
    world, phi = _world("coordinates")
    with pytest.raises(ValueError, match=r"^demos must have shape \(2,\)"):
        apprenticeship_learning(world.mdp, phi, [1.0, 1.0, 1.0], horizon=4)
    with pytest.raises(ValueError, match="^demos must be finite"):
        apprenticeship_learning(world.mdp, phi, [1.0, np.inf], horizon=4)
    with pytest.raises(TypeError, match="^demos"):
        apprenticeship_learning(world.mdp, phi, "expert", horizon=4)
    with pytest.raises(ValueError, match="features must have shape"):
        apprenticeship_learning(world.mdp, phi[:-1], [1.0, 1.0], horizon=4)
    with pytest.raises(TypeError, match="mdp must be a tabular_irl.MDP"):
        apprenticeship_learning(world.mdp.to_dense(), phi, [1.0, 1.0], horizon=4)
    demos = sample_trajectories(world.mdp, np.full((25, 5), 0.2), 3, horizon=5, seed=0)
    with pytest.raises(ValueError, match="horizon T=4"):
        apprenticeship_learning(world.mdp, phi, demos, horizon=4)
    small = MDP.from_dense(np.ones((2, 1, 2)) / 2, [1.0, 0.0])
    with pytest.raises(ValueError, match=r"demos\.states\[0, 0\] = 15 is not a state of this MDP \(n_states=2\)"):
        apprenticeship_learning(small, np.eye(2), demos, horizon=5)


def test_min_norm_point_bad_input():
    with pytest.raises(ValueError, match=r"points must have shape \(k, d\)"):
        min_norm_point([1.0, 2.0])
    with pytest.raises(ValueError, match=r"points must have shape \(k, d\)"):
        min_norm_point(np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"target must have shape \(2,\)"):
        min_norm_point(np.zeros((3, 2)), [0.0])
    with pytest.raises(ValueError, match="points must be finite"):
        min_norm_point([[np.nan, 0.0]])
