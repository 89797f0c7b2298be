#!/usr/bin/python3
"""Writes the benchmark tree: FILES files of random bytes totalling BYTES,
in directories of 100, sizes spread from 1 KiB to about 4x the mean, plus
one file per fingerprint rule name so the version scanners run too.

usage: make_tree.py DIR FILES BYTES
"""
import os
import random
import sys

root, count, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20240101)  # the same tree every run
mean = total // count
sizes = [rng.randint(1024, 2 * mean - 1024) for _ in range(count)]
scale = total / sum(sizes)
sizes = [max(1, int(s * scale)) for s in sizes]
sizes[-1] += total - sum(sizes)
names = ["busybox", "libcrypto.so.3", "libssl.so.3", "libz.so.1", "dropbear", "ssh", "libcurl.so.4", "curl",
         "lighttpd", "u-boot.bin", "mkimage", "vmlinuz"]
chunk = os.urandom(1 << 20)
for i, size in enumerate(sizes):
    d = os.path.join(root, f"d{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    name = names[i] if i < len(names) else f"f{i:05d}.bin"
    with open(os.path.join(d, name), "wb") as f:
        left = size
        while left > 0:
            start = rng.randrange(0, len(chunk) - min(left, len(chunk)) + 1)
            piece = chunk[start:start + min(left, len(chunk))]
            f.write(piece)
            left -= len(piece)
