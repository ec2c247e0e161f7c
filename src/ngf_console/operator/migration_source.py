"""A MigrationPlan's source, read and analysed: ``spec.source`` → resources and analysis.

The source is the embedded ``sourceYAML`` (YAML, or nginx.conf text for ``nginx-conf``), a
source cluster (``sourceCluster``: a Secret in the plan's namespace holding a kubeconfig),
or this cluster. A cluster is scanned for the kinds of ``source.type`` (plus the controller
ConfigMaps and the Services named ports are read from), in ``source.namespaces`` or all.
The engine (``ngf_console.migration``) does the conversion; this module only feeds it and
shapes its answer as the CRD wants it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml
from lightkube import AsyncClient, KubeConfig
from lightkube.core.exceptions import ApiError

from ngf_console.kube.informer import http_client
from ngf_console.migration.loader import LoadedInput, load_text
from ngf_console.migration.plan import MigrationResult, convert

Obj = dict[str, Any]

# (group/version, plural, kind) read from a cluster per source type.
_NIC = "k8s.nginx.org/v1"
_INGRESS = ("networking.k8s.io/v1", "ingresses", "Ingress")
_CONTEXT = [("v1", "services", "Service"), ("v1", "configmaps", "ConfigMap")]
SCAN_KINDS: dict[str, list[tuple[str, str, str]]] = {
    "ingress": [_INGRESS, *_CONTEXT],
    "virtualserver": [
        (_NIC, "virtualservers", "VirtualServer"),
        (_NIC, "virtualserverroutes", "VirtualServerRoute"),
        (_NIC, "policies", "Policy"),
        (_NIC, "globalconfigurations", "GlobalConfiguration"),
        *_CONTEXT,
    ],
    "transportserver": [
        (_NIC, "transportservers", "TransportServer"),
        (_NIC, "globalconfigurations", "GlobalConfiguration"),
        *_CONTEXT,
    ],
}
_RANK = {"high": 0, "medium": 1, "low": 2}
_KEPT_METADATA = ("name", "namespace", "annotations", "labels")


class SourceError(Exception):
    """The source cannot be read (a permanent condition until the spec or cluster changes)."""


def _path(api_version: str, plural: str, namespace: str | None) -> str:
    """The collection's URL path (cluster-wide when ``namespace`` is None)."""
    base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    return f"{base}/namespaces/{namespace}/{plural}" if namespace else f"{base}/{plural}"


async def scan(client: AsyncClient, source_type: str, namespaces: Sequence[str]) -> list[Obj]:
    """The source objects of ``source_type`` in a cluster (kinds it does not serve: none)."""
    http = http_client(client)
    found: list[Obj] = []
    for api_version, plural, kind in SCAN_KINDS.get(source_type, []):
        where: list[str | None] = [*namespaces] or [None]
        for namespace in where:
            response = await http.get(_path(api_version, plural, namespace))
            if response.status_code == 404:
                continue  # the CRD is not installed: nothing of that kind
            if response.status_code >= 400:
                raise ApiError(request=response.request, response=response)
            for item in response.json().get("items") or []:
                meta = item.get("metadata") or {}
                found.append(
                    {
                        "apiVersion": api_version,
                        "kind": kind,
                        "metadata": {k: meta[k] for k in _KEPT_METADATA if k in meta},
                        **{k: v for k, v in item.items() if k in ("spec", "data")},
                    }
                )
    return found


async def source_cluster_client(
    client: AsyncClient, namespace: str, secret_name: str
) -> AsyncClient:
    """A client for the source cluster whose kubeconfig is in Secret ``secret_name``."""
    response = await http_client(client).get(_path("v1", "secrets", namespace) + f"/{secret_name}")
    if response.status_code == 404:
        raise SourceError(f"sourceCluster: Secret {namespace}/{secret_name} not found")
    if response.status_code >= 400:
        raise ApiError(request=response.request, response=response)
    data = response.json().get("data") or {}
    encoded = data.get("kubeconfig") or data.get("value") or next(iter(data.values()), None)
    if not encoded:
        raise SourceError(f"sourceCluster: Secret {namespace}/{secret_name} has no kubeconfig")
    try:
        config = KubeConfig.from_dict(yaml.safe_load(base64.b64decode(encoded)))
    except Exception as err:  # any unreadable kubeconfig is the user's to fix
        message = f"sourceCluster: the kubeconfig in {secret_name} is unusable: {err}"
        raise SourceError(message) from err
    return AsyncClient(config)


def convert_source(
    source: Mapping[str, Any], scanned: Iterable[Obj] | None = None
) -> MigrationResult:
    """Run the engine on the embedded source (or on ``scanned`` objects), namespace-filtered."""
    namespaces = set(source.get("namespaces") or [])
    loaded = LoadedInput()
    if scanned is not None:
        text = yaml.safe_dump_all(list(scanned), sort_keys=False)
        load_text(text, "<cluster>", loaded)
    elif source.get("type") == "nginx-conf":
        from ngf_console.migration.plan import plan_text

        return plan_text(source.get("sourceYAML") or "", nginx_conf_text=True, name="sourceYAML")
    else:
        load_text(source.get("sourceYAML") or "", "sourceYAML", loaded)
    if namespaces:
        loaded.docs = [d for d in loaded.docs if d.namespace in namespaces]
        loaded.context = [d for d in loaded.context if d.namespace in namespaces]
    return convert(loaded)


def confined(resources: list[Obj], namespace: str) -> list[Obj]:
    """Resources for another namespace than the plan's are proposed disabled, and say why."""
    result = []
    for resource in resources:
        try:
            body = yaml.safe_load(resource["generatedYAML"]) or {}
        except yaml.YAMLError:
            body = {}
        target = (body.get("metadata") or {}).get("namespace") or namespace
        if target != namespace:
            note = (
                f"in namespace {target}, not the plan's ({namespace}): "
                "a plan applies resources in its own namespace only; create a plan there"
            )
            resource = {
                **resource,
                "enabled": False,
                "warnings": [*(resource.get("warnings") or []), note],
            }
        result.append(resource)
    return result


def analysis_of(result: MigrationResult) -> Obj:
    """status.analysis from the engine's report."""
    s = result.report.summary
    return {
        "totalSourceResources": s.get("totalSourceResources", 0),
        "directMappings": s.get("directMappings", 0),
        "requiresReview": s.get("requiresReview", 0),
        "unsupported": s.get("unsupported", 0),
        "requiresEnterprise": s.get("requiresEnterprise", 0),
        "overallConfidence": s.get("overallConfidence", "high"),
    }


def analysis_of_resources(resources: Sequence[Mapping[str, Any]]) -> Obj:
    """status.analysis from given resources (a plan made from a plan directory, no source).

    Each source resource counts once at its worst generated confidence: high is a direct
    mapping, medium needs review, low has something not carried over.
    """
    worst: dict[str, str] = {}
    enterprise: set[str] = set()
    for r in resources:
        for ref in str(r.get("sourceRef", "")).split(", "):
            level = str(r.get("confidence", "high"))
            if _RANK.get(level, 0) >= _RANK.get(worst.get(ref, "high"), 0):
                worst[ref] = level
            if any("Enterprise" in w for w in r.get("warnings") or []):
                enterprise.add(ref)
    levels = list(worst.values())
    overall = max(levels, key=lambda c: _RANK.get(c, 0)) if levels else "high"
    return {
        "totalSourceResources": len(worst),
        "directMappings": levels.count("high"),
        "requiresReview": levels.count("medium"),
        "unsupported": levels.count("low"),
        "requiresEnterprise": len(enterprise),
        "overallConfidence": overall,
    }
