"""Environment builders: dynamics checked against loop-by-loop references, features and
rewards against brute-force recomputation, and every argument's validation."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import tabular_irl.envs as envs
from tabular_irl import MDP
from tabular_irl.envs import GridGeometry, Problem, gridworld, objectworld, random_mdp

UP, RIGHT, DOWN, LEFT, STAY = range(5)
DELTAS = [(-1, 0), (0, 1), (1, 0), (0, -1), (0, 0)]
# Probabilities are sums of at most five terms like 1 - slip and slip / 5.
EXACT = dict(rtol=0, atol=1e-15)


def dense(problem: Problem) -> np.ndarray:
    return problem.mdp.to_dense()


def reference_grid_P(rows, cols, slip, walls, goals):
    """Loop-by-loop P[s, a, s'] of the gridworld, straight from the docstring."""
    S = rows * cols
    P = np.zeros((S, 5, S))
    for r, c in itertools.product(range(rows), range(cols)):
        s = r * cols + c
        for a in range(5):
            if (r, c) in walls or (r, c) in goals:
                P[s, a, s] = 1.0
                continue
            for m, (dr, dc) in enumerate(DELTAS):
                p = (1 - slip) * (m == a) + slip / 5
                nr, nc = r + dr, c + dc
                if not (0 <= nr < rows and 0 <= nc < cols) or (nr, nc) in walls:
                    nr, nc = r, c
                P[s, a, nr * cols + nc] += p
    return P


def assert_rows_are_distributions(mdp: MDP) -> None:
    P = mdp.transitions
    assert P.shape == (mdp.n_states * mdp.n_actions, mdp.n_states)
    assert np.all(P.data > 0)
    assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def assert_all_readonly(problem: Problem) -> None:
    arrays = [problem.reward, problem.theta, problem.mdp.initial]
    arrays += [problem.feature_sets[k] for k in problem.feature_sets]
    if problem.grid is not None:
        arrays.append(problem.grid.walls)
    arrays += [v for v in problem.info.values() if isinstance(v, np.ndarray)]
    for arr in arrays:
        if arr is not None:
            assert not arr.flags.writeable
            with pytest.raises(ValueError, match="read-only"):
                arr[(0,) * arr.ndim] = 1


# --------------------------------------------------------------------------
# gridworld: dynamics
# --------------------------------------------------------------------------
@st.composite
def grid_args(draw):
    rows = draw(st.integers(1, 5))
    cols = draw(st.integers(1, 5))
    cells = list(itertools.product(range(rows), range(cols)))
    chosen = draw(st.lists(st.sampled_from(cells), unique=True, min_size=1, max_size=len(cells)))
    n_walls = draw(st.integers(0, len(chosen) - 1))
    walls, goals = chosen[:n_walls], chosen[n_walls:]
    slip = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0, 1))
    return rows, cols, slip, walls, goals


@given(grid_args())
def test_gridworld_matches_loop_reference(args):
    rows, cols, slip, walls, goals = args
    p = gridworld(rows, cols, slip=slip, walls=walls, goals=goals, initial=goals[0])
    assert_rows_are_distributions(p.mdp)
    assert_allclose(dense(p), reference_grid_P(rows, cols, slip, set(walls), set(goals)), rtol=0, atol=1e-14)


@pytest.mark.parametrize("slip", [0.0, 0.1, 0.37, 1.0])
def test_intended_move_probability_in_interior(slip):
    p = gridworld(5, slip=slip)
    P, g = dense(p), p.grid
    s = g.state(2, 2)
    for a, (dr, dc) in enumerate(DELTAS):
        intended = g.state(2 + dr, 2 + dc)
        assert_allclose(P[s, a, intended], 1 - slip + slip / 5, **EXACT)
        others = [g.state(2 + er, 2 + ec) for er, ec in DELTAS if (er, ec) != (dr, dc)]
        assert_allclose(P[s, a, others], slip / 5, **EXACT)
        assert np.count_nonzero(P[s, a]) == (1 if slip == 0 else 5)


def test_border_bumps_stay_in_place():
    slip = 0.25
    p = gridworld(3, slip=slip, goals=[(2, 2)])
    P, g = dense(p), p.grid
    corner = g.state(0, 0)
    # up and left leave the grid: intended up, slips to up/left/stay all stay put
    assert_allclose(P[corner, UP, corner], 1 - slip + 3 * slip / 5, **EXACT)
    assert_allclose(P[corner, UP, g.state(0, 1)], slip / 5, **EXACT)
    assert_allclose(P[corner, UP, g.state(1, 0)], slip / 5, **EXACT)
    assert np.count_nonzero(P[corner, UP]) == 3
    edge = g.state(0, 1)  # top edge: only "up" bumps
    assert_allclose(P[edge, UP, edge], 1 - slip + 2 * slip / 5, **EXACT)
    assert_allclose(P[edge, DOWN, edge], 2 * slip / 5, **EXACT)


def test_wall_bumps_stay_in_place_and_walls_are_unreachable():
    slip = 0.2
    walls = [(1, 2), (2, 1)]
    p = gridworld(4, slip=slip, walls=walls)
    P, g = dense(p), p.grid
    s = g.state(1, 1)  # walls to its right and below
    assert_allclose(P[s, RIGHT, s], 1 - slip + 3 * slip / 5, **EXACT)  # right, down, stay
    assert P[s, RIGHT, g.state(1, 2)] == 0
    wall_states = [g.state(*w) for w in walls]
    free = np.setdiff1d(np.arange(p.mdp.n_states), wall_states)
    assert np.all(P[free][:, :, wall_states] == 0)
    for w in wall_states:  # walls are kept as self-looping states
        assert_array_equal(P[w, :, w], 1.0)
    assert_array_equal(p.grid.walls, np.isin(np.arange(16), wall_states).reshape(4, 4))


def test_goals_are_absorbing():
    goals = [(0, 3), (2, 1)]
    p = gridworld(4, slip=0.5, goals=goals)
    P, g = dense(p), p.grid
    for cell in goals:
        s = g.state(*cell)
        assert_array_equal(P[s, :, s], 1.0)
        assert np.count_nonzero(P[s]) == 5
    assert p.grid.goals == tuple(goals)


def test_default_goal_is_bottom_right_and_reward():
    p = gridworld(3, 4, goal_reward=2.5, step_reward=-0.1, walls=[(0, 0)])
    assert p.grid.shape == (3, 4) and p.grid.goals == ((2, 3),)
    expected = np.full(12, -0.1)
    expected[11] = 2.5
    assert_array_equal(p.reward, expected)  # walls get the step reward too
    assert p.name == "gridworld(3x4)"


def test_cols_defaults_to_rows_and_single_cell_grid():
    assert gridworld(3).grid.shape == (3, 3)
    p = gridworld(1, goals=[], slip=0.3)
    assert_array_equal(dense(p), np.ones((1, 5, 1)))


def test_slip_zero_is_deterministic():
    assert gridworld(4, slip=0.0).mdp.is_deterministic()
    assert not gridworld(4, slip=0.01).mdp.is_deterministic()


def test_large_gridworld_builds_and_is_consistent():
    p = gridworld(200, 150, slip=0.1, walls=[(5, 5)], goals=[(199, 149), (0, 0)])
    assert p.mdp.n_states == 30_000
    assert_rows_are_distributions(p.mdp)
    assert not p.feature_sets.is_built("onehot")  # 30000^2 identity not built eagerly
    assert p.feature_sets.shape("onehot") == (30_000, 30_000)
    assert "onehot" in p.feature_sets and "nope" not in p.feature_sets
    assert not p.feature_sets.is_built("onehot")


# --------------------------------------------------------------------------
# gridworld: start, features, geometry
# --------------------------------------------------------------------------
def test_start_uniform_excludes_walls_and_goals():
    p = gridworld(3, walls=[(1, 1)], goals=[(0, 2), (2, 2)])
    init = p.grid.as_grid(p.mdp.initial)
    expected = np.full((3, 3), 1 / 6)
    expected[1, 1] = expected[0, 2] = expected[2, 2] = 0
    assert_allclose(init, expected, rtol=1e-15)


def test_start_cell_and_distribution():
    p = gridworld(3, 4, initial=(1, 2))
    assert_array_equal(p.mdp.initial, np.eye(12)[6])
    d = np.arange(12.0) / np.arange(12.0).sum()
    assert_allclose(gridworld(3, 4, initial=d).mdp.initial, d, rtol=0, atol=0)
    # a start on a goal is allowed (it is not a wall)
    assert gridworld(3, initial=(2, 2)).mdp.initial[8] == 1.0


def test_coordinates_features():
    p = gridworld(3, 5)
    coords = p.feature_sets["coordinates"]
    assert coords.shape == (15, 2)
    for r, c in itertools.product(range(3), range(5)):
        assert_allclose(coords[p.grid.state(r, c)], [r / 2, c / 4], rtol=1e-15)
    assert coords.min() == 0.0 and coords.max() == 1.0
    single_row = gridworld(1, 4).feature_sets["coordinates"]
    assert_array_equal(single_row[:, 0], 0.0)
    assert_allclose(single_row[:, 1], [0, 1 / 3, 2 / 3, 1], rtol=1e-15)


def test_onehot_features_are_default_lazy_and_reproduce_the_reward():
    p = gridworld(4, walls=[(0, 1)], goal_reward=3.0, step_reward=-1.0)
    assert p.default_features == "onehot"
    assert not p.feature_sets.is_built("onehot")
    assert_array_equal(p.features, np.eye(16))
    assert p.feature_sets.is_built("onehot")
    assert p.features is p.feature_sets["onehot"]  # built once, cached
    assert_array_equal(p.features @ p.theta, p.reward)
    assert set(p.feature_sets) == {"onehot", "coordinates"}
    assert_all_readonly(p)


def test_walls_as_mask_equal_walls_as_cells():
    mask = np.zeros((3, 4), dtype=bool)
    mask[0, 1] = mask[2, 0] = True
    a = gridworld(3, 4, walls=mask)
    b = gridworld(3, 4, walls=[(0, 1), (2, 0)])
    assert_array_equal(dense(a), dense(b))
    assert_array_equal(a.grid.walls, mask)
    mask[1, 1] = True  # the problem holds a copy
    assert not a.grid.walls[1, 1]


def test_grid_geometry_indexing():
    g = gridworld(3, 5).grid
    assert g.action_names == ("up", "right", "down", "left", "stay")
    assert g.action_deltas == tuple(DELTAS)
    for s in range(15):
        assert g.state(*g.coords(s)) == s
    assert g.state(2, 1) == 11 and g.coords(7) == (1, 2)
    assert g.state(np.int64(1), np.int32(0)) == 5
    assert_array_equal(g.as_grid(np.arange(15.0)), np.arange(15.0).reshape(3, 5))
    assert g.as_grid(np.ones((15, 2))).shape == (3, 5, 2)
    with pytest.raises(ValueError, match=r"row must be in \[0, 3\), got 3"):
        g.state(3, 0)
    with pytest.raises(ValueError, match=r"col must be in \[0, 5\), got -1"):
        g.state(0, -1)
    with pytest.raises(ValueError, match=r"s must be in \[0, 15\), got 15"):
        g.coords(15)
    with pytest.raises(TypeError, match="row must be an integer"):
        g.state(1.0, 0)
    with pytest.raises(ValueError, match=r"values must have shape \(S,\)"):
        g.as_grid(np.ones(14))


def test_as_grid_masks_walls():
    p = gridworld(2, 3, walls=[(0, 2)])
    out = p.grid.as_grid(np.ones(6), mask_walls=True)
    assert np.isnan(out[0, 2]) and np.isfinite(np.delete(out.ravel(), 2)).all()


# --------------------------------------------------------------------------
# gridworld: validation
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(rows=0), ValueError, "rows must be >= 1, got 0"),
        (dict(rows=2.0), TypeError, "rows must be an integer"),
        (dict(rows=3, cols=-2), ValueError, "cols must be >= 1, got -2"),
        (dict(slip=1.5), ValueError, r"slip must be in \[0, 1\], got 1.5"),
        (dict(slip=-0.1), ValueError, r"slip must be in \[0, 1\]"),
        (dict(slip=float("nan")), ValueError, "slip must be finite"),
        (dict(slip="0.1"), TypeError, "slip must be a real number"),
        (dict(goal_reward=np.inf), ValueError, "goal_reward must be finite"),
        (dict(step_reward=None), TypeError, "step_reward must be a real number"),
        (dict(walls=[(3, 0)]), ValueError, r"walls must lie inside the 3 x 3 grid, got cell \(3, 0\)"),
        (dict(walls=[(0, -1)]), ValueError, r"walls must lie inside"),
        (dict(walls=[(0.5, 1)]), TypeError, "walls must be .*integer pairs"),
        (dict(walls=[(0, 1, 2)]), ValueError, r"walls must be a sequence of \(row, col\) pairs"),
        (dict(walls=np.zeros((2, 2), bool)), ValueError, r"walls given as a bool mask must have shape .*\(3, 3\)"),
        (dict(goals=[(1, 5)]), ValueError, r"goals must lie inside the 3 x 3 grid, got cell \(1, 5\)"),
        (dict(goals="ab"), TypeError, "goals must be"),
        (dict(walls=[(1, 1)], goals=[(1, 1)]), ValueError, r"goals must not overlap walls, got goal cell \(1, 1\)"),
        (dict(walls=[(2, 2)]), ValueError, r"goals \(default: the bottom-right cell\) must not overlap walls"),
        (dict(initial="random"), ValueError, "initial must be \"uniform\", a \\(row, col\\) tuple"),
        (dict(initial=(3, 0)), ValueError, r"initial must lie inside the 3 x 3 grid"),
        (dict(initial=(1, 1), walls=[(1, 1)]), ValueError, r"initial must not be a wall cell, got \(1, 1\)"),
        (dict(initial=(1, 1, 1)), ValueError, r"initial .*\(row, col\)"),
        (dict(initial=np.ones(9)), ValueError, "initial must sum to 1"),
        (dict(initial=np.ones(4) / 4), ValueError, r"initial must have shape \(9,\)"),
        (dict(initial=np.eye(9)[4], walls=[(1, 1)]), ValueError, r"initial must put no mass on walls.*\(1, 1\)"),
        (dict(goals=[(0, 0), (0, 1)], walls=[(1, 0), (1, 1)], rows=2, cols=2), ValueError,
         'initial="uniform" needs at least one free, non-goal cell'),
    ],
)
def test_gridworld_rejects_bad_arguments(kwargs, exc, match):
    kwargs = {"rows": 3, **kwargs}
    with pytest.raises(exc, match=match):
        gridworld(**kwargs)


# --------------------------------------------------------------------------
# objectworld
# --------------------------------------------------------------------------
def brute_force_objectworld(size, cells, outer, inner, n_colours):
    """Distances, discrete features and reward by explicit loops over cells and objects."""
    S = size * size
    dist = np.full((S, 2 * n_colours), np.sqrt(2) * size)
    for s in range(S):
        r, c = divmod(s, size)
        for (orow, ocol), oc, ic in zip(cells, outer, inner):
            d = np.hypot(r - orow, c - ocol)
            dist[s, oc] = min(dist[s, oc], d)
            dist[s, n_colours + ic] = min(dist[s, n_colours + ic], d)
    discrete = np.zeros((S, 2 * n_colours * size))
    for s, k, d in itertools.product(range(S), range(2 * n_colours), range(1, size + 1)):
        discrete[s, k * size + d - 1] = float(dist[s, k] < d)
    reward = np.zeros(S)
    for s in range(S):
        if dist[s, 0] < 3:
            reward[s] = 1.0 if dist[s, 1] < 2 else -1.0
    return dist, discrete, reward


@pytest.mark.parametrize("size, n_objects, n_colours, seed", [(9, 12, 2, 3), (7, 20, 3, 11), (6, 1, 2, 0)])
def test_objectworld_matches_brute_force(size, n_objects, n_colours, seed):
    p = objectworld(size, n_objects=n_objects, n_colours=n_colours, seed=seed)
    cells, outer, inner = p.info["object_cells"], p.info["outer_colours"], p.info["inner_colours"]
    assert cells.shape == (n_objects, 2) and outer.shape == inner.shape == (n_objects,)
    assert len({tuple(c) for c in cells}) == n_objects  # distinct cells
    assert outer.min() >= 0 and outer.max() < n_colours and inner.min() >= 0 and inner.max() < n_colours
    dist, discrete, reward = brute_force_objectworld(size, cells, outer, inner, n_colours)
    assert p.default_features == "continuous"
    assert_allclose(p.features, dist, rtol=1e-15)
    assert not p.feature_sets.is_built("discrete")
    assert_array_equal(p.feature_sets["discrete"], discrete)
    assert_array_equal(p.reward, reward)
    assert p.theta is None and p.grid.shape == (size, size) and p.grid.goals == ()
    assert_all_readonly(p)


def test_objectworld_reward_is_a_function_of_two_discrete_features():
    size = 12
    p = objectworld(size, n_objects=30, seed=5)
    assert {-1.0, 0.0, 1.0} <= set(p.reward.tolist())  # the seed gives a non-trivial world
    D = p.feature_sets["discrete"]
    near_outer0 = D[:, 0 * size + (3 - 1)]  # outer colour 0, distance < 3
    near_outer1 = D[:, 1 * size + (2 - 1)]  # outer colour 1, distance < 2
    assert_array_equal(p.reward, near_outer0 * (2 * near_outer1 - 1))


def test_objectworld_missing_colour_uses_the_diagonal():
    p = objectworld(5, n_objects=0, seed=0)
    assert_allclose(p.features, np.sqrt(2) * 5, rtol=1e-15)
    assert_array_equal(p.feature_sets["discrete"], 0.0)
    assert_array_equal(p.reward, 0.0)


def test_objectworld_dynamics_and_start():
    slip = 0.3
    p = objectworld(6, n_objects=4, slip=slip, seed=1)
    assert_rows_are_distributions(p.mdp)
    assert_allclose(dense(p), reference_grid_P(6, 6, slip, set(), set()), rtol=0, atol=1e-14)
    assert_allclose(p.mdp.initial, 1 / 36, rtol=1e-15)


def test_objectworld_seeding():
    a, b = objectworld(10, seed=42), objectworld(10, seed=42)
    for key in a.info:
        assert_array_equal(a.info[key], b.info[key])
    assert_array_equal(a.features, b.features)
    assert_array_equal(a.reward, b.reward)
    c = objectworld(10, seed=43)
    assert not np.array_equal(a.info["object_cells"], c.info["object_cells"])
    assert not np.array_equal(a.features, c.features)
    g = objectworld(10, seed=np.random.default_rng(42))  # a Generator seeded alike gives the same world
    assert_array_equal(g.info["object_cells"], a.info["object_cells"])


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(size=0), ValueError, "size must be >= 1, got 0"),
        (dict(n_colours=1), ValueError, "n_colours must be >= 2, got 1"),
        (dict(n_objects=-1), ValueError, "n_objects must be >= 0, got -1"),
        (dict(size=3, n_objects=10), ValueError, r"n_objects must be <= size\*\*2 = 9"),
        (dict(n_objects=2.0), TypeError, "n_objects must be an integer"),
        (dict(slip=2), ValueError, r"slip must be in \[0, 1\]"),
        (dict(seed=1.5), TypeError, "seed must be None, a non-negative int or a numpy.random.Generator"),
        (dict(seed=-3), ValueError, "seed must be a non-negative int, got -3"),
    ],
)
def test_objectworld_rejects_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        objectworld(**kwargs)


# --------------------------------------------------------------------------
# random_mdp (Garnet)
# --------------------------------------------------------------------------
@given(
    S=st.integers(1, 30),
    A=st.integers(1, 4),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_mdp_rows_have_exactly_branching_successors(S, A, data, seed):
    b = data.draw(st.integers(1, S), label="branching")
    p = random_mdp(S, A, b, n_features=3, seed=seed)
    P = p.mdp.transitions
    assert_array_equal(np.diff(P.indptr), b)  # exactly b distinct, non-zero successors
    assert np.all(P.data > 0)
    assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert_allclose(p.mdp.initial, 1 / S, rtol=1e-15)
    assert p.features.shape == (S, 3) and p.theta.shape == (3,)
    assert_allclose(p.reward, p.features @ p.theta, rtol=1e-15)


@pytest.mark.parametrize("S, b", [(400, 5), (40, 30)])  # Floyd's sampler, then the random-key one
def test_random_mdp_successors_are_uniform(S, b):
    A = 50
    p = random_mdp(S, A, b, seed=7)
    counts = np.bincount(p.mdp.transitions.indices, minlength=S)
    # each state is a successor of a given row with probability b / S
    expected = S * A * b / S
    # counts ~ Binomial(S*A, b/S): 6 standard deviations, a loose bound that still
    # catches a sampler biased towards low or high indices
    sd = np.sqrt(S * A * (b / S) * (1 - b / S))
    assert np.abs(counts - expected).max() < 6 * sd
    low_half = counts[: S // 2].sum() / counts.sum()
    assert abs(low_half - 0.5) < 0.02
    # probabilities: mean 1/b each (exchangeable), and not all equal
    assert_allclose(p.mdp.transitions.data.mean(), 1 / b, rtol=1e-12)
    assert p.mdp.transitions.data.std() > 0.1 / b


def test_random_mdp_edge_cases():
    det = random_mdp(6, 3, 1, seed=0)
    assert det.mdp.is_deterministic()
    full = random_mdp(6, 2, 6, seed=0)
    assert_array_equal(np.diff(full.mdp.transitions.indptr), 6)
    assert full.grid is None and full.default_features == "gaussian" and full.info["branching"] == 6
    assert_all_readonly(full)


def test_random_mdp_redraws_empty_gaps():
    from tabular_irl.envs.garnet import _cut_point_probabilities

    class ScriptedRng:  # first draw has a repeated cut and a cut at 0: both rows must be redrawn
        def __init__(self):
            self.draws = [np.array([[0.5, 0.5], [0.0, 0.3], [0.2, 0.7]]), np.array([[0.1, 0.6], [0.4, 0.9]])]

        def random(self, shape):
            out = self.draws.pop(0)
            assert out.shape == shape
            return out

    probs = _cut_point_probabilities(ScriptedRng(), 3, 3)
    assert_allclose(probs, [[0.1, 0.5, 0.4], [0.4, 0.5, 0.1], [0.2, 0.5, 0.3]], rtol=1e-12)
    assert np.all(probs > 0)


def test_random_mdp_seeding():
    a, b = random_mdp(20, 3, 4, seed=1), random_mdp(20, 3, 4, seed=1)
    assert_array_equal(a.mdp.transitions.toarray(), b.mdp.transitions.toarray())
    assert_array_equal(a.features, b.features)
    assert_array_equal(a.theta, b.theta)
    c = random_mdp(20, 3, 4, seed=2)
    assert not np.array_equal(a.mdp.transitions.toarray(), c.mdp.transitions.toarray())
    assert not np.array_equal(a.theta, c.theta)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((0, 2, 1), {}, ValueError, "n_states must be >= 1, got 0"),
        ((5, 0, 1), {}, ValueError, "n_actions must be >= 1, got 0"),
        ((5, 2, 0), {}, ValueError, "branching must be >= 1, got 0"),
        ((5, 2, 6), {}, ValueError, r"branching must be <= n_states = 5 \(successors are distinct\), got 6"),
        ((5, 2, 2.0), {}, TypeError, "branching must be an integer"),
        ((5, 2, True), {}, TypeError, "branching must be an integer"),
        ((5, 2, 2), dict(n_features=0), ValueError, "n_features must be >= 1, got 0"),
        ((5, 2, 2), dict(seed="x"), TypeError, "seed must be None, a non-negative int"),
    ],
)
def test_random_mdp_rejects_bad_arguments(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        random_mdp(*args, **kwargs)


# --------------------------------------------------------------------------
# Problem and GridGeometry as containers
# --------------------------------------------------------------------------
def test_problem_is_frozen_and_copies_its_inputs():
    mdp = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    reward = np.array([0.0, 2.0])
    p = Problem(mdp=mdp, feature_sets={"mine": X}, reward=reward, theta=[0.0, 1.0], name="tiny")
    assert p.default_features == "mine" and p.features is p.feature_sets["mine"]
    X[0, 0] = 99.0
    reward[0] = 99.0
    assert p.features[0, 0] == 1.0 and p.reward[0] == 0.0
    assert X.flags.writeable  # the caller's array is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.reward = None
    with pytest.raises(TypeError):
        p.feature_sets["other"] = X
    with pytest.raises(TypeError):
        p.info["x"] = 1
    assert_all_readonly(p)
    q = dataclasses.replace(p, name="renamed")  # replace keeps the (already frozen) feature sets
    assert q.name == "renamed" and q.features is p.features
    assert "tiny" in repr(p) and "mine" in repr(p)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(mdp="not an mdp"), TypeError, "mdp must be a tabular_irl.MDP"),
        (dict(feature_sets=np.eye(2)), TypeError, "feature_sets must be a mapping"),
        (dict(feature_sets={}), ValueError, "feature_sets must hold at least one"),
        (dict(feature_sets={1: np.eye(2)}), TypeError, "feature_sets keys must be str"),
        (dict(feature_sets={"a": np.ones((3, 2))}), ValueError, r"feature_sets\['a'\] must have shape \(2, n\)"),
        (dict(feature_sets={"a": np.ones((2, 0))}), ValueError, r"feature_sets\['a'\] must have at least one column"),
        (dict(feature_sets={"a": [[np.nan, 0], [0, 1]]}), ValueError, r"feature_sets\['a'\] must be finite"),
        (dict(feature_sets={"a": np.eye(2), "b": np.eye(2)}), ValueError, "default_features must name one of"),
        (dict(default_features="b"), ValueError, r"default_features must be one of 'a', got 'b'"),
        (dict(reward=np.ones(3)), ValueError, r"reward must have shape \(S,\) = \(2,\)"),
        (dict(theta=np.ones(3)), ValueError, r"theta must have shape \(2,\)"),
        (dict(reward=[0.0, 1.0], theta=[1.0, 0.0]), ValueError, "theta must satisfy reward == features @ theta"),
        (dict(grid=gridworld(3).grid), ValueError, r"grid must have rows \* cols == S = 2"),
        (dict(grid="grid"), TypeError, "grid must be a GridGeometry"),
        (dict(name=3), TypeError, "name must be a str"),
        (dict(info=[1]), TypeError, "info must be a mapping"),
    ],
)
def test_problem_rejects_bad_fields(kwargs, exc, match):
    mdp = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
    fields = {"mdp": mdp, "feature_sets": {"a": np.eye(2)}, **kwargs}
    with pytest.raises(exc, match=match):
        Problem(**fields)


def test_grid_geometry_validates():
    ok = dict(shape=(2, 3), walls=np.zeros((2, 3), bool), goals=((1, 2),), action_names=("stay",),
              action_deltas=((0, 0),))
    g = GridGeometry(**ok)
    assert g.n_states == 6 and not g.walls.flags.writeable
    with pytest.raises(ValueError, match=r"walls must be a bool array of shape \(rows, cols\) = \(2, 3\)"):
        GridGeometry(**{**ok, "walls": np.zeros((3, 2), bool)})
    with pytest.raises(ValueError, match=r"goals\[0\] row must be in \[0, 2\), got 2"):
        GridGeometry(**{**ok, "goals": ((2, 0),)})
    with pytest.raises(ValueError, match="action_names must be str, one per action_deltas entry"):
        GridGeometry(**{**ok, "action_names": ("a", "b")})
    with pytest.raises(ValueError, match="shape\\[0\\] \\(rows\\) must be >= 1"):
        GridGeometry(**{**ok, "shape": (0, 3)})


def test_package_exports_exactly_the_public_names():
    assert sorted(envs.__all__) == ["GridGeometry", "Problem", "gridworld", "objectworld", "random_mdp"]
    for name in envs.__all__:
        assert getattr(envs, name).__module__.startswith("tabular_irl.envs")
