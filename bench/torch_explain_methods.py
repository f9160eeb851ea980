"""The explainers of bench/torch_explain.py, written by hand the way Captum (gradient and
perturbation methods: batched perturbations, `internal_batch_size`, torch.autograd.grad with
respect to the inputs) and pytorch-grad-cam (CAMs: forward hook on the target layer, hook on
its output's gradient, `loss.backward()`) compute them. Each function takes the Context and
the row's parameters and returns the attribution in torch layout ([1, C, ...spatial] for
images / ecg-cnn, [1, T, C] for ecg-lstm; CAMs [1, 1, ...spatial]).
Differences from the libraries, so that outputs are comparable with medlens: CAM maps are
upsampled with half-pixel linear interpolation (align_corners=False) and not min-max scaled;
Ablation-CAM runs only the layers after the target layer (pytorch-grad-cam re-runs the whole
net per batch of ablated channels, which is slower); Eigen-CAM's sign follows medlens' rule.
"""
import numpy as np
import torch
import torch.nn.functional as F


class Context:
    def __init__(self, model, spec, x):
        self.model, self.spec, self.x = model, spec, x
        self.arch, self.target = spec['arch'], spec['target']
        self.channels_first = self.arch != 'ecg-lstm'
        self.spatial = tuple(x.shape[2:]) if self.channels_first else (x.shape[1],)

    def expand(self, m):
        """[n, ...spatial] mask -> broadcastable over the channel axis of the input layout."""
        return m[:, None] if self.channels_first else m[..., None]

    def scores(self, rows):
        return self.model(rows)[:, self.target]

    def grads(self, rows, forward=None):
        rows = rows.detach().requires_grad_(True)
        out = (forward or self.model)(rows)[:, self.target].sum()
        return torch.autograd.grad(out, rows)[0]

    def batched_grads(self, rows, bs, forward=None):
        return torch.cat([self.grads(rows[s:s + bs], forward) for s in range(0, rows.shape[0], bs)])


# ---------- gradient methods (Captum) ----------

def saliency(c, p):
    return c.grads(c.x).abs()


def input_x_gradient(c, p):
    return c.grads(c.x) * c.x


def integrated_gradients(c, p):
    nodes, w = np.polynomial.legendre.leggauss(p['steps'])
    alphas, weights = (nodes + 1) / 2, w / 2  # Captum's gausslegendre on [0, 1]
    base = torch.zeros_like(c.x)
    shape = (-1,) + (1,) * (c.x.dim() - 1)
    a = torch.tensor(alphas, dtype=torch.float32).reshape(shape)
    rows = base + a * (c.x - base)
    g = c.batched_grads(rows, p['internalBatchSize'])
    total = (g * torch.tensor(weights, dtype=torch.float32).reshape(shape)).sum(0, keepdim=True)
    attr = total * (c.x - base)
    with torch.no_grad():  # convergence delta, as Captum's return_convergence_delta
        _ = attr.sum() - (c.scores(c.x) - c.scores(base))
    return attr


def smoothgrad(c, p):
    gen = torch.Generator().manual_seed(0)
    std = p['noiseLevel'] * float(c.x.max() - c.x.min())
    m = p['samples']
    rows = c.x.repeat((m,) + (1,) * (c.x.dim() - 1))
    rows = rows + torch.randn(rows.shape, generator=gen) * std
    return c.batched_grads(rows, p['internalBatchSize']).mean(0, keepdim=True)


def gradient_shap(c, p):
    gen = torch.Generator().manual_seed(0)
    m = p['samples']
    base = torch.zeros((m,) + tuple(c.x.shape[1:]))
    alphas = torch.rand((m,) + (1,) * (c.x.dim() - 1), generator=gen)
    rows = base + alphas * (c.x - base)
    g = c.batched_grads(rows, p['internalBatchSize'])
    return (g * (c.x - base)).mean(0, keepdim=True)


class _SavingReLU(torch.autograd.Function):
    """ReLU forward that keeps its input for the custom backward rules below."""

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z.clamp(min=0)


class GuidedReLU(_SavingReLU):
    @staticmethod
    def backward(ctx, dy):
        (z,) = ctx.saved_tensors
        return dy.clamp(min=0) * (z > 0).float()


class RescaleReLU(_SavingReLU):
    """DeepLift rescale multiplier on the stacked batch [x; baseline] (Captum's nonlinear rule)."""

    @staticmethod
    def backward(ctx, dy):
        (z,) = ctx.saved_tensors
        zx, zr = z.chunk(2)
        dz = zx - zr
        secant = (zx.clamp(min=0) - zr.clamp(min=0)) / torch.where(dz == 0, torch.ones_like(dz), dz)
        h = 1e-3
        slope = ((zx + h).clamp(min=0) - (zx - h).clamp(min=0)) / (2 * h)
        m = torch.where(dz.abs() > 1e-6, secant, slope)
        dyx = dy.chunk(2)[0]
        return torch.cat([dyx * m, torch.zeros_like(dyx)])


def plain(_kind, fn, *ins):
    return fn(*ins)


def resnet_forward(m, x, relu=F.relu, op=plain):
    """torchvision ResNet-18 forward with a replaceable ReLU; `op(kind, fn, *inputs)` runs each step (LRP tapes it)."""
    x = op('pass', relu, op('lin', m.bn1, op('lin', m.conv1, x)))
    x = op('lin', m.maxpool, x)
    for layer in (m.layer1, m.layer2, m.layer3, m.layer4):
        for blk in layer:
            y = op('pass', relu, op('lin', blk.bn1, op('lin', blk.conv1, x)))
            y = op('lin', blk.bn2, op('lin', blk.conv2, y))
            idn = x if blk.downsample is None else op('lin', blk.downsample[1], op('lin', blk.downsample[0], x))
            x = op('pass', relu, op('lin', torch.add, y, idn))
    return op('lin', m.fc, op('lin', lambda t: t.mean((2, 3)), x))


def with_relu(c, relu):
    if c.arch == 'resnet18':
        return lambda x: resnet_forward(c.model, x, relu)
    if c.arch == 'ecg-lstm':
        return lambda x: c.model(x, relu)
    return lambda x: c.model.tail(c.model.head(x, relu))


def guided_backprop(c, p):
    return c.grads(c.x, with_relu(c, GuidedReLU.apply))


def deeplift(c, p):
    base = torch.zeros_like(c.x)
    both = torch.cat([c.x, base]).requires_grad_(True)
    out = with_relu(c, RescaleReLU.apply)(both)[:, c.target]
    g = torch.autograd.grad(out[:1].sum(), both)[0][:1]
    with torch.no_grad():  # convergence delta
        _ = c.scores(torch.cat([c.x, base]))
    return g * (c.x - base)


def lrp(c, p):
    """LRP-epsilon on every layer by the gradient trick, walking the taped graph backwards."""
    eps = p.get('epsilon', 1e-9)
    tape = []

    def op(kind, fn, *ins):
        o = fn(*ins)
        tape.append((kind, fn, ins, o))
        return o

    with torch.no_grad():
        out = resnet_forward(c.model, c.x, F.relu, op)
    onehot = torch.zeros_like(out)
    onehot[:, c.target] = 1
    rel = {id(out): out * onehot}
    for kind, fn, ins, o in reversed(tape):
        r = rel.pop(id(o), None)
        if r is None:
            continue
        if kind == 'pass':
            rin = [r.reshape(ins[0].shape)]
        else:
            xs = [a.detach().requires_grad_(True) for a in ins]
            z = fn(*xs)
            s = (r / (z + eps * torch.where(z >= 0, torch.ones_like(z), -torch.ones_like(z)))).detach()
            gs = torch.autograd.grad((z * s).sum(), xs)
            rin = [a.detach() * g for a, g in zip(xs, gs)]
        for a, ri in zip(ins, rin):
            rel[id(a)] = rel[id(a)] + ri if id(a) in rel else ri
    return rel[id(c.x)]


# ---------- CAMs (pytorch-grad-cam) ----------

def activations_and_grads(c, need_grads=True):
    store = {}
    module = c.model.get_submodule(c.spec['layer'])

    def hook(_m, _i, out):
        store['a'] = out.detach()
        if need_grads:
            out.register_hook(lambda g: store.__setitem__('g', g.detach()))

    h = module.register_forward_hook(hook)
    try:
        if need_grads:
            c.model.zero_grad()
            c.model(c.x)[:, c.target].sum().backward(retain_graph=True)
        else:
            with torch.no_grad():
                c.model(c.x)
    finally:
        h.remove()
    return store['a'], store.get('g')


def finish_cam(c, cam):
    cam = F.relu(cam)[:, None]
    return F.interpolate(cam, size=c.spatial, mode='bilinear' if len(c.spatial) == 2 else 'linear', align_corners=False)


def grid_dims(t):
    return tuple(range(2, t.dim()))


def weighted(a, w):
    return (a * w.reshape(w.shape + (1,) * (a.dim() - 2))).sum(1)


def gradcam(c, p):
    a, g = activations_and_grads(c)
    return finish_cam(c, weighted(a, g.mean(grid_dims(g))))


def gradcam_pp(c, p):
    a, g = activations_and_grads(c)
    g2, g3 = g ** 2, g ** 3
    sum_a = a.sum(grid_dims(a), keepdim=True)
    alpha = g2 / (2 * g2 + sum_a * g3 + 1e-7)
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    return finish_cam(c, weighted(a, (F.relu(g) * alpha).sum(grid_dims(g))))


def hirescam(c, p):
    a, g = activations_and_grads(c)
    return finish_cam(c, (g * a).sum(1))


def xgradcam(c, p):
    a, g = activations_and_grads(c)
    d = grid_dims(a)
    return finish_cam(c, weighted(a, (g * a).sum(d) / (a.sum(d) + 1e-7)))


def layercam(c, p):
    a, g = activations_and_grads(c)
    return finish_cam(c, (F.relu(g) * a).sum(1))


def eigencam(c, p):
    a, _ = activations_and_grads(c, need_grads=False)
    k = a.shape[1]
    flat = a[0].reshape(k, -1).T.numpy()
    centred = flat - flat.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=True)
    proj = centred @ vt[0]
    if (proj * centred.sum(1)).sum() < 0:
        proj = -proj
    return finish_cam(c, torch.from_numpy(proj.astype(np.float32)).reshape((1,) + tuple(a.shape[2:])))


def scorecam(c, p):
    a, _ = activations_and_grads(c, need_grads=False)
    with torch.no_grad():
        up = F.interpolate(a, size=c.spatial, mode='bilinear' if len(c.spatial) == 2 else 'linear', align_corners=False)
        d = grid_dims(up)
        lo, hi = up.amin(d, keepdim=True), up.amax(d, keepdim=True)
        masks = ((up - lo) / (hi - lo + 1e-7))[0]  # [K, ...spatial]
        bs, scores = p['internalBatchSize'], []
        for s in range(0, masks.shape[0], bs):
            rows = c.x * (masks[s:s + bs, None] if c.channels_first else masks[s:s + bs, ..., None])
            scores.append(torch.softmax(c.model(rows), 1)[:, c.target])
        w = torch.cat(scores)[None]
    return finish_cam(c, weighted(a, w))


def ablationcam(c, p):
    a, _ = activations_and_grads(c, need_grads=False)
    tail = (lambda t: c.model.fc(t.mean((2, 3)))) if c.arch == 'resnet18' else c.model.tail
    k, bs = a.shape[1], p['internalBatchSize']
    with torch.no_grad():
        y = float(tail(a)[0, c.target])
        scores = []
        for s in range(0, k, bs):
            e = min(k, s + bs)
            rows = a.repeat((e - s,) + (1,) * (a.dim() - 1))
            rows[torch.arange(e - s), torch.arange(s, e)] = 0
            scores.append(tail(rows)[:, c.target])
        w = ((y - torch.cat(scores)) / (y if y != 0 else 1e-7))[None]
    return finish_cam(c, weighted(a, w))


# ---------- perturbation methods (Captum, perturbations_per_eval = internalBatchSize) ----------

def run_masks(c, masks, bs):
    """Target scores of the input with masked positions (mask 1) set to 0, `bs` masks per forward."""
    out = []
    with torch.no_grad():
        for s in range(0, masks.shape[0], bs):
            out.append(c.scores(c.x * (1 - c.expand(masks[s:s + bs]))))
    return torch.cat(out)


def window_starts(length, w, s):
    starts = list(range(0, length - w + 1, s))
    if starts[-1] + w < length:
        starts.append(length - w)
    return starts


def occlusion(c, p):
    per_axis = [window_starts(n, w, s) for n, w, s in zip(c.spatial, p['window'], p['strides'])]
    grids = np.meshgrid(*per_axis, indexing='ij')
    starts = np.stack([g.ravel() for g in grids], 1)
    masks = torch.zeros((len(starts),) + c.spatial)
    for i, st in enumerate(starts):
        masks[(i,) + tuple(slice(a, a + w) for a, w in zip(st, p['window']))] = 1
    with torch.no_grad():
        base = c.scores(c.x)
    drop = base - run_masks(c, masks, p['internalBatchSize'])
    total = (drop.reshape((-1,) + (1,) * len(c.spatial)) * masks).sum(0)
    attr = total / masks.sum(0).clamp(min=1)
    return c.expand(attr[None]).expand_as(c.x)


def feature_ids(c, cell):
    axes = [torch.arange(n) // w for n, w in zip(c.spatial, cell)]
    counts = [(n + w - 1) // w for n, w in zip(c.spatial, cell)]
    ids = axes[0]
    for ax, cnt in zip(axes[1:], counts[1:]):
        ids = ids[..., None] * cnt + ax
    return ids, int(np.prod(counts))


def feature_ablation(c, p):
    ids, count = feature_ids(c, p['cell'])
    masks = (ids[None] == torch.arange(count).reshape((-1,) + (1,) * ids.dim())).float()
    with torch.no_grad():
        base = c.scores(c.x)
    drop = base - run_masks(c, masks, p['internalBatchSize'])
    return c.expand(drop[ids][None]).expand_as(c.x)


def fit_surrogate(c, p, z, w):
    """Scores of the coalitions z (1 = kept) and the weighted least-squares coefficients."""
    ids, count = feature_ids(c, p['cell'])
    masks = 1 - torch.from_numpy(z).float()[:, ids]
    y = run_masks(c, masks, p['internalBatchSize']).double().numpy()
    design = np.concatenate([np.ones((len(z), 1)), z], 1) * np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(design, y * np.sqrt(w), rcond=None)[0][1:]
    return c.expand(torch.from_numpy(coef.astype(np.float32))[ids][None]).expand_as(c.x)


def lime(c, p):
    rng = np.random.default_rng(0)
    _, count = feature_ids(c, p['cell'])
    z = (rng.random((p['samples'], count)) < 0.5).astype(np.float64)
    on = z.sum(1)
    cos = np.where(on == 0, 0, on / np.sqrt(np.maximum(on, 1) * count))
    return fit_surrogate(c, p, z, np.exp(-((1 - cos) ** 2)))


def kernel_shap(c, p):
    rng = np.random.default_rng(0)
    _, count = feature_ids(c, p['cell'])
    rows = p['samples']
    z, w = np.zeros((rows, count)), np.ones(rows)
    z[-1] = 1
    w[0] = w[-1] = 1e6
    sizes = np.arange(1, count)
    pk = (count - 1) / (sizes * (count - sizes))
    for r, k in zip(range(1, rows - 1), rng.choice(sizes, rows - 2, p=pk / pk.sum())):
        z[r, rng.permutation(count)[:k]] = 1
    return fit_surrogate(c, p, z, w)


def rise(c, p):
    gen = torch.Generator().manual_seed(0)
    count, cells, prob = p['masks'], p['cells'], p['keepProbability']
    s = [min(cells, n) for n in c.spatial]
    cell = [-(-n // k) for n, k in zip(c.spatial, s)]
    low = (torch.rand((count, 1) + tuple(k + 1 for k in s), generator=gen) < prob).float()
    up = F.interpolate(low, size=tuple((k + 1) * w for k, w in zip(s, cell)), mode='bilinear' if len(s) == 2 else 'linear', align_corners=False)
    keep = torch.stack([up[(i, 0) + tuple(slice(o, o + n) for o, n in zip((int(torch.randint(w, (1,), generator=gen)) for w in cell), c.spatial))] for i in range(count)])
    scores = run_masks(c, 1 - keep, p['internalBatchSize'])
    sal = (scores.reshape((-1,) + (1,) * len(s)) * keep).sum(0) / (count * prob)
    return c.expand(sal[None]).expand_as(c.x)
