"""Which NGINX Gateway Fabric edition runs in a cluster: Enterprise (NGINX Plus) or OSS.

Spec §3.1 gates features on the edition. NGF has no "edition" field; the edition is what the
installation runs, and that is visible in its Deployments:

* the control plane (Helm chart ``nginx-gateway-fabric``) is started with ``--nginx-plus`` and,
  for NGINX Plus usage reporting, ``--usage-report-secret=...``;
* the data plane image is ``.../nginx-gateway-fabric/nginx-plus`` (Plus, e.g. from
  ``private-registry.nginx.com``; ``nginx-plus-f5waf`` with F5 WAF) or
  ``.../nginx-gateway-fabric/nginx`` (OSS). In NGF 1.x that container sits in the control plane
  pod; in NGF 2.x NGF creates one data plane Deployment per Gateway;
* F5 WAF sidecars (``waf-enforcer``, ``waf-config-mgr``) exist only with NGINX Plus.

:func:`detect_edition` is the pure decision over manifests the caller has listed;
:func:`read_edition` is the small I/O helper that lists them with lightkube.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from lightkube import ALL_NS, AsyncClient
from lightkube.operators import exists, in_
from lightkube.resources.apps_v1 import Deployment

Edition = Literal["enterprise", "oss", "unknown"]

# `app.kubernetes.io/name` of the control plane Deployment: the Helm chart's default name, and
# the name NGF's static manifests (deploy/*.yaml, rendered with nameOverride) use.
CONTROL_PLANE_NAMES: Final = ("nginx-gateway-fabric", "nginx-gateway")
NAME_LABEL: Final = "app.kubernetes.io/name"
VERSION_LABEL: Final = "app.kubernetes.io/version"
# Set on the data plane Deployments NGF 2.x creates for each Gateway.
GATEWAY_NAME_LABEL: Final = "gateway.networking.k8s.io/gateway-name"

_CONTROL_PLANE_REPO: Final = "nginx-gateway-fabric"
_PLUS_REGISTRY: Final = "private-registry.nginx.com"
_WAF_IMAGES: Final = ("waf-enforcer", "waf-config-mgr")
_VERSION_RE: Final = re.compile(r"^v?(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?)$")


@dataclass(frozen=True)
class EditionInfo:
    """The detected edition, the NGF version if one was found, and why.

    ``evidence`` lists human-readable findings (the image or flag that decided), so the UI can
    show why a feature is enabled or greyed out.
    """

    edition: Edition
    version: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def is_enterprise(self) -> bool:
        """True when NGINX Plus (NGF Enterprise) was detected."""
        return self.edition == "enterprise"


@dataclass(frozen=True)
class _Image:
    registry: str | None
    repository: str
    tag: str | None

    @property
    def last(self) -> str:
        return self.repository.rsplit("/", 1)[-1]


def _parse_image(ref: str) -> _Image:
    """Split ``[registry/]path[:tag][@digest]`` into its parts."""
    name = ref.split("@", 1)[0]
    tag: str | None = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return _Image(first, rest, tag)
    return _Image(None, name, tag)


def _pod_spec(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of a Deployment/DaemonSet/Pod manifest, or ``obj`` if it is a pod spec."""
    if "containers" in obj:
        return obj
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        return None
    template = spec.get("template")
    if isinstance(template, Mapping) and isinstance(template.get("spec"), Mapping):
        inner: Mapping[str, Any] = template["spec"]
        return inner
    return spec if "containers" in spec else None


def _containers(pod_spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for key in ("initContainers", "containers"):
        items = pod_spec.get(key) or []
        if isinstance(items, Sequence):
            found.extend(c for c in items if isinstance(c, Mapping))
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [v for v in value if isinstance(v, str)]
    return []


def _has_flag(args: Sequence[str], flag: str) -> bool:
    """Whether ``--flag`` is set (bare, ``--flag=value`` or ``--flag value``), and not false."""
    for arg in args:
        if arg == flag:
            return True
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1].lower() != "false"
    return False


def _version_from_tag(tag: str | None) -> str | None:
    match = _VERSION_RE.match(tag or "")
    return match.group(1) if match else None


def _version_key(version: str) -> tuple[int, ...]:
    """Numeric sort key of ``2.10.1`` (pre-release suffixes ignored)."""
    core = re.split(r"[-+]", version, maxsplit=1)[0]
    return tuple(int(p) for p in core.split("."))


def _object_label(obj: Mapping[str, Any], key: str) -> str | None:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, Mapping) else None
    value = labels.get(key) if isinstance(labels, Mapping) else None
    return value if isinstance(value, str) else None


def _object_name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    ns = meta.get("namespace") if isinstance(meta, Mapping) else None
    if not isinstance(name, str):
        return "pod spec"
    return f"{obj.get('kind', 'object')} {ns}/{name}" if isinstance(ns, str) else name


class _Findings:
    """Evidence collected container by container."""

    def __init__(self) -> None:
        self.plus: list[str] = []
        self.oss: list[str] = []
        self.cp_versions: list[str] = []
        self.dp_versions: list[str] = []

    def container(self, where: str, container: Mapping[str, Any]) -> bool:
        """Record what one container says; True if it belongs to NGF."""
        ref = container.get("image")
        image = _parse_image(ref) if isinstance(ref, str) else None
        args = _strings(container.get("command")) + _strings(container.get("args"))
        label = f"{where}, container {container.get('name', '?')}"
        control_plane = args[:1] in (["controller"], ["static-mode"]) or (
            image is not None and image.last == _CONTROL_PLANE_REPO
        )
        data_plane = image is not None and f"/{_CONTROL_PLANE_REPO}/" in f"/{image.repository}/"
        if image is not None and image.last in _WAF_IMAGES:
            self.plus.append(f"{label}: F5 WAF for NGINX container image {ref}")
            return True
        if data_plane and image is not None and not control_plane:
            version = _version_from_tag(image.tag)
            if version:
                self.dp_versions.append(version)
            if image.last.startswith("nginx-plus"):
                self.plus.append(f"{label}: NGINX Plus data plane image {ref}")
            elif image.last == "nginx":
                self.oss.append(f"{label}: NGINX OSS data plane image {ref}")
            return True
        if not control_plane:
            return False
        plus = False
        if image is not None:
            version = _version_from_tag(image.tag)
            if version:
                self.cp_versions.append(version)
            if image.registry == _PLUS_REGISTRY:
                self.plus.append(f"{label}: control plane image from the NGINX Plus registry {ref}")
                plus = True
        if _has_flag(args, "--nginx-plus"):
            self.plus.append(f"{label}: control plane flag --nginx-plus")
            plus = True
        if _has_flag(args, "--usage-report-secret"):
            self.plus.append(f"{label}: NGINX Plus usage reporting flag --usage-report-secret")
            plus = True
        if not plus:
            self.oss.append(f"{label}: control plane {ref or '(no image)'} without --nginx-plus")
        return True


def detect_edition(deployments: Iterable[Mapping[str, Any]]) -> EditionInfo:
    """Decide the NGF edition from Deployment, Pod or pod spec manifests (plain dicts).

    Any NGINX Plus evidence makes it ``"enterprise"``; NGF containers without it make it
    ``"oss"``; no NGF container at all gives ``"unknown"``. The version comes from the control
    plane image tag (``ghcr.io/nginx/nginx-gateway-fabric:2.1.0`` -> ``2.1.0``), else from the
    chart's ``app.kubernetes.io/version`` label on an NGF Deployment, else from the data plane
    image tag (NGF tags its NGINX images with its own version).
    """
    findings = _Findings()
    label_versions: list[str] = []
    for obj in deployments:
        pod_spec = _pod_spec(obj)
        if pod_spec is None:
            continue
        where = _object_name(obj)
        found = [findings.container(where, c) for c in _containers(pod_spec)]
        label_version = _version_from_tag(_object_label(obj, VERSION_LABEL))
        if any(found) and label_version:
            label_versions.append(label_version)
    versions = findings.cp_versions or label_versions or findings.dp_versions
    version = max(versions, key=_version_key) if versions else None
    if findings.plus:
        return EditionInfo("enterprise", version, tuple(dict.fromkeys(findings.plus)))
    if findings.oss:
        return EditionInfo("oss", version, tuple(dict.fromkeys(findings.oss)))
    return EditionInfo("unknown", version, ("no NGINX Gateway Fabric Deployment found",))


async def read_edition(client: AsyncClient, namespace: str | None = None) -> EditionInfo:
    """List NGF's Deployments (all namespaces unless ``namespace``) and detect the edition.

    Lists the control plane by the chart's ``app.kubernetes.io/name`` label (``nginx-gateway-
    fabric`` from Helm, ``nginx-gateway`` from the static manifests) and the per-Gateway data
    plane Deployments of NGF 2.x (label ``gateway.networking.k8s.io/gateway-name``); other
    implementations' Deployments with that label are ignored by :func:`detect_edition`.
    A chart installed with a custom ``nameOverride`` is only found through its data plane.
    """
    ns = namespace if namespace is not None else ALL_NS
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    selectors: list[dict[str, Any]] = [
        {NAME_LABEL: in_(list(CONTROL_PLANE_NAMES))},
        {GATEWAY_NAME_LABEL: exists()},
    ]
    for labels in selectors:
        async for dep in client.list(Deployment, namespace=ns, labels=labels):
            meta = dep.metadata
            key = (meta.namespace or "", meta.name or "") if meta else ("", "")
            doc = dep.to_dict()
            doc.setdefault("kind", "Deployment")
            docs[key] = doc
    return detect_edition(docs[k] for k in sorted(docs))
