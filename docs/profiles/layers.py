"""Inclusive shares of io/flowgate frames and of the layers around them (docs/profiles/README.md).

usage: layers.py cpu.collapsed cpu|alloc
"""
import sys, re
from collections import Counter
path, alloc = sys.argv[1], sys.argv[2] == "alloc"
tot = 0; sec = 0; obs = 0; incl = Counter(); mvc_outside = 0
for line in open(path):
    stack, _, n = line.rstrip("\n").rpartition(" "); n = int(n); tot += n
    fr = stack.split(";")
    if alloc: fr = fr[:-1]
    j = ";".join(fr)
    if "org/springframework/security" in j and "DispatcherServlet" not in j:
        sec += n
        if "io/micrometer" in j: obs += n
    if "Http11Processor.service" in j and "io/flowgate" not in j: mvc_outside += n
    seen = set()
    for f in fr:
        if f.startswith("io/flowgate") and f not in seen:
            seen.add(f); incl[f] += n
print(f"Spring Security work outside the dispatch (its filters, their observations): {100*sec/tot:.1f} % (of it Micrometer: {100*obs/tot:.1f} %)")
print(f"HTTP request work outside any Flowgate frame (Tomcat, filters, security, MVC, observations): {100*mvc_outside/tot:.1f} %")
for f, n in incl.most_common(40): print(f"  {100*n/tot:5.1f} %  {f}")
