"""The table of built-in datasets: title, task, description, default size and
noise, input/output counts, parameters and kind (fixed, generated, csv)."""

from __future__ import annotations


def _b(title, task, description, n, noise, inputs, outputs, params=None, kind="generated"):
    return {
        "title": title,
        "task": task,
        "description": description,
        "defaults": {"n": n, "noise": noise},
        "inputs": inputs,
        "outputs": outputs,
        "params": dict(params or {}),
        "kind": kind,
    }


BUILTIN: dict[str, dict] = {
    "xor": _b(
        "XOR",
        "classification",
        "The 4-row XOR truth table (targets 0/1): not linearly separable.",
        4,
        0.0,
        2,
        1,
        kind="fixed",
    ),
    "and": _b(
        "AND", "classification", "The 4-row AND truth table: linearly separable.", 4, 0.0, 2, 1, kind="fixed"
    ),
    "or": _b(
        "OR", "classification", "The 4-row OR truth table: linearly separable.", 4, 0.0, 2, 1, kind="fixed"
    ),
    "eleven_points": _b(
        "Eleven points (lecture)",
        "classification",
        "The lecture's 11-point table (Fig. 5.23): x1, x2 -> t in {0, 1}.",
        11,
        0.0,
        2,
        1,
        kind="fixed",
    ),
    "backprop_table": _b(
        "Backprop example (lecture)",
        "regression",
        "The lecture's 3-row training set: (0,0)->(0,1), (0,1)->(1,0), (1,0)->(1,1). "
        "Two independent 0/1 outputs, treated as regression (multi-output).",
        3,
        0.0,
        2,
        2,
        kind="fixed",
    ),
    "blobs": _b(
        "Two blobs",
        "classification",
        "Two linearly separable gaussian blobs around (-1,-1) and (1,1).",
        200,
        0.0,
        2,
        1,
    ),
    "circles": _b(
        "Circles",
        "classification",
        "An inner circle (class 1) inside an outer ring (class 0).",
        200,
        0.05,
        2,
        1,
    ),
    "moons": _b("Moons", "classification", "Two interleaving half moons.", 200, 0.1, 2, 1),
    "spiral": _b(
        "Spiral",
        "classification",
        "Two interleaved spiral arms; parameter turns.",
        300,
        0.02,
        2,
        1,
        {"turns": 1.5},
    ),
    "gaussians": _b(
        "Gaussian clusters",
        "classification",
        "k gaussian clusters on a circle (parameter classes); k > 2 uses one-hot targets.",
        300,
        0.0,
        2,
        3,
        {"classes": 3},
    ),
    "checkerboard": _b(
        "Checkerboard",
        "classification",
        "Uniform points in [-1,1]^2 labelled by a tiles x tiles checkerboard.",
        400,
        0.0,
        2,
        1,
        {"tiles": 4},
    ),
    "sine": _b("Sine", "regression", "1-D regression: x in [-pi, pi], t = sin x + noise.", 100, 0.1, 1, 1),
    "plane": _b(
        "Plane",
        "regression",
        "2-D linear regression: t = a.x + b + noise.",
        200,
        0.1,
        2,
        1,
        {"a": [1.5, -0.8], "b": 0.3},
    ),
    "bumps": _b(
        "Gaussian bumps", "regression", "2-D regression: a sum of four gaussian bumps.", 400, 0.02, 2, 1
    ),
    "iris": _b(
        "Iris",
        "classification",
        "Fisher's iris flowers: 4 measurements, 3 species (one-hot). 150 rows.",
        150,
        0.0,
        4,
        3,
        kind="csv",
    ),
    "penguins": _b(
        "Palmer penguins",
        "classification",
        "Penguin measurements plus categorical island and sex (one-hot encoded inputs); "
        "rows with missing values dropped (333 left); target species (3).",
        333,
        0.0,
        9,
        3,
        kind="csv",
    ),
    "digits": _b(
        "Handwritten digits",
        "classification",
        "8x8 handwritten digits: 64 pixel features (0..16), 10 classes. 1797 rows.",
        1797,
        0.0,
        64,
        10,
        kind="csv",
    ),
    "mnist_like": _b(
        "MNIST-like digits (generated)",
        "classification",
        "28x28 digit drawings made in-process: each digit's pen path through a random "
        "rotation, scale, shear and shift with a random pen width, plus pixel noise "
        "(the noise setting). 784 pixel features in [0, 1], 10 balanced classes. 60,000 rows.",
        60_000,
        0.03,
        784,
        10,
    ),
}
