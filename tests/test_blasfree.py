"""The BLAS-free products a fit uses every iteration (tabular_irl._blasfree) equal the BLAS ones."""

import numpy as np
import scipy.sparse as sp
from numpy.testing import assert_allclose

from tabular_irl._blasfree import dot, matvec, rmatvec


def test_products_match_numpy(rng):
    m, x, y = rng.normal(size=(300, 7)), rng.normal(size=7), rng.normal(size=300)
    assert_allclose(matvec(m, x), m @ x, rtol=1e-13, atol=1e-13)
    assert_allclose(rmatvec(m, y), m.T @ y, rtol=1e-13, atol=1e-13)
    assert dot(y, y) == np.float64(dot(y, y)) and abs(dot(y, y) - float(y @ y)) <= 1e-12 * float(y @ y)
    cube = rng.normal(size=(20, 3, 7))  # state-action features (S, A, d)
    assert_allclose(matvec(cube, x), cube @ x, rtol=1e-13, atol=1e-13)
    sparse = sp.random_array((300, 7), density=0.2, random_state=0, format="csr")
    assert_allclose(matvec(sparse, x), sparse.toarray() @ x, rtol=1e-13, atol=1e-13)
    assert_allclose(rmatvec(sparse, y), sparse.toarray().T @ y, rtol=1e-13, atol=1e-13)
    assert matvec(sparse, x).dtype == np.float64 and rmatvec(sparse, y).ndim == 1
