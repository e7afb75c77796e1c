"""Engineered input features as ONNX nodes, so an exported model takes raw inputs.

Each feature tree (:mod:`model.data.features`) becomes Gather / Mul / Sin /
Cos nodes on the raw input ``x`` (N, columns); the features are concatenated
into the network's input (N, features).
"""

from __future__ import annotations

import numpy as np


def feature_nodes(helper, features, src: str, const) -> tuple[list, str]:
    """(nodes, name of the (N, n_features) output) for a FeatureSet on input ``src``."""
    nodes: list = []
    counter = [0]

    def fresh(stem: str) -> str:
        counter[0] += 1
        return f"feat_{stem}{counter[0]}"

    def build(tree) -> str:
        kind = tree[0]
        if kind == "col":
            out = fresh("col")
            idx = const(out + "_idx", np.array([tree[1]]), np.int64)
            nodes.append(helper.make_node("Gather", [src, idx], [out], axis=1, name=out))
            return out
        if kind == "mul":
            cur = build(tree[1][0])
            for t in tree[1][1:]:
                out = fresh("mul")
                nodes.append(helper.make_node("Mul", [cur, build(t)], [out], name=out))
                cur = out
            return cur
        if kind == "pow":
            base = build(tree[1])
            cur = base
            for _ in range(tree[2] - 1):  # a whole power 1…9: repeated products, exact
                out = fresh("pow")
                nodes.append(helper.make_node("Mul", [cur, base], [out], name=out))
                cur = out
            return cur
        out = fresh(tree[1])
        nodes.append(helper.make_node(tree[1].capitalize(), [build(tree[2])], [out], name=out))
        return out

    columns = [build(t) for t in features.trees]
    nodes.append(helper.make_node("Concat", columns, ["x_features"], axis=1, name="features_concat"))
    return nodes, "x_features"
