"""Every public object pickles and round-trips (process pools, Dask workers, joblib caches need it).

A round-tripped MDP has the same bits; a plan that had not formed its policy
still forms it after the trip, with the same bits; lazily built feature sets
travel as their builders.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import tabular_irl as tirl


def _trip(obj):
    return pickle.loads(pickle.dumps(obj))


@pytest.fixture(scope="module")
def world():
    return tirl.gridworld(4, slip=0.2)


def test_mdp_round_trips_with_the_same_bits(world):
    mdp = _trip(world.mdp)
    for name in ("indptr", "indices", "data"):
        assert_array_equal(getattr(mdp.transitions, name), getattr(world.mdp.transitions, name))
    assert_array_equal(mdp.initial, world.mdp.initial)
    assert (mdp.n_states, mdp.n_actions) == (world.mdp.n_states, world.mdp.n_actions)
    assert_array_equal(mdp.transitions_t.toarray(), world.mdp.transitions_t.toarray())  # derived again
    with pytest.raises(AttributeError, match="immutable"):
        mdp._initial = None


@pytest.mark.parametrize("build", [lambda: tirl.gridworld(4, slip=0.2), lambda: tirl.objectworld(5, seed=1),
                                   lambda: tirl.random_mdp(12, 3, 4, seed=2)], ids=["grid", "object", "garnet"])
def test_problems_round_trip_with_their_lazy_features(build):
    problem = build()
    copy = _trip(problem)
    for name in problem.feature_sets:
        assert_array_equal(copy.feature_sets[name], problem.feature_sets[name])
    assert_array_equal(copy.reward, problem.reward)
    assert dict(copy.info).keys() == dict(problem.info).keys()


def test_plans_visitations_demonstrations_and_fits_round_trip(world):
    plan = tirl.soft_backward(world.mdp, world.reward, horizon=5)
    copy = _trip(plan)
    assert copy._lazy.formed("policy") is None  # not formed by the trip ...
    assert_array_equal(copy.policy, plan.policy)  # ... and formed after it with the same bits
    vis = tirl.visitation(world.mdp, plan)
    assert_array_equal(_trip(vis).state_action, vis.state_action)
    demos = tirl.sample_trajectories(world.mdp, plan.policy, 10, horizon=5, seed=0)
    assert_array_equal(_trip(demos).states, demos.states)
    fit = tirl.maxent_irl(world.mdp, world.features, demos, horizon=5, l2=0.1)
    fit_copy = _trip(fit)
    assert_array_equal(fit_copy.theta, fit.theta)
    assert_array_equal(fit_copy.policy, fit.policy)
    stationary = tirl.soft_backward(world.mdp, world.reward, discount=0.9)
    assert_array_equal(_trip(stationary).Q, stationary.Q)
    assert np.isfinite(_trip(tirl.posterior_marginals(world.mdp, world.reward, horizon=4)).log_partition)
