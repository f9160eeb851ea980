#!/usr/bin/python3
"""PyTorch CPU side of `npm run bench:memory`: builds torchvision's ResNet-50 (224x224x3,
1000 classes), runs ONE training step (softmax cross-entropy, SGD or Adam) in this fresh
process and writes {"baseline_mib", "peak_mib", "step_s"} read from /proc/self/status
(VmRSS after the build, VmHWM after the step), and a breakdown: parameter and gradient sizes
and what autograd saves for backward (each storage once, through saved_tensors_hooks, in a
second forward pass after the peak was read).

Run: /usr/bin/python3 bench/torch_memory.py --json out.json [--batch 8] [--optimizer sgd] [--threads 2]
"""
import argparse
import json
import re

import torch
import torch.nn.functional as F
import torchvision

from torch_timing import time_ms


def status_mib(field):
    """A `Field: N kB` line of /proc/self/status, in MiB."""
    with open("/proc/self/status") as f:
        return int(re.search(rf"^{field}:\s*(\d+)\s*kB", f.read(), re.M).group(1)) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet50(num_classes=1000)
    model.train()
    x = torch.randn(args.batch, 3, 224, 224)
    y = torch.arange(args.batch) % 1000
    opt = torch.optim.SGD(model.parameters(), lr=0.01) if args.optimizer == "sgd" else torch.optim.Adam(model.parameters(), lr=1e-3)
    baseline = status_mib("VmRSS")

    saved = {}

    def pack(t):
        # storage identity, so views and tensors saved by several nodes count once
        s = t.storage()  # torch 1.13: TypedStorage
        saved[(s.data_ptr(), str(t.device))] = s.size() * s.element_size()
        return t

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()

    step_ms, _ = time_ms(step, 1, 0)
    peak = status_mib("VmHWM")
    # after the peak is read: what the same forward saves for backward (hooks may change lifetimes)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        F.cross_entropy(model(x), y)
    mib = 2 ** 20
    params = sum(p.numel() * p.element_size() for p in model.parameters())
    param_ptrs = {p.storage().data_ptr() for p in model.parameters()}
    saved_acts = sum(n for (ptr, _), n in saved.items() if ptr not in param_ptrs)
    out = {"baseline_mib": baseline, "peak_mib": peak, "step_s": step_ms / 1000,
           "torch": torch.__version__, "threads": args.threads,
           "breakdown": {"params_mib": params / mib, "grads_mib": params / mib, "saved_mib": saved_acts / mib}}
    with open(args.json, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
