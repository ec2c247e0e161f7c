"""ReferenceGrants: may an object of one namespace refer to an object in another?

Gateway API allows a cross-namespace reference (a route's backendRef, a listener's
certificateRef) only when a ReferenceGrant in the target's namespace lists the referring
group/kind/namespace in ``from`` and the target's group/kind (and optionally name) in ``to``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ngf_console.readmodel.objects import Obj, as_dicts, namespace_of, spec_of

__all__ = ["ReferenceGrants"]


class ReferenceGrants:
    """The ReferenceGrants of a snapshot, indexed by the namespace they grant access to."""

    def __init__(self, grants: Iterable[Obj]) -> None:
        self._specs: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for grant in grants:
            self._specs[namespace_of(grant)].append(spec_of(grant))

    def permits(
        self,
        *,
        from_group: str,
        from_kind: str,
        from_namespace: str,
        to_group: str,
        to_kind: str,
        to_namespace: str,
        to_name: str,
    ) -> bool:
        """Whether the reference is allowed (always, within one namespace)."""
        if from_namespace == to_namespace:
            return True
        for spec in self._specs.get(to_namespace, []):
            from_ok = any(
                (f.get("group") or "") == from_group
                and f.get("kind") == from_kind
                and f.get("namespace") == from_namespace
                for f in as_dicts(spec.get("from"))
            )
            to_ok = any(
                (t.get("group") or "") == to_group
                and t.get("kind") == to_kind
                and (not t.get("name") or t.get("name") == to_name)
                for t in as_dicts(spec.get("to"))
            )
            if from_ok and to_ok:
                return True
        return False
