#!/usr/bin/env python3
"""PyTorch side of bench/native-vs-torch.ts: training images/s of the registry's ResNet-50 and Xception.

The networks are written out as cvr's registry builds them (src/models/resnet50.ts, xception.ts:
Keras applications' ResNet50 v1 — stride on the first 1x1 convolution, biased convolutions,
BN epsilon 1.001e-5, explicit zero padding — and Keras's Xception — unpadded stem, bias-free
separable convolutions), trained with Adam (Keras's epsilon 1e-7) on categorical cross-entropy
over a softmax, as `cvr run` trains them.

Runs as a server so that the benchmark can interleave the two sides without paying PyTorch's
start-up each round: one JSON request a line on stdin
  {"net": "resnet50", "size": 64, "batch": 16, "steps": 3, "layout": "channels_last"}
one JSON answer a line on stdout. A model is built and warmed up (one untimed step) the first
time its (net, size, batch, layout) is asked for.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn


def conv_bn(cin, cout, k, s, pad, bias, eps, relu):
    layers = [nn.Conv2d(cin, cout, k, stride=s, padding=pad, bias=bias), nn.BatchNorm2d(cout, eps=eps)]
    return layers + ([nn.ReLU()] if relu else [])


class Bottleneck(nn.Module):
    """Keras ResNet50 v1 block: the stride on the first 1x1 convolution."""

    def __init__(self, cin, f, stride, conv_shortcut):
        super().__init__()
        eps = 1.001e-5
        self.short = nn.Sequential(*conv_bn(cin, 4 * f, 1, stride, 0, True, eps, False)) if conv_shortcut else nn.Identity()
        self.body = nn.Sequential(*conv_bn(cin, f, 1, stride, 0, True, eps, True), *conv_bn(f, f, 3, 1, 1, True, eps, True),
                                  *conv_bn(f, 4 * f, 1, 1, 0, True, eps, False))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.short(x) + self.body(x))


class ResNet50(nn.Module):
    def __init__(self, classes, cin=3):
        super().__init__()
        layers = [nn.ZeroPad2d(3), *conv_bn(cin, 64, 7, 2, 0, True, 1.001e-5, True), nn.ZeroPad2d(1), nn.MaxPool2d(3, 2)]
        c = 64
        for f, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
            for i in range(blocks):
                layers.append(Bottleneck(c, f, stride if i == 0 else 1, i == 0))
                c = 4 * f
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, classes), nn.Softmax(dim=1))

    def forward(self, x):
        return self.head(self.features(x))


class SepBn(nn.Sequential):
    def __init__(self, cin, cout, pre_relu):
        layers = [nn.ReLU()] if pre_relu else []
        layers += [nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False), nn.Conv2d(cin, cout, 1, bias=False),
                   nn.BatchNorm2d(cout, eps=1e-3)]
        super().__init__(*layers)


class EntryBlock(nn.Module):
    def __init__(self, cin, cout, first_relu):
        super().__init__()
        self.res = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=2, bias=False), nn.BatchNorm2d(cout, eps=1e-3))
        self.body = nn.Sequential(SepBn(cin, cout, first_relu), SepBn(cout, cout, True), nn.MaxPool2d(3, 2, 1))

    def forward(self, x):
        return self.body(x) + self.res(x)


class MiddleBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(SepBn(c, c, True), SepBn(c, c, True), SepBn(c, c, True))

    def forward(self, x):
        return self.body(x) + x


class Xception(nn.Module):
    """Keras Xception: the stem's two convolutions unpadded ('valid'), everything else 'same'."""

    def __init__(self, classes, cin=3):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(cin, 32, 3, 2, 0, False, 1e-3, True), *conv_bn(32, 64, 3, 1, 0, False, 1e-3, True))
        self.entry = nn.Sequential(EntryBlock(64, 128, False), EntryBlock(128, 256, True), EntryBlock(256, 728, True))
        self.middle = nn.Sequential(*[MiddleBlock(728) for _ in range(8)])
        self.exit_res = nn.Sequential(nn.Conv2d(728, 1024, 1, stride=2, bias=False), nn.BatchNorm2d(1024, eps=1e-3))
        self.exit_body = nn.Sequential(SepBn(728, 728, True), SepBn(728, 1024, True), nn.MaxPool2d(3, 2, 1))
        self.tail = nn.Sequential(SepBn(1024, 1536, False), nn.ReLU(), SepBn(1536, 2048, False), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, classes), nn.Softmax(dim=1))

    def forward(self, x):
        x = self.middle(self.entry(self.stem(x)))
        return self.tail(self.exit_body(x) + self.exit_res(x))


NETS = {'resnet50': ResNet50, 'xception': Xception}


class Side:
    def __init__(self, net, size, batch, layout, classes=3):
        torch.manual_seed(1)
        self.model = NETS[net](classes)
        self.model.train()
        fmt = torch.channels_last if layout == 'channels_last' else torch.contiguous_format
        self.model = self.model.to(memory_format=fmt)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-4, eps=1e-7)
        self.x = torch.rand(batch, 3, size, size).contiguous(memory_format=fmt)
        self.y = nn.functional.one_hot(torch.arange(batch) % classes, classes).float()
        self.batch = batch
        self.step()  # warm-up: oneDNN primitive creation, first allocations

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        p = self.model(self.x).clamp(1e-7, 1 - 1e-7)
        loss = -(self.y * p.log()).sum(1).mean()
        loss.backward()
        self.opt.step()
        return float(loss)

    def time(self, steps):
        """(images per wall-clock second, images per CPU second of this process)."""
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            self.step()
        n = self.batch * steps
        return n / (time.perf_counter() - t0), n / max(time.process_time() - c0, 1e-9)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    sides = {}
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'mkldnn': torch.backends.mkldnn.is_available()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line)
        key = (r['net'], r['size'], r['batch'], r.get('layout', 'channels_last'))
        try:
            if r.get('drop'):
                sides.pop(key, None)
                print(json.dumps({'dropped': True}), flush=True)
                continue
            if key not in sides:
                sides[key] = Side(*key)
            wall, cpu = sides[key].time(r['steps'])
            print(json.dumps({'imagesPerSec': round(wall, 3), 'imagesPerCpuSec': round(cpu, 3)}), flush=True)
        except Exception as e:  # noqa: BLE001 — reported to the benchmark, which prints it
            print(json.dumps({'error': f'{type(e).__name__}: {e}'}), flush=True)


if __name__ == '__main__':
    main()
