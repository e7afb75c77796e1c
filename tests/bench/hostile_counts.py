"""Hostile inputs per loader: how many are handled cleanly.

Run from the repository root::

    python tests/bench/hostile_counts.py            # this checkout
    python tests/bench/hostile_counts.py --repo /work/main

Each case runs the loader (``load_project``, ``load_weights``,
``read_table`` + ``table_to_dataset``, or ``project_from_onnx`` + save + load
when the optional ``onnx`` is installed; cases in ``hostile_onnx.py``) in its own subprocess under a 1.5 GiB
address-space limit and a 60 s timeout.  *Clean* means: exit 0 or a refusal
as one line (ValueError), nothing on stderr (no traceback, no warning), no
timeout, no MemoryError.  The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model"))
from hostile_corpus import (  # noqa: E402
    GIANT,
    HUGE,
    NUMERIC_FIELDS,
    npy_header,
    set_path,
    write_forged_ratio_npz,
)

CHILD = r"""
import resource, sys, warnings
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
sys.path.insert(0, sys.argv[3])
kind, path = sys.argv[1], sys.argv[2]
try:
    if kind == "project":
        from model.io.project import load_project
        load_project(path)
    elif kind == "weights":
        from model.io.weights_io import load_weights
        load_weights(path)
    elif kind == "onnx":  # open as File > Open does, then what it writes must read again
        import os, tempfile
        from app.onnx_project import project_from_onnx
        from model.io.project import load_project, save_project
        with tempfile.TemporaryDirectory() as tmp:
            save_project(project_from_onnx(path), os.path.join(tmp, "p.json"))
            load_project(os.path.join(tmp, "p.json"))
    else:
        from model.data.table import read_table, table_to_dataset
        t = read_table(path)
        table_to_dataset(t, t.columns[:-1] or t.columns[:1], t.columns[-1:])
except ValueError as e:
    print(str(e))
    sys.exit(1)
"""


def project_cases(d: Path, repo: Path) -> list[Path]:
    base = json.loads((repo / "resources/examples/xor_hand_wired.json").read_text())
    out = []

    def text(name, t):
        p = d / f"p_{len(out)}_{name}.json"
        p.write_text(t) if isinstance(t, str) else p.write_bytes(t)
        out.append(p)

    def mutate(name, path, literal):
        dd = json.loads(json.dumps(base))
        set_path(dd, path, "__M__")
        text(name, json.dumps(dd).replace('"__M__"', literal))

    for f in NUMERIC_FIELDS:
        for lit in (HUGE, "-" + HUGE, GIANT, "1e400", "true", '"x"', "[[[]]]"):
            mutate(f.replace(".", "_"), f, lit)
    for lit in ("1.0", "null", "3", "-1"):
        mutate("version", "version", lit)
    for depth in (100, 1000, 100_000):
        text("nest", "[" * depth + "]" * depth)
        text("nestd", '{"a":' * depth + "1" + "}" * depth)
    mutate("nestW", "weights.W[0]", "[" * 50_000 + "]" * 50_000)
    mutate("init", "network.init_range", "1e308")
    dd = json.loads(json.dumps(base))
    dd["network"]["init"] = "uniform"
    dd["network"]["init_range"] = 1e308
    text("uniform", json.dumps(dd))
    dd = json.loads(json.dumps(base))
    dd["history"] = {"epoch": [1], "grad_norms": [5], "weight_norms": [[1, 1]]}
    text("hist1", json.dumps(dd))
    dd["history"] = {"epoch": [1], "grad_norms": [[1, 1]], "weight_norms": [[1, 1]], "events": ["ab"]}
    text("hist2", json.dumps(dd))
    dd["history"] = {"epoch": ["x"], "grad_norms": [[1, 1]], "weight_norms": [[1, 1]]}
    text("hist3", json.dumps(dd))
    dd = json.loads(json.dumps(base))
    dd["data"] = {"kind": "embedded", "X": [[True, 0]], "T": [[0]]}
    text("embool", json.dumps(dd))
    for raw in (b"", b"\xff\xfe", b"{", b"[]", b'{"format": "mlp-studio", "version": NaN}', b"Infinity"):
        text("raw", raw)
    fifo = d / "p_fifo.json"
    os.mkfifo(fifo)
    out.append(fifo)
    (d / "p_dir.json").mkdir()
    out += [d / "p_dir.json", Path("/dev/zero"), Path("/dev/urandom"), d / "missing.json"]
    sparse = d / "p_sparse.json"
    with open(sparse, "wb") as f:
        f.truncate(600 << 20)
    out.append(sparse)
    loop = d / "p_loop.json"
    loop.symlink_to(loop)
    out.append(loop)
    return out


def weights_cases(d: Path) -> list[Path]:
    out = []

    def npz(name, members, method=zipfile.ZIP_DEFLATED):
        p = d / f"w_{len(out)}_{name}.npz"
        with zipfile.ZipFile(p, "w", method) as z:
            for k, v in members.items():
                z.writestr(k, v)
        out.append(p)

    ok_w = npy_header((2, 2)) + b"\0" * 32
    npz("notnpy", {"W1.npy": ok_w, "payload.bin": b"\0" * (200 << 20)})
    npz("many", {f"W{i}.npy": npy_header((5_000_000,)) + b"\0" * 40_000_000 for i in range(1, 13)})
    npz("hugeshape", {"W1.npy": npy_header((10**6, 10**6)), "b1.npy": npy_header((10**6,))})
    npz("negshape", {"W1.npy": npy_header((-1, 2))})
    npz("truncated", {"W1.npy": npy_header((100, 100)) + b"\0" * 10})
    npz("longer", {"W1.npy": npy_header((1, 1)) + b"\0" * 1000})
    npz("header", {"W1.npy": b"\x93NUMPY\x01\x00" + (60_000).to_bytes(2, "little") + b" " * 60_000})
    npz("object", {"W1.npy": npy_header((2,), "|O") + b"\0" * 16})
    npz("magic", {"W1.npy": b"NOTNUMPY" * 10})
    npz("empty", {})
    npz(
        "nanW",
        {"W1.npy": npy_header((1, 1)) + np.array([np.nan]).tobytes(), "b1.npy": npy_header((1,)) + b"\0" * 8},
    )
    npz(
        "infsizes",
        {
            "W1.npy": ok_w,
            "b1.npy": npy_header((2,)) + b"\0" * 16,
            "layer_sizes.npy": npy_header((2,)) + np.array([np.inf, 2.0]).tobytes(),
        },
    )
    npz("strW", {"W1.npy": npy_header((2,), "<U3") + b"\0" * 24, "b1.npy": npy_header((2,)) + b"\0" * 16})
    write_forged_ratio_npz(d / "w_ratio.npz")
    out.append(d / "w_ratio.npz")
    for name, raw in (("rand", os.urandom(5000)), ("zero", b""), ("text", b"hello")):
        q = d / f"w_{name}.npz"
        q.write_bytes(raw)
        out.append(q)

    def js(name, text):
        q = d / f"w_{len(out)}_{name}.json"
        q.write_text(text)
        out.append(q)

    for lit in (HUGE, GIANT, "1e400", "true", '"x"', "null", "[1]"):
        js("lit", '{"layers": [{"W": [[' + lit + ']], "b": [0]}]}')
    js("nest", '{"layers": [{"W": ' + "[" * 100_000 + "]" * 100_000 + ', "b": [0]}]}')
    js("nan", '{"layers": [{"W": [[NaN]], "b": [0]}]}')
    js("ragged", '{"layers": [{"W": [[1, 2], [3]], "b": [0]}]}')
    js("list", "[1, 2]")
    js("nolayers", '{"layers": []}')
    js("3d", '{"layers": [{"W": [[[1]]], "b": [0]}]}')
    js("sizes", '{"layers": [{"W": [[1]], "b": [0]}], "layer_sizes": [' + HUGE + ", 1]}")
    js("acts", '{"layers": [{"W": [[1]], "b": [0]}], "activations": [1]}')
    (d / "w.txt").write_text("1 2")
    fifo = d / "w_fifo.npz"
    os.mkfifo(fifo)
    zl = d / "w_devzero.npz"
    zl.symlink_to("/dev/zero")
    ul = d / "w_urandom.json"
    ul.symlink_to("/dev/urandom")
    (d / "w_dir.npz").mkdir()
    sparse = d / "w_sparse.npz"
    with open(sparse, "wb") as f:
        f.truncate(2 << 30)
    out += [d / "w.txt", fifo, zl, ul, d / "w_dir.npz", d / "missing.npz", sparse]
    return out


def csv_cases(d: Path) -> list[Path]:
    out = []

    def c(name, raw):
        p = d / f"c_{len(out)}_{name}.csv"
        p.write_bytes(raw if isinstance(raw, bytes) else raw.encode())
        out.append(p)

    c("empty", "")
    c("blank", "\n\n\n")
    c("numhead", "1,2\n3,4\n")
    c("dup", "a,a\n1,2\n")
    c("ragged", "a,b\n1,2\n3\n")
    c("utf", b"a,b\n\xff,1\n")
    c("nul", "a,b\n1\x00,2\n")
    c("longfield", "a,b\n" + "x" * 200_000 + ",1\n")
    c("quote", 'a,b\n"unclosed,1\n')
    c("inf", "a,b\ninf,1\n2,0\n")
    c("big", f"a,b\n{HUGE},1\n2,0\n")
    c("under", "a,b\n1_000,1\n2,0\n")
    c("text", "a,b\nx,1\ny,0\n")
    c("onlyheader", "a,b\n")
    c("onerow", "a,b\n1,2\n")
    c("cr", "a,b\r1,2\r3,4\r")
    c("bom", "\ufeffa,b\n1,0\n2,1\n")
    c("wide", ",".join(f"c{j}" for j in range(100_000)) + "\n" + ",".join("1" for _ in range(100_000)) + "\n")
    c("late_text", "a,b\n" + "1,0\n" * 300_000 + "x,1\n")
    c("missing", "a,b\nNA,1\n?,0\n,1\n")
    c("oneclass", "a,y\n1,k\n2,k\n")
    c("formula", "a,y\n=HYPERLINK(1),1\n+cmd,0\n")
    c("semi", "a;b\n1;2\n")
    fifo = d / "c_fifo.csv"
    os.mkfifo(fifo)
    (d / "c_dir.csv").mkdir()
    sparse = d / "c_sparse.csv"
    with open(sparse, "wb") as f:
        f.truncate(300 << 20)
    out += [fifo, d / "c_dir.csv", Path("/dev/zero"), Path("/dev/urandom"), d / "missing.csv", sparse]
    return out


def run_case(kind: str, path: Path, repo: str) -> tuple[str, str, bool, str]:
    try:
        res = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(path), repo],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ, PYTHONPATH=repo),
        )
    except subprocess.TimeoutExpired:
        return kind, path.name, False, "timeout (hang)"
    lines = res.stdout.strip().splitlines()
    clean = res.returncode in (0, 1) and not res.stderr.strip() and len(lines) <= 1
    why = "" if clean else (res.stderr.strip().splitlines() or [f"exit {res.returncode}"])[-1][:120]
    return kind, path.name, clean, why


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    repo = Path(args.repo)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cases = (
            [("project", p) for p in project_cases(d, repo)]
            + [("weights", p) for p in weights_cases(d)]
            + [("csv", p) for p in csv_cases(d)]
        )
        try:
            import onnx  # noqa: F401 - optional
        except ImportError:
            print("onnx is not installed: no ONNX cases")
        else:
            from hostile_onnx import onnx_cases

            cases += [("onnx", p) for p in onnx_cases(d)]
        with ThreadPoolExecutor(args.jobs) as ex:
            results = list(ex.map(lambda kp: run_case(kp[0], kp[1], str(repo)), cases))
    summary = {}
    for kind, name, clean, why in results:
        s = summary.setdefault(kind, {"tried": 0, "clean": 0, "failures": []})
        s["tried"] += 1
        s["clean"] += clean
        if not clean:
            s["failures"].append(f"{name}: {why}")
    for kind, s in summary.items():
        print(f"{kind}: {s['clean']}/{s['tried']} handled cleanly")
        for f in s["failures"]:
            print(f"  not clean: {f}")
    print(json.dumps({k: {"tried": v["tried"], "clean": v["clean"]} for k, v in summary.items()}))


if __name__ == "__main__":
    main()
