"""The convexity of an error surface along a chord: E(λa + (1−λ)b) ≤ λE(a) + (1−λ)E(b).

Two points a, b of a 2-D surface; along the segment between them the surface's
value is compared with the straight chord between E(a) and E(b).  A convex
surface (the linear neuron's quadratic bowl) lies on or below every chord: the
gap chord − E is ≥ 0 everywhere (for the bowl it is exactly
½ λ(1−λ) (a−b)ᵀ H (a−b)).  A negative gap somewhere proves the surface is not
convex (Rosenbrock's banana, the saddle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Chord", "chord", "ROUNDING"]

#: A gap above −ROUNDING × the scale of the values counts as 0 (rounding noise).
ROUNDING = 1e-12


@dataclass(frozen=True)
class Chord:
    """The surface and its chord at ``lam`` (λ from 1 at ``a`` to 0 at ``b``)."""

    a: tuple[float, float]
    b: tuple[float, float]
    lam: np.ndarray  # (k,) λ, 1 → 0
    points: np.ndarray  # (k, 2) λa + (1−λ)b
    surface: np.ndarray  # (k,) E(λa + (1−λ)b)
    chord: np.ndarray  # (k,) λE(a) + (1−λ)E(b)

    @property
    def gap(self) -> np.ndarray:
        """chord − surface: ≥ 0 everywhere on a convex surface."""
        return self.chord - self.surface

    @property
    def min_gap(self) -> float:
        """The smallest gap strictly between the end points (where it is 0 by definition)."""
        inner = self.gap[1:-1]
        return float(inner.min()) if len(inner) else 0.0

    @property
    def above(self) -> bool:
        """The chord lies on or above the surface at every sampled λ (up to rounding)."""
        scale = max(1.0, float(np.abs(self.surface).max()), float(np.abs(self.chord).max()))
        return self.min_gap >= -ROUNDING * scale

    def summary(self) -> str:
        if self.above:
            return (
                f"the chord lies above the surface (smallest gap between the ends {self.min_gap:.3g}): "
                "E(λa + (1−λ)b) ≤ λE(a) + (1−λ)E(b), as on a convex surface"
            )
        k = int(self.gap[1:-1].argmin()) + 1
        return (
            f"the surface rises {-self.min_gap:.3g} above the chord at λ = {self.lam[k]:.2f}: "
            "not convex along this chord"
        )

    def to_dict(self) -> dict:
        return {
            "a": list(self.a),
            "b": list(self.b),
            "E_a": float(self.surface[0]),
            "E_b": float(self.surface[-1]),
            "min_gap": self.min_gap,
            "chord_above": self.above,
            "lam": self.lam.tolist(),
            "surface": self.surface.tolist(),
            "chord": self.chord.tolist(),
        }


def chord(surface, a, b, samples: int = 101) -> Chord:
    """Sample ``surface.f`` along the segment from ``a`` (λ = 1) to ``b`` (λ = 0)."""
    a = tuple(float(v) for v in a)
    b = tuple(float(v) for v in b)
    if len(a) != 2 or len(b) != 2 or not np.isfinite(a + b).all():
        raise ValueError("the chord's end points must be two finite (x, y) pairs")
    if int(samples) < 3:
        raise ValueError(f"a chord needs at least 3 samples, got {samples!r}")
    lam = np.linspace(1.0, 0.0, int(samples))
    pa, pb = np.array(a), np.array(b)
    pts = lam[:, None] * pa + (1 - lam[:, None]) * pb
    E = np.asarray(surface.f(pts[:, 0], pts[:, 1]), dtype=float).reshape(-1)
    ends = np.array([E[0], E[-1]])
    line = lam * ends[0] + (1 - lam) * ends[1]
    return Chord(a, b, lam, pts, E, line)
