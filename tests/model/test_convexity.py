"""The bowl's convexity along a chord, against the quadratic's closed form."""

import numpy as np
import pytest

from model.analysis.convexity import chord
from model.analysis.surfaces import get_surface


def test_the_bowls_chord_gap_is_half_lambda_one_minus_lambda_dHd():
    bowl = get_surface("bowl")
    a, b = np.array([3.5, 0.5]), np.array([-1.5, -3.0])
    c = chord(bowl, a, b, samples=11)
    lam = np.linspace(1, 0, 11)
    np.testing.assert_allclose(c.lam, lam)
    np.testing.assert_allclose(c.points, lam[:, None] * a + (1 - lam[:, None]) * b)
    # E along the segment and the straight chord, by hand: E(w) = mean ½(w·x − t)²
    X, T = bowl.samples
    E = lambda w: 0.5 * np.mean((X @ w - T) ** 2)  # noqa: E731
    np.testing.assert_allclose(c.surface, [E(l * a + (1 - l) * b) for l in lam], rtol=1e-12)
    np.testing.assert_allclose(c.chord, lam * E(a) + (1 - lam) * E(b), rtol=1e-12)
    d = a - b
    np.testing.assert_allclose(c.gap, 0.5 * lam * (1 - lam) * (d @ bowl.hessian @ d), atol=1e-12)
    assert c.above and c.min_gap == pytest.approx(0.5 * 0.9 * 0.1 * (d @ bowl.hessian @ d))
    assert "lies above" in c.summary()


def test_a_non_convex_surface_rises_above_its_chord():
    # Rosenbrock (1−x)² + 100(y − x²)² on y = 2 from x = −1.5 to 1.5: the middle is the ridge
    c = chord(get_surface("rosenbrock"), (-1.5, 2.0), (1.5, 2.0), samples=101)
    assert not c.above
    assert c.surface[50] == pytest.approx(1 + 100 * 4)  # x = 0
    assert c.chord[50] == pytest.approx(0.5 * (6.25 + 100 * 0.0625) + 0.5 * (0.25 + 100 * 0.0625))
    assert c.min_gap == pytest.approx(c.chord[50] - c.surface[50])
    assert "not convex" in c.summary() and "λ = 0.50" in c.summary()


def test_bad_end_points_are_refused():
    with pytest.raises(ValueError, match="finite"):
        chord(get_surface("bowl"), (0, np.nan), (1, 1))
    with pytest.raises(ValueError, match="3 samples"):
        chord(get_surface("bowl"), (0, 0), (1, 1), samples=2)
