"""Policy attachment (GEP-713) for NGF's policies and BackendTLSPolicy.

- Targets: ``spec.targetRef`` or ``spec.targetRefs`` (``LocalPolicyTargetReference``: the
  policy's own namespace), with an optional ``sectionName`` (a Gateway listener, a Service
  port name).
- Direct policies apply to their target only; Inherited ones also apply to what hangs
  below it (Gateway -> listener -> route). For each effective setting the most specific
  attachment wins (route over listener over Gateway: NGINX directives at ``location`` level
  override ``server`` and ``http``); the others are *overridden*.
- Conflicts: policies of one kind on one target (same sectionName) that set the same
  field, or any two of a non-mergeable kind. NGF, like GEP-713, keeps the oldest by
  ``creationTimestamp`` and then ``{namespace}/{name}`` alphabetically; the rest are
  rejected (``Accepted=False``, reason ``Conflicted``) and apply nowhere.

Which kind attaches how and to what is NGF's own table (docs "Custom policies"), below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    NGF_GROUP,
    Obj,
    api_group,
    as_dicts,
    meta,
    name_of,
    namespace_of,
    spec_of,
)
from ngf_console.readmodel.snapshot import ClusterSnapshot

__all__ = [
    "CONFLICT_RULE",
    "POLICY_KINDS",
    "EffectivePolicies",
    "PolicyAttachment",
    "PolicyConflict",
    "PolicyKind",
    "PolicyRef",
    "PolicySetting",
    "TargetRef",
    "effective_policies",
    "find_conflicts",
    "policy_targets",
]

CONFLICT_RULE: Final = (
    "oldest creationTimestamp wins, then {namespace}/{name} alphabetically; "
    "the others are rejected as Conflicted"
)


@dataclass(frozen=True)
class PolicyKind:
    """How a policy kind attaches: Direct/Inherited, its target kinds, and mergeability."""

    kind: str
    group: str
    attachment: Literal["Direct", "Inherited"]
    targets: frozenset[str]
    mergeable: bool


_ROUTES_AND_GATEWAY: Final = frozenset({"Gateway", "HTTPRoute", "GRPCRoute"})
POLICY_KINDS: Final[dict[str, PolicyKind]] = {
    k.kind: k
    for k in (
        PolicyKind("ClientSettingsPolicy", NGF_GROUP, "Inherited", _ROUTES_AND_GATEWAY, True),
        PolicyKind(
            "ObservabilityPolicy", NGF_GROUP, "Direct", frozenset({"HTTPRoute", "GRPCRoute"}), False
        ),
        PolicyKind("UpstreamSettingsPolicy", NGF_GROUP, "Direct", frozenset({"Service"}), True),
        PolicyKind("RateLimitPolicy", NGF_GROUP, "Inherited", _ROUTES_AND_GATEWAY, True),
        PolicyKind("ProxySettingsPolicy", NGF_GROUP, "Inherited", _ROUTES_AND_GATEWAY, True),
        PolicyKind("SnippetsPolicy", NGF_GROUP, "Inherited", frozenset({"Gateway"}), False),
        PolicyKind("WAFPolicy", NGF_GROUP, "Inherited", _ROUTES_AND_GATEWAY, False),
        PolicyKind("BackendTLSPolicy", GATEWAY_GROUP, "Direct", frozenset({"Service"}), False),
    )
}
_TARGET_GROUPS: Final = {
    "Gateway": GATEWAY_GROUP,
    "HTTPRoute": GATEWAY_GROUP,
    "GRPCRoute": GATEWAY_GROUP,
    "Service": "",
}
# Specificity of an attachment point: the higher one wins a setting.
_SPECIFICITY: Final = {"Gateway": 0, "Listener": 1, "HTTPRoute": 2, "GRPCRoute": 2, "Service": 3}


class TargetRef(BaseModel):
    group: str = ""
    kind: str
    namespace: str
    name: str
    section_name: str | None = None

    def key(self) -> tuple[str, str, str, str, str]:
        return (self.group, self.kind, self.namespace, self.name, self.section_name or "")


class PolicyRef(BaseModel):
    kind: str
    namespace: str
    name: str
    created: str | None = None


class PolicyAttachment(BaseModel):
    """A policy on one target, and whether it applies."""

    policy: PolicyRef
    target: TargetRef
    attachment: Literal["direct", "inherited"]
    status: Literal["active", "overridden", "conflicted", "invalid-target"]
    reason: str = ""


class PolicyConflict(BaseModel):
    """Policies of one kind on one target that clash; ``winner`` is the one NGF keeps."""

    kind: str
    target: TargetRef
    winner: PolicyRef
    losers: list[PolicyRef]
    fields: list[str] = Field(default_factory=list)
    rule: str = CONFLICT_RULE


class PolicySetting(BaseModel):
    """One effective setting (``kind`` + dotted spec path), who sets it, who is overridden."""

    kind: str
    setting: str
    value: Any
    winner: PolicyRef
    winner_target: TargetRef
    overridden: list[PolicyRef] = Field(default_factory=list)


class EffectivePolicies(BaseModel):
    policies: list[PolicyAttachment] = Field(default_factory=list)
    settings: list[PolicySetting] = Field(default_factory=list)
    conflicts: list[PolicyConflict] = Field(default_factory=list)


def _policy_ref(policy: Obj) -> PolicyRef:
    created = meta(policy).get("creationTimestamp")
    return PolicyRef(
        kind=str(policy.get("kind") or ""),
        namespace=namespace_of(policy),
        name=name_of(policy),
        created=str(created) if created else None,
    )


def _age_key(policy: Obj) -> tuple[str, str]:
    created = str(meta(policy).get("creationTimestamp") or "9999")
    return created, f"{namespace_of(policy)}/{name_of(policy)}"


def policy_targets(policy: Obj) -> list[TargetRef]:
    """The targets of a policy (``targetRef`` and/or ``targetRefs``), in its namespace."""
    spec = spec_of(policy)
    refs = as_dicts(spec.get("targetRefs"))
    if isinstance(spec.get("targetRef"), dict):
        refs = [spec["targetRef"], *refs]
    return [
        TargetRef(
            group=str(r.get("group") or ""),
            kind=str(r.get("kind") or ""),
            namespace=namespace_of(policy),
            name=str(r.get("name") or ""),
            section_name=str(r["sectionName"]) if r.get("sectionName") else None,
        )
        for r in refs
    ]


def _settings(spec: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Leaf values of a spec by dotted path, target references left out."""
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if not prefix and key in ("targetRef", "targetRefs"):
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_settings(value, f"{path}."))
        else:
            out[path] = value
    return out


def _known(policy: Obj) -> PolicyKind | None:
    info = POLICY_KINDS.get(str(policy.get("kind") or ""))
    if info is None or api_group(str(policy.get("apiVersion") or "")) not in ("", info.group):
        return None
    return info


def _valid_target(info: PolicyKind, target: TargetRef) -> bool:
    return target.kind in info.targets and target.group == _TARGET_GROUPS.get(target.kind, "?")


def find_conflicts(policies: Iterable[Obj]) -> tuple[list[PolicyConflict], set[tuple[str, ...]]]:
    """Conflicting policies per (kind, target) and the ``(kind, ns, name, target)`` rejected.

    Within each group, oldest first: a policy conflicts with an accepted one when the kind
    is not mergeable, or when both set a field (top-level spec key) in common.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[Obj, TargetRef]]] = defaultdict(list)
    for policy in policies:
        info = _known(policy)
        if info is None:
            continue
        for target in policy_targets(policy):
            if _valid_target(info, target):
                groups[(info.kind, target.key())].append((policy, target))
    conflicts: list[PolicyConflict] = []
    rejected: set[tuple[str, ...]] = set()
    for (kind, _), members in sorted(groups.items()):
        members.sort(key=lambda m: _age_key(m[0]))
        accepted: list[Obj] = []
        losers: list[PolicyRef] = []
        fields: set[str] = set()
        for policy, target in members:
            mine = {k for k in spec_of(policy) if k not in ("targetRef", "targetRefs")}
            clash: set[str] = set()
            for kept in accepted:
                theirs = {k for k in spec_of(kept) if k not in ("targetRef", "targetRefs")}
                if not POLICY_KINDS[kind].mergeable:
                    clash |= mine | theirs or {"*"}
                else:
                    clash |= mine & theirs
            if clash:
                losers.append(_policy_ref(policy))
                fields |= clash
                rejected.add((kind, namespace_of(policy), name_of(policy), *target.key()))
            else:
                accepted.append(policy)
        if losers:
            conflicts.append(
                PolicyConflict(
                    kind=kind,
                    target=members[0][1],
                    winner=_policy_ref(accepted[0]),
                    losers=losers,
                    fields=sorted(fields),
                )
            )
    return conflicts, rejected


def effective_policies(
    snapshot: ClusterSnapshot,
    *,
    gateway: tuple[str, str],
    listener: str | None = None,
    route: tuple[str, str, str] | None = None,
    services: Iterable[tuple[str, str]] = (),
) -> EffectivePolicies:
    """The policies in effect for traffic through ``gateway``/``listener``/``route``.

    ``route`` is ``(kind, namespace, name)``; ``services`` ``(namespace, name)`` of the
    backends. Inherited policies of the Gateway (and listener) reach the route; Direct ones
    apply only to their own target. Each setting names its winner and the overridden.
    """
    gw_ns, gw_name = gateway
    points: dict[tuple[str, ...], str] = {
        (GATEWAY_GROUP, "Gateway", gw_ns, gw_name, ""): "Gateway",
    }
    if listener:
        points[(GATEWAY_GROUP, "Gateway", gw_ns, gw_name, listener)] = "Listener"
    if route is not None:
        points[(GATEWAY_GROUP, route[0], route[1], route[2], "")] = route[0]
    service_keys = {("", "Service", ns, name) for ns, name in services}
    conflicts, rejected = find_conflicts(snapshot.policies)
    out = EffectivePolicies()
    candidates: dict[tuple[str, str], list[tuple[int, tuple[str, str], PolicyRef, TargetRef, Any]]]
    candidates = defaultdict(list)
    for policy in snapshot.policies:
        info = _known(policy)
        if info is None:
            continue
        for target in policy_targets(policy):
            key = target.key()
            point = points.get(key)
            if point is None and key[:4] in service_keys:
                point = "Service"
            if point is None:
                continue
            ref = _policy_ref(policy)
            direct = point in ("Service", route[0] if route else "") or info.attachment == "Direct"
            mode: Literal["direct", "inherited"] = "direct" if direct else "inherited"
            if not _valid_target(info, target):
                out.policies.append(
                    PolicyAttachment(
                        policy=ref,
                        target=target,
                        attachment=mode,
                        status="invalid-target",
                        reason=f"{info.kind} cannot target {target.kind}",
                    )
                )
                continue
            if (info.kind, ref.namespace, ref.name, *key) in rejected:
                out.policies.append(
                    PolicyAttachment(
                        policy=ref,
                        target=target,
                        attachment=mode,
                        status="conflicted",
                        reason=CONFLICT_RULE,
                    )
                )
                continue
            if info.attachment == "Direct" and point in ("Gateway", "Listener"):
                continue  # a Direct policy on the Gateway does not reach the route
            out.policies.append(
                PolicyAttachment(policy=ref, target=target, attachment=mode, status="active")
            )
            for setting, value in _settings(spec_of(policy)).items():
                candidates[(info.kind, setting)].append(
                    (_SPECIFICITY[point], _age_key(policy), ref, target, value)
                )
    overridden: set[tuple[str, str, str]] = set()
    for (kind, setting), found in sorted(candidates.items()):
        found.sort(key=lambda c: (-c[0], c[1]))
        winner = found[0]
        losers = [c[2] for c in found[1:]]
        overridden |= {(r.kind, r.namespace, r.name) for r in losers}
        out.settings.append(
            PolicySetting(
                kind=kind,
                setting=setting,
                value=winner[4],
                winner=winner[2],
                winner_target=winner[3],
                overridden=losers,
            )
        )
    winners = {(s.winner.kind, s.winner.namespace, s.winner.name) for s in out.settings}
    for attachment in out.policies:
        ident = (attachment.policy.kind, attachment.policy.namespace, attachment.policy.name)
        if attachment.status == "active" and ident in overridden and ident not in winners:
            attachment.status = "overridden"
            attachment.reason = "every setting is overridden by a more specific attachment"
    target_keys = set(points) | {(*k, "") for k in service_keys}
    out.conflicts = [c for c in conflicts if c.target.key() in target_keys]
    return out
