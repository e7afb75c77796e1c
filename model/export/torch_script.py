"""The PyTorch training script: a ``torch.nn.Sequential`` trained by ``torch.optim``.

The loss is written as a *sum* over the batch divided by the whole batch's
size, so under DistributedDataParallel (which averages gradients over
processes) each process can take a share of every mini-batch and the step
is still the step of the whole mini-batch.
"""

from __future__ import annotations

from model.export import snippets

MODULES = {
    "linear": "nn.Identity()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "step": "Step()",
    "softmax": "nn.Softmax(dim=1)",
    "elu": "nn.ELU(alpha=1.0)",
    "gelu": "nn.GELU()",  # approximate="none": the exact erf form
    "silu": "nn.SiLU()",
    "softplus": "nn.Softplus(beta=1.0)",
    "sine": "Sine()",
}

SINE_MODULE = '''
class Sine(nn.Module):
    """g(b) = sin b."""

    def forward(self, b):
        return torch.sin(b)
'''

STEP_MODULE = '''
class Step(nn.Module):
    """Threshold unit g(b) = 1 if b ≥ 0 else 0; its slope is zero (not trainable)."""

    def forward(self, b):
        return (b >= 0).to(b.dtype) + 0.0 * b  # keeps the graph, gradient 0
'''

#: loss -> body of loss_sum(model, x, t): the batch's summed loss (before ÷ n)
LOSSES = {
    "mse": "return 0.5 * ((model(x) - t) ** 2).sum()",
    "bce": "return F.binary_cross_entropy_with_logits(model(x), t, reduction='sum') / t.shape[1]",
    "cross_entropy": "return F.cross_entropy(model(x), t, reduction='sum')  # t: one-hot rows",
}

#: what the loss is computed from: bce and cross-entropy take the logits, their
#: output sigmoid / softmax fused into the loss (more accurate, same gradient)
TRAINED_PART = {
    "mse": "net",
    "bce": "net[:-1]  # all but the output sigmoid, which the loss applies itself",
    "cross_entropy": "net[:-1]  # all but the output softmax, which the loss applies itself",
}

OPTIMIZERS = {
    "sgd": "torch.optim.SGD(params, lr=LR, weight_decay=WEIGHT_DECAY)",
    "momentum": "torch.optim.SGD(params, lr=LR, weight_decay=WEIGHT_DECAY, momentum=HYPER['momentum'])",
    "nesterov": "torch.optim.SGD(params, lr=LR, weight_decay=WEIGHT_DECAY, momentum=HYPER['momentum'], nesterov=True)",
    "adagrad": "torch.optim.Adagrad(params, lr=LR, weight_decay=WEIGHT_DECAY, eps=HYPER['eps'])",
    "rmsprop": "torch.optim.RMSprop(params, lr=LR, weight_decay=WEIGHT_DECAY, alpha=HYPER['rho'], eps=HYPER['eps'])",
    "adam": "torch.optim.Adam(params, lr=LR, weight_decay=WEIGHT_DECAY, betas=(HYPER['beta1'], HYPER['beta2']), eps=HYPER['eps'])",
    "adamw": "torch.optim.AdamW(params, lr=LR, weight_decay=WEIGHT_DECAY, betas=(HYPER['beta1'], HYPER['beta2']), eps=HYPER['eps'])",
}


def network_block(spec) -> str:
    sizes, acts = spec.layer_sizes, spec.activations
    rows = []
    for l, (a, b, act) in enumerate(zip(sizes[:-1], sizes[1:], acts), start=1):
        rows.append(f"        nn.Linear({a}, {b}),  # layer {l}: b = V W + bias (bias = −θ)")
        rows.append(f"        {MODULES[act]},")
    return (
        "def build_network():\n"
        '    """The network as layers, with the initial weights from the .npz."""\n'
        "    net = nn.Sequential(\n" + "\n".join(rows) + "\n    ).to(DTYPE)\n"
        "    with np.load(os.path.join(HERE, WEIGHTS_FILE), allow_pickle=False) as f:\n"
        "        linears = [m for m in net if isinstance(m, nn.Linear)]\n"
        "        with torch.no_grad():\n"
        "            for l, layer in enumerate(linears, start=1):\n"
        "                layer.weight.copy_(torch.from_numpy(f[f'W{l}'].T))  # torch keeps outputs × inputs\n"
        "                layer.bias.copy_(torch.from_numpy(f[f'b{l}']))\n"
        "    return net\n"
    )


def build(ctx) -> str:
    spec, t = ctx.spec, ctx.training
    parts = snippets.opening(ctx, HEADER, f"torch.{spec.dtype}") + [
        STEP_MODULE if "step" in spec.activations else "",
        SINE_MODULE if "sine" in spec.activations else "",
        network_block(spec),
        "def loss_sum(model, x, t):\n"
        f'    """The batch\'s summed loss; E = loss_sum / n is {ctx.loss_text}."""\n'
        f"    {LOSSES[spec.loss]}\n",
        ctx.penalty_code("torch"),
        f"def make_optimizer(params):\n    {'return ' + OPTIMIZERS[t.optimizer]}\n",
        snippets.schedule_block(t.schedule),
        snippets.MINI_BATCHES,
        snippets.SAVE_WEIGHTS,
        DISTRIBUTED,
        TRAIN.replace("TRAINED_PART", TRAINED_PART[spec.loss]),
        snippets.ARGUMENTS,
        MAIN,
    ]
    return "\n\n\n".join(p.strip("\n") for p in parts if p) + "\n"


HEADER = '''#!/usr/bin/env python3
"""{title}: train this MLP Studio network with PyTorch.

Beside this script:
  {weights}   the initial weights W1…WL (inputs × outputs) and b1…bL
  {data}   the data, raw values (the preprocessing is applied below)

Run:
  python {script} --epochs 100 --export-weights trained.npz   # CPU
  python {script} --device cuda                               # one GPU
  torchrun --nproc_per_node=4 {script} --ddp --device cuda    # DistributedDataParallel
With --ddp every process takes an equal share of each mini-batch and
DistributedDataParallel averages the gradients, so the updates are those of
one process (on CPUs too: torchrun --nproc_per_node=2 {script} --ddp).
With the same settings, on the CPU in float64, the weights after N epochs
equal those of `mlp-studio train PROJECT --epochs N --export-weights W.npz`.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
'''

DISTRIBUTED = '''
def setup(args):
    """(device, rank, world size); starts the process group under --ddp."""
    if not args.ddp:
        return torch.device(args.device), 0, 1
    import torch.distributed as dist

    dist.init_process_group("nccl" if args.device.startswith("cuda") else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.device.startswith("cuda"):
        local = int(os.environ.get("LOCAL_RANK", rank))
        torch.cuda.set_device(local)
        return torch.device("cuda", local), rank, world
    return torch.device(args.device), rank, world


def all_reduce_sum(t):
    """Sums t over the processes, in place. Then waits (at most 10 s) until the
    backend's worker thread has let go of t: one that drops a tensor while Python
    exits aborts the process (seen with gloo in about 1 run in 20)."""
    held = t._use_count()
    torch.distributed.all_reduce(t)
    deadline = time.monotonic() + 10
    while t._use_count() > held and time.monotonic() < deadline:
        time.sleep(0.0005)
'''

TRAIN = '''
def train(args):
    """Train; returns the trained nn.Sequential (on rank 0 under --ddp)."""
    device, rank, world = setup(args)
    X, T, X_val, T_val = load_data()
    X, T, X_val, T_val = (torch.as_tensor(a, dtype=DTYPE, device=device) for a in (X, T, X_val, T_val))
    net = build_network().to(device)
    model = TRAINED_PART
    if args.ddp:
        model = nn.parallel.DistributedDataParallel(model)
    opt = make_optimizer(list(net.parameters()))
    rng = np.random.default_rng(SEED)  # the same order on every process
    epochs, every = args.epochs, max(1, args.epochs // 20)
    for epoch in range(epochs):
        lr = learning_rate(epoch)
        for group in opt.param_groups:
            group["lr"] = lr
        total = torch.zeros((), dtype=DTYPE, device=device)
        for idx in mini_batches(rng, len(X)):
            mine = torch.as_tensor(idx[rank::world], device=device)  # this process's share
            opt.zero_grad(set_to_none=False)
            batch_loss = loss_sum(model, X[mine], T[mine])
            (batch_loss / len(idx) * world).backward()  # DDP divides by world again
            add_penalties(net)
            opt.step()
            total += batch_loss.detach()
        if args.ddp:
            all_reduce_sum(total)
        train_loss = float(total) / len(X)
        if not math.isfinite(train_loss):
            if rank == 0:
                print(f"diverged at epoch {epoch + 1}: learning rate {lr:g} is probably too large", file=sys.stderr)
            break
        if rank == 0 and not args.quiet and ((epoch + 1) % every == 0 or epoch + 1 == epochs):
            line = f"epoch {epoch + 1}/{epochs}  loss {train_loss:.6g}  lr {lr:.4g}"
            if len(X_val):
                with torch.no_grad():
                    line += f"  validation loss {float(loss_sum(model, X_val, T_val)) / len(X_val):.6g}"
            print(line, file=sys.stderr, flush=True)
        if TARGET_LOSS is not None and train_loss <= TARGET_LOSS:
            if rank == 0:
                print(f"target loss reached after {epoch + 1} epochs", file=sys.stderr)
            break
    return net, rank
'''

MAIN = """
def main():
    def extra(p):
        p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, … (default cpu)")
        p.add_argument("--ddp", action="store_true", help="DistributedDataParallel; start with torchrun")

    args = parse_args(extra)
    net, rank = train(args)
    if args.export_weights and rank == 0:
        linears = [m for m in net if isinstance(m, nn.Linear)]
        weights = [m.weight.detach().cpu().numpy().T for m in linears]
        biases = [m.bias.detach().cpu().numpy() for m in linears]
        save_weights(args.export_weights, weights, biases)
        print(f"wrote {args.export_weights}", file=sys.stderr)
    if args.ddp:
        torch.distributed.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""
