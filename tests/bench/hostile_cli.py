"""Every bullet of issue 13's problem list, tried on the command line.

Run from the repository root::

    python tests/bench/hostile_cli.py            # this checkout
    python tests/bench/hostile_cli.py /work/main # another one

Each case runs ``python -m app train|predict …`` in a subprocess under a
2 GiB address-space limit and a timeout: a refusal must be exactly one line
``mlp-studio: error: …`` with a non-zero exit; divergence exits 3; what
``--out`` writes must load again; predict output must carry no formula
cells; a save through a symlink keeps the link.  ``ok``/``FAIL`` per case,
the last line is one JSON object.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
PY = sys.executable
sys.path.insert(0, str(REPO / "tests" / "model"))
from hostile_corpus import npy_header  # noqa

D = Path(tempfile.mkdtemp(prefix="h13cli-"))
BASE = json.loads((REPO / "resources/examples/xor_train.json").read_text())
HAND = json.loads((REPO / "resources/examples/xor_hand_wired.json").read_text())
H400 = "9" * 400
H5000 = "9" * 5000
results = []


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (2048 << 20, 2048 << 20))


def run(label, args, expect_rc=None, expect_in=None, timeout=120, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    t0 = time.monotonic()
    try:
        r = subprocess.run(
            [PY, "-m", "app", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            preexec_fn=limit,
            cwd=D,
        )
    except subprocess.TimeoutExpired:
        results.append((label, "HANG", "", 0))
        return None
    dt = time.monotonic() - t0
    err = r.stderr.strip().splitlines()
    ok = (
        r.returncode != 0 and len(err) == 1 and err[0].startswith("mlp-studio: error:")
        if expect_rc is None
        else r.returncode == expect_rc and len(err) <= 1
    )
    if expect_in and not any(expect_in in l for l in err + r.stdout.splitlines()):
        ok = False
    results.append(
        (
            label,
            "ok" if ok else "FAIL",
            f"rc={r.returncode} "
            + (" | ".join(err[:3]) if err else " | ".join(r.stdout.strip().splitlines()[-1:])),
            dt,
        )
    )
    return r


def proj(name, d):
    p = D / f"{name}.json"
    p.write_text(d if isinstance(d, str) else json.dumps(d))
    return p


def mut(name, path, literal, base=BASE):
    d = json.loads(json.dumps(base))
    cur = d
    keys = path.split(".")
    for k in keys[:-1]:
        cur = cur[int(k)] if isinstance(cur, list) else cur.setdefault(k, {})
    cur[int(keys[-1]) if isinstance(cur, list) else keys[-1]] = "__M__"
    return proj(name, json.dumps(d).replace('"__M__"', literal))


# 1. tracebacks
for field in ("training.lr", "network.init_range", "training.schedule.gamma"):
    run(f"400-digit {field}", ["train", mut(field.replace(".", "_"), field, H400), "--epochs", "2"])
    run(f"5000-digit {field}", ["train", mut(field.replace(".", "_") + "5k", field, H5000), "--epochs", "2"])
dd = json.loads(json.dumps(BASE))
dd["data"] = {
    "kind": "builtin",
    "name": "moons",
    "params": {"n": 50, "noise": "__M__"},
    "val_fraction": 0.0,
    "split_seed": 0,
}
run(
    "400-digit params.noise",
    ["train", proj("noise", json.dumps(dd).replace('"__M__"', H400)), "--epochs", "2"],
)
hw = json.loads(json.dumps(HAND))
run("400-digit weights", ["train", mut("wts", "weights.W.0.0.0", H400, HAND), "--epochs", "2"]) if isinstance(
    HAND.get("weights"), dict
) else None
dd = json.loads(json.dumps(BASE))
dd["data"] = {
    "kind": "embedded",
    "X": [["__M__", 0], [1, 1]],
    "T": [[0], [1]],
    "val_fraction": 0.0,
    "split_seed": 0,
}
run("400-digit data.X", ["train", proj("dataX", json.dumps(dd).replace('"__M__"', H400)), "--epochs", "2"])
dd = json.loads(json.dumps(BASE))
dd["network"]["init"] = "uniform"
dd["network"]["init_range"] = 1e308
run("uniform init_range 1e308", ["train", proj("uni", dd), "--epochs", "2"])
dd = json.loads(json.dumps(BASE))
dd["history"] = {"epoch": [1], "grad_norms": [5], "weight_norms": [[1, 1]]}
run("history ints", ["train", proj("hist", dd), "--epochs", "2"])
dd["history"] = {"epoch": [int(H400)], "loss": [0.1]}
run("history 400-digit", ["train", proj("hist2", json.dumps(dd)), "--epochs", "2"])
# weights files
w = D / "inf.npz"
with zipfile.ZipFile(w, "w") as z:
    z.writestr("W1.npy", npy_header((2, 4)) + b"\0" * 64)
    z.writestr("b1.npy", npy_header((4,)) + b"\0" * 32)
    z.writestr("W2.npy", npy_header((4, 1)) + b"\0" * 32)
    z.writestr("b2.npy", npy_header((1,)) + b"\0" * 8)
    z.writestr("layer_sizes.npy", npy_header((3,)) + np.array([np.inf, 4, 1]).tobytes())
X = REPO / "resources/examples/xor_train.json"
run("npz layer_sizes=[inf]", ["train", X, "--init-weights", w, "--epochs", "2"])
wj = D / "huge.json"
wj.write_text(
    '{"layer_sizes": [2, 4, 1], "W1": [[%s,0,0,0],[0,0,0,0]], "b1": [0,0,0,0], "W2": [[0],[0],[0],[0]], "b2": [0]}'
    % H400
)
run("JSON weights huge int", ["train", X, "--init-weights", wj, "--epochs", "2"])
wn = D / "nest.json"
wn.write_text('{"W1": ' + "[" * 100000 + "]" * 100000 + "}")
run("JSON weights nested 100k", ["train", X, "--init-weights", wn, "--epochs", "2"])
wb = D / "bool.json"
wb.write_text(
    '{"layer_sizes": [2, 4, 1], "W1": [[true,0,0,0],[0,0,0,0]], "b1": [0,0,0,0], "W2": [[0],[0],[0],[0]], "b2": [0]}'
)
run("JSON weights boolean", ["train", X, "--init-weights", wb, "--epochs", "2"])
wt = D / "w.txt"
wt.write_text("1 2 3")
run(".txt weights path", ["train", X, "--init-weights", wt, "--epochs", "2"])
wh = D / "hdr.npz"
with zipfile.ZipFile(wh, "w") as z:
    z.writestr("W1.npy", b"\x93NUMPY\x01\x00" + (60_000).to_bytes(2, "little") + b" " * 60_000)
r = run("oversized .npy header", ["train", X, "--init-weights", wh, "--epochs", "2"])
if r is not None and "pickle" in r.stderr:
    results[-1] = (results[-1][0], "FAIL", "says pickled: " + r.stderr.strip(), 0)
for lit in ("true", "1.0"):
    run(f"version: {lit}", ["train", mut("ver" + lit, "version", lit), "--epochs", "2"])
# 2/3. hangs and unbounded reads
fifo = D / "fifo.json"
os.mkfifo(fifo)
fifo_csv = D / "fifo.csv"
os.mkfifo(fifo_csv)
run("FIFO project", ["train", fifo], timeout=60)
run(
    "FIFO weights",
    ["train", X, "--init-weights", D / "fifo.npz" if os.mkfifo(D / "fifo.npz") is None else None],
    timeout=60,
)
dd = json.loads(json.dumps(BASE))
dd["data"] = {
    "kind": "csv",
    "path": str(fifo_csv),
    "inputs": ["a"],
    "targets": ["b"],
    "val_fraction": 0.0,
    "split_seed": 0,
}
run("FIFO CSV (project data)", ["train", proj("fifocsv", dd)], timeout=60)
TR0 = D / "trained0.json"
run("train --out trained0", ["train", X, "--out", TR0, "--quiet"], expect_rc=0, timeout=600)
run("FIFO CSV (predict --input)", ["predict", TR0, "--input", fifo_csv, "--output", D / "o.csv"], timeout=60)
for dev in ("/dev/zero", "/dev/urandom"):
    run(f"{dev} project", ["train", dev], timeout=60)
    run(f"{dev} weights", ["train", X, "--init-weights", dev], timeout=60)
    run(f"{dev} CSV predict", ["predict", TR0, "--input", dev, "--output", D / "o.csv"], timeout=60)
    dd["data"]["path"] = dev
    run(f"{dev} CSV project data", ["train", proj("devcsv", dd)], timeout=60)
# 4. zip bombs
zb = D / "bomb.npz"
with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("W1.npy", npy_header((2, 4)) + b"\0" * 64)
    z.writestr("payload.bin", b"\0" * (300 << 20))
run("npz non-.npy member bomb", ["train", X, "--init-weights", zb], timeout=120)
zm = D / "many.npz"
with zipfile.ZipFile(zm, "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(1, 13):
        z.writestr(f"W{i}.npy", npy_header((5_000_000,)) + b"\0" * 40_000_000)
run("npz 12 arrays x 5M", ["train", X, "--init-weights", zm], timeout=120)
# 5. memory budget
dd = json.loads(json.dumps(BASE))
dd["network"]["layer_sizes"] = [2, 4096, 4096, 1]
dd["network"]["activations"] = ["tanh", "tanh", "sigmoid"]
dd["data"] = {
    "kind": "builtin",
    "name": "moons",
    "params": {"n": 1000000},
    "val_fraction": 0.0,
    "split_seed": 0,
}
dd["training"]["batch_size"] = None
run(
    "budget 2x4096, n=1e6 full batch", ["train", proj("budget", dd), "--epochs", "1"], expect_in="needs about"
)
# 6. divergence
for lr in ("1e9", "1e300"):
    dd = json.loads(json.dumps(BASE))
    dd["training"]["lr"] = float(lr)
    run(
        f"divergence sigmoid+mse lr={lr}",
        ["train", proj("div" + lr, dd), "--epochs", "200", "--quiet"],
        expect_rc=3,
    )
dd = json.loads(json.dumps(HAND))
dd["weights"]["W"][0][0][0] = 0.0  # breaks the OR unit: the loss jumps from ~1e-9 to ~0.125
r = run("hand-wired XOR edited weight", ["train", proj("hand", dd), "--epochs", "50", "--quiet"], expect_rc=0)
# 7. round trip
q = D / "Q.json"
r = run(
    "train --epochs 20000000 --out Q",
    ["train", X, "--epochs", "20000000", "--out", q, "--quiet"],
    expect_rc=2,
)
r = run(
    "train --epochs 10000000 --out Q",
    ["train", X, "--epochs", "10000000", "--out", q, "--quiet"],
    expect_rc=0,
    timeout=600,
)
run("Q loads again", ["train", q, "--epochs", "1", "--quiet"], expect_rc=0)
# 8. formula payloads
TR = D / "trained.json"
run("train --out trained", ["train", X, "--out", TR, "--quiet"], expect_rc=0, timeout=600)
X = TR
inp = D / "formula.csv"
inp.write_text('x1,x2\n=HYPERLINK("http://x"),1\n+cmd|calc,0\n@SUM(A1),1\n0,1\n')
run("predict with formula cells", ["predict", X, "--input", inp, "--output", D / "pred.csv"])
inp.write_text('x1,x2,label\n0,1,=HYPERLINK("x")\n1,0,+cmd|calc\n0,0,@SUM(A1)\n1,1,-2+3\n')
run(
    "predict formula in extra column", ["predict", X, "--input", inp, "--output", D / "pred.csv"], expect_rc=0
)
out = (D / "pred.csv").read_text() if (D / "pred.csv").exists() else ""
bad = [l for l in out.splitlines() if any(c.startswith(("=", "+", "@")) for c in l.split(","))]
results.append(("predict output neutralised", "ok" if not bad else "FAIL", out[:200].replace("\n", " / "), 0))
# symlink and device saves
tgt = D / "real.json"
tgt.write_text("{}")
link = D / "link.json"
link.symlink_to(tgt)
run("--out through symlink", ["train", X, "--epochs", "2", "--out", link, "--quiet"], expect_rc=0)
results.append(
    (
        "symlink kept, target fresh",
        "ok" if link.is_symlink() and "mlp-studio" in tgt.read_text() else "FAIL",
        "",
        0,
    )
)
run("--out /dev/null (device)", ["train", X, "--epochs", "2", "--out", "/dev/null", "--quiet"])
for label, status, msg, dt in results:
    print(f"{status:5} {dt:6.1f}s  {label}: {msg[:230]}")
shutil.rmtree(D, ignore_errors=True)  # the hostile files
print(json.dumps({"tried": len(results), "ok": sum(r[1] == "ok" for r in results)}))
