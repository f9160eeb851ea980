#!/usr/bin/python3
"""PyTorch CPU side of bench/native-kernels.ts: the same GEMMs, 3x3 convolutions (forward,
input gradient, filter gradient) and poolings (forward, gradient) timed with torch's own kernels. Prints one JSON object
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
    # Same cases as CONV_CASES / POOL_CASES in bench/native-kernels.ts.
    for name, n, h, w_, ci, co in (("conv3x3", 16, 32, 32, 64, 64), ("r18.l3", 16, 8, 8, 256, 256), ("r18.l4", 16, 4, 4, 512, 512)):
        x = torch.randn(n, ci, h, w_).contiguous(memory_format=torch.channels_last)
        w = torch.randn(co, ci, 3, 3)
        dy = torch.randn_like(F.conv2d(x, w, padding=1))
        out[f"{name}.fwd"] = median_ms(lambda: F.conv2d(x, w, padding=1), reps)
        out[f"{name}.bwdInput"] = median_ms(lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, padding=1), reps)
        out[f"{name}.bwdFilter"] = median_ms(lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, padding=1), reps)
    for name, op, n, h, w_, c, k, st in (("maxpool2", "max", 16, 64, 64, 32, 2, 2), ("maxpool3s2", "max", 16, 34, 34, 64, 3, 2),
                                         ("avgpool2", "avg", 16, 16, 16, 128, 2, 2)):
        x = torch.randn(n, c, h, w_).contiguous(memory_format=torch.channels_last)
        if op == "max":
            y, idx = F.max_pool2d(x, k, st, return_indices=True)
            dy = torch.randn_like(y)
            out[f"{name}.fwd"] = median_ms(lambda: F.max_pool2d(x, k, st), reps)
            # The backward of a training step (indices saved by the forward).
            out[f"{name}.grad"] = median_ms(lambda: torch.ops.aten.max_pool2d_with_indices_backward(dy, x, [k, k], [st, st], [0, 0], [1, 1], False, idx), reps)
        else:
            dy = torch.randn_like(F.avg_pool2d(x, k, st))
            out[f"{name}.fwd"] = median_ms(lambda: F.avg_pool2d(x, k, st), reps)
            out[f"{name}.grad"] = median_ms(lambda: torch.ops.aten.avg_pool2d_backward(dy, x, [k, k], [st, st], [0, 0], False, True, None), reps)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
