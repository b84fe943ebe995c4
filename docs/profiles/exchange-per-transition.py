#!/usr/bin/env python3
"""CPU samples per transition by layer, side by side for several data_exchange profiles (issue 12, "data_exchange:
Flowgate's logic cut toward the floor" in docs/benchmarks.md).

usage: exchange-per-transition.py A-cpu.collapsed TRANSITIONS_A [B-cpu.collapsed TRANSITIONS_B ...]

Each sample (async-profiler, event=cpu, interval=1ms) goes to its layer as ping-layers.py --exchange decides; the
counts are divided by the transitions answered while the profile ran (PingProfile prints "profiled: N/s": N times
the profile's seconds), so a column is milliseconds of sampled CPU per transition. Jackson is summed over its callers.

On a loaded machine those milliseconds grow with the load (a colder JIT, per-second work spread over fewer
transitions), so a second table gives each layer in units of the same profile's RSA-OAEP + AES-GCM samples per
transition: the decryption is native code (ACCP) doing the same work per request whatever the JIT, so the ratio
compares profiles taken at different loads better than the milliseconds do (it is still only an estimate).
"""
import collections
import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location("layers", os.path.join(os.path.dirname(os.path.abspath(__file__)), "ping-layers.py"))
files, transitions = sys.argv[1::2], [float(x) for x in sys.argv[2::2]]
sys.argv = [sys.argv[0], "-", "--exchange"]
layers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layers)


def group(name):
    if name.startswith("Jackson"):
        return "Jackson (all callers)"
    return "other JVM / native" if name.startswith("other JVM") else name


columns = []
for path, n in zip(files, transitions):
    counts = collections.Counter()
    for line in open(path):
        stack, _, samples = line.rstrip("\n").rpartition(" ")
        counts[group(layers.layer(stack.split(";")))] += int(samples)
    columns.append({k: v / n for k, v in counts.items()})
names = sorted(set().union(*columns), key=lambda k: -columns[0].get(k, 0))
print(f"{'layer (ms of CPU samples per transition)':<70}" + "".join(f"{os.path.basename(f)[:22]:>24}" for f in files))
for k in names:
    print(f"{k[:70]:<70}" + "".join(f"{c.get(k, 0):24.3f}" for c in columns))
print(f"{'total':<70}" + "".join(f"{sum(c.values()):24.3f}" for c in columns))
print(f"{'total without JIT and GC':<70}"
      + "".join(f"{sum(v for k, v in c.items() if k not in ('JIT compiler', 'GC')):24.3f}" for c in columns))
CRYPTO = "crypto: RSA-OAEP + AES-GCM (FlowCrypto)"
print()
print(f"{'layer (in units of the same profile RSA-OAEP + AES-GCM samples)':<70}" + "".join(f"{os.path.basename(f)[:22]:>24}" for f in files))
for k in names:
    print(f"{k[:70]:<70}" + "".join(f"{c.get(k, 0) / c[CRYPTO]:24.3f}" for c in columns))
