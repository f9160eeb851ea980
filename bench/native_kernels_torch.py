#!/usr/bin/python3
"""PyTorch CPU side of bench/native-kernels.ts: the same GEMMs and 3x3 convolution (forward,
input gradient, filter gradient) timed with torch's own kernels. Prints one JSON object
{name: median_ms}. Run: /usr/bin/python3 bench/native_kernels_torch.py [threads] [reps]"""
import json
import sys

import torch
import torch.nn.functional as F

from torch_timing import time_ms


def median_ms(fn, reps):
    return time_ms(fn, reps)[0]


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {}
    for n in (512, 1024):
        a, b = torch.randn(n, n), torch.randn(n, n)
        out[f"gemm{n}"] = median_ms(lambda: torch.mm(a, b), reps)
    x = torch.randn(16, 64, 32, 32).contiguous(memory_format=torch.channels_last)
    w = torch.randn(64, 64, 3, 3)
    y = F.conv2d(x, w, padding=1)
    dy = torch.randn_like(y)
    out["conv3x3.fwd"] = median_ms(lambda: F.conv2d(x, w, padding=1), reps)
    out["conv3x3.bwdInput"] = median_ms(lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, padding=1), reps)
    out["conv3x3.bwdFilter"] = median_ms(lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, padding=1), reps)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
