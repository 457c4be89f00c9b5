r"""Convergence diagnostics of Markov chains: effective sample size and split-R̂.

Both follow Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021) on *split*
chains (each chain cut in half, so a trend within one chain shows up as a
disagreement between its halves), without rank normalisation (the posterior
means reported are means of the raw draws, and the ESS is theirs):

* ESS ``= m n / tau`` with the integrated autocorrelation time
  ``tau = -1 + 2 sum_k (rho_{2k} + rho_{2k+1})`` summed over Geyer's initial
  positive and monotone sequence, ``rho_t = 1 - (W - mean_j acov_j(t)) / var+``;
* split-R̂ ``= sqrt(var+ / W)``, ``var+ = (n - 1) / n W + B / n``.

A coordinate that never moves (zero variance in every chain) has ESS 1 and
R̂ 1 when all chains sit on the same value, ``inf`` when they sit apart.

References
----------
.. [1] A. Vehtari, A. Gelman, D. Simpson, B. Carpenter and P.-C. Bürkner,
   "Rank-normalization, folding, and localization: an improved R̂ for assessing
   convergence of MCMC", Bayesian Analysis 16(2), 2021.
.. [2] C. J. Geyer, "Practical Markov chain Monte Carlo", Statistical Science
   7(4), 1992.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_finite_array

__all__ = ["effective_sample_size", "split_rhat"]


def _as_chains(chains: Any) -> np.ndarray:
    """``(m, n, d)`` float64: ``(n,)`` is one chain of one coordinate, ``(m, n)`` m chains of one."""
    arr = check_finite_array(chains, "chains")
    if arr.ndim == 1:
        arr = arr[None, :, None]
    elif arr.ndim == 2:
        arr = arr[:, :, None]
    elif arr.ndim != 3:
        raise ValueError(f"chains must have shape (n,), (m, n) or (m, n, d), got shape {arr.shape}")
    if arr.shape[1] < 4:
        raise ValueError(f"chains must hold at least 4 draws each (they are split in halves), got {arr.shape[1]}")
    return arr


def _split(x: np.ndarray) -> np.ndarray:
    """``(m, n, d) -> (2m, n // 2, d)``: each chain's halves (a middle draw of an odd chain dropped)."""
    half = x.shape[1] // 2
    return np.concatenate([x[:, :half], x[:, x.shape[1] - half:]], axis=0)


def _autocovariance(x: np.ndarray) -> np.ndarray:
    """``acov[j, t, k] = 1/n sum_i (x_i - mean)(x_{i+t} - mean)`` per chain and coordinate, by FFT."""
    n = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(centred, n=size, axis=1)
    return np.fft.irfft(f * np.conj(f), n=size, axis=1)[:, :n] / n


def _variances(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(W, var+)`` per coordinate of split chains ``x (m, n, d)``."""
    m, n = x.shape[:2]
    W = x.var(axis=1, ddof=1).mean(axis=0)
    B_over_n = x.mean(axis=1).var(axis=0, ddof=1) if m > 1 else np.zeros(x.shape[2])
    return W, (n - 1) / n * W + B_over_n


def effective_sample_size(chains: Any) -> np.ndarray:
    """Effective sample size of each coordinate of one or more chains (split chains, Geyer's sequence).

    Parameters
    ----------
    chains : array_like, shape (m, n, d), (m, n) or (n,)
        ``m`` chains of ``n`` draws of ``d`` coordinates (after burn-in).

    Returns
    -------
    ndarray, shape (d,)
        Between 1 and ``m n log10(m n)`` (the cap of Stan, for antithetic chains).

    References
    ----------
    .. [1] A. Vehtari et al., "Rank-normalization, folding, and localization:
       an improved R̂ for assessing convergence of MCMC", Bayesian Analysis, 2021.

    See Also
    --------
    split_rhat : the convergence diagnostic across chains.
    bayesian_irl : reports both.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.bayes import effective_sample_size
    >>> iid = np.random.default_rng(0).normal(size=(4, 1000))
    >>> bool(3000 < effective_sample_size(iid)[0] < 5000)
    True
    >>> noise, ar = np.random.default_rng(1).normal(size=4000), np.zeros(4000)
    >>> for i in range(1, 4000):                       # AR(1) with rho = 0.9: tau = 19
    ...     ar[i] = 0.9 * ar[i - 1] + noise[i]
    >>> bool(100 < effective_sample_size(ar)[0] < 400)
    True
    """
    x = _split(_as_chains(chains))
    m, n, d = x.shape
    W, var_plus = _variances(x)
    acov = _autocovariance(x).mean(axis=0)  # (n, d)
    out = np.empty(d)
    for k in range(d):
        if var_plus[k] <= 0.0:
            out[k] = 1.0
            continue
        rho = 1.0 - (W[k] - acov[:, k]) / var_plus[k]
        rho[0] = 1.0
        pairs = rho[: 2 * (n // 2)].reshape(-1, 2).sum(axis=1)
        # Geyer: the initial positive sequence, made monotone
        stop = np.argmax(pairs <= 0.0) if np.any(pairs <= 0.0) else pairs.size
        kept = np.minimum.accumulate(pairs[:stop]) if stop else pairs[:0]
        tau = max(-1.0 + 2.0 * kept.sum(), 1.0 / np.log10(m * n))
        out[k] = m * n / tau
    return np.maximum(out, 1.0)


def split_rhat(chains: Any) -> np.ndarray:
    r"""Split-R̂ of each coordinate: ``sqrt(var+ / W)`` over the halves of every chain.

    Near 1 (below 1.01, the usual threshold) when the chains agree with each
    other and with themselves; one chain is enough (its two halves are compared).

    Parameters
    ----------
    chains : array_like, shape (m, n, d), (m, n) or (n,)

    Returns
    -------
    ndarray, shape (d,)

    References
    ----------
    .. [1] A. Vehtari et al., "Rank-normalization, folding, and localization:
       an improved R̂ for assessing convergence of MCMC", Bayesian Analysis, 2021.

    See Also
    --------
    effective_sample_size : the number of independent draws the chains are worth.
    bayesian_irl : reports both.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.bayes import split_rhat
    >>> draws = np.random.default_rng(0).normal(size=(4, 1000))
    >>> bool(split_rhat(draws)[0] < 1.01)
    True
    >>> bool(split_rhat(draws + np.arange(4)[:, None])[0] > 1.5)   # chains that disagree
    True
    """
    x = _split(_as_chains(chains))
    W, var_plus = _variances(x)
    out = np.ones_like(W)
    moving = W > 0.0
    out[moving] = np.sqrt(var_plus[moving] / W[moving])
    out[~moving & (var_plus > 0.0)] = np.inf
    return out
