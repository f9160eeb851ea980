#!/usr/bin/python3
"""PyTorch CPU side of `npm run bench:explain`: the explainers written by hand the way Captum
and pytorch-grad-cam compute them (neither library installs here), on the SAME weights as
medlens (exported by bench/explain.ts as a PyTorch state dict), timed per explanation.

Reads  DIR/data.{json,bin}   weights `<model>/<key>`, inputs `<model>/input` and tfjs logits
       DIR/config.json       models, target class, layer and method rows with parameters
Writes DIR/torch.json        {"forward": {model: rel_diff}, "rows": [{model, method, ms}]}
       DIR/torch_attr.{json,bin}  each attribution in medlens' channels-last layout

Run: /usr/bin/python3 bench/torch_explain.py DIR   (called by bench/explain.ts)
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import torch_explain_methods as M

torch.set_num_threads(2)


def load_bundle(prefix):
    with open(prefix + '.json') as f:
        header = json.load(f)
    blob = np.fromfile(prefix + '.bin', dtype='<f4')
    return {e['name']: blob[e['offset']:e['offset'] + int(np.prod(e['shape']))].reshape(e['shape']) for e in header['tensors']}


def save_bundle(prefix, arrays):
    """Same format as bench/weights.ts encodeBundle; files replaced atomically."""
    entries, parts, offset = [], [], 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a, dtype='<f4')
        entries.append({'name': name, 'shape': list(a.shape), 'offset': offset})
        parts.append(a.ravel())
        offset += a.size
    for ext, write in (('.bin', lambda f: np.concatenate(parts or [np.zeros(0, '<f4')]).tofile(f)),
                       ('.json', lambda f: f.write(json.dumps({'dtype': 'float32', 'tensors': entries}).encode()))):
        tmp = prefix + ext + '.tmp'
        with open(tmp, 'wb') as f:
            write(f)
        os.replace(tmp, prefix + ext)


class EcgCnn(nn.Module):
    """medlens ecg-cnn: blocks Conv1d(k=7, 'same', no bias) -> BN -> ReLU -> maxpool 2; GAP; logits."""

    def __init__(self, cin, classes, depth=4):
        super().__init__()
        self.depth, c = depth, cin
        for b in range(1, depth + 1):
            f = 16 * 2 ** (b - 1)
            setattr(self, f'block{b}_conv', nn.Conv1d(c, f, 7, padding=3, bias=False))
            setattr(self, f'block{b}_bn', nn.BatchNorm1d(f, eps=1e-5))
            setattr(self, f'block{b}_relu', nn.ReLU())
            c = f
        self.logits = nn.Linear(c, classes)

    def head(self, x, relu=None):
        for b in range(1, self.depth + 1):
            if b > 1:
                x = F.max_pool1d(x, 2, 2)
            x = getattr(self, f'block{b}_bn')(getattr(self, f'block{b}_conv')(x))
            x = relu(x) if relu else getattr(self, f'block{b}_relu')(x)
        return x

    def tail(self, a):
        return self.logits(F.max_pool1d(a, 2, 2).mean(2))

    def forward(self, x):
        return self.tail(self.head(x))


def hard_sigmoid(x):
    # tfjs-layers' LSTM default recurrent activation: clip(0.2 x + 0.5, 0, 1)
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


class KerasLSTM(nn.Module):
    """tfjs/Keras LSTM (gates i, f, c, o = torch's i, f, g, o; hard-sigmoid gates), batch first.
    Written out because nn.LSTM's fused cell hard-codes the logistic sigmoid."""

    def __init__(self, nin, units):
        super().__init__()
        self.weight_ih = nn.Parameter(torch.zeros(4 * units, nin))
        self.weight_hh = nn.Parameter(torch.zeros(4 * units, units))
        self.bias = nn.Parameter(torch.zeros(4 * units))

    def forward(self, x, sequences):
        n, t, _ = x.shape
        u = self.weight_hh.shape[1]
        xi = F.linear(x, self.weight_ih, self.bias)
        h = c = x.new_zeros(n, u)
        outs = []
        for s in range(t):
            i, f, g, o = (xi[:, s] + h @ self.weight_hh.t()).chunk(4, 1)
            c = hard_sigmoid(f) * c + hard_sigmoid(i) * torch.tanh(g)
            h = hard_sigmoid(o) * torch.tanh(c)
            if sequences:
                outs.append(h)
        return torch.stack(outs, 1) if sequences else h


class EcgLstm(nn.Module):
    """medlens ecg-lstm: lstm1 (sequences), lstm2, fc (dense ReLU), logits."""

    def __init__(self, cin, classes, units=32):
        super().__init__()
        self.lstm1, self.lstm2 = KerasLSTM(cin, units), KerasLSTM(units, units)
        self.fc, self.logits = nn.Linear(units, units), nn.Linear(units, classes)

    def forward(self, x, relu=F.relu):
        return self.logits(relu(self.fc(self.lstm2(self.lstm1(x, True), False))))


def build(name, spec, weights):
    """The torch model of `name` with the exported weights; checks every key is used."""
    cin, k = spec['input_shape'][-1], spec['num_classes']
    if spec['arch'] == 'resnet18':
        import torchvision
        model = torchvision.models.resnet18(num_classes=k)
        if cin != 3:
            model.conv1 = nn.Conv2d(cin, 64, 7, 2, 3, bias=False)
    elif spec['arch'] == 'ecg-cnn':
        model = EcgCnn(cin, k)
    elif spec['arch'] == 'ecg-lstm':
        model = EcgLstm(cin, k)
    else:
        raise SystemExit(f'unknown arch {spec["arch"]}')
    prefix = name + '/'
    sd = {key[len(prefix):]: torch.from_numpy(v.copy()) for key, v in weights.items() if key.startswith(prefix) and key.count('/') == 1 and key not in (prefix + 'input', prefix + 'logits')}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [m for m in missing if not m.endswith('num_batches_tracked')]
    if missing or unexpected:
        raise SystemExit(f'{name}: state dict mismatch: missing {missing}, unexpected {unexpected}')
    return model.eval()


def layout(arch):
    """(to torch layout, back to channels-last) for inputs / attributions of this arch."""
    if arch == 'resnet18':
        return (lambda a: np.transpose(a, (0, 3, 1, 2))), (lambda t: np.transpose(t, (0, 2, 3, 1)))
    if arch == 'ecg-cnn':
        return (lambda a: np.transpose(a, (0, 2, 1))), (lambda t: np.transpose(t, (0, 2, 1)))
    return (lambda a: a), (lambda t: t)


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, 'config.json')) as f:
        cfg = json.load(f)
    data = load_bundle(os.path.join(folder, 'data'))
    out = {'forward': {}, 'rows': [], 'threads': torch.get_num_threads(), 'torch': torch.__version__}
    attrs = {}
    for name, spec in cfg['models'].items():
        model = build(name, spec, data)
        for p in model.parameters():
            p.requires_grad_(True)  # as in user code: pytorch-grad-cam's backward also fills weight grads
        to_t, to_cl = layout(spec['arch'])
        x = torch.from_numpy(np.ascontiguousarray(to_t(data[name + '/input'])))
        with torch.no_grad():
            logits = model(x).numpy()
        ref = data[name + '/logits']
        rel = float(np.abs(logits - ref).max() / max(np.abs(ref).max(), 1e-12))
        out['forward'][name] = rel
        print(f'torch {name}: forward max rel. difference to tfjs {rel:.2e}', flush=True)
        ctx = M.Context(model, spec, x)
        for row in spec['rows']:
            fn = getattr(M, row['fn'])
            times = []
            for _ in range(row['warmup']):
                fn(ctx, row['params'])
            # same rule as medianMsAsync in bench/common.ts: at least `reps`, more while under min_ms
            while len(times) < row['reps'] or (sum(times) < row.get('min_ms', 0) and len(times) < 50):
                t0 = time.perf_counter()
                result = fn(ctx, row['params'])
                times.append((time.perf_counter() - t0) * 1000)
            ms = statistics.median_high(times) if times else None
            out['rows'].append({'model': name, 'method': row['label'], 'ms': ms})
            attrs[f'{name}/{row["label"]}'] = to_cl(result.detach().numpy())
            print(f'torch {name:9s} {row["label"]:20s} {ms:10.1f} ms', flush=True)
    save_bundle(os.path.join(folder, 'torch_attr'), attrs)
    tmp = os.path.join(folder, 'torch.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(out, f)
    os.replace(tmp, os.path.join(folder, 'torch.json'))


if __name__ == '__main__':
    main()
