"""Valid minimal objects of every kind the API writes, and the means to see them in the
cluster directly (not through the API), for the API's integration tests."""

from __future__ import annotations

import copy
import re
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

from auth_oidc_issuer import served_issuer as served_issuer  # re-exported for the tests
from crd_cases import load_sample
from ngf_console.api.routers.routes import POLICY_TYPES, ROUTE_PLURALS
from ngf_console.crd import PARENT_KINDS
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import PARENT_TYPES, served_type

Obj = dict[str, Any]

# A parent of each kind: the first sample of deploy/samples for that kind.
PARENT_SAMPLES = {
    "inferencestacks": "inferencestack-llama31-8b-vllm",
    "gatewaybundles": "gatewaybundle-production-gateway",
    "certificatebundles": "certificatebundle-shop-uploaded",
    "migrationplans": "migrationplan-shop-ingress",
    "distributedcloudpublishes": "distributedcloudpublish-my-app-xc",
}

_NO_GATEWAY = [{"name": "no-such-gateway"}]  # attached to nothing: no delete is ever blocked

# spec of a valid object of each route and policy kind (checked with a server dry run).
SPECS: dict[str, Obj] = {
    "httproutes": {
        "parentRefs": _NO_GATEWAY,
        "rules": [{"backendRefs": [{"name": "svc", "port": 80}]}],
    },
    "grpcroutes": {
        "parentRefs": _NO_GATEWAY,
        "rules": [{"backendRefs": [{"name": "svc", "port": 80}]}],
    },
    "tlsroutes": {
        "parentRefs": _NO_GATEWAY,
        "hostnames": ["a.example.com"],
        "rules": [{"backendRefs": [{"name": "svc", "port": 443}]}],
    },
    "tcproutes": {
        "parentRefs": _NO_GATEWAY,
        "rules": [{"backendRefs": [{"name": "svc", "port": 80}]}],
    },
    "udproutes": {
        "parentRefs": _NO_GATEWAY,
        "rules": [{"backendRefs": [{"name": "svc", "port": 53}]}],
    },
    "policies/backendtls": {
        "targetRefs": [{"group": "", "kind": "Service", "name": "svc"}],
        "validation": {"hostname": "svc.example.com", "wellKnownCACertificates": "System"},
    },
    "policies/clientsettings": {
        "targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"},
        "body": {"maxSize": "10m"},
    },
    "policies/observability": {
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "r"}],
        "tracing": {"strategy": "ratio"},
    },
    "policies/upstreamsettings": {
        "targetRefs": [{"group": "core", "kind": "Service", "name": "svc"}],
        "zoneSize": "1m",
    },
    "policies/snippetsfilter": {"snippets": [{"context": "http", "value": "# hello"}]},
    # NGF 2.4+ kinds the test control plane does not serve: any spec, the answer is 404.
    "policies/ratelimit": {
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"}]
    },
    "policies/proxysettings": {
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"}]
    },
    "policies/snippets": {
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"}]
    },
    "policies/waf": {
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"}]
    },
    "policies/authentication": {"basic": {"secretRef": {"name": "users"}}},
}


def writable_collections() -> dict[str, ResourceType]:
    """Collection path (as in the API's URLs) -> the type it writes."""
    out = {t.plural: t for t in PARENT_TYPES}
    out.update({p: served_type(p, "gateway.networking.k8s.io") for p in ROUTE_PLURALS})
    out.update(
        {
            f"policies/{slug}": served_type(plural, group)
            for slug, (group, plural) in POLICY_TYPES.items()
        }
    )
    return out


COLLECTIONS = writable_collections()


def object_for(collection: str, namespace: str, name: str, **labels: str) -> Obj:
    """A valid object for ``POST /api/v1/<collection>`` (or its PUT) named ``name``."""
    t = COLLECTIONS[collection]
    meta: Obj = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = dict(labels)
    if collection in PARENT_SAMPLES:
        doc = copy.deepcopy(load_sample(PARENT_SAMPLES[collection]))
        doc["metadata"] = meta
        return doc
    return {
        "apiVersion": t.api_version,
        "kind": t.kind,
        "metadata": meta,
        "spec": copy.deepcopy(SPECS[collection]),
    }


def dns_name(*parts: str) -> str:
    """A valid object name made of ``parts``."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")[:60]


class Cluster:
    """The cluster as an admin sees it, straight from the API server (no console cache)."""

    def __init__(self, kube: Client) -> None:
        self.kube = kube
        self._served = {
            (crd.spec.group, v.name, crd.spec.names.plural)
            for crd in kube.list(CustomResourceDefinition)
            for v in crd.spec.versions
            if v.served
        }

    def served(self, t: ResourceType) -> bool:
        """Whether the control plane serves ``t`` (its CRD and version are installed)."""
        return (t.group, t.version, t.plural) in self._served

    def _res(self, t: ResourceType) -> Any:
        return create_namespaced_resource(t.group, t.version, t.kind, t.plural)

    def get(self, t: ResourceType, namespace: str, name: str) -> Obj | None:
        """The live object, or None if it is absent or being deleted."""
        if not self.served(t):
            return None
        try:
            obj = self.kube.get(self._res(t), name, namespace=namespace).to_dict()
        except ApiError as err:
            if err.status.code == 404:
                return None
            raise
        return None if obj["metadata"].get("deletionTimestamp") else obj

    def create(self, t: ResourceType, body: Obj) -> None:
        """Create ``body`` as the admin."""
        res = self._res(t)
        self.kube.create(res.from_dict(copy.deepcopy(body)))

    def delete(self, t: ResourceType, namespace: str, name: str) -> None:
        """Delete if there."""
        try:
            self.kube.delete(self._res(t), name, namespace=namespace)
        except ApiError as err:
            if err.status.code != 404:
                raise


def parent_kinds() -> list[str]:
    """Plurals of the parent kinds."""
    return [k.plural for k in PARENT_KINDS]
