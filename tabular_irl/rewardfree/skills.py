r"""Skills (DIAYN, Eysenbach et al. 2018) with the exact, Bayes-optimal discriminator.

Skills :math:`z \sim p(z)` (uniform) each have a policy; their exact state
marginals :math:`p(s \mid z)` give the discriminator
:math:`q(z \mid s) = p(s \mid z) p(z) / p(s)` exactly (no classifier to
train), and each skill is re-planned, soft-optimally, for the reward
:math:`\log q(z \mid s) - \log p(z)`. The objective is
:math:`I(S; Z) = H(Z) - H(Z \mid S)`; DIAYN's variational bound
:math:`H(Z) + \mathbb{E}_{p(z, s)}[\log q(z \mid s)]` equals it at the exact
discriminator and is below it for any other (:func:`skill_information_bound`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import (
    check_distribution,
    check_positive_int,
    check_probabilities,
    check_seed,
    check_temperature,
    discount_argument,
)
from ..planning import soft_backward
from ._model import Model, resolve_model
from .info import entropy, mutual_information

__all__ = ["SkillResult", "skill_discovery", "skill_information_bound"]


@dataclass(frozen=True, eq=False)
class SkillResult:
    """Skills found by :func:`skill_discovery`.

    Attributes
    ----------
    policies : ndarray, shape (K, T, S, A) or (K, S, A)
        One soft-optimal policy per skill.
    marginals : ndarray, shape (K, S)
        Their exact state marginals ``p(s | z)``.
    discriminator : ndarray, shape (K, S)
        The exact discriminator ``q(z | s)`` of those marginals (uniform on
        states no skill visits).
    value : float
        The final ``I(S; Z)``.
    history : ndarray, shape (n_iter,)
        ``I(S; Z)`` after each iteration.
    bound_history : ndarray, shape (n_iter,)
        DIAYN's variational bound ``H(Z) + E[log q(z|s)]`` of each iteration's
        skills under the discriminator they were trained against (``<= history``).

    See Also
    --------
    skill_discovery : makes it.
    skill_information_bound : the variational bound for any discriminator.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import skill_discovery
    >>> res = skill_discovery(gridworld(4, slip=0.0, goals=[]).mdp, 2, horizon=4, n_iter=5, seed=0)
    >>> res.marginals.shape, res.discriminator.shape, bool((res.bound_history <= res.history + 1e-12).all())
    ((2, 16), (2, 16), True)
    """

    policies: np.ndarray
    marginals: np.ndarray
    discriminator: np.ndarray
    value: float
    history: np.ndarray
    bound_history: np.ndarray


def _posterior(marginals: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """``q(z | s) (K, S)`` from ``p(s | z) (K, S)`` and ``p(z) (K,)``; uniform where ``p(s) = 0``."""
    joint = prior[:, None] * marginals
    ps = joint.sum(axis=0)
    return np.where(ps > 0, joint / np.where(ps > 0, ps, 1.0), 1.0 / prior.size)


def _bound(marginals: np.ndarray, prior: np.ndarray, discriminator: np.ndarray) -> float:
    joint = prior[:, None] * marginals
    visited = joint > 0
    if np.any(visited & (discriminator <= 0)):
        return -np.inf
    return entropy(prior) + float(np.sum(joint[visited] * np.log(discriminator[visited])))


def skill_information_bound(marginals: Any, discriminator: Any, prior: Any = None) -> float:
    r"""DIAYN's variational bound :math:`H(Z) + \mathbb{E}_{p(z)p(s|z)}[\log q(z \mid s)] \le I(S; Z)`.

    Equality holds exactly when ``q`` is the posterior :math:`p(z \mid s)`
    on the visited states (Barber & Agakov's bound).

    Parameters
    ----------
    marginals : array_like, shape (K, S)
        ``p(s | z)``; each row a distribution.
    discriminator : array_like, shape (K, S)
        ``q(z | s)``; each column a distribution.
    prior : array_like, shape (K,), optional
        ``p(z)``; uniform by default.

    Returns
    -------
    float
        ``-inf`` when ``q(z|s) = 0`` on a visited ``(z, s)``.

    Raises
    ------
    ValueError
        On arguments that do not fit ``mdp`` (shapes, distributions that do not sum
        to 1, a bad horizon or discount) or counts below 1.

    See Also
    --------
    skill_discovery : reports the bound at the exact discriminator.

    References
    ----------
    .. [1] D. Barber, F. Agakov. "The IM Algorithm: A Variational Approach to
       Information Maximization." NIPS 2003.
    .. [2] B. Eysenbach, A. Gupta, J. Ibarz, S. Levine. "Diversity is All You
       Need: Learning Skills without a Reward Function." ICLR 2019 (arXiv:1802.06070).

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.rewardfree import mutual_information, skill_information_bound
    >>> marginals = np.array([[0.8, 0.2], [0.3, 0.7]])
    >>> exact = marginals / marginals.sum(axis=0)                      # q(z|s) for a uniform p(z)
    >>> bool(abs(skill_information_bound(marginals, exact) - mutual_information(marginals / 2)) < 1e-15)
    True
    >>> bool(skill_information_bound(marginals, np.full((2, 2), 0.5)) < mutual_information(marginals / 2))
    True
    """
    m = check_probabilities(marginals, "marginals", -1, ndim=2)
    q = check_probabilities(discriminator, "discriminator", 0, ndim=2)
    if q.shape != m.shape:
        raise ValueError(f"discriminator must have the shape of marginals {m.shape}, got {q.shape}")
    prior = np.full(m.shape[0], 1.0 / m.shape[0]) if prior is None else check_distribution(prior, "prior", m.shape[0])
    return _bound(m, prior, q)


def skill_discovery(mdp: Any, n_skills: int, *, horizon: int | None = None, discount: float | None = None,
                    initial: Any = None, n_iter: int = 50, temperature: float = 1.0, seed: Any = None) -> SkillResult:
    r"""DIAYN with exact state marginals and the exact discriminator.

    ``K = n_skills`` skills with a uniform prior :math:`p(z) = 1/K` start as
    soft-optimal policies for random state rewards (drawn from ``seed``).
    Each iteration computes the skills' exact marginals :math:`p(s \mid z)`
    (:func:`~tabular_irl.rewardfree.state_marginal`), the Bayes-optimal
    discriminator :math:`q(z \mid s) \propto p(s \mid z) p(z)`, and re-plans
    every skill soft-optimally (:func:`~tabular_irl.soft_backward` at
    ``temperature``) for the reward :math:`\log q(z \mid s) - \log p(z)`.

    Parameters
    ----------
    mdp : MDP
    n_skills : int
        ``K >= 1``.
    horizon, discount, initial
        As in :func:`~tabular_irl.rewardfree.state_marginal`.
    n_iter : int, default 50
    temperature : float, default 1.0
        Of the soft planning: the entropy bonus that keeps skills stochastic.
    seed : None, int or numpy.random.Generator
        The random initial rewards.

    Returns
    -------
    SkillResult
        ``policies``, ``marginals (K, S)``, ``discriminator (K, S)``, ``value``
        (the final ``I(S; Z)``), ``history``, ``bound_history``.

    Raises
    ------
    ValueError
        On arguments that do not fit ``mdp`` (shapes, distributions that do not sum
        to 1, a bad horizon or discount) or counts below 1.

    See Also
    --------
    skill_information_bound

    References
    ----------
    .. [1] B. Eysenbach, A. Gupta, J. Ibarz, S. Levine. "Diversity is All You
       Need: Learning Skills without a Reward Function." ICLR 2019 (arXiv:1802.06070).

    Examples
    --------
    Four skills on an open grid end up in different regions (the start,
    uniform over the cells and the same for all, caps ``I(S; Z)`` below ``log 4``):

    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import skill_discovery
    >>> res = skill_discovery(gridworld(5, slip=0.0, goals=[]).mdp, 4, horizon=8, n_iter=20, temperature=0.2, seed=0)
    >>> bool(res.value > 0.9), bool(res.value <= np.log(4) + 1e-12)
    (True, True)
    """
    model = resolve_model(mdp, horizon, discount, initial)
    K = check_positive_int(n_skills, "n_skills")
    n_iter = check_positive_int(n_iter, "n_iter")
    tau = check_temperature(temperature)
    rng = check_seed(seed)
    S = model.mdp.n_states
    prior = np.full(K, 1.0 / K)
    policies = [_plan(model, rng.normal(size=S), tau) for _ in range(K)]
    marginals = np.array([model.marginal(pi) for pi in policies])
    history, bounds = [], []
    for _ in range(n_iter):
        q = _posterior(marginals, prior)
        log_q = np.log(np.maximum(q, np.finfo(np.float64).tiny))  # q > 0 wherever a soft skill can go
        policies = [_plan(model, log_q[z] - np.log(prior[z]), tau) for z in range(K)]
        marginals = np.array([model.marginal(pi) for pi in policies])
        history.append(mutual_information(prior[:, None] * marginals))
        bounds.append(_bound(marginals, prior, q))
    return SkillResult(policies=np.array(policies), marginals=marginals, discriminator=_posterior(marginals, prior),
                       value=history[-1], history=np.array(history), bound_history=np.array(bounds))


def _plan(model: Model, reward: np.ndarray, tau: float) -> np.ndarray:
    plan = soft_backward(model.mdp, reward, horizon=model.horizon,
                         discount=discount_argument(model.horizon, model.discount), temperature=tau, method="auto")
    return np.ascontiguousarray(plan.policy)
