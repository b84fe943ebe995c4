#!/usr/bin/env python3
"""A ping's CPU split by layer (docs/profiles/README.md, "ping").

usage: ping-layers.py ping-cpu.collapsed [--exchange]

--exchange (a data_exchange profile, e.g. of the bare transition, BareTransition): three more layers, pgjdbc,
HikariCP and Jackson, each taking its own frames out of whichever layer called it; the bare outbox relay
thread and the bare NOTIFY thread are counted as background work like routing-api's relay. In routing-api's
profile it also splits the transition's logic (issue 12, "data_exchange: Flowgate's logic cut toward the floor"):
Spring's transaction and JDBC layers (TransactionTemplate, JdbcClient and its named parameters, the proxies and
DataSourceUtils), CEL, the rules (RuleEngine, RuleCompiler), the routing tables with their Caffeine caches,
experiments, Micrometer, logging (SLF4J/Logback), the NOTIFY wake-up (RelayWakeup), the session repository, the
outbox append, FlowSteps with its checks, and Jackson charged to the Flowgate class that called it (the nearest
io/flowgate frame outside Jackson).

Each sample goes to the innermost layer on its stack (scanning from the leaf towards the root, the first
frame that marks a layer): time spent in the RSA decryption called from the controller is the crypto's,
a Micrometer frame inside the http.server.requests filter is that filter's, what a filter does itself
before calling the next one is the filter's. Kernel frames count for the Java layer that entered the
kernel. The endpoint_request event is charged with everything under it on the request thread (its Kafka
send, its JSON). JIT and GC threads are counted apart (by their thread's root frames). For each layer: the
share of samples with a kernel leaf, with the scheduler (futex, schedule) and with Micrometer on the stack.
"""
import re
import sys
from collections import Counter

# (layer, pattern of a frame marking it); the first match from the leaf wins
LAYERS = [
    ("JIT compiler", r"CompileBroker|C2Compiler|Compile::|C1_|Compilation::|PhaseIdealLoop|PhaseChaitin|CompilerThread"),
    ("GC", r"G1|GCTaskThread|ConcurrentGC|GangWorker|WorkerThread::run"),
    ("crypto: RSA-OAEP + AES-GCM (FlowCrypto)", r"io/flowgate/routing/flowendpoint/crypto/FlowCrypto"),
    ("signature: HMAC-SHA256 (MetaSignature)", r"io/flowgate/meta/MetaSignature"),
    ("controller + FlowEndpoint (body read, JSON parse, reply, timer)", r"io/flowgate/routing/flowendpoint/|BareFlowEndpoint"),
    ("Spring MVC: DispatcherServlet, handler mapping, adapter", r"org/springframework/web/servlet/|org/springframework/web/method/|org/springframework/web/context/request"),
    ("http.server.requests observation (ServerHttpObservationFilter)", r"org/springframework/web/filter/ServerHttpObservationFilter"),
    ("Spring Security (FilterChainProxy and its filters)", r"org/springframework/security/"),
    ("other servlet filters (Spring's, Flowgate's)", r"org/springframework/web/filter/|org/springframework/boot/web/servlet|io/flowgate/routing/system/AdminBodyLimit"),
    ("Tomcat: connector, HTTP parse/write, pipeline", r"org/apache/coyote|org/apache/catalina|org/apache/tomcat"),
    ("Kafka producer (its I/O thread)", r"org/apache/kafka"),
]
EXCHANGE_LAYERS = [
    ("JDBC driver (pgjdbc), incl. its socket I/O", r"org/postgresql/"),
    ("HikariCP (pool, proxies)", r"com/zaxxer/hikari/"),
    ("Jackson (parse, trees, serialise)", r"com/fasterxml/jackson/"),
]
# routing-api's transition logic, placed before the controller's layer (whose pattern would take FlowSteps)
LOGIC_LAYERS = [
    ("Micrometer (meters, timers, observations)", r"io/micrometer/"),
    ("logging (SLF4J, Logback)", r"ch/qos/logback/|org/slf4j/"),
    ("CEL evaluation", r"dev/cel/|com/google/protobuf/|com/google/common/"),
    ("Caffeine caches", r"com/github/benmanes/caffeine/"),
    ("Spring tx / JdbcClient / named parameters / AOP", r"org/springframework/jdbc/|org/springframework/transaction/"
     r"|org/springframework/dao/|org/springframework/aop/|org/springframework/cglib/|org/springframework/util/"
     r"|org/springframework/core/"),
    ("RelayWakeup (NOTIFY after commit, request thread part)", r"io/flowgate/routing/outbox/RelayWakeup"),
    ("rules: RuleEngine, RuleCompiler, CelValues", r"io/flowgate/routing/rules/(RuleEngine|RuleCompiler|CelValues|CelExpressions)"),
    ("routing tables (RoutingTables)", r"io/flowgate/routing/rules/RoutingTables"),
    ("experiments", r"io/flowgate/routing/experiments/"),
    ("outbox append (JdbcOutbox)", r"io/flowgate/routing/outbox/JdbcOutbox"),
    ("sessions: FlowSessionRepository, FlowSession, FlowTokens", r"io/flowgate/routing/sessions/"),
    ("Flowgate checks (ControlCharacters, Flow definition)", r"io/flowgate/routing/system/ControlCharacters|io/flowgate/routing/flows/"),
    ("transition events (TransitionEvents, EventJson of flow_transition)", r"io/flowgate/routing/flowendpoint/TransitionEvents|io/flowgate/events/EventJson"),
    ("FlowSteps (step logic, fingerprint, history, screen data)", r"io/flowgate/routing/flowendpoint/(FlowSteps|StepOutcome|FlowRequest)"),
]
JACKSON = "Jackson (parse, trees, serialise)"
FLOWGATE = re.compile(r"io/flowgate/[^;]*")
if "--exchange" in sys.argv:
    LAYERS[2:2] = EXCHANGE_LAYERS
    ctl = next(i for i, (n, _) in enumerate(LAYERS) if n.startswith("controller"))
    LAYERS[ctl:ctl] = LOGIC_LAYERS
COMPILED = [(n, re.compile(p)) for n, p in LAYERS]
KERNEL = re.compile(r"_\[k\]$")
SCHED = re.compile(r"schedule|futex|finish_task_switch|__switch_to")


# the endpoint_request event on the request thread: whatever it calls (Kafka's send, Jackson) is its
EVENT_LAYER = "endpoint_request event: build, serialise, hand to the producer"
EVENT = re.compile(r"io/flowgate/routing/flowendpoint/EndpointEvents|io/flowgate/routing/kafka/KafkaEventPublisher")
BARE = re.compile(r"BareFlowEndpoint")
BARE_EVENT = re.compile(r"org/apache/kafka/clients/producer/KafkaProducer\.send|io/flowgate/events/")
MICROMETER = re.compile(r"io/micrometer")
# Flowgate's background workers (the Kafka consumers, the outbox relay): not per ping, spread over the pings
WORKER_LAYER = "background workers (Kafka consumers, relay: not per request)"
WORKER = re.compile(r"io/flowgate/routing/system/worker/Worker\.|io/flowgate/routing/outbox/(OutboxRelay|OutboxTable|RelayProducer|TransitionHeartbeats)"
                    r"|io/flowgate/routing/outbox/RelayWakeup\.sendNotify|AbstractCoordinator\$HeartbeatThread"
                    r"|BareTransition\.relay|BareTransition\.publishBatch|BareTransition\.lambda\$wake")


def layer(frames):
    head = frames[:8]
    if any(COMPILED[0][1].search(f) or COMPILED[1][1].search(f) for f in head):
        return "JIT compiler" if any(COMPILED[0][1].search(f) for f in head) else "GC"
    if any(WORKER.search(f) for f in frames):
        return WORKER_LAYER
    if any(EVENT.search(f) for f in frames) or (any(BARE.search(f) for f in frames) and any(BARE_EVENT.search(f) for f in frames)
                                                 and not any("BareTransition" in f for f in frames)):
        return EVENT_LAYER
    for i in range(len(frames) - 1, -1, -1):
        for name, rx in COMPILED:
            if rx.search(frames[i]):
                if name == JACKSON and "--exchange" in sys.argv:
                    # charged to the Flowgate class that called Jackson
                    for outer in range(i - 1, -1, -1):
                        m = FLOWGATE.search(frames[outer])
                        if m:
                            return JACKSON + " from " + m.group(0).split("/")[-1].split(".")[0]
                return name
    return "other JVM / native (" + (frames[0][:40] if frames else "") + ")"


def main(path):
    total = 0
    by = Counter()
    kernel = Counter()
    sched = Counter()
    micrometer = Counter()
    for line in open(path):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        n = int(n)
        frames = stack.split(";")
        total += n
        name = layer(frames)
        if name.startswith("other JVM"):
            name = "other JVM / native"
        by[name] += n
        if frames and KERNEL.search(frames[-1]):
            kernel[name] += n
        if any(SCHED.search(f) for f in frames):
            sched[name] += n
        if any(MICROMETER.search(f) for f in frames):
            micrometer[name] += n
    request = total - by["JIT compiler"] - by["GC"]
    print(f"{total} samples; JIT {100 * by['JIT compiler'] / total:.1f} %, GC {100 * by['GC'] / total:.1f} %; "
          f"shares below are of the other {request} samples")
    print(f"{'layer':<70} {'share':>7} {'kernel leaf':>12} {'scheduler':>10} {'Micrometer':>11}")
    for name, n in by.most_common():
        if name in ("JIT compiler", "GC"):
            continue
        print(f"{name:<70} {100 * n / request:6.1f} % {100 * kernel[name] / request:10.1f} % {100 * sched[name] / request:8.1f} % {100 * micrometer[name] / request:9.1f} %")
    k = sum(v for name, v in kernel.items() if name not in ("JIT compiler", "GC"))
    s = sum(v for name, v in sched.items() if name not in ("JIT compiler", "GC"))
    m = sum(v for name, v in micrometer.items() if name not in ("JIT compiler", "GC"))
    print(f"{'all (kernel leaf; scheduler: futex/schedule on the stack; Micrometer on the stack)':<70} {'':>7} "
          f"{100 * k / request:10.1f} % {100 * s / request:8.1f} % {100 * m / request:9.1f} %")


if __name__ == "__main__":
    main(sys.argv[1])
