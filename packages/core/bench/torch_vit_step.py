"""PyTorch anchor for @babelrs/core's benchmark: the same ViT-Tiny-like training step as
bench/vit-tiny.ts (patchify by reshape + linear, pre-norm blocks, erf GELU, class-token head,
cross-entropy, AdamW over all parameters), plus square-matmul GFLOP/s. Prints one JSON object.

Run (see DESIGN.md §3 for why these settings):
  OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 \
    /usr/bin/python3 torch_vit_step.py --depth 12 --batch 8 --runs 5
"""
import argparse
import resource
import sys
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F


def make_params(dim, depth, mlp_ratio, patch_dim, tokens, classes):
    g = torch.Generator().manual_seed(0)

    def normal(*shape):
        return (torch.randn(*shape, generator=g) * 0.02).requires_grad_()

    def const(v, *shape):
        return torch.full(shape, float(v)).requires_grad_()

    hidden = dim * mlp_ratio
    p = {"patch.weight": normal(dim, patch_dim), "patch.bias": const(0, dim),
         "cls": normal(1, 1, dim), "pos": normal(1, tokens, dim)}
    for i in range(depth):
        b = f"blocks.{i}"
        p.update({
            f"{b}.norm1.weight": const(1, dim), f"{b}.norm1.bias": const(0, dim),
            f"{b}.attn.qkv.weight": normal(3 * dim, dim), f"{b}.attn.qkv.bias": const(0, 3 * dim),
            f"{b}.attn.proj.weight": normal(dim, dim), f"{b}.attn.proj.bias": const(0, dim),
            f"{b}.norm2.weight": const(1, dim), f"{b}.norm2.bias": const(0, dim),
            f"{b}.mlp.fc1.weight": normal(hidden, dim), f"{b}.mlp.fc1.bias": const(0, hidden),
            f"{b}.mlp.fc2.weight": normal(dim, hidden), f"{b}.mlp.fc2.bias": const(0, dim),
        })
    p.update({"norm.weight": const(1, dim), "norm.bias": const(0, dim),
              "head.weight": normal(classes, dim), "head.bias": const(0, classes)})
    return p


def forward(images, p, a):
    B = images.shape[0]
    g = a.image // a.patch
    x = images.reshape(B, g, a.patch, g, a.patch, 3).permute(0, 1, 3, 2, 4, 5).reshape(B, g * g, -1)
    x = F.linear(x, p["patch.weight"], p["patch.bias"])
    x = torch.cat([p["cls"].expand(B, -1, -1), x], 1) + p["pos"]
    D, H = a.dim, a.heads
    hd = D // H
    for i in range(a.depth):
        b = f"blocks.{i}"
        h = F.layer_norm(x, (D,), p[f"{b}.norm1.weight"], p[f"{b}.norm1.bias"], 1e-6)
        N = h.shape[1]
        qkv = F.linear(h, p[f"{b}.attn.qkv.weight"], p[f"{b}.attn.qkv.bias"]).reshape(B, N, 3, H, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = torch.softmax(q @ k.transpose(-2, -1) * (1 / math.sqrt(hd)), -1)
        o = (attn @ v).transpose(1, 2).reshape(B, N, D)
        x = x + F.linear(o, p[f"{b}.attn.proj.weight"], p[f"{b}.attn.proj.bias"])
        h = F.layer_norm(x, (D,), p[f"{b}.norm2.weight"], p[f"{b}.norm2.bias"], 1e-6)
        h = F.gelu(F.linear(h, p[f"{b}.mlp.fc1.weight"], p[f"{b}.mlp.fc1.bias"]))
        x = x + F.linear(h, p[f"{b}.mlp.fc2.weight"], p[f"{b}.mlp.fc2.bias"])
    cls = F.layer_norm(x, (D,), p["norm.weight"], p["norm.bias"], 1e-6)[:, 0]
    return F.linear(cls, p["head.weight"], p["head.bias"])


def make_step(a):
    tokens = (a.image // a.patch) ** 2 + 1
    p = make_params(a.dim, a.depth, 4, a.patch * a.patch * 3, tokens, 1000)
    opt = torch.optim.AdamW(p.values(), lr=1e-4, weight_decay=0.05)
    images = torch.randn(a.batch, a.image, a.image, 3)
    labels = torch.randint(0, 1000, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(forward(images, p, a), labels)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux: the peak resident set of this process so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vit_step_ms(a):
    step = make_step(a)
    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def matmul_gflops(sizes, runs):
    out = []
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        a @ b
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        out.append({"n": n, "medianMs": med * 1000, "gflops": 2 * n ** 3 / med / 1e9})
    return out


def serve(a):
    """Step server: lets the Node bench alternate wasm and torch steps one by one (on a shared
    machine, load then hits both alike)."""
    step = make_step(a)
    for _ in range(a.warmup):
        step()
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "step":
            t0 = time.perf_counter()
            c0 = time.process_time()  # CPU time of every thread of this process
            step()
            print(json.dumps({"ms": (time.perf_counter() - t0) * 1000,
                              "cpuMs": (time.process_time() - c0) * 1000}), flush=True)
        elif cmd == "quit":
            break
    print(json.dumps({"peakRssMiB": peak_rss_mib()}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=12)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--dim", type=int, default=192)
    ap.add_argument("--heads", type=int, default=3)
    ap.add_argument("--image", type=int, default=224)
    ap.add_argument("--patch", type=int, default=16)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--matmul", type=str, default="256,512,1024")
    ap.add_argument("--serve", action="store_true",
                    help="after the warm-up, run one step per 'step' line on stdin and print its time; 'quit' prints the peak RSS")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.serve:
        serve(a)
        return
    times = vit_step_ms(a)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "vitStep": {"depth": a.depth, "batch": a.batch, "runsMs": times, "medianMs": statistics.median(times),
                    "peakRssMiB": peak_rss_mib()},
        "matmul": matmul_gflops([int(s) for s in a.matmul.split(",") if s], a.runs) if a.matmul else [],
    }))


if __name__ == "__main__":
    main()
