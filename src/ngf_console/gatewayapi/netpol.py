"""NetworkPolicy semantics (``networking.k8s.io/v1``) for one connection, over plain objects.

"May pod A open a connection to pod B on port P?" is two questions, both of which must be
yes (Kubernetes "Network Policies", "The two sorts of pod isolation"):

- **ingress** at B: B is isolated for ingress when a policy in B's namespace selects it
  (``podSelector``) and lists ``Ingress`` in ``policyTypes`` (the default when
  ``policyTypes`` is absent); then some ``ingress`` rule of one of those policies must admit
  A (``from`` peers) on P (``ports``). Policies are additive: any admitting rule allows.
- **egress** at A: the same with ``Egress`` (implied by an ``egress`` section when
  ``policyTypes`` is absent), ``to`` peers and the destination port.

A peer is ``podSelector`` (pods of the policy's own namespace), ``namespaceSelector`` (every
pod of the selected namespaces), both (the selected pods of the selected namespaces), or
``ipBlock`` (CIDR minus ``except``; judged on the pod IP, unknown without one). An absent or
empty ``from``/``to`` admits every peer; absent or empty ``ports`` every port. A port is a
number (optionally up to ``endPort``) or the *name* of a container port of the destination
pod; the protocol defaults to TCP. An empty selector selects everything.

A verdict that depends on something not known here (an ipBlock without the pod's IP, a
namespace selector without the namespace's labels) is ``None`` (not judged), never a guess.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ngf_console.kube.label_selector import LabelSelector, Requirement
from ngf_console.readmodel.objects import Obj, as_dicts, labels_of, name_of, namespace_of, spec_of

__all__ = [
    "NAMESPACE_NAME_LABEL",
    "ContainerPort",
    "Direction",
    "PodRef",
    "PolicyVerdict",
    "connection_verdict",
    "pod_ref",
    "selector_of",
]

Direction = Literal["Ingress", "Egress"]
# Set by the API server on every Namespace (Kubernetes 1.22+).
NAMESPACE_NAME_LABEL: Final = "kubernetes.io/metadata.name"
_OPS: Final = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


@dataclass(frozen=True)
class ContainerPort:
    """A port a container declares."""

    number: int
    name: str = ""
    protocol: str = "TCP"


@dataclass(frozen=True)
class PodRef:
    """A pod as the policies see it; ``assumed`` for one inferred, not found in the cluster."""

    namespace: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    ip: str | None = None
    ports: tuple[ContainerPort, ...] = ()
    assumed: bool = False

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"


def pod_ref(pod: Obj) -> PodRef:
    """A :class:`PodRef` of a Pod object (labels, ``status.podIP``, container ports)."""
    ports = tuple(
        ContainerPort(
            int(p["containerPort"]), str(p.get("name") or ""), str(p.get("protocol") or "TCP")
        )
        for c in as_dicts(spec_of(pod).get("containers"))
        for p in as_dicts(c.get("ports"))
        if isinstance(p.get("containerPort"), int)
    )
    status = pod.get("status")
    ip = status.get("podIP") if isinstance(status, dict) else None
    return PodRef(namespace_of(pod), name_of(pod), labels_of(pod), ip or None, ports)


def selector_of(raw: Any) -> LabelSelector:
    """A ``metav1.LabelSelector`` (matchLabels and matchExpressions) as a LabelSelector."""
    reqs: list[Requirement] = []
    if isinstance(raw, dict):
        labels = raw.get("matchLabels")
        if isinstance(labels, dict):
            reqs += [Requirement(str(k), "=", (str(v),)) for k, v in labels.items()]
        for expr in as_dicts(raw.get("matchExpressions")):
            op = _OPS.get(str(expr.get("operator")))
            if op is not None:
                values = tuple(sorted(str(v) for v in expr.get("values") or []))
                reqs.append(Requirement(str(expr.get("key")), op, values))  # type: ignore[arg-type]
    return LabelSelector(tuple(reqs))


@dataclass(frozen=True)
class PolicyVerdict:
    """One direction's answer: ``allowed`` None when it could not be judged.

    ``isolating`` names the policies that select the pod for this direction (none: the pod
    is not isolated and everything is allowed); ``allowed_by`` the first that admits;
    ``unjudged`` why a rule could not be evaluated.
    """

    direction: Direction
    allowed: bool | None
    isolating: tuple[str, ...] = ()
    allowed_by: str | None = None
    unjudged: tuple[str, ...] = ()


def _types(policy: Obj) -> set[str]:
    spec = spec_of(policy)
    declared = spec.get("policyTypes")
    if isinstance(declared, list) and declared:
        return {str(t) for t in declared}
    return {"Ingress", "Egress"} if "egress" in spec else {"Ingress"}


def _key(policy: Obj) -> str:
    return f"{namespace_of(policy)}/{name_of(policy)}"


def _peer(
    peer: Mapping[str, Any],
    policy_ns: str,
    other: PodRef,
    namespace_labels: Mapping[str, Mapping[str, str]] | None,
) -> tuple[bool | None, str | None]:
    """Whether ``peer`` selects ``other`` (None + why when that cannot be judged)."""
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        if not other.ip:
            return None, f"ipBlock {block.get('cidr')} needs {other.label}'s IP, which is unknown"
        try:
            ip = ipaddress.ip_address(other.ip)
            inside = ip in ipaddress.ip_network(str(block.get("cidr")), strict=False)
            excepted = any(
                ip in ipaddress.ip_network(str(e), strict=False) for e in block.get("except") or []
            )
        except ValueError as err:
            return None, f"ipBlock {block.get('cidr')}: {err}"
        return inside and not excepted, None
    has_ns, has_pod = "namespaceSelector" in peer, "podSelector" in peer
    if has_ns:
        known = namespace_labels.get(other.namespace) if namespace_labels is not None else None
        labels = dict(known or {})
        labels.setdefault(NAMESPACE_NAME_LABEL, other.namespace)
        selector = selector_of(peer.get("namespaceSelector"))
        ns_ok = selector.matches(labels)
        if known is None and not ns_ok:
            return None, (
                f"namespaceSelector {selector or '(all)'} needs namespace {other.namespace}'s "
                "labels, which are not known"
            )
    else:
        ns_ok = other.namespace == policy_ns
    pod_ok = selector_of(peer.get("podSelector")).matches(other.labels) if has_pod else True
    return ns_ok and pod_ok, None


def _port(ports: Sequence[Mapping[str, Any]], number: int, name: str, protocol: str) -> bool:
    if not ports:
        return True
    for entry in ports:
        if str(entry.get("protocol") or "TCP") != protocol:
            continue
        port = entry.get("port")
        if port is None:
            return True
        if isinstance(port, int):
            end = entry.get("endPort")
            if port <= number <= (end if isinstance(end, int) else port):
                return True
        elif name and str(port) == name:
            return True
    return False


def _verdict(
    direction: Direction,
    policies: Sequence[Obj],
    subject: PodRef,
    other: PodRef,
    port: ContainerPort,
    namespace_labels: Mapping[str, Mapping[str, str]] | None,
) -> PolicyVerdict:
    section, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    isolating: list[str] = []
    unjudged: list[str] = []
    for policy in policies:
        if namespace_of(policy) != subject.namespace or direction not in _types(policy):
            continue
        if not selector_of(spec_of(policy).get("podSelector")).matches(subject.labels):
            continue
        isolating.append(_key(policy))
        for rule in as_dicts(spec_of(policy).get(section)):
            if not _port(as_dicts(rule.get("ports")), port.number, port.name, port.protocol):
                continue
            peers = as_dicts(rule.get(peers_key))
            if not peers:
                return PolicyVerdict(direction, True, tuple(isolating), _key(policy))
            for peer in peers:
                ok, why = _peer(peer, namespace_of(policy), other, namespace_labels)
                if ok:
                    return PolicyVerdict(direction, True, tuple(isolating), _key(policy))
                if ok is None and why:
                    unjudged.append(f"{_key(policy)}: {why}")
    if not isolating:
        return PolicyVerdict(direction, True)
    allowed = None if unjudged else False
    return PolicyVerdict(direction, allowed, tuple(isolating), None, tuple(unjudged))


def connection_verdict(
    policies: Sequence[Obj],
    source: PodRef,
    dest: PodRef,
    port: ContainerPort,
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[PolicyVerdict, PolicyVerdict]:
    """(egress at ``source``, ingress at ``dest``) for a connection to ``dest`` on ``port``."""
    egress = _verdict("Egress", policies, source, dest, port, namespace_labels)
    ingress = _verdict("Ingress", policies, dest, source, port, namespace_labels)
    return egress, ingress
