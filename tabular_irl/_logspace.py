r"""NumPy log-space helpers shared by the NumPy (non-kernel) code of the package.

The compiled passes (``csrc/``) have their own loops; the NumPy code around
them (identity checks, policy iteration, forward-mode derivatives, the exact
moment recursions of ``approx``) needs the same few operations, written once
here:

==========================  ==========================================================
:func:`row_ids`             the row of every stored entry of a CSR matrix
:func:`soft_max`            ``V = tau log sum_a exp(Q / tau)``, ``pi = exp((Q - V) / tau)``
:func:`log_expectation`     ``log sum_s' P(s'|k) exp(values(s'))`` per row ``k`` of ``P``,
                            and the tilted next-state law it normalises
:func:`discount_weights`    ``gamma^t`` for ``t < T``
==========================  ==========================================================

Every reduction subtracts its maximum first, so rewards of size ``1e4`` and
horizons of ``1e4`` stay finite. Inputs are trusted (validated by the caller):
``P`` is a validated transition matrix (every row holds a non-zero entry) and
the values are finite.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["row_ids", "soft_max", "log_expectation", "discount_weights"]


def row_ids(P: sp.csr_array) -> np.ndarray:
    """The row index of every stored entry of a CSR matrix, aligned with ``P.data``.

    Parameters
    ----------
    P : scipy.sparse.csr_array, shape (n_rows, n_cols)

    Returns
    -------
    ndarray of int, shape (nnz,)
        ``rows[j] = k`` for ``P.indptr[k] <= j < P.indptr[k + 1]``: with it a
        per-row quantity ``x (n_rows,)`` is spread over the entries as ``x[rows]``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> P = sp.csr_array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    >>> row_ids(P).tolist()
    [0, 0, 1]
    """
    return np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))


def soft_max(Q: np.ndarray, tau: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Soft maximum over the last axis and its softmax policy, in log space.

    .. math::

        V = m + \tau \log \sum_a \exp\big((Q_a - m) / \tau\big), \quad
        \pi_a = \frac{\exp((Q_a - m) / \tau)}{\sum_b \exp((Q_b - m) / \tau)},
        \quad m = \max_a Q_a,

    i.e. ``V = tau logsumexp(Q / tau)`` and ``pi = exp((Q - V) / tau)``, with the
    same operations as the compiled backup (the kernels shift by the maximum
    the same way).

    Parameters
    ----------
    Q : ndarray, shape (..., A)
        Finite values, ``Q[..., a]`` (e.g. ``(S, A)`` or ``(T, S, A)``).
    tau : float, default 1.0
        Temperature ``> 0``.

    Returns
    -------
    V : ndarray, shape (...)
    policy : ndarray, shape (..., A)
        Sums to 1 over the last axis.

    See Also
    --------
    tabular_irl.soft_backward : the compiled passes built on this backup.

    Examples
    --------
    >>> import numpy as np
    >>> V, pi = soft_max(np.array([[0.0, np.log(3.0)]]))
    >>> np.exp(V).round(12).tolist(), pi.round(3).tolist()  # V = log(1 + 3)
    ([4.0], [[0.25, 0.75]])
    """
    m = Q.max(axis=-1)
    e = np.exp((Q - m[..., None]) / tau)
    acc = e.sum(axis=-1)
    return m + tau * np.log(acc), e / acc[..., None]


def log_expectation(P: sp.csr_array, rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""``log sum_s' P(s'|k) exp(values(s'))`` for every row ``k`` of ``P``, and the tilted law, in log space.

    .. math::

        L(k) = \log \sum_{s'} P(s' \mid k)\, e^{v(s')}, \qquad
        \rho(s' \mid k) = P(s' \mid k)\, e^{v(s') - L(k)},

    computed as ``top(k) + log sum P exp(v - top(k))`` with ``top(k)`` the largest
    ``v`` among row ``k``'s successors. With ``values = V_{t+1} / tau`` this is the
    non-causal backup (``Q_t = r + tau L``) and ``rho`` the next-state law of the
    posterior Markov chain.

    Parameters
    ----------
    P : scipy.sparse.csr_array, shape (S*A, S)
        Validated transitions: every row holds a non-zero entry.
    rows : ndarray of int, shape (nnz,)
        :func:`row_ids` of ``P`` (passed in: loops over time reuse it).
    values : ndarray, shape (S,)
        Finite.

    Returns
    -------
    L : ndarray, shape (S*A,)
    rho : ndarray, shape (nnz,)
        ``rho(s'|k)`` aligned with ``P.data`` (so with ``P.indices`` and
        ``P.indptr`` a CSR matrix whose rows sum to 1).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> P = sp.csr_array([[0.5, 0.5], [0.0, 1.0]])
    >>> L, rho = log_expectation(P, row_ids(P), np.array([0.0, np.log(3.0)]))
    >>> np.exp(L).round(12).tolist(), rho.round(3).tolist()
    ([2.0, 3.0], [0.25, 0.75, 1.0])
    """
    vals = values[P.indices]
    top = np.maximum.reduceat(vals, P.indptr[:-1])
    w = P.data * np.exp(vals - top[rows])
    total = np.add.reduceat(w, P.indptr[:-1])
    return top + np.log(total), w / total[rows]


def discount_weights(T: int, gamma: float) -> np.ndarray:
    r"""The per-step weights ``w_t = gamma^t``, ``t = 0 .. T-1``, as float64.

    Expected (discounted) counts weigh step ``t`` by ``w_t``; ``sum_t w_t`` is the
    largest total count (the effective horizon).

    Parameters
    ----------
    T : int
        Horizon (number of decisions), ``>= 0``.
    gamma : float
        Discount in ``[0, 1]`` (``1`` for none).

    Returns
    -------
    ndarray, shape (T,)

    Examples
    --------
    >>> discount_weights(3, 0.5).tolist()
    [1.0, 0.5, 0.25]
    """
    return gamma ** np.arange(T, dtype=np.float64)
