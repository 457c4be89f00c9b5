r"""Information-theoretic building blocks: entropy, KL divergence, mutual information.

Every quantity is in nats unless ``base`` is given (``base=2``: bits), with
the convention :math:`0 \log 0 = 0`. Inputs are validated like every other
distribution of the package: finite, non-negative, summing to 1 within
``1e-9`` along the axis that holds the distribution; anything else is a
``ValueError`` naming the argument.

Joint tables ``joint[x, y] = p(x, y)`` put ``X`` on the rows and ``Y`` on the
columns, so that

.. math::

    I(X; Y) = H(Y) - H(Y \mid X) = H(X) - H(X \mid Y)
            = \mathrm{KL}\big(p(x, y) \,\|\, p(x)\, p(y)\big).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import entr, rel_entr

from .._validation import check_base, check_probabilities

__all__ = ["entropy", "kl_divergence", "mutual_information", "conditional_entropy"]


def _in_base(nats: Any, base: float | None) -> Any:
    return nats if base is None else nats / np.log(base)


def _as_output(x: np.ndarray) -> float | np.ndarray:
    """A Python float for a 0-d result, else the array."""
    return float(x) if np.ndim(x) == 0 else x


def entropy(p: Any, axis: int | None = -1, base: float | None = None) -> float | np.ndarray:
    r"""Shannon entropy :math:`H(p) = -\sum_i p_i \log p_i` (with :math:`0 \log 0 = 0`).

    Parameters
    ----------
    p : array_like
        Probabilities; every slice along ``axis`` is a distribution.
    axis : int or None, default -1
        The axis holding each distribution; ``None``: the whole array is one
        (joint) distribution.
    base : float, optional
        Base of the logarithm; natural (nats) by default, ``2`` for bits.

    Returns
    -------
    float or ndarray
        A float for a single distribution, else an array of the other axes' shape.

    Raises
    ------
    ValueError
        If ``p`` has a negative or non-finite entry, or a slice does not sum
        to 1 within 1e-9 (the message names ``p``), or ``base`` is not a real
        > 0 other than 1.

    See Also
    --------
    kl_divergence, mutual_information, conditional_entropy

    References
    ----------
    .. [1] T. M. Cover, J. A. Thomas. "Elements of Information Theory", 2nd ed.,
       Wiley 2006, chapter 2.

    Examples
    --------
    >>> from tabular_irl.rewardfree import entropy
    >>> round(entropy([0.5, 0.5], base=2), 12)
    1.0
    >>> round(entropy([1.0, 0.0]), 12)   # 0 log 0 = 0
    0.0
    >>> entropy([[0.5, 0.5], [1.0, 0.0]]).round(6).tolist()   # one entropy per row
    [0.693147, 0.0]
    """
    base = check_base(base)
    arr = check_probabilities(p, "p", axis)
    return _as_output(_in_base(entr(arr).sum(axis=axis), base))


def kl_divergence(p: Any, q: Any, axis: int | None = -1, base: float | None = None) -> float | np.ndarray:
    r"""Kullback--Leibler divergence :math:`\mathrm{KL}(p \,\|\, q) = \sum_i p_i \log (p_i / q_i)`.

    Terms with :math:`p_i = 0` are 0; a term with :math:`p_i > 0 = q_i` is
    :math:`+\infty`, so the divergence is ``inf`` exactly when ``q`` lacks
    part of the support of ``p``.

    Parameters
    ----------
    p, q : array_like, same shape
        Probabilities; every slice along ``axis`` is a distribution.
    axis : int or None, default -1
        The axis holding each distribution (``None``: the whole array).
    base : float, optional
        Base of the logarithm; natural (nats) by default.

    Returns
    -------
    float or ndarray
        Non-negative, ``inf`` where ``q`` lacks support of ``p``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a distribution along ``axis`` (the message
        names it) or their shapes differ.

    See Also
    --------
    entropy, mutual_information : the other building blocks.

    References
    ----------
    .. [1] S. Kullback, R. A. Leibler. "On Information and Sufficiency."
       Annals of Mathematical Statistics 22(1), 1951.

    Examples
    --------
    >>> from tabular_irl.rewardfree import kl_divergence
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 6)
    0.143841
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])   # q lacks support of p
    inf
    >>> kl_divergence([1.0, 0.0], [0.5, 0.5], base=2)
    1.0
    """
    base = check_base(base)
    p_arr = check_probabilities(p, "p", axis)
    q_arr = check_probabilities(q, "q", axis)
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q must have the same shape, got {p_arr.shape} and {q_arr.shape}")
    return _as_output(_in_base(rel_entr(p_arr, q_arr).sum(axis=axis), base))


def _check_joint(joint: Any) -> np.ndarray:
    return check_probabilities(joint, "joint", None, ndim=2)


def mutual_information(joint: Any, base: float | None = None) -> float:
    r"""Mutual information :math:`I(X; Y)` of a joint table ``joint[x, y] = p(x, y)``.

    .. math::

        I(X; Y) = \sum_{x, y} p(x, y) \log \frac{p(x, y)}{p(x)\, p(y)}
                = \mathrm{KL}\big(p(x, y) \,\|\, p(x) p(y)\big)
                = H(Y) - H(Y \mid X).

    Parameters
    ----------
    joint : array_like, shape (X, Y)
        Non-negative, summing to 1.
    base : float, optional
        Base of the logarithm; natural (nats) by default.

    Returns
    -------
    float
        ``I(X; Y) >= 0``; 0 exactly when ``X`` and ``Y`` are independent.

    Raises
    ------
    ValueError
        If ``joint`` is not a 2-d table of probabilities summing to 1.

    See Also
    --------
    conditional_entropy, entropy

    References
    ----------
    .. [1] T. M. Cover, J. A. Thomas. "Elements of Information Theory", 2nd ed.,
       Wiley 2006, section 2.4.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.rewardfree import mutual_information
    >>> mutual_information(np.eye(2) / 2, base=2)           # Y = X, one fair bit
    1.0
    >>> mutual_information(np.full((2, 3), 1 / 6))          # independent
    0.0
    """
    base = check_base(base)
    arr = _check_joint(joint)
    independent = np.outer(arr.sum(axis=1), arr.sum(axis=0))
    # rel_entr is 0 where p(x, y) = 0, and p(x, y) > 0 implies p(x) p(y) > 0
    return max(0.0, float(_in_base(rel_entr(arr, independent).sum(), base)))


def conditional_entropy(joint: Any, base: float | None = None) -> float:
    r"""Conditional entropy :math:`H(Y \mid X) = H(X, Y) - H(X)` of ``joint[x, y] = p(x, y)``.

    The columns are the variable whose uncertainty is measured, the rows the
    one conditioned on: :math:`H(Y \mid X) = -\sum_{x,y} p(x, y) \log p(y \mid x)`.
    Transpose the table for :math:`H(X \mid Y)`.

    Parameters
    ----------
    joint : array_like, shape (X, Y)
        Non-negative, summing to 1.
    base : float, optional
        Base of the logarithm; natural (nats) by default.

    Returns
    -------
    float
        ``0 <= H(Y | X) <= H(Y)``.

    Raises
    ------
    ValueError
        If ``joint`` is not a 2-d table of probabilities summing to 1.

    See Also
    --------
    mutual_information : ``I(X; Y) = H(Y) - H(Y | X)``.

    References
    ----------
    .. [1] T. M. Cover, J. A. Thomas. "Elements of Information Theory", 2nd ed.,
       Wiley 2006, section 2.2.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.rewardfree import conditional_entropy
    >>> conditional_entropy(np.eye(2) / 2)                     # Y is a function of X
    0.0
    >>> conditional_entropy(np.full((2, 2), 0.25), base=2)     # a fair bit independent of X
    1.0
    """
    base = check_base(base)
    arr = _check_joint(joint)
    row = arr.sum(axis=1, keepdims=True)
    # -sum p(x, y) log (p(x, y) / p(x)): rel_entr is 0 where p(x, y) = 0
    value = rel_entr(arr, np.where(row > 0, row, 1.0)).sum()
    return max(0.0, float(_in_base(-value, base)))
