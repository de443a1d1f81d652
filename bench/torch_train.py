#!/usr/bin/env python3
"""PyTorch side of bench/native-vs-torch.ts: training images/s of ResNet-50 or Xception.

Prints one JSON line. The networks match bench/lib/tf-models.ts (torchvision's ResNet-50 v1.5;
Xception written out below) so that both sides do the same arithmetic.
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torchvision


class SepBn(nn.Sequential):
    def __init__(self, cin, cout, pre_relu):
        layers = [nn.ReLU()] if pre_relu else []
        layers += [nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False),
                   nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        super().__init__(*layers)


def conv_bn(cin, cout, k, s, relu):
    layers = [nn.Conv2d(cin, cout, k, stride=s, padding=k // 2, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*(layers + ([nn.ReLU()] if relu else [])))


class EntryBlock(nn.Module):
    def __init__(self, cin, cout, first_relu):
        super().__init__()
        self.res = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=2, bias=False), nn.BatchNorm2d(cout))
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
    def __init__(self, classes):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 32, 3, 2, True), conv_bn(32, 64, 3, 1, True))
        self.entry = nn.Sequential(EntryBlock(64, 128, False), EntryBlock(128, 256, True), EntryBlock(256, 728, True))
        self.middle = nn.Sequential(*[MiddleBlock(728) for _ in range(8)])
        self.exit_res = nn.Sequential(nn.Conv2d(728, 1024, 1, stride=2, bias=False), nn.BatchNorm2d(1024))
        self.exit_body = nn.Sequential(SepBn(728, 728, True), SepBn(728, 1024, True), nn.MaxPool2d(3, 2, 1))
        self.tail = nn.Sequential(SepBn(1024, 1536, False), nn.ReLU(), SepBn(1536, 2048, False), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, classes))

    def forward(self, x):
        x = self.middle(self.entry(self.stem(x)))
        return self.tail(self.exit_body(x) + self.exit_res(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--net', choices=['resnet50', 'xception'], required=True)
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = torchvision.models.resnet50(num_classes=3) if a.net == 'resnet50' else Xception(3)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    # channels_last: the NHWC layout tfjs uses, and oneDNN's fast path in PyTorch as well.
    model = model.to(memory_format=torch.channels_last)
    x = torch.rand(a.batch, 3, a.size, a.size).to(memory_format=torch.channels_last)
    y = torch.arange(a.batch) % 3

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = time.perf_counter() - t0
    print(json.dumps({'side': 'torch', 'net': a.net, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'stepMs': round(dt / a.steps * 1000, 1), 'imagesPerSec': round(a.batch * a.steps / dt, 3)}))


if __name__ == '__main__':
    main()
