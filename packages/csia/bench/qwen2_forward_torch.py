#!/usr/bin/python3
"""PyTorch CPU anchor for the csia bench: forward time of a Qwen2 decoder at the Qwen2.5-0.5B
shape (random weights, float32, tied embeddings), the same math as fixtures/gen_qwen2_reference.py.

Run (the bench does this):
  OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/qwen2_forward_torch.py 128 3
Prints one JSON line: {"torch": ..., "threads": 2, "seq": T, "runs_ms": [...]}.
"""
import json
import math
import sys
import time

import torch

torch.set_num_threads(2)
T = int(sys.argv[1]) if len(sys.argv) > 1 else 128
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
V, D, I, L, H, KV, THETA, EPS = 151936, 896, 4864, 24, 14, 2, 1000000.0, 1e-6
d = D // H
torch.manual_seed(0)
r = lambda *s: torch.randn(*s) * 0.02
emb = r(V, D)
layers = [dict(q=r(H * d, D), qb=r(H * d), k=r(KV * d, D), kb=r(KV * d), v=r(KV * d, D), vb=r(KV * d), o=r(D, H * d),
               g=r(I, D), u=r(I, D), dn=r(D, I), n1=torch.ones(D), n2=torch.ones(D)) for _ in range(L)]
norm = torch.ones(D)


def rms(x, w):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS))


def rot(x):
    return torch.cat((-x[..., d // 2:], x[..., : d // 2]), -1)


@torch.no_grad()
def forward(ids):
    B, T = ids.shape
    h = emb[ids]
    inv = 1.0 / (THETA ** (torch.arange(0, d, 2).float() / d))
    f = torch.arange(T).float()[:, None] * inv[None]
    e = torch.cat((f, f), -1)
    cos, sin = e.cos()[None, None], e.sin()[None, None]
    mask = torch.full((T, T), float("-inf")).triu(1)
    F = torch.nn.functional
    for p in layers:
        x = rms(h, p["n1"])
        q = F.linear(x, p["q"], p["qb"]).view(B, T, H, d).transpose(1, 2)
        k = F.linear(x, p["k"], p["kb"]).view(B, T, KV, d).transpose(1, 2)
        v = F.linear(x, p["v"], p["vb"]).view(B, T, KV, d).transpose(1, 2)
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        k = k.repeat_interleave(H // KV, 1)
        v = v.repeat_interleave(H // KV, 1)
        a = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(d) + mask, -1)
        h = h + F.linear((a @ v).transpose(1, 2).reshape(B, T, D), p["o"])
        x = rms(h, p["n2"])
        h = h + F.linear(F.silu(F.linear(x, p["g"])) * F.linear(x, p["u"]), p["dn"])
    return F.linear(rms(h, norm), emb)


ids = torch.randint(0, V, (1, T))
forward(ids)  # warm-up
runs = []
for _ in range(RUNS):
    t0 = time.perf_counter()
    out = forward(ids)
    runs.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "seq": T, "logits_shape": list(out.shape), "runs_ms": runs}))
