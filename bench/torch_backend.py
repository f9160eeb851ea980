#!/usr/bin/python3
"""PyTorch CPU side of `npm run bench:backend`: the zoo's nets rebuilt layer for layer
(same layer counts, widths, kernels, strides and paddings as src/models/), timed for
forward, input gradient and one SGD training step. Writes {"rows": [{model, op, ms, min_ms, params}]} (ms = median).

Run: /usr/bin/python3 bench/torch_backend.py --json out.json [--models a,b] [--reps 5]
"""
import argparse
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_timing import time_ms


def conv_bn(cin, cout, k, stride=1):
    # Zoo: stride-2 convs pad k//2 on every side (torch style); stride-1 use 'same' (= k//2 for odd k).
    return [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)]


class Cnn64(nn.Module):
    """cnn64: 4 blocks conv3x3 (32,64,128,256, no bias) -> BN -> ReLU -> maxpool 2, GAP, logits."""

    def __init__(self, cin, classes):
        super().__init__()
        layers, c = [], cin
        for b in range(4):
            f = 32 * 2 ** b
            layers += conv_bn(c, f, 3) + [nn.ReLU(), nn.MaxPool2d(2, 2)]
            c = f
        self.features = nn.Sequential(*layers)
        self.logits = nn.Linear(c, classes)

    def forward(self, x):
        return self.logits(self.features(x).mean((2, 3)))


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(cin, planes, 3, stride)
        self.conv2, self.bn2 = conv_bn(planes, planes, 3)
        self.down = nn.Sequential(*conv_bn(cin, planes, 1, stride)) if stride != 1 or cin != planes else None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.down(x) if self.down is not None else x))


class ResNet18(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(cin, 64, 7, 2), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        blocks, c = [], 64
        for s, n in enumerate([2, 2, 2, 2]):
            planes = 64 * 2 ** s
            for b in range(n):
                blocks.append(BasicBlock(c, planes, 2 if b == 0 and s > 0 else 1))
                c = planes
        self.blocks = nn.Sequential(*blocks)
        self.logits = nn.Linear(c, classes)

    def forward(self, x):
        return self.logits(self.blocks(self.stem(x)).mean((2, 3)))


class DenseLayer(nn.Module):
    def __init__(self, cin, growth):
        super().__init__()
        self.norm1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, 4 * growth, 1, bias=False)
        self.norm2, self.conv2 = nn.BatchNorm2d(4 * growth), nn.Conv2d(4 * growth, growth, 3, 1, 1, bias=False)

    def forward(self, x):
        y = self.conv1(F.relu(self.norm1(x)))
        y = self.conv2(F.relu(self.norm2(y)))
        return torch.cat([x, y], 1)


class DenseNet121(nn.Module):
    def __init__(self, cin, classes, growth=32):
        super().__init__()
        layers, c = conv_bn(cin, 64, 7, 2) + [nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
        for i, n in enumerate([6, 12, 24, 16]):
            for _ in range(n):
                layers.append(DenseLayer(c, growth))
                c += growth
            if i < 3:
                layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2, 2)]
                c //= 2
        layers += [nn.BatchNorm2d(c), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.logits = nn.Linear(c, classes)

    def forward(self, x):
        return self.logits(self.features(x).mean((2, 3)))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.qkv, self.proj = heads, nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        probs = torch.softmax(q @ k.transpose(-1, -2) / hd ** 0.5, -1)
        return self.proj((probs @ v).transpose(1, 2).reshape(b, n, d))


class VitBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim, eps=1e-6), Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VitTiny(nn.Module):
    """vit-tiny: D=192, 3 heads, 12 pre-norm blocks, patch 16, class token, learned positions."""

    def __init__(self, cin, classes, size, patch=16, dim=192, heads=3, depth=12):
        super().__init__()
        self.embed = nn.Conv2d(cin, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, (size // patch) ** 2 + 1, dim))
        self.blocks = nn.Sequential(*[VitBlock(dim, heads) for _ in range(depth)])
        self.norm, self.logits = nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, classes)

    def forward(self, x):
        t = self.embed(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(t.shape[0], -1, -1), t], 1) + self.pos
        return self.logits(self.norm(self.blocks(t))[:, 0])


class EcgLstm(nn.Module):
    """ecg-lstm: 2 LSTM layers of 32 units, dense 32 ReLU on the last step, logits."""

    def __init__(self, cin, classes, units=32):
        super().__init__()
        self.lstm = nn.LSTM(cin, units, num_layers=2, batch_first=True)
        self.fc, self.logits = nn.Linear(units, units), nn.Linear(units, classes)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.logits(F.relu(self.fc(y[:, -1])))


def build(name, spec):
    shape, classes = spec["inputShape"], spec["numClasses"]
    if name == "ecg-lstm":
        return EcgLstm(shape[1], classes), (spec["batch"], shape[0], shape[1])
    x_shape = (spec["batch"], shape[2], shape[0], shape[1])
    nets = {"cnn64": lambda: Cnn64(shape[2], classes), "resnet18": lambda: ResNet18(shape[2], classes),
            "densenet121": lambda: DenseNet121(shape[2], classes), "vit-tiny": lambda: VitTiny(shape[2], classes, shape[0])}
    return nets[name](), x_shape


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--specs", required=True, help="JSON {model: {inputShape, numClasses, batch}}")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # tiny weights must not hit slow denormal arithmetic
    torch.manual_seed(0)
    rows = []
    for name, spec in json.loads(args.specs).items():
        net, x_shape = build(name, spec)
        x = torch.randn(*x_shape)
        y = torch.randint(0, spec["numClasses"], (x_shape[0],))
        opt = torch.optim.SGD(net.parameters(), lr=0.01)

        def forward():
            net.eval()
            with torch.no_grad():
                net(x)

        def inputgrad():
            net.eval()
            xi = x.clone().requires_grad_(True)
            net(xi)[:, 0].sum().backward()

        def train():
            net.train()
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()

        for op, fn in (("forward", forward), ("inputgrad", inputgrad), ("train", train)):
            med, low = time_ms(fn, args.reps)
            rows.append({"model": name, "op": op, "ms": med, "min_ms": low,
                         "params": sum(p.numel() for p in net.parameters())})
            print(f"torch {name:12s} {op:10s} {med:9.2f} ms (min {low:.2f})", flush=True)
    with open(args.json, "w") as f:
        json.dump({"torch": torch.__version__, "threads": args.threads, "rows": rows}, f)


if __name__ == "__main__":
    main()
