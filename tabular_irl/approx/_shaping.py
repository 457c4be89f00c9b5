r"""Rewards modulo potential-based shaping (Ng, Harada & Russell 1999).

``r'(s, a) = r(s, a) + gamma E_{s'|s,a} h(s') - h(s) + c`` has the same
soft- and hard-optimal policies as ``r`` for every potential ``h`` and
constant ``c`` (infinite discounted horizon), so IRL can recover a reward only
up to such terms (AIRL's ``f`` is one of them: ``log pi_E = r + gamma P V - V``).
Both rewards are compared here after removing the shaping subspace

.. math::

    \mathcal{H} = \{ \gamma P h - E h + c \mathbf{1} : h \in \mathbb{R}^S, c \in \mathbb{R} \}
    \subset \mathbb{R}^{S A}, \qquad (E h)(s, a) = h(s),

by least squares over the ``S*A`` entries: the residual is the same for every
member of ``r + H``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_discount, check_reward
from ..mdp import MDP, check_mdp

__all__ = ["shaping_residual", "reward_correlation_modulo_shaping"]

# residual norms below this fraction of the reward's norm are rounding: the reward is pure shaping
SHAPING_RTOL = 1e-10


def _basis(mdp: MDP, gamma: float) -> np.ndarray:
    S, A = mdp.n_states, mdp.n_actions
    M = gamma * mdp.transitions.toarray()  # (S*A, S), dense: least squares over S*A entries
    M[np.arange(S * A), np.repeat(np.arange(S), A)] -= 1.0
    return np.hstack([M, np.ones((S * A, 1))])


def _residual(basis: np.ndarray, r: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(basis, r.ravel(), rcond=None)
    return r.ravel() - basis @ coef


def shaping_residual(mdp: MDP, reward: Any, *, discount: float) -> np.ndarray:
    r"""The part of ``reward`` that no potential shaping (or constant) can produce, shape ``(S, A)``.

    ``reward - argmin_{u in H} ||reward - u||_2`` (see the module docstring).
    Equal for ``r`` and ``r + gamma P h - h + c``; zero when the reward is pure shaping.
    Dense least squares over ``(S*A, S+1)``: meant for tabular sizes.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    discount : float
        ``gamma`` in ``[0, 1]``.

    Returns
    -------
    ndarray, shape (S, A)
        The reward less its least-squares potential-based shaping term.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`; the message names it.
    ValueError
        ``reward`` or ``discount`` out of range, of the wrong shape or not
        finite.

    See Also
    --------
    reward_correlation_modulo_shaping : compares two rewards modulo shaping.

    References
    ----------
    Ng, Harada & Russell (1999), "Policy invariance under reward transformations: theory and application to reward
    shaping", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3)
    >>> h = np.arange(9.0)
    >>> shaped = world.reward[:, None] + 0.9 * (world.mdp.transitions @ h).reshape(9, 5) - h[:, None]
    >>> bool(np.allclose(shaping_residual(world.mdp, shaped, discount=0.9),
    ...                  shaping_residual(world.mdp, world.reward, discount=0.9), atol=1e-12))
    True
    """
    mdp = check_mdp(mdp)
    gamma = check_discount(discount, allow_one=True)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    return _residual(_basis(mdp, gamma), r).reshape(mdp.n_states, mdp.n_actions)


def reward_correlation_modulo_shaping(mdp: MDP, true_reward: Any, learned_reward: Any, *, discount: float) -> float:
    r"""Pearson correlation of two rewards after removing potential shaping and constants, in ``[-1, 1]``.

    The cosine of the two :func:`shaping_residual` vectors (they have mean 0).
    It is 1 exactly when ``learned = a * true + gamma P h - h + c`` with ``a > 0``:
    invariant to everything that leaves the optimal policies unchanged in
    the discounted setting, unlike :func:`tabular_irl.metrics.reward_correlation`.

    Parameters
    ----------
    mdp : MDP
    true_reward, learned_reward : array_like, shape (S,) or (S, A)
    discount : float
        ``gamma`` in ``[0, 1]``.

    Returns
    -------
    float
        The correlation, in ``[-1, 1]``, after removing the best potential-based shaping.

    Raises
    ------
    ValueError
        If a reward is pure shaping (its residual is 0): the correlation is undefined.

    See Also
    --------
    shaping_residual : the residual after removing shaping.
    tabular_irl.metrics.reward_correlation : without shaping.

    References
    ----------
    Ng, Harada & Russell (1999), "Policy invariance under reward transformations: theory and application to reward
    shaping", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(3, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, discount=0.9)
    >>> log_pi = plan.Q - plan.V[:, None]   # = r + gamma P V - V: a shaped reward
    >>> round(reward_correlation_modulo_shaping(world.mdp, world.reward, log_pi, discount=0.9), 10)
    1.0
    """
    mdp = check_mdp(mdp)
    gamma = check_discount(discount, allow_one=True)
    basis = _basis(mdp, gamma)
    out = []
    for value, name in ((true_reward, "true_reward"), (learned_reward, "learned_reward")):
        r = check_reward(value, mdp.n_states, mdp.n_actions, name=name)
        res = _residual(basis, r)
        if np.linalg.norm(res) <= SHAPING_RTOL * max(np.linalg.norm(r), np.finfo(float).tiny):
            raise ValueError(f"{name} is pure potential shaping plus a constant (its residual is 0): it ranks "
                             "every policy equally, so its correlation with another reward is undefined")
        out.append(res)
    u, v = out
    return float(np.clip(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)), -1.0, 1.0))
