"""The certified optimum of max_state_entropy / min_state_marginal_kl on a 10x10 gridworld with walls, where
Frank--Wolfe alone stalls near a gap of 1e-5 at finite horizons (the brute-force comparisons on tiny MDPs are
in test_rewardfree_exploration.py)."""

import warnings

import numpy as np
import pytest

from tabular_irl import MDP, gridworld
from tabular_irl.rewardfree import (
    entropy,
    kl_divergence,
    max_state_entropy,
    min_state_marginal_kl,
    state_marginal,
    state_marginal_matching,
)

TOL = 1e-10


def _walled_grid():
    return gridworld(10, slip=0.1, goals=[], walls=[(r, 5) for r in range(8)], initial=(0, 0)).mdp


@pytest.mark.parametrize("model, kl_too", [(dict(horizon=20), True), (dict(horizon=50), True),
                                           (dict(horizon=100), True), (dict(discount=0.9), True),
                                           (dict(discount=0.99), True)])
def test_gridworld_reaches_the_tolerance_without_warning(model, kl_too):
    # Frank-Wolfe alone ends at gaps of 8e-6 (T=20), 2.5e-5 (T=50), 6e-8 (T=100) after 1000 iterations here.
    # T=100: about 40 (entropy) and 60 (KL) Newton steps on 8,200 flow rows, factorised block by time step.
    mdp = _walled_grid()
    target = np.linspace(1.0, 3.0, 100)
    target /= target.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = max_state_entropy(mdp, **model)
        kl = min_state_marginal_kl(mdp, target, **model) if kl_too else None
    for res in (opt, kl):
        if res is None:
            continue
        assert res.converged and 0.0 <= res.gap <= TOL and res.upper - res.lower == pytest.approx(res.gap, abs=1e-15)
        np.testing.assert_allclose(state_marginal(mdp, res.policy, **model), res.marginal, rtol=0, atol=1e-13)
    assert entropy(opt.marginal) == pytest.approx(opt.value, abs=1e-13) and opt.value < np.log(92)
    if kl is not None:
        assert kl_divergence(kl.marginal, target) == pytest.approx(kl.value, abs=1e-13)


def _brute_force_kl(mdp, target, model):
    """min KL over the hull of the deterministic policies' marginals that put no mass where the target is 0
    (they are the vertices of that face of the polytope), by SLSQP; inf if there are none."""
    from test_rewardfree_exploration import _best_over_hull, _vertices

    V = _vertices(mdp.transitions.toarray().reshape(mdp.n_states, mdp.n_actions, -1), mdp.initial, **model)
    V = V[np.all(V[:, target == 0] == 0, axis=1)]
    if V.shape[0] == 0:
        return np.inf
    return _best_over_hull(V, lambda d: kl_divergence(np.clip(d, 0, None) / d.sum(), target))


def _three_states(slide):
    """0 (start) -> 1 by action 0 (or, with ``slide``, half the time to 2), -> 2 by action 1; 1 -> 0 or 1; 2 absorbs."""
    P = np.zeros((3, 2, 3))
    P[0, 0, 1] = 1.0 - slide
    P[0, 0, 2] = slide
    P[0, 1, 2] = 1.0
    P[1, 0, 0] = P[1, 1, 1] = 1.0
    P[2, :, 2] = 1.0
    return MDP.from_dense(P, np.array([1.0, 0.0, 0.0]))


@pytest.mark.parametrize("model", [dict(horizon=3), dict(horizon=4, discount=0.8), dict(discount=0.7)])
@pytest.mark.parametrize("slide, expect_inf", [(0.0, False), (0.5, True)])
def test_zero_target_avoidable_and_unavoidable(model, slide, expect_inf):
    # the target is 0 at state 2, which a policy reaches (action 1) but, without the slide, can also avoid
    mdp = _three_states(slide)
    target = np.array([0.3, 0.7, 0.0])
    assert state_marginal(mdp, np.full((3, 2), 0.5), **model)[2] > 0  # reachable
    opt = min_state_marginal_kl(mdp, target, **model)
    best = _brute_force_kl(mdp, target, model)
    assert opt.converged
    if expect_inf:
        assert best == np.inf and opt.value == opt.lower == opt.upper == np.inf and opt.gap == 0.0
        assert "+inf" in opt.message
    else:
        assert opt.gap <= TOL and opt.marginal[2] == 0.0 and np.isfinite(opt.value)
        assert opt.value == pytest.approx(best, abs=1e-8) and opt.lower <= best + 1e-12  # a true bound
        assert state_marginal(mdp, opt.policy, **model)[2] == 0.0
        assert kl_divergence(opt.marginal, target) == pytest.approx(opt.value, abs=1e-13)


def test_zero_target_at_the_start_is_inf_and_iterative_methods_refuse():
    world = gridworld(3, slip=0.0, goals=[], initial=(0, 0))
    target = np.full(9, 1 / 8)
    target[0] = 0.0
    opt = min_state_marginal_kl(world.mdp, target, discount=0.9)
    assert opt.value == np.inf and opt.gap == 0.0 and opt.converged
    avoidable = np.full(9, 1 / 8)
    avoidable[8] = 0.0
    assert np.isfinite(min_state_marginal_kl(world.mdp, avoidable, discount=0.9).value)
    with pytest.raises(ValueError, match="min_state_marginal_kl accepts such a target"):
        state_marginal_matching(world.mdp, avoidable, discount=0.9)


def test_methods_agree_and_bad_method():
    mdp = gridworld(4, slip=0.1, goals=[], walls=[(1, 1), (1, 2)], initial=(0, 0)).mdp
    ip = max_state_entropy(mdp, horizon=6, method="interior-point")
    fw = max_state_entropy(mdp, horizon=6, method="frank-wolfe")
    assert "interior-point" in ip.message and "frank-wolfe" in fw.message and "interior-point" not in fw.message
    assert ip.converged and fw.converged
    assert ip.lower <= fw.upper + 1e-15 and fw.lower <= ip.upper + 1e-15  # both certificates are true bounds
    assert ip.value == pytest.approx(fw.value, abs=1e-10)
    with pytest.raises(ValueError, match="method must be one of 'auto', 'interior-point', 'frank-wolfe'"):
        max_state_entropy(mdp, horizon=6, method="newton")
    with pytest.raises(ValueError, match="method must be one of 'auto', 'interior-point', 'frank-wolfe'"):
        min_state_marginal_kl(mdp, np.full(16, 1 / 16), horizon=6, method="newton")


def test_auto_leaves_a_factor_that_cannot_fit_to_frank_wolfe(monkeypatch):
    from tabular_irl.rewardfree._blocks import factor_bytes
    from tabular_irl.rewardfree._model import resolve_model
    from tabular_irl.rewardfree._occupancy import allowed_actions, flow

    mdp = gridworld(4, slip=0.1, goals=[], walls=[(1, 1), (1, 2)], initial=(0, 0)).mdp
    assert "interior-point" in max_state_entropy(mdp, horizon=6).message
    model = resolve_model(mdp, 6, None, None)
    fl = flow(model, allowed_actions(model, np.zeros(16, dtype=bool)))
    need = factor_bytes(fl.offsets, fl.M.shape[0])  # 11 kB; Frank-Wolfe's largest array is 3.8 kB
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", str(need - 1))
    fw = max_state_entropy(mdp, horizon=6)
    assert "frank-wolfe" in fw.message and "interior-point" not in fw.message and fw.converged
    with pytest.raises(MemoryError, match="block Cholesky factor"):
        max_state_entropy(mdp, horizon=6, method="interior-point")


def test_frank_wolfe_stops_at_its_time_budget():
    # the budget given after an interior point that ended close to the optimum but uncertified
    from tabular_irl.rewardfree._frank_wolfe import frank_wolfe_optimum
    from tabular_irl.rewardfree._model import resolve_model

    model = resolve_model(_walled_grid(), 20, None, None)
    log_q = np.zeros(100)
    stopped = frank_wolfe_optimum(model, log_q, tol=1e-300, max_iter=1000, seconds=0.0)
    assert stopped.n_iter == 0 and stopped.lower <= stopped.upper
    more = frank_wolfe_optimum(model, log_q, tol=1e-300, max_iter=5)
    assert more.n_iter == 5 and more.upper - more.lower < stopped.upper - stopped.lower
