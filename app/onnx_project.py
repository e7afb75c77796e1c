"""An imported ONNX MLP as a project: the network, its weights, names and stand-in data.

An ONNX file carries no training data, so the project holds 128 sample
inputs labelled by the imported network itself (say so in its description):
the canvas and decision map have something to show, ``predict`` works at
once, and the user can switch to real data to train further.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.data.preprocessing import Scaler
from model.io.project import DataSource, Project
from model.nn.network import Network
from model.nn.spec import NetworkSpec

from .onnx_import import ImportedMLP, load_model, parse_mlp

N_SAMPLES = 128


def project_from_onnx(path) -> Project:
    """Read ``path`` and build the project; ValueError (one line) when it is not an MLP."""
    path = Path(path)
    try:
        mlp = parse_mlp(load_model(path))
    except ValueError as e:
        raise ValueError(f"{path.name}: {e}") from None
    return project_from_mlp(mlp, path.stem)


def project_from_mlp(mlp: ImportedMLP, name: str) -> Project:
    sizes, acts = mlp.layer_sizes, list(mlp.activations)
    out = acts[-1]
    loss = {"softmax": "cross_entropy", "sigmoid": "bce"}.get(out, "mse")
    if "softmax" in acts[:-1]:
        raise ValueError("a softmax is only supported on the output layer")
    if out == "softmax" and sizes[-1] < 2:
        raise ValueError("a softmax output needs at least 2 units")
    spec = NetworkSpec(sizes, acts, loss=loss, seed=0)
    net = Network(spec, mlp.weights, mlp.biases)
    scaler = None
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((N_SAMPLES, sizes[0]))
    if mlp.scaler is not None:
        offset, scale = (np.broadcast_to(a, (sizes[0],)).astype(float) for a in mlp.scaler)
        scaler = Scaler("standardize", offset, scale)
        X = scaler.inverse_transform(Z)  # raw inputs, as the file's scaler expects them
    else:
        X = Z
    Y = net.predict(Z)
    task = "classification" if out in ("softmax", "sigmoid") else "regression"
    if out == "softmax":
        T = np.eye(sizes[-1])[Y.argmax(axis=1)]
        classes = mlp.output_names or [str(k) for k in range(sizes[-1])]
        targets = [f"t{k + 1}" for k in range(sizes[-1])]
    elif out == "sigmoid":
        T = (Y > 0.5).astype(float)
        classes = ["0", "1"] if sizes[-1] == 1 else (mlp.output_names or [str(k) for k in range(sizes[-1])])
        targets = mlp.output_names if sizes[-1] == 1 and mlp.output_names else None
        targets = targets or (["t"] if sizes[-1] == 1 else [f"t{k + 1}" for k in range(sizes[-1])])
    else:
        T, classes = Y, []
        targets = mlp.output_names or [f"y{k + 1}" for k in range(sizes[-1])]
    names = {"inputs": mlp.input_names or [f"x{i + 1}" for i in range(sizes[0])], "targets": targets}
    if classes:
        names["classes"] = classes
    data = DataSource(kind="embedded", X=X.tolist(), T=T.tolist(), task=task, names=names)
    return Project(
        spec=spec,
        data=data,
        preprocessing="standardize" if scaler is not None else "none",
        scaler=scaler,
        weights=([w.copy() for w in net.weights], [b.copy() for b in net.biases]),
        name=name,
        description=(
            f"Imported from {name}.onnx. The data are {N_SAMPLES} sample inputs labelled by the "
            "network itself: load your own data to train it further."
        ),
    )
