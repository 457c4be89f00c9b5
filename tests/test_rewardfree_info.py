"""tabular_irl.rewardfree.info: entropy, KL, mutual information against closed forms and identities."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabular_irl.rewardfree import conditional_entropy, entropy, kl_divergence, mutual_information


def _joint(seed: int, X: int, Y: int, zeros: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    joint = rng.random((X, Y))
    if zeros:
        joint[rng.random((X, Y)) < 0.4] = 0.0
        joint[rng.integers(X), rng.integers(Y)] += 0.3
    return joint / joint.sum()


joints = st.builds(_joint, st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 5), st.booleans())


@given(joints)
def test_mutual_information_identities(joint):
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    mi = mutual_information(joint)
    assert mi >= 0.0
    assert mi == pytest.approx(entropy(py) - conditional_entropy(joint), abs=1e-12)          # H(Y) - H(Y|X)
    assert mi == pytest.approx(entropy(px) - conditional_entropy(joint.T), abs=1e-12)        # H(X) - H(X|Y)
    assert mi == pytest.approx(kl_divergence(joint.ravel(), np.outer(px, py).ravel()), abs=1e-12)
    assert mi == pytest.approx(entropy(px) + entropy(py) - entropy(joint, axis=None), abs=1e-12)
    # the chain rule H(X, Y) = H(X) + H(Y | X)
    assert entropy(joint, axis=None) == pytest.approx(entropy(px) + conditional_entropy(joint), abs=1e-12)


@given(joints)
def test_conditional_entropy_is_the_average_row_entropy(joint):
    px = joint.sum(axis=1)
    rows = px > 0
    expected = sum(px[x] * entropy(joint[x] / px[x]) for x in np.flatnonzero(rows))
    assert conditional_entropy(joint) == pytest.approx(expected, abs=1e-12)
    assert 0.0 <= conditional_entropy(joint) <= entropy(joint.sum(axis=0)) + 1e-12


def test_closed_forms():
    assert entropy(np.full(8, 1 / 8), base=2) == pytest.approx(3.0, abs=1e-15)
    assert entropy([0.25, 0.75]) == pytest.approx(-(0.25 * np.log(0.25) + 0.75 * np.log(0.75)), abs=1e-15)
    assert entropy([1.0, 0.0, 0.0]) == 0.0
    # binary symmetric channel with a uniform input: I = log 2 - H_b(p)
    p = 0.1
    joint = 0.5 * np.array([[1 - p, p], [p, 1 - p]])
    hb = -(p * np.log(p) + (1 - p) * np.log(1 - p))
    assert mutual_information(joint) == pytest.approx(np.log(2) - hb, abs=1e-15)
    assert mutual_information(joint, base=2) == pytest.approx((np.log(2) - hb) / np.log(2), abs=1e-15)
    assert conditional_entropy(np.eye(3) / 3) == 0.0
    assert mutual_information(np.eye(3) / 3) == pytest.approx(np.log(3), abs=1e-15)


def test_kl_divergence():
    p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    assert kl_divergence(p, q) == pytest.approx(0.2 * np.log(0.4) + 0.8 * np.log(1.6), abs=1e-15)
    assert kl_divergence(p, p) == 0.0
    assert kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(np.log(2), abs=1e-15)  # 0 log 0 = 0
    assert kl_divergence([0.5, 0.5], [0.0, 1.0]) == np.inf                               # q lacks support
    rows = kl_divergence(np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([[0.5, 0.5], [0.5, 0.5]]))
    assert rows.shape == (2,) and rows[0] == 0.0 and rows[1] == pytest.approx(np.log(2))
    by_column = kl_divergence(np.array([[0.5, 1.0], [0.5, 0.0]]), np.full((2, 2), 0.5), axis=0)
    assert by_column.tolist() == pytest.approx([0.0, np.log(2)])


@given(st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_entropy_bounds_and_axes(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(n), size=3)
    h = entropy(p)
    assert h.shape == (3,) and np.all(h >= 0) and np.all(h <= np.log(n) + 1e-12)
    assert entropy(p.T, axis=0) == pytest.approx(h, abs=1e-15)
    assert entropy(p, base=np.e) == pytest.approx(h, abs=1e-15)


@pytest.mark.parametrize("bad, message", [
    ([0.5, 0.6], "p must sum to 1"),
    ([-0.1, 1.1], "p must be non-negative"),
    ([np.nan, 1.0], "p must be finite"),
    ([[0.5, 0.5], [0.3, 0.3]], r"p must sum to 1 along axis -1 \(slice \(1,\)"),
    ([], "p must be a non-empty"),
])
def test_bad_distributions_name_the_argument(bad, message):
    with pytest.raises(ValueError, match=message):
        entropy(bad)


def test_bad_arguments():
    with pytest.raises(ValueError, match="base must be"):
        entropy([1.0], base=1)
    with pytest.raises(ValueError, match="base must be"):
        entropy([1.0], base=-2)
    with pytest.raises(ValueError, match="q must sum to 1"):
        kl_divergence([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="same shape"):
        kl_divergence([0.5, 0.5], [1 / 3] * 3)
    with pytest.raises(ValueError, match="joint must be 2-d"):
        mutual_information([0.5, 0.5])
    with pytest.raises(ValueError, match="joint must sum to 1"):
        conditional_entropy(np.full((2, 2), 0.3))
    with pytest.raises(ValueError, match="axis=3 is out of range"):
        entropy([0.5, 0.5], axis=3)
    with pytest.raises(TypeError, match="p must hold real numbers"):
        entropy(["a", "b"])
