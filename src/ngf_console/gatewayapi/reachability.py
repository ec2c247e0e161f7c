"""Route check 8 of :mod:`.route_check`: can the Gateway's data plane reach the backends?

There is no exec probe here; the answer is a static analysis of cluster state, per resolved
backendRef (and, for an InferencePool, its endpoint picker Service):

1. the Service's port and ``targetPort``; a *named* targetPort must be a container port of
   the selected pods (the EndpointSlice controller leaves out pods without it), a numbered
   one should be declared when the pods declare ports at all;
2. ready endpoints on that port in the Service's EndpointSlices
   (``kubernetes.io/service-name`` label, the slice port named like the Service port);
3. NetworkPolicies (:mod:`.netpol`): egress from every data-plane pod of the parent
   Gateways and ingress at every ready backend pod, on the resolved container port.

The data-plane pods of a Gateway are NGF 2.x's per-Gateway pods (label
``gateway.networking.k8s.io/gateway-name`` in the Gateway's namespace), else NGF 1.x's
shared ``nginx-gateway`` pods (those with an ``nginx`` container: NGF 2.x's control plane
carries the same name label); with none running, one is *assumed* with the 2.x labels and a
verdict resting on it is at most a warning. Types missing from the console's cache
(``ReachabilityInputs`` with ``None``) are reported as not judged, never as passing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from ngf_console.gatewayapi.attachment import BackendVerdict, RouteAttachment
from ngf_console.gatewayapi.netpol import (
    ContainerPort,
    PodRef,
    PolicySet,
    connection_verdict,
    pod_ref,
)
from ngf_console.gatewayapi.route_check import CheckResult, CheckStatus, Visible, result, worst
from ngf_console.gatewayapi.simulate import RoutingTable
from ngf_console.readmodel.health import pod_ready
from ngf_console.readmodel.inference_pools import normalize_inference_pool
from ngf_console.readmodel.objects import (
    Obj,
    as_dicts,
    labels_of,
    match_labels,
    name_of,
    namespace_of,
    spec_of,
)

__all__ = ["ReachabilityInputs", "check_reachability", "data_plane_pods"]

GATEWAY_NAME_LABEL: Final = "gateway.networking.k8s.io/gateway-name"
SERVICE_NAME_LABEL: Final = "kubernetes.io/service-name"
# NGF 1.x runs control and data plane in one Deployment, app.kubernetes.io/name one of these.
NGF1_NAMES: Final = ("nginx-gateway-fabric", "nginx-gateway")
EPP_DEFAULT_PORT: Final = 9002


@dataclass(frozen=True)
class ReachabilityInputs:
    """What the cache holds beyond the snapshot; ``None``: not available, ``missing`` why."""

    endpointslices: Sequence[Obj] | None
    networkpolicies: Sequence[Obj] | None
    missing: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _Findings:
    visible: Visible = lambda _ns: True
    policies: PolicySet | None = None
    evidence: list[str] = field(default_factory=list)
    problems: list[tuple[CheckStatus, str, str]] = field(default_factory=list)

    def policy(self, key: str) -> str:
        """``ns/name`` of a NetworkPolicy, unless the caller may not read its namespace."""
        ns = key.split("/", 1)[0]
        return key if self.visible(ns) else "a NetworkPolicy in a namespace you cannot read"

    def pod(self, pod: PodRef, gateway: str) -> str:
        return (
            pod.label if self.visible(pod.namespace) else f"a data-plane pod of Gateway {gateway}"
        )

    def add(self, status: CheckStatus, summary: str, remedy: str) -> None:
        self.evidence.append(f"{status}: {summary}")
        self.problems.append((status, summary, remedy))


def data_plane_pods(table: RoutingTable, namespace: str, name: str) -> tuple[list[PodRef], str]:
    """The data-plane pods serving Gateway ``namespace/name`` and how they were found."""
    pods = table.snapshot.pods
    per_gateway = [
        p
        for p in pods
        if namespace_of(p) == namespace and labels_of(p).get(GATEWAY_NAME_LABEL) == name
    ]
    if per_gateway:
        return [pod_ref(p) for p in per_gateway], f"label {GATEWAY_NAME_LABEL}={name}"
    # NGF 1.x: one Deployment runs the controller and an "nginx" container for every
    # Gateway. NGF 2.x's control-plane pod has the same name label but no data plane.
    shared = [
        p
        for p in pods
        if labels_of(p).get("app.kubernetes.io/name") in NGF1_NAMES
        and any(c.get("name") == "nginx" for c in as_dicts(spec_of(p).get("containers")))
    ]
    if shared:
        return [
            pod_ref(p) for p in shared
        ], "NGF 1.x pods (app.kubernetes.io/name, nginx container)"
    assumed = PodRef(namespace, f"<{name} data plane>", {GATEWAY_NAME_LABEL: name}, assumed=True)
    return [assumed], f"none running; assumed labels {GATEWAY_NAME_LABEL}={name}"


def _resolve_port(pod: PodRef, target: int | str, protocol: str) -> ContainerPort | None:
    """The container port ``target`` (a number or a port name) means on ``pod``."""
    if isinstance(target, int):
        named = next((p for p in pod.ports if p.number == target), None)
        return ContainerPort(target, named.name if named else "", protocol)
    return next((p for p in pod.ports if p.name == target), None)


def _selector_text(selector: Mapping[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in selector.items())


def _policies(
    out: _Findings,
    inputs: ReachabilityInputs,
    table: RoutingTable,
    where: str,
    sources: Sequence[tuple[str, PodRef]],
    dests: Sequence[tuple[PodRef, ContainerPort]],
    selector: Mapping[str, str],
    severity: CheckStatus,
) -> None:
    """Egress at each data-plane pod and ingress at each backend pod (``selector``: how
    the backend selects them, for the remediation), per pair."""
    if inputs.networkpolicies is None:
        why = inputs.missing.get("NetworkPolicy", "not in the console's cache")
        out.add("warn", f"{where}: NetworkPolicies not judged ({why})", _CACHE_REMEDY)
        return
    if out.policies is None:
        out.policies = PolicySet(inputs.networkpolicies)
    labels = table.context.namespace_labels
    denied: list[str] = []
    unknown: list[str] = []
    admitted: set[str] = set()
    remedy = ""
    for gateway, src in sources:
        for dest, port in dests:
            for verdict in connection_verdict(out.policies, src, dest, port, labels):
                way = verdict.direction.lower()
                pair = f"{out.pod(src, gateway)} -> {dest.label}:{port.number} ({way})"
                if verdict.allowed_by:
                    admitted.add(f"{way} admitted by {out.policy(verdict.allowed_by)}")
                if verdict.allowed is False:
                    names = ", ".join(sorted({out.policy(k) for k in verdict.isolating}))
                    denied.append(f"{pair} refused by {names}")
                    remedy = remedy or _policy_remedy(
                        verdict.direction, gateway, src, dest, port, selector
                    )
                elif verdict.allowed is None:
                    reasons = [
                        w if out.visible(w.split("/", 1)[0]) else "a rule you cannot read"
                        for w in verdict.unjudged
                    ]
                    unknown.append(f"{pair}: {'; '.join(reasons)}")
    out.evidence += sorted(admitted)
    if denied:
        assumed = any(s.assumed for _, s in sources)
        status: CheckStatus = (
            "warn" if assumed or len(denied) < len(sources) * len(dests) else severity
        )
        out.add(status, f"{where}: NetworkPolicy blocks {denied[0]}", remedy)
        out.evidence += denied[1:6]
    elif unknown:
        out.add(
            "warn",
            f"{where}: NetworkPolicy not judged: {unknown[0]}",
            "Check the rule named by hand: the console does not know the peer's IP or labels.",
        )
    else:
        out.evidence.append(f"{where}: no NetworkPolicy refuses the data plane")


_CACHE_REMEDY: Final = (
    "Give the console's service account get/list/watch on endpointslices "
    "(discovery.k8s.io) and networkpolicies (networking.k8s.io) (docs/auth.md)."
)


def _policy_remedy(
    direction: str,
    gateway: str,
    src: PodRef,
    dest: PodRef,
    port: ContainerPort,
    selector: Mapping[str, str],
) -> str:
    src_key = GATEWAY_NAME_LABEL if GATEWAY_NAME_LABEL in src.labels else "app.kubernetes.io/name"
    src_sel = f"{src_key}: {src.labels.get(src_key, gateway.split('/')[-1])}"
    ports = f"ports: [{{port: {port.number}, protocol: {port.protocol}}}]"
    if direction == "Ingress":
        return (
            f"Let Gateway {gateway}'s data plane in: add to a NetworkPolicy in namespace "
            f"{dest.namespace} selecting the backend pods ({_selector_text(selector)}) an "
            "ingress rule "
            f"from: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: "
            f"{src.namespace}}}}}, podSelector: {{matchLabels: {{{src_sel}}}}}}}], {ports}."
        )
    dest_sel = _selector_text(selector)
    return (
        f"Let Gateway {gateway}'s data plane out: add to a NetworkPolicy in namespace "
        f"{src.namespace} selecting its pods ({src_sel}) an egress rule "
        f"to: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: "
        f"{dest.namespace}}}}}, podSelector: {{matchLabels: {{{dest_sel}}}}}}}], {ports}."
    )


def _service(
    out: _Findings,
    table: RoutingTable,
    inputs: ReachabilityInputs,
    sources: Sequence[tuple[str, PodRef]],
    namespace: str,
    name: str,
    port: int | None,
    severity: CheckStatus,
) -> None:
    where = f"Service {namespace}/{name}"
    svc = next(
        (s for s in table.snapshot.services if (namespace_of(s), name_of(s)) == (namespace, name)),
        None,
    )
    if svc is None:
        out.evidence.append(f"{where}: not found (see backend-health)")
        return
    spec = spec_of(svc)
    if spec.get("type") == "ExternalName":
        out.evidence.append(f"{where}: ExternalName, not proxied (see backend-health)")
        return
    ports = as_dicts(spec.get("ports"))
    entry = next((p for p in ports if port is None or p.get("port") == port), None)
    if entry is None:
        out.evidence.append(f"{where}: no port {port} (see backend-health)")
        return
    raw_target = entry.get("targetPort", entry.get("port"))
    target: int | str = raw_target if isinstance(raw_target, int) else str(raw_target)
    if isinstance(target, str) and target.isdigit():
        target = int(target)
    protocol = str(entry.get("protocol") or "TCP")
    port_name = str(entry.get("name") or "")
    selector = spec.get("selector")
    selected = (
        [
            pod_ref(p)
            for p in table.snapshot.pods
            if namespace_of(p) == namespace
            and match_labels(selector, labels_of(p))
            and pod_ready(p)
        ]
        if isinstance(selector, dict) and selector
        else []
    )
    resolved = {p.name: (p, _resolve_port(p, target, protocol)) for p in selected}
    label = f"{where} port {entry.get('port')} -> targetPort {target}"
    missing = [n for n, (_, c) in resolved.items() if c is None]
    if missing:
        status: CheckStatus = severity if len(missing) == len(resolved) else "warn"
        out.add(
            status,
            f"{label}: no container port named {target!r} on pod(s) {', '.join(missing[:5])}",
            f"Name a container port {target!r} in the pods behind {where}, or set the "
            "Service's targetPort to the container's port number.",
        )
    elif isinstance(target, int) and any(p.ports for p in selected):
        undeclared = [
            p.name for p in selected if p.ports and target not in {c.number for c in p.ports}
        ]
        if undeclared:
            declared = sorted({c.number for p in selected for c in p.ports})
            out.add(
                "warn",
                f"{label}: pod(s) {', '.join(undeclared[:5])} declare ports {declared}, "
                f"not {target}",
                f"Set {where}'s targetPort to the port the container listens on ({declared}), "
                "or declare it.",
            )
    dests = [(p, c) for p, c in resolved.values() if c is not None]
    if inputs.endpointslices is None:
        why = inputs.missing.get("EndpointSlice", "not in the console's cache")
        out.add("warn", f"{where}: endpoints not judged (EndpointSlices: {why})", _CACHE_REMEDY)
    else:
        dests = _endpoints(
            out,
            inputs.endpointslices,
            where,
            label,
            namespace,
            name,
            port_name,
            dests,
            bool(selector),
            severity,
        )
    if dests:
        chosen = selector if isinstance(selector, dict) else {}
        _policies(out, inputs, table, where, sources, dests, chosen, severity)


def _endpoints(
    out: _Findings,
    slices: Sequence[Obj],
    where: str,
    label: str,
    namespace: str,
    name: str,
    port_name: str,
    dests: list[tuple[PodRef, ContainerPort]],
    has_selector: bool,
    severity: CheckStatus,
) -> list[tuple[PodRef, ContainerPort]]:
    """Ready endpoints on the Service port; the backend pods they name (with the slice port)."""
    mine = [
        s
        for s in slices
        if namespace_of(s) == namespace and labels_of(s).get(SERVICE_NAME_LABEL) == name
    ]
    listing = f"`kubectl get endpointslices -n {namespace} -l {SERVICE_NAME_LABEL}={name}`"
    if not mine:
        if has_selector and dests:
            out.add(
                "warn",
                f"{where}: no EndpointSlice yet for {len(dests)} ready pod(s)",
                f"Check that kube-controller-manager's EndpointSlice controller runs ({listing}).",
            )
            return dests
        out.add(
            severity,
            f"{where}: no EndpointSlice, so no endpoints to send traffic to",
            f"Give {where} ready pods matching its selector (or, without a selector, create "
            f"EndpointSlices labelled {SERVICE_NAME_LABEL}={name}).",
        )
        return []
    ready: dict[str, int] = {}
    total = 0
    numbers: set[int] = set()
    for s in mine:
        ports = [p for p in as_dicts(s.get("ports")) if str(p.get("name") or "") == port_name]
        if not ports:
            continue
        number = ports[0].get("port")
        for ep in as_dicts(s.get("endpoints")):
            total += 1
            conditions = ep.get("conditions")
            if isinstance(conditions, dict) and conditions.get("ready") is False:
                continue
            ref = ep.get("targetRef")
            pod = (
                str(ref.get("name"))
                if isinstance(ref, dict)
                else ",".join(ep.get("addresses") or [])
            )
            if isinstance(number, int):
                ready[pod] = number
                numbers.add(number)
    if not ready:
        out.add(
            severity,
            f"{label}: {total} endpoint(s) in {len(mine)} EndpointSlice(s), none ready",
            f"Make the pods behind {where} ready (readiness probe, crash loops); {listing}.",
        )
        return []
    out.evidence.append(
        f"{label}: {len(ready)} ready endpoint(s) on port {sorted(numbers)} "
        f"({len(mine)} EndpointSlice(s))"
    )
    by_name = {p.name: (p, c) for p, c in dests}
    kept = [
        (by_name[n][0], ContainerPort(num, by_name[n][1].name, by_name[n][1].protocol))
        for n, num in ready.items()
        if n in by_name
    ]
    if not kept and ready:
        # Endpoints without pods we know (manual slices): judge them as unlabelled peers.
        kept = [(PodRef(namespace, n), ContainerPort(num)) for n, num in ready.items()]
    return kept


def _pool(
    out: _Findings,
    table: RoutingTable,
    inputs: ReachabilityInputs,
    sources: Sequence[tuple[str, PodRef]],
    verdict: BackendVerdict,
    severity: CheckStatus,
) -> None:
    where = f"InferencePool {verdict.namespace}/{verdict.name}"
    obj = next(
        (
            p
            for p in table.snapshot.inferencepools
            if (namespace_of(p), name_of(p)) == (verdict.namespace, verdict.name)
        ),
        None,
    )
    if obj is None:
        out.evidence.append(f"{where}: not found (see backend-health)")
        return
    pool = normalize_inference_pool(obj)
    pods = [
        pod_ref(p)
        for p in table.snapshot.pods
        if namespace_of(p) == verdict.namespace
        and match_labels(pool.selector, labels_of(p))
        and pod_ready(p)
    ]
    if not pool.target_ports:
        out.add("warn", f"{where}: no targetPorts", "Set the pool's targetPorts.")
    elif not pods:
        out.evidence.append(f"{where}: no ready model-server pods (see backend-health)")
    else:
        number = pool.target_ports[0]
        dests = [(p, _resolve_port(p, number, "TCP") or ContainerPort(number)) for p in pods]
        out.evidence.append(f"{where}: {len(pods)} ready model-server pod(s) on port {number}")
        _policies(out, inputs, table, where, sources, dests, pool.selector, severity)
    picker = pool.endpoint_picker
    if picker is not None and picker.kind == "Service":
        port = picker.port or EPP_DEFAULT_PORT
        _service(out, table, inputs, sources, verdict.namespace, picker.name, port, severity)


def check_reachability(
    table: RoutingTable,
    attachment: RouteAttachment,
    inputs: ReachabilityInputs,
    visible: Visible | None = None,
) -> CheckResult:
    """Check 8: static reachability of each resolved backend from the data plane.

    NetworkPolicies and data-plane pods of namespaces where ``visible`` is false are not
    named (the verdict still counts them).
    """
    parents = [p for p in attachment.parents if p.gateway_found]
    if not parents:
        return result(8, "skip", "no parent Gateway exists (see gateway-attachment)")
    out = _Findings(visible or (lambda _ns: True))
    sources: list[tuple[str, PodRef]] = []
    seen_gw: set[tuple[str, str]] = set()
    for parent in parents:
        key = (parent.gateway_namespace, parent.gateway_name)
        if key in seen_gw:
            continue
        seen_gw.add(key)
        pods, how = data_plane_pods(table, *key)
        running = sum(1 for p in pods if not p.assumed)
        out.evidence.append(f"Gateway {'/'.join(key)} data plane: {running} pod(s), {how}")
        sources += [("/".join(key), p) for p in pods]
    done: set[tuple[str, str, str, int | None]] = set()
    backends = [b for b in attachment.backends if b.resolved]
    for b in backends:
        key2 = (b.kind, b.namespace, b.name, b.port)
        if key2 in done:
            continue
        done.add(key2)
        # A backend that gets no traffic (weight 0, a mirror) cannot break the route.
        severity: CheckStatus = "warn" if b.mirror or b.weight == 0 else "fail"
        if b.kind == "Service":
            _service(out, table, inputs, sources, b.namespace, b.name, b.port, severity)
        elif b.kind == "InferencePool":
            _pool(out, table, inputs, sources, b, severity)
    if not backends:
        return result(8, "skip", "no resolved backends to reach (see backend-health)", out.evidence)
    if not out.problems:
        return result(
            8, "pass", f"{len(done)} backend(s) reachable from the data plane", out.evidence
        )
    status = worst([p[0] for p in out.problems])
    first = next(p for p in out.problems if p[0] == status)
    return result(8, status, first[1], out.evidence, first[2])
