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
    "PolicySet",
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


@dataclass(frozen=True)
class _Peer:
    ip_block: Mapping[str, Any] | None
    namespaces: LabelSelector | None  # None: the policy's own namespace
    pods: LabelSelector | None  # None: every pod


@dataclass(frozen=True)
class _Rule:
    ports: tuple[Mapping[str, Any], ...]
    peers: tuple[_Peer, ...]  # empty: every peer


@dataclass(frozen=True)
class _Policy:
    key: str
    namespace: str
    types: frozenset[str]
    selector: LabelSelector
    ingress: tuple[_Rule, ...]
    egress: tuple[_Rule, ...]


def _compile(policy: Obj) -> _Policy:
    spec = spec_of(policy)

    def rules(section: str, peers_key: str) -> tuple[_Rule, ...]:
        return tuple(
            _Rule(
                tuple(as_dicts(rule.get("ports"))),
                tuple(
                    _Peer(
                        peer["ipBlock"] if isinstance(peer.get("ipBlock"), dict) else None,
                        selector_of(peer.get("namespaceSelector"))
                        if "namespaceSelector" in peer
                        else None,
                        selector_of(peer.get("podSelector")) if "podSelector" in peer else None,
                    )
                    for peer in as_dicts(rule.get(peers_key))
                ),
            )
            for rule in as_dicts(spec.get(section))
        )

    return _Policy(
        _key(policy),
        namespace_of(policy),
        frozenset(_types(policy)),
        selector_of(spec.get("podSelector")),
        rules("ingress", "from"),
        rules("egress", "to"),
    )


class PolicySet:
    """NetworkPolicies parsed once and grouped by namespace (a check asks many pairs)."""

    def __init__(self, policies: Sequence[Obj]) -> None:
        self.by_namespace: dict[str, list[_Policy]] = {}
        self._selecting: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[_Policy]] = {}
        for policy in policies:
            compiled = _compile(policy)
            self.by_namespace.setdefault(compiled.namespace, []).append(compiled)

    def selecting(self, direction: Direction, pod: PodRef) -> list[_Policy]:
        """The policies isolating ``pod`` for ``direction`` (remembered per label set)."""
        key = (direction, pod.namespace, tuple(sorted(pod.labels.items())))
        found = self._selecting.get(key)
        if found is None:
            found = [
                p
                for p in self.by_namespace.get(pod.namespace, ())
                if direction in p.types and p.selector.matches(pod.labels)
            ]
            self._selecting[key] = found
        return found


def _types(policy: Obj) -> set[str]:
    spec = spec_of(policy)
    declared = spec.get("policyTypes")
    if isinstance(declared, list) and declared:
        return {str(t) for t in declared}
    return {"Ingress", "Egress"} if "egress" in spec else {"Ingress"}


def _key(policy: Obj) -> str:
    return f"{namespace_of(policy)}/{name_of(policy)}"


def _peer(
    peer: _Peer,
    policy_ns: str,
    other: PodRef,
    namespace_labels: Mapping[str, Mapping[str, str]] | None,
) -> tuple[bool | None, str | None]:
    """Whether ``peer`` selects ``other`` (None + why when that cannot be judged)."""
    block = peer.ip_block
    if block is not None:
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
    if peer.namespaces is not None:
        known = namespace_labels.get(other.namespace) if namespace_labels is not None else None
        labels = dict(known or {})
        labels.setdefault(NAMESPACE_NAME_LABEL, other.namespace)
        selector = peer.namespaces
        ns_ok = selector.matches(labels)
        if known is None and not ns_ok:
            return None, (
                f"namespaceSelector {selector or '(all)'} needs namespace {other.namespace}'s "
                "labels, which are not known"
            )
    else:
        ns_ok = other.namespace == policy_ns
    pod_ok = peer.pods.matches(other.labels) if peer.pods is not None else True
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
    policies: PolicySet,
    subject: PodRef,
    other: PodRef,
    port: ContainerPort,
    namespace_labels: Mapping[str, Mapping[str, str]] | None,
) -> PolicyVerdict:
    isolating: list[str] = []
    unjudged: list[str] = []
    for policy in policies.selecting(direction, subject):
        isolating.append(policy.key)
        for rule in policy.ingress if direction == "Ingress" else policy.egress:
            if not _port(rule.ports, port.number, port.name, port.protocol):
                continue
            if not rule.peers:
                return PolicyVerdict(direction, True, tuple(isolating), policy.key)
            for peer in rule.peers:
                ok, why = _peer(peer, policy.namespace, other, namespace_labels)
                if ok:
                    return PolicyVerdict(direction, True, tuple(isolating), policy.key)
                if ok is None and why:
                    unjudged.append(f"{policy.key}: {why}")
    if not isolating:
        return PolicyVerdict(direction, True)
    allowed = None if unjudged else False
    return PolicyVerdict(direction, allowed, tuple(isolating), None, tuple(unjudged))


def connection_verdict(
    policies: PolicySet | Sequence[Obj],
    source: PodRef,
    dest: PodRef,
    port: ContainerPort,
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[PolicyVerdict, PolicyVerdict]:
    """(egress at ``source``, ingress at ``dest``) for a connection to ``dest`` on ``port``.

    Pass a :class:`PolicySet` when asking about many pairs: it parses the policies once.
    """
    if not isinstance(policies, PolicySet):
        policies = PolicySet(policies)
    egress = _verdict("Egress", policies, source, dest, port, namespace_labels)
    ingress = _verdict("Ingress", policies, dest, source, port, namespace_labels)
    return egress, ingress
