"""``MDP.from_gymnasium`` against the real Gymnasium toy-text environments (optional extra).

Three truths, each independent of ``from_gymnasium``'s code:

* the environments' rules as Gymnasium documents them (FrozenLake's slippery moves,
  CliffWalking's cliff, Taxi's pick-up and drop-off), written out loop by loop;
* the environments' own ``step``, called from every state with a seeded generator;
* whole episodes of the wrapped environment (``TimeLimit`` included), whose returns the
  exact finite-horizon value with ``horizon = env.spec.max_episode_steps`` predicts.

Run with ``pip install "tabular_irl[gymnasium]"``; skipped without Gymnasium, except the
first section, which checks how environment objects are read with stand-ins.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from tabular_irl import MDP, value_iteration, visitation
from tabular_irl.metrics import policy_value

# Entries are sums of at most three probabilities like 1/3: exact to rounding.
EXACT = dict(rtol=0, atol=1e-15)


def make(family: str, **kwargs):
    """``gymnasium.make`` of the newest registered ``family-vN``; skip without Gymnasium or if ``kwargs`` are unknown."""
    gym = pytest.importorskip("gymnasium")
    versions = [k for k in gym.envs.registry if re.fullmatch(rf"{family}-v\d+", k)]
    if not versions:
        pytest.skip(f"this Gymnasium has no {family} environment")
    env_id = max(versions, key=lambda k: int(k.rsplit("-v", 1)[1]))
    try:
        return gym.make(env_id, **kwargs)
    except TypeError as exc:  # an argument this Gymnasium version does not have
        pytest.skip(f"{env_id} does not take {sorted(kwargs)}: {exc}")


def reference_tables(P: dict, S: int, A: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense ``(S+1, A, S+1)`` dynamics and ``(S+1, A)`` expected reward, straight from the docstring."""
    dense = np.zeros((S + 1, A, S + 1))
    reward = np.zeros((S + 1, A))
    for s, a in itertools.product(range(S), range(A)):
        for p, nxt, r, done in P[s][a]:
            dense[s, a, S if done else nxt] += p
            reward[s, a] += p * r
    dense[S, :, S] = 1.0
    return dense, reward


# --------------------------------------------------------------------------
# the adapter module: Gymnasium stays optional, and the names do not collide
# --------------------------------------------------------------------------
def _run(code: str, tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_importing_the_package_and_the_adapter_does_not_import_gymnasium(tmp_path):
    _run("import sys, tabular_irl, tabular_irl.envs.gymnasium as adapter\n"
         "assert 'gymnasium' not in sys.modules, 'gymnasium imported by tabular_irl'\n"
         "mdp, reward = tabular_irl.MDP.from_gymnasium({0: {0: [(1.0, 0, 1.0, True)]}})\n"
         "assert 'gymnasium' not in sys.modules, 'gymnasium imported by MDP.from_gymnasium'\n"
         "assert adapter.__name__ == 'tabular_irl.envs.gymnasium' and mdp.n_states == 2\n", tmp_path)


@pytest.mark.parametrize("adapter_first", [True, False], ids=["adapter-first", "gymnasium-first"])
def test_the_adapter_and_the_real_gymnasium_both_import(tmp_path, adapter_first):
    pytest.importorskip("gymnasium")
    imports = ["import tabular_irl.envs.gymnasium as adapter", "import gymnasium"]
    _run("\n".join(imports if adapter_first else imports[::-1]) + "\n"
         "import sys, tabular_irl.envs\n"
         "assert gymnasium is sys.modules['gymnasium'] and hasattr(gymnasium, 'make'), gymnasium\n"
         "assert adapter is sys.modules['tabular_irl.envs.gymnasium'] is tabular_irl.envs.gymnasium\n"
         "assert gymnasium is not adapter and not hasattr(adapter, 'make')\n"
         "mdp, reward = tabular_irl.MDP.from_gymnasium(gymnasium.make('FrozenLake-v1'))\n"
         "assert mdp.n_states == 17 and reward.shape == (17, 4)\n", tmp_path)


# --------------------------------------------------------------------------
# environment objects, with stand-ins (no Gymnasium needed)
# --------------------------------------------------------------------------
TABLE = {0: {0: [(0.5, 1, 2.0, True), (0.5, 0, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, True)]}}


class FakeEnv:
    """A bare environment: ``unwrapped`` is itself."""

    def __init__(self, P=TABLE, initial=(1.0, 0.0), **attributes):
        self.P, self.initial_state_distrib = P, np.array(initial)
        self.__dict__.update(attributes)

    @property
    def unwrapped(self):
        return self


def wrap(env, *names):
    """``env`` inside wrappers with the given class names, outermost first."""
    for name in reversed(names):
        inner = env
        env = type(name, (), {"unwrapped": property(lambda self: self.env.unwrapped)})()
        env.env = inner
    return env


def test_an_environment_is_read_through_transparent_wrappers():
    env = wrap(FakeEnv(), "TimeLimit", "OrderEnforcing", "PassiveEnvChecker")
    mdp, reward = MDP.from_gymnasium(env)
    assert_array_equal(mdp.initial, [1.0, 0.0, 0.0])  # the environment's initial_state_distrib
    assert_array_equal(mdp.to_dense()[:, 0], [[0.5, 0.0, 0.5], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    assert_array_equal(reward[:, 0], [1.0, 0.0, 0.0])
    given, _ = MDP.from_gymnasium(env, initial=[0.0, 1.0])  # an explicit start wins
    assert_array_equal(given.initial, [0.0, 1.0, 0.0])
    table_only, _ = MDP.from_gymnasium(TABLE)  # a bare table: uniform over its states
    assert_array_equal(table_only.initial, [0.5, 0.5, 0.0])


@pytest.mark.parametrize("env, exc, match", [
    pytest.param(wrap(FakeEnv(), "TimeLimit", "NormalizeReward"), ValueError,
                 r"env is wrapped in NormalizeReward, which P .* does not model.*pass env.unwrapped",
                 id="reward-wrapper"),
    pytest.param(FakeEnv(fickle_passenger=True), ValueError, r"fickle_passenger=True.*P is not its dynamics",
                 id="fickle-taxi"),
    pytest.param(FakeEnv(P=None), TypeError, r"env must have a tabular transition table env.unwrapped.P",
                 id="no-table"),
])
def test_environments_whose_table_is_not_their_dynamics_are_refused(env, exc, match):
    with pytest.raises(exc, match=match):
        MDP.from_gymnasium(env)


@pytest.mark.parametrize("outcome, exc, match", [
    pytest.param((1.0, 0, 0.0, "yes"), TypeError, r"P_dict\[0\]\[0\] terminated flag must be a bool", id="flag-str"),
    pytest.param((1.0, 0, 0.0, 2), TypeError, r"terminated flag must be a bool, got 2", id="flag-2"),
    pytest.param((1.0, 0, 0.0, None), TypeError, r"terminated flag must be a bool, got None", id="flag-none"),
])
def test_terminated_flags_must_be_bools(outcome, exc, match):
    with pytest.raises(exc, match=match):
        MDP.from_gymnasium({0: {0: [outcome]}})


def test_terminated_flags_may_be_numpy_bools_or_0_1():
    for done in (np.True_, 1, np.int64(1)):
        mdp, _ = MDP.from_gymnasium({0: {0: [(1.0, 0, 0.0, done)]}})
        assert_array_equal(mdp.to_dense()[0, 0], [0.0, 1.0])
    mdp, _ = MDP.from_gymnasium({0: {0: [(1.0, 0, 0.0, 0)]}})
    assert_array_equal(mdp.to_dense()[0, 0], [1.0, 0.0])


def test_bad_probabilities_are_named_by_their_entry():
    with pytest.raises(ValueError, match=r"P_dict\[1\]\[0\]: transitions row for \(s=1, a=0\) sums to 0.9"):
        MDP.from_gymnasium({0: {0: [(1.0, 0, 0.0, False)]}, 1: {0: [(0.9, 0, 0.0, False)]}})
    with pytest.raises(ValueError, match=r"P_dict\[0\]\[0\]: transitions must be non-negative, got -0.5"):
        MDP.from_gymnasium({0: {0: [(1.5, 0, 0.0, False), (-0.5, 0, 0.0, True)]}})


ENVIRONMENTS = [
    pytest.param(("FrozenLake", {"is_slippery": False}), id="frozenlake"),
    pytest.param(("FrozenLake", {"is_slippery": True}), id="frozenlake-slippery"),
    pytest.param(("FrozenLake8x8", {"is_slippery": True}), id="frozenlake8x8-slippery"),
    pytest.param(("CliffWalking", {}), id="cliffwalking"),
    pytest.param(("CliffWalking", {"is_slippery": True}), id="cliffwalking-slippery"),
    pytest.param(("Taxi", {}), id="taxi"),
    pytest.param(("Taxi", {"is_rainy": True}), id="taxi-rainy"),
]


@pytest.fixture(params=ENVIRONMENTS)
def env(request):
    family, kwargs = request.param
    env = make(family, **kwargs)
    yield env
    env.close()


# --------------------------------------------------------------------------
# P as read, for every environment
# --------------------------------------------------------------------------
def test_tables_match_P_entry_by_entry(env):
    base = env.unwrapped
    S, A = base.observation_space.n, base.action_space.n
    mdp, reward = MDP.from_gymnasium(base.P, base.initial_state_distrib)
    assert (mdp.n_states, mdp.n_actions) == (S + 1, A)
    dense, expected_reward = reference_tables(base.P, S, A)
    assert_allclose(mdp.to_dense(), dense, **EXACT)
    assert_allclose(reward, expected_reward, **EXACT)
    assert mdp.nnz == np.count_nonzero(dense)  # duplicate successors stored once
    # the added absorbing state: self-loop under every action, zero reward, never a start
    assert_array_equal(mdp.to_dense()[S, :, S], 1.0)
    assert_array_equal(reward[S], 0.0)
    assert_array_equal(mdp.initial, np.append(base.initial_state_distrib, 0.0))


def test_environment_object_is_read_like_its_tables(env):
    base = env.unwrapped
    from_env, r_env = MDP.from_gymnasium(env)  # TimeLimit, OrderEnforcing, PassiveEnvChecker: transparent
    from_base, r_base = MDP.from_gymnasium(base)
    from_P, r_P = MDP.from_gymnasium(base.P, initial=base.initial_state_distrib)
    for mdp, r in ((from_env, r_env), (from_base, r_base)):
        assert_array_equal(mdp.to_dense(), from_P.to_dense())
        assert_array_equal(mdp.initial, from_P.initial)  # the environment's own start distribution
        assert_array_equal(r, r_P)
    uniform, _ = MDP.from_gymnasium(base.P)  # a bare table: uniform over its states
    S = base.observation_space.n
    assert_allclose(uniform.initial, np.append(np.full(S, 1 / S), 0.0), **EXACT)


# --------------------------------------------------------------------------
# the environments' rules, written out
# --------------------------------------------------------------------------
LEFT, DOWN, RIGHT, UP = range(4)  # FrozenLake's actions
FL_MOVES = {LEFT: (0, -1), DOWN: (1, 0), RIGHT: (0, 1), UP: (-1, 0)}


def frozenlake_reference(desc: np.ndarray, slippery: bool) -> tuple[np.ndarray, np.ndarray]:
    """FrozenLake's documented rules: intended move, or (slippery) it and both perpendiculars, 1/3 each."""
    rows, cols = desc.shape
    S = rows * cols
    P = np.zeros((S + 1, 4, S + 1))
    R = np.zeros((S + 1, 4))
    for (row, col), a in itertools.product(itertools.product(range(rows), range(cols)), range(4)):
        s = row * cols + col
        if desc[row, col] in b"GH":  # P lists (1.0, s, 0, True): the absorbing state
            P[s, a, S] = 1.0
            continue
        moves = [(a - 1) % 4, a, (a + 1) % 4] if slippery else [a]
        for b in moves:
            dr, dc = FL_MOVES[b]
            r2, c2 = min(max(row + dr, 0), rows - 1), min(max(col + dc, 0), cols - 1)
            letter = desc[r2, c2]
            P[s, a, S if letter in b"GH" else r2 * cols + c2] += 1 / len(moves)
            R[s, a] += (letter == b"G") / len(moves)
    P[S, :, S] = 1.0
    return P, R


@pytest.mark.parametrize("family", ["FrozenLake", "FrozenLake8x8"])
@pytest.mark.parametrize("slippery", [False, True])
def test_frozenlake_follows_its_rules(family, slippery):
    env = make(family, is_slippery=slippery)
    mdp, reward = MDP.from_gymnasium(env)
    desc = env.unwrapped.desc
    P, R = frozenlake_reference(desc, slippery)
    assert_allclose(mdp.to_dense(), P, **EXACT)
    assert_allclose(reward, R, **EXACT)
    assert mdp.is_deterministic() == (not slippery)
    start = np.flatnonzero(desc.ravel() == b"S")
    assert_array_equal(np.flatnonzero(mdp.initial), start)
    # holes and the goal are terminal: no transition enters them, the absorbing state instead
    terminal = np.flatnonzero(np.isin(desc.ravel(), [b"G", b"H"]))
    assert_array_equal(mdp.to_dense()[:, :, terminal], 0.0)


def test_frozenlake_slippery_duplicates_and_terminal_merges_are_summed():
    mdp, reward = MDP.from_gymnasium(make("FrozenLake", is_slippery=True, map_name="4x4"))
    P, S = mdp.to_dense(), 16
    # map SFFF / FHFH / FFFH / HFFG: holes 5, 7, 11, 12; goal 15
    assert_allclose(P[0, LEFT, [0, 4]], [2 / 3, 1 / 3], **EXACT)  # up and left both bump into the corner
    assert np.count_nonzero(P[0, LEFT]) == 2
    assert_allclose(P[6, UP, [2, S]], [1 / 3, 2 / 3], **EXACT)  # holes 5 and 7 merge into the absorbing state
    assert_allclose(P[14, RIGHT, [10, 14, S]], [1 / 3, 1 / 3, 1 / 3], **EXACT)
    assert_allclose(reward[14, RIGHT], 1 / 3, **EXACT)  # reward 1 on entering the goal, expected
    assert_allclose(reward[14, DOWN], 1 / 3, **EXACT)  # slips right into the goal
    assert_allclose(reward[14, LEFT], 0.0, **EXACT)  # left, up or down: never right


def test_frozenlake_reward_schedule_and_success_rate():
    env = make("FrozenLake", is_slippery=True, success_rate=0.5, reward_schedule=(10, -1, 0))
    mdp, reward = MDP.from_gymnasium(env)
    P = mdp.to_dense()
    assert_allclose(P[14, RIGHT, [10, 14, 16]], [0.25, 0.25, 0.5], **EXACT)
    assert_allclose(reward[14, RIGHT], 0.5 * 10, **EXACT)  # the goal with the intended move
    assert_allclose(reward[6, UP], 0.25 * -1 + 0.25 * -1, **EXACT)  # a hole on either side
    assert_allclose(reward[13, UP], 0.25 * -1 + 0.25 * 0 + 0.5 * 0, **EXACT)  # left slips into hole 12


CW_UP, CW_RIGHT, CW_DOWN, CW_LEFT = range(4)
CW_MOVES = {CW_UP: (-1, 0), CW_RIGHT: (0, 1), CW_DOWN: (1, 0), CW_LEFT: (0, -1)}


@pytest.mark.parametrize("slippery", [False, True])
def test_cliffwalking_follows_its_rules(slippery):
    env = make("CliffWalking", is_slippery=slippery) if slippery else make("CliffWalking")
    base = env.unwrapped
    mdp, reward = MDP.from_gymnasium(env)
    S, start, goal = 48, 36, 47
    # Whether the cliff ends the episode is the installed version's choice (1.4: it does not);
    # read it from P once, then check every cliff transition obeys it.
    cliff_terminal = next(bool(done) for _, _, r, done in base.P[start][CW_RIGHT] if r == -100)
    P = np.zeros((S + 1, 4, S + 1))
    R = np.zeros((S + 1, 4))
    for s, a in itertools.product(range(S), range(4)):
        row, col = divmod(s, 12)
        moves = [(a - 1) % 4, a, (a + 1) % 4] if slippery else [a]
        for b in moves:
            dr, dc = CW_MOVES[b]
            r2, c2 = min(max(row + dr, 0), 3), min(max(col + dc, 0), 11)
            if r2 == 3 and 1 <= c2 <= 10:  # the cliff: -100 and back to the start
                P[s, a, S if cliff_terminal else start] += 1 / len(moves)
                R[s, a] += -100 / len(moves)
            else:
                P[s, a, S if (r2, c2) == (3, 11) else r2 * 12 + c2] += 1 / len(moves)
                R[s, a] += -1 / len(moves)
    P[S, :, S] = 1.0
    assert_allclose(mdp.to_dense(), P, **EXACT)
    assert_allclose(reward, R, rtol=1e-15, atol=1e-13)  # -100/3 - 1/3 - 1/3, summed in another order
    assert_array_equal(np.flatnonzero(mdp.initial), [start])
    assert_array_equal(mdp.to_dense()[:, :, goal], 0.0)


def test_cliffwalking_optimal_path_is_the_cliff_edge():
    env = make("CliffWalking")
    mdp, reward = MDP.from_gymnasium(env)
    plan = value_iteration(mdp, reward, horizon=50)
    # Sutton & Barto's example 6.6: up, 11 times right, down: 13 steps of -1
    assert_allclose(plan.V[0, 36], -13.0, **EXACT)


TX_SOUTH, TX_NORTH, TX_EAST, TX_WEST, TX_PICKUP, TX_DROPOFF = range(6)


def test_taxi_follows_its_rules():
    env = make("Taxi")
    base = env.unwrapped
    mdp, reward = MDP.from_gymnasium(env)
    P, S = mdp.to_dense(), 500
    assert mdp.is_deterministic()
    for s in range(S):
        row, col, passenger, destination = base.decode(s)
        here = (row, col)
        # drop-off: +20 and the episode ends exactly when carrying the passenger to the destination
        delivered = passenger == 4 and here == base.locs[destination]
        assert P[s, TX_DROPOFF, S] == (1.0 if delivered else 0.0)
        legal_dropoff = passenger == 4 and here in base.locs
        assert reward[s, TX_DROPOFF] == (20.0 if delivered else -1.0 if legal_dropoff else -10.0)
        # pick-up: -1 where the passenger waits (then aboard), -10 anywhere else (nothing changes)
        if passenger < 4 and here == base.locs[passenger]:
            assert reward[s, TX_PICKUP] == -1.0
            assert P[s, TX_PICKUP, base.encode(row, col, 4, destination)] == 1.0
        else:
            assert reward[s, TX_PICKUP] == -10.0
            assert P[s, TX_PICKUP, s] == 1.0
        # moves: -1, never terminal, south/north clipped at the border
        assert_array_equal(reward[s, :4], -1.0)
        assert P[s, TX_SOUTH, base.encode(min(row + 1, 4), col, passenger, destination)] == 1.0
        assert P[s, TX_NORTH, base.encode(max(row - 1, 0), col, passenger, destination)] == 1.0
    # starts: passenger waiting at one of four places, destination elsewhere
    starts = [base.decode(s) for s in np.flatnonzero(mdp.initial)]
    assert len(starts) == 300 and all(p < 4 and p != d for _, _, p, d in starts)
    assert_allclose(mdp.initial[:S][mdp.initial[:S] > 0], 1 / 300, **EXACT)


def test_taxi_rainy_duplicates_are_summed():
    env = make("Taxi", is_rainy=True)
    base = env.unwrapped
    mdp, _ = MDP.from_gymnasium(env)
    P = mdp.to_dense()
    merged = 0
    for s, a in itertools.product(range(500), range(4)):
        successors = [nxt for _, nxt, _, _ in base.P[s][a]]
        if len(set(successors)) < len(successors):  # a blocked drift lands where another outcome does
            merged += 1
            for nxt in set(successors):
                total = sum(p for p, n, _, _ in base.P[s][a] if n == nxt)
                assert_allclose(P[s, a, nxt], total, **EXACT)
            assert np.count_nonzero(P[s, a]) == len(set(successors))
    assert merged > 0


# --------------------------------------------------------------------------
# the environments' own step() agrees with the MDP
# --------------------------------------------------------------------------
def _step_outcomes(base, s, a, n):
    """``n`` steps of the bare environment from state ``s``: successor (absorbing if terminated), reward."""
    nxt, rew = np.empty(n, dtype=np.int64), np.empty(n)
    S = base.observation_space.n
    for i in range(n):
        base.s = s
        obs, r, terminated, truncated, _ = base.step(a)
        assert not truncated  # only the TimeLimit wrapper truncates
        nxt[i], rew[i] = (S if terminated else obs), r
    return nxt, rew


def test_step_agrees_with_the_mdp(env):
    base = env.unwrapped
    mdp, reward = MDP.from_gymnasium(env)
    S, A = base.observation_space.n, base.action_space.n
    P = mdp.to_dense()
    rng = np.random.default_rng(0)
    pairs = list(itertools.product(range(S), range(A)))
    if not mdp.is_deterministic():  # 64 pairs of each stochastic world, drawn once
        pairs = [pairs[i] for i in rng.choice(len(pairs), min(64, len(pairs)), replace=False)]
    n = 1 if mdp.is_deterministic() else 100
    base.reset(seed=0)  # seeds the environment's generator; every step below draws from it
    for s, a in pairs:
        nxt, rew = _step_outcomes(base, s, a, n)
        freq = np.bincount(nxt, minlength=S + 1) / n
        if n == 1:  # deterministic: every pair, exactly
            assert_array_equal(freq, P[s, a])
            assert rew[0] == reward[s, a]
            continue
        # every outcome step() produces is in the MDP's row, and its frequency is close:
        # 5 binomial standard deviations (0.24 for p = 1/3; an outcome of probability
        # 1/3 that never shows is off by more, and happens with probability 2e-18)
        assert np.all(P[s, a][freq > 0] > 0), (s, a)
        sd = np.sqrt(P[s, a] * (1 - P[s, a]) / n)
        assert np.all(np.abs(freq - P[s, a]) <= 5 * sd + 1e-12), (s, a, freq, P[s, a])
        # the rewards step() gives average to r(s, a)
        spread = np.abs(rew).max()
        assert abs(rew.mean() - reward[s, a]) <= 5 * spread / np.sqrt(n) + 1e-12, (s, a)


# --------------------------------------------------------------------------
# whole episodes: horizon = TimeLimit
# --------------------------------------------------------------------------
def deterministic(policy: np.ndarray) -> np.ndarray:
    """The one-hot policy taking the first of the actions ``policy`` prefers (ties split evenly)."""
    return np.eye(policy.shape[-1])[policy.argmax(axis=-1)]


def _episode_return(env, policy, T, seed, start=None):
    """Return of one episode of the wrapped ``env`` under a deterministic ``(T, S, A)`` policy."""
    obs, _ = env.reset(seed=seed)
    if start is not None:
        env.unwrapped.s = obs = start
    actions = policy.argmax(axis=-1)
    total, t = 0.0, 0
    while True:
        obs, r, terminated, truncated, _ = env.step(int(actions[t, obs]))
        total += r
        t += 1
        if terminated or truncated:
            assert truncated == (t == T)  # the TimeLimit is the horizon
            return total


def test_taxi_episode_returns_equal_the_exact_values():
    env = make("Taxi")
    T = env.spec.max_episode_steps
    mdp, reward = MDP.from_gymnasium(env)
    plan = value_iteration(mdp, reward, horizon=T)
    for k, s0 in enumerate(np.flatnonzero(mdp.initial)[::7]):  # deterministic: exact equality
        assert _episode_return(env, deterministic(plan.policy), T, seed=k, start=int(s0)) == plan.V[0, s0]


def test_frozenlake_success_rate_of_the_optimal_policy():
    env = make("FrozenLake", is_slippery=True, map_name="4x4")
    T = env.spec.max_episode_steps
    mdp, reward = MDP.from_gymnasium(env)
    plan = value_iteration(mdp, reward, horizon=T)
    policy = deterministic(plan.policy)  # an optimal policy too
    exact = policy_value(mdp, policy, reward, horizon=T)
    assert_allclose(exact, mdp.initial @ plan.V[0], rtol=1e-12)
    assert 0.74 <= exact <= 0.745  # Gymnasium's registry: "optimum = 0.74"
    vis = visitation(mdp, policy, horizon=T)
    assert_allclose(vis.state.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    n = 1000
    successes = np.array([_episode_return(env, policy, T, seed=k) for k in range(n)])
    # binomial: 4 standard deviations (about 0.055)
    assert abs(successes.mean() - exact) <= 4 * np.sqrt(exact * (1 - exact) / n)


# --------------------------------------------------------------------------
# where P is not the dynamics: refusals
# --------------------------------------------------------------------------
def test_refuses_a_fickle_taxi():
    env = make("Taxi", fickle_passenger=True)
    with pytest.raises(ValueError, match="fickle_passenger=True.*P is not its dynamics"):
        MDP.from_gymnasium(env)
    with pytest.raises(ValueError, match="fickle"):
        MDP.from_gymnasium(env.unwrapped)
    MDP.from_gymnasium(env.unwrapped.P)  # the bare table is taken at its word


def test_refuses_a_wrapper_that_p_does_not_see():
    wrappers = pytest.importorskip("gymnasium.wrappers")
    if not hasattr(wrappers, "TransformReward"):
        pytest.skip("no TransformReward wrapper in this Gymnasium")
    env = wrappers.TransformReward(make("FrozenLake"), lambda r: 2 * r)
    with pytest.raises(ValueError, match="wrapped in TransformReward.*pass env.unwrapped"):
        MDP.from_gymnasium(env)
    mdp, _ = MDP.from_gymnasium(env.unwrapped)
    assert mdp.n_states == 17


@pytest.mark.parametrize("env_id", ["Blackjack-v1", "CartPole-v1"])
def test_refuses_an_environment_without_a_table(env_id):
    gym = pytest.importorskip("gymnasium")
    if env_id not in gym.envs.registry:
        pytest.skip(f"no {env_id}")
    with pytest.raises(TypeError, match="env must have a tabular transition table env.unwrapped.P"):
        MDP.from_gymnasium(gym.make(env_id))
