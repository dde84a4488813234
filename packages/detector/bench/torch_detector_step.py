"""The detector's training step in PyTorch, for the wasm-vs-PyTorch speed ratio of bench/index.ts.

Same architecture as @babelrs/detector for a given DetectorConfig (read as JSON from argv[1]):
ViT (patchify linear patch embed, pre-norm blocks, GELU MLP, optional LayerScale/class token)
-> taps -> LVSA blend (1-a)*F_L + a*mean(F_S) -> ViTDet simple feature pyramid (deconv 2x2,
LN, GELU / max-pool, 1x1 conv+LN, 3x3 conv+LN) -> per modality a head with conv towers
(3x3 conv + GroupNorm + ReLU) and output convs: GFL (cls K, reg 4*(regMax+1)) for SAR,
rotated FCOS (cls K, reg 4 exp-scaled, angle 1, centerness 1) for RGB/IR. The batch is split
2:1:1 by modality and each part goes through its own head, then AdamW.

Difference, stated: the losses are dense surrogates with the same outputs (BCE-with-logits on
every class logit, softmax cross-entropy on every GFL side distribution, L1 on every regression
output) instead of the assigned QFL/DFL/GIoU and focal/KLD/centerness losses, and there is no
target assignment; so the PyTorch step does slightly less work than ours.

Run: OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 torch_detector_step.py '<json>'
where json = {"config": DetectorConfig, "batch": 4, "ratios": {"sar": 2, "rgb": 1, "ir": 1}, "steps": 5, "warmup": 1, "threads": 2}.
Prints one JSON line: {"stepMs": [...], "medianMs", "cpuMs": [...] (process CPU time, all threads), "medianCpuMs", "imagesPerSecond", "torch"}.
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, hidden, qkv_bias, eps, ls):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.qkv = nn.Linear(d, 3 * d, bias=qkv_bias)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d, eps=eps)
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)
        self.heads = heads
        self.ls1 = nn.Parameter(torch.full((d,), ls)) if ls is not None else None
        self.ls2 = nn.Parameter(torch.full((d,), ls)) if ls is not None else None

    def forward(self, x):
        b, n, d = x.shape
        h = self.norm1(x)
        qkv = self.qkv(h).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = (q @ k.transpose(-2, -1)) * (d // self.heads) ** -0.5
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d)
        y = self.proj(y)
        x = x + (y * self.ls1 if self.ls1 is not None else y)
        y = self.fc2(F.gelu(self.fc1(self.norm2(x))))
        return x + (y * self.ls2 if self.ls2 is not None else y)


class ViT(nn.Module):
    def __init__(self, c, img):
        super().__init__()
        d, p = c["embedDim"], c["patchSize"]
        self.p = p
        self.prefix = c["numPrefixTokens"]
        self.patch = nn.Linear(3 * p * p, d)
        g = img // p
        self.pos = nn.Parameter(torch.zeros(1, self.prefix + g * g, d).normal_(0, 0.02))
        self.cls = nn.Parameter(torch.zeros(1, 1, d)) if self.prefix else None
        self.blocks = nn.ModuleList([Block(d, c["numHeads"], c["mlpHiddenDim"], c["qkvBias"], c["layerNormEps"], c["layerScaleInit"]) for _ in range(c["depth"])])

    def forward(self, x, taps):
        b, ch, h, w = x.shape
        p = self.p
        x = x.reshape(b, ch, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // p) * (w // p), ch * p * p)
        x = self.patch(x)
        if self.cls is not None:
            x = torch.cat([self.cls.expand(b, -1, -1), x], 1)
        x = x + self.pos
        out = []
        for i, blk in enumerate(self.blocks[: max(taps) + 1]):
            x = blk(x)
            if i in taps:
                out.append(x[:, self.prefix:])
        return out, (h // p, w // p)


class LN2d(nn.Module):
    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.ln = nn.LayerNorm(c, eps=eps)

    def forward(self, x):
        return self.ln(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class Pyramid(nn.Module):
    def __init__(self, d, out, scales):
        super().__init__()
        self.levels = nn.ModuleList()
        for s in scales:
            layers, dim = [], d
            if s == 4:
                layers += [nn.ConvTranspose2d(dim, dim // 2, 2, 2), LN2d(dim // 2), nn.GELU(), nn.ConvTranspose2d(dim // 2, dim // 4, 2, 2)]
                dim //= 4
            elif s == 2:
                layers += [nn.ConvTranspose2d(dim, dim // 2, 2, 2)]
                dim //= 2
            elif s == 0.5:
                layers += [nn.MaxPool2d(2, 2)]
            layers += [nn.Conv2d(dim, out, 1, bias=False), LN2d(out), nn.Conv2d(out, out, 3, padding=1, bias=False), LN2d(out)]
            self.levels.append(nn.Sequential(*layers))

    def forward(self, x):
        return [lvl(x) for lvl in self.levels]


def tower(n, cin, c):
    layers = []
    for i in range(n):
        layers += [nn.Conv2d(cin if i == 0 else c, c, 3, padding=1, bias=False), nn.GroupNorm(min(32, c), c), nn.ReLU()]
    return nn.Sequential(*layers)


class Head(nn.Module):
    def __init__(self, kind, k, cin, feat, convs, reg_max=16):
        super().__init__()
        self.kind = kind
        self.cls_t = tower(convs, cin, feat)
        self.reg_t = tower(convs, cin, feat)
        self.cls = nn.Conv2d(feat, k, 3, padding=1)
        self.reg_max = reg_max
        if kind == "gfl":
            self.reg = nn.Conv2d(feat, 4 * (reg_max + 1), 3, padding=1)
        else:
            self.reg = nn.Conv2d(feat, 4, 3, padding=1)
            self.angle = nn.Conv2d(feat, 1, 3, padding=1)
            self.ctr = nn.Conv2d(feat, 1, 3, padding=1)

    def loss(self, levels):
        total = 0.0
        for f in levels:
            c = self.cls_t(f)
            r = self.reg_t(f)
            logits = self.cls(c)
            total = total + F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))
            if self.kind == "gfl":
                reg = self.reg(r)
                b, _, h, w = reg.shape
                dist = reg.reshape(b, 4, self.reg_max + 1, h, w).transpose(1, 2)  # classes on dim 1
                total = total + F.cross_entropy(dist, torch.zeros(b, 4, h, w, dtype=torch.long))
            else:
                total = total + torch.exp(self.reg(r)).mean() + self.angle(r).abs().mean()
                ctr = self.ctr(r)
                total = total + F.binary_cross_entropy_with_logits(ctr, torch.zeros_like(ctr))
        return total


SPLIT = {"sar": 2, "rgb": 1, "ir": 1}
CLASSES = {"sar": 6, "rgb": 15, "ir": 5}


def main():
    args = json.loads(sys.argv[1])
    torch.set_num_threads(args.get("threads", 2))
    torch.manual_seed(0)
    c = args["config"]
    img = c["imageSize"]
    b = args["batch"]
    vit = ViT(c["backbone"], img)
    neck = Pyramid(c["backbone"]["embedDim"], c["neck"]["outChannels"], c["neck"]["scaleFactors"])
    heads = nn.ModuleDict()
    for m, h in c["heads"].items():
        o = h.get("options", {})
        feat = o.get("featChannels", c["neck"]["outChannels"])
        heads[m] = Head("gfl" if h["type"] == "gfl" else "fcos", CLASSES[m], c["neck"]["outChannels"], feat, o.get("stackedConvs", 4))
    params = list(vit.parameters()) + list(neck.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.05)
    x = torch.randn(b, 3, img, img)
    taps = c["layers"]
    split = args.get("ratios", SPLIT)
    mods = [m for m in ["sar", "rgb", "ir"] if m in c["heads"] and split.get(m, 0) > 0]
    unit = sum(split[m] for m in mods)
    counts = [split[m] * b // unit for m in mods]
    assert sum(counts) == b, f"batch {b} is not a multiple of the ratio sum {unit}"
    times, cpu = [], []
    for it in range(args.get("warmup", 1) + args["steps"]):
        t0 = time.perf_counter()
        c0 = time.process_time()
        feats, grid = vit(x, taps)
        fused = 0.5 * feats[-1] + 0.5 * torch.stack(feats).mean(0)
        bb, n, d = fused.shape
        levels = neck(fused.transpose(1, 2).reshape(bb, d, grid[0], grid[1]))
        loss, start = 0.0, 0
        for m, k in zip(mods, counts):
            loss = loss + heads[m].loss([l[start:start + k] for l in levels])
            start += k
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 35.0)
        opt.step()
        if it >= args.get("warmup", 1):
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    med = statistics.median(times)
    print(json.dumps({"stepMs": [round(t, 1) for t in times], "medianMs": round(med, 1), "cpuMs": [round(t, 1) for t in cpu], "medianCpuMs": round(statistics.median(cpu), 1), "imagesPerSecond": round(b * 1000 / med, 3), "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
