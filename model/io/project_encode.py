"""Writing a project: the dict of every section, and its JSON text (see ``model.io.project``)."""

from __future__ import annotations

import numpy as np

from model.io.project_types import FORMAT, VERSION, Project


def project_to_dict(p: Project) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": p.name,
        "description": p.description,
        "network": p.spec.to_dict(),
        "data": p.data.to_dict(),
        "preprocessing": {
            "inputs": p.preprocessing,
            "scaler": p.scaler.to_dict() if p.scaler is not None else None,
        },
        "training": p.training.to_dict(),
        "weights": None
        if p.weights is None
        else {
            "W": [np.asarray(w, float).tolist() for w in p.weights[0]],
            "b": [np.asarray(b, float).tolist() for b in p.weights[1]],
        },
        "history": None if p.history is None else p.history.to_dict(),
        "view": {"pace": p.pace},
        **({"challenge": p.challenge.to_dict()} if p.challenge is not None else {}),
    }
