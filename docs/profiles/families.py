#!/usr/bin/env python3
"""Shares of an async-profiler collapsed-stack file by frame family (docs/profiles/README.md).

usage: families.py cpu.collapsed [cpu|alloc] ["family name" ...]   (the names: callers of those families)

Self: each sample goes to the family of the frame nearest the leaf that matches one (so JSON work done
inside the outbox insert counts as JSON, not as the outbox). Inclusive: the share of samples whose stack
passes through the family's frames anywhere (these overlap). With 'alloc', also the allocated types.
"""
import re
import sys
from collections import Counter

# order matters only for a frame matching several patterns
FAMILIES = [
    ("RSA decrypt", r"RsaCipher|RSACipher|RSACore|OAEP|BigInteger|montgomery"),
    ("AES-GCM", r"AesGcm|GaloisCounterMode|GHASH|aes_gcm|AESCrypt|gcm_|aesni"),
    ("HMAC signature check", r"HmacCore|Mac\.doFinal|HmacSHA|hmac"),
    ("SHA-256 (token hash etc.)", r"SHA2\.|sun/security/provider/DigestBase|MessageDigest|sha256"),
    ("Base64", r"java/util/Base64"),
    ("CEL evaluation", r"dev/cel|org/projectnessie/cel|com/google/api/expr|/cel/"),
    ("Jackson JSON (parse/serialize/tree)", r"com/fasterxml/jackson"),
    ("JSON schema validation", r"networknt|jsonschema|everit"),
    ("JDBC driver (pgjdbc)", r"org/postgresql"),
    ("Hikari pool", r"com/zaxxer/hikari"),
    ("Spring transactions/AOP", r"org/springframework/transaction|org/springframework/aop|org/springframework/jdbc"),
    ("Spring Security filter chain", r"org/springframework/security"),
    ("Micrometer", r"io/micrometer"),
    ("Logging", r"ch/qos/logback|org/slf4j|org/apache/logging"),
    ("Kafka client (relay, events)", r"org/apache/kafka"),
    ("Spring MVC / web filters", r"org/springframework/web|org/springframework/http|org/springframework/boot/web|org/springframework/boot/actuate"),
    ("Tomcat / HTTP", r"org/apache/catalina|org/apache/coyote|org/apache/tomcat"),
    ("Flowgate code (self)", r"io/flowgate"),
    ("JDK networking / NIO", r"sun/nio|java/nio|sun/net|java/net"),
    ("GC", r"G1|GCTaskThread|ParallelGC|ConcurrentGC|GangWorker|WorkerThread::run|OopClosure|CardTable"),
    ("JIT compiler", r"CompileBroker|C2Compiler|Compile::|C1_|Compilation::|PhaseIdealLoop|PhaseChaitin"),
    ("kernel / syscalls", r"_\[k\]$|^entry_SYSCALL|__x64_sys|do_syscall"),
]
COMPILED = [(n, re.compile(p)) for n, p in FAMILIES]
# inclusive markers: whole request stages
STAGES = [
    ("Tomcat request (all HTTP work)", r"org/apache/coyote/http11/Http11Processor\.service"),
    ("Spring Security FilterChainProxy", r"org/springframework/security/web/FilterChainProxy"),
    ("DispatcherServlet", r"org/springframework/web/servlet/DispatcherServlet\.doDispatch"),
    ("Flowgate code anywhere", r"io/flowgate"),
    ("outbox relay", r"io/flowgate/routing/outbox"),
    ("io/flowgate .. rules / routing", r"io/flowgate/routing/routing"),
    ("JDBC anywhere", r"org/postgresql"),
    ("Jackson anywhere", r"com/fasterxml/jackson"),
    ("Micrometer anywhere", r"io/micrometer"),
    ("Logging anywhere", r"ch/qos/logback|org/slf4j"),
    ("RSA anywhere", r"RsaCipher|RSACipher|OAEP|rsa"),
]


# generic layers: their time is charged to the nearest specific family above them (the socket read of a
# JDBC query is JDBC's, the kernel's scheduling of a Tomcat thread is Tomcat's), or to them if none
TRANSPARENT = {"kernel / syscalls", "JDK networking / NIO"}


def family(frames):
    fallback = None
    for frame in reversed(frames):
        for name, rx in COMPILED:
            if rx.search(frame):
                if name not in TRANSPARENT:
                    return name
                fallback = fallback or name
                break
    if fallback:
        return fallback
    return "other (" + frames[-1][:60] + ")" if frames else "other"


def callers(path, family_name, alloc):
    """For one family: the nearest frame above it that belongs to another family (who calls it)."""
    who = Counter()
    total = 0
    for line in open(path):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        frames = stack.split(";")
        if alloc:
            frames = frames[:-1]
        if family(frames) != family_name:
            continue
        total += int(n)
        rx = dict(COMPILED)[family_name]
        i = len(frames) - 1
        while i >= 0 and not rx.search(frames[i]):
            i -= 1
        while i >= 0 and rx.search(frames[i]):
            i -= 1
        who[frames[i] if i >= 0 else "(root)"] += int(n)
    print(f"\ncallers of {family_name} ({total}):")
    for name, n in who.most_common(8):
        print(f"  {100.0 * n / max(total, 1):5.1f} %  {name}")


def main():
    path = sys.argv[1]
    alloc = len(sys.argv) > 2 and sys.argv[2] == "alloc"
    self_ = Counter()
    incl = Counter()
    types = Counter()
    frames_self = Counter()
    total = 0
    for line in open(path):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        n = int(n)
        frames = stack.split(";")
        total += n
        if alloc:
            types[frames[-1]] += n
            frames = frames[:-1]
        self_[family(frames)] += n
        frames_self[frames[-1] if frames else "?"] += n
        joined = ";".join(frames)
        for name, p in STAGES:
            if re.search(p, joined):
                incl[name] += n
    unit = "bytes" if alloc else "samples"
    print(f"total {total} {unit}\n\nself share by family:")
    jvm = self_["JIT compiler"] + self_["GC"]
    print(f"  (share of all samples; second column: share of samples outside JIT and GC threads, {total - jvm})")
    for name, n in self_.most_common(25):
        rest = "" if name in ("JIT compiler", "GC") else f"{100.0 * n / (total - jvm):5.1f} %"
        print(f"  {100.0 * n / total:5.1f} %  {rest:>7}  {name}")
    print("\ninclusive share (overlapping):")
    for name, _ in STAGES:
        print(f"  {100.0 * incl[name] / total:5.1f} %  {name}")
    if alloc:
        print("\nallocated types:")
        for name, n in types.most_common(15):
            print(f"  {100.0 * n / total:5.1f} %  {name}")
    print("\ntop leaf frames:")
    for name, n in frames_self.most_common(20):
        print(f"  {100.0 * n / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
    for fam in sys.argv[3:]:
        callers(sys.argv[1], fam, len(sys.argv) > 2 and sys.argv[2] == "alloc")
