"""Kubernetes objects as the apiserver returns them, for the read model tests.

Each factory returns a plain dict with apiVersion, kind, metadata (uid, creationTimestamp)
and the fields the read models look at; keyword arguments override the common cases.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

GW = "gateway.networking.k8s.io"
_uids = itertools.count(1)
CONTROLLER = "gateway.nginx.org/nginx-gateway-controller"


def uid() -> str:
    return f"00000000-0000-0000-0000-{next(_uids):012d}"


def _meta(
    name: str, namespace: str | None, labels: dict[str, str] | None, **extra: Any
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "uid": uid(),
        "creationTimestamp": "2026-03-01T10:00:00Z",
        "resourceVersion": "1",
    }
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    meta.update({k: v for k, v in extra.items() if v is not None})
    return meta


def cond(ctype: str, status: str = "True", reason: str | None = None) -> dict[str, Any]:
    return {
        "type": ctype,
        "status": status,
        "reason": reason or (ctype if status == "True" else f"Not{ctype}"),
        "message": "",
        "lastTransitionTime": "2026-03-01T10:00:05Z",
        "observedGeneration": 1,
    }


def owned_by(parent: dict[str, Any]) -> dict[str, Any]:
    """Labels and owner reference of a child the operator rendered for ``parent``."""
    kind, name = parent["kind"], parent["metadata"]["name"]
    return {
        "labels": {
            "app.kubernetes.io/managed-by": "ngf-console",
            "ngf-console.f5.com/parent-kind": kind,
            "ngf-console.f5.com/parent-name": name,
        },
        "ownerReferences": [
            {
                "apiVersion": parent["apiVersion"],
                "kind": kind,
                "name": name,
                "uid": parent["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }


def gateway_class(name: str = "nginx", accepted: str | None = "True") -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": f"{GW}/v1",
        "kind": "GatewayClass",
        "metadata": _meta(name, None, None),
        "spec": {"controllerName": CONTROLLER},
    }
    if accepted is not None:
        obj["status"] = {"conditions": [cond("Accepted", accepted)]}
    return obj


def listener(
    name: str = "http",
    port: int = 80,
    protocol: str = "HTTP",
    *,
    hostname: str | None = None,
    cert: str | None = None,
    cert_namespace: str | None = None,
    allowed_from: str | None = None,
    kinds: list[str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "port": port, "protocol": protocol}
    if hostname:
        out["hostname"] = hostname
    if cert:
        ref: dict[str, Any] = {"group": "", "kind": "Secret", "name": cert}
        if cert_namespace:
            ref["namespace"] = cert_namespace
        out["tls"] = {"mode": "Terminate", "certificateRefs": [ref]}
    allowed: dict[str, Any] = {}
    if allowed_from:
        allowed["namespaces"] = {"from": allowed_from}
    if kinds:
        allowed["kinds"] = [{"group": GW, "kind": k} for k in kinds]
    if allowed:
        out["allowedRoutes"] = allowed
    return out


def gateway(
    name: str = "gw",
    namespace: str = "default",
    *,
    listeners: list[dict[str, Any]] | None = None,
    class_name: str = "nginx",
    conditions: list[dict[str, Any]] | None = None,
    listener_status: dict[str, dict[str, Any]] | None = None,
    addresses: list[str] | None = None,
    owner: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    extra = owned_by(owner) if owner else {}
    obj: dict[str, Any] = {
        "apiVersion": f"{GW}/v1",
        "kind": "Gateway",
        "metadata": _meta(
            name,
            namespace,
            (labels or {}) | extra.get("labels", {}),
            ownerReferences=extra.get("ownerReferences"),
        ),
        "spec": {
            "gatewayClassName": class_name,
            "listeners": listeners if listeners is not None else [listener()],
        },
    }
    status: dict[str, Any] = {}
    if conditions is not None:
        status["conditions"] = conditions
    if listener_status:
        status["listeners"] = [{"name": n, **s} for n, s in listener_status.items()]
    if addresses:
        status["addresses"] = [{"type": "IPAddress", "value": a} for a in addresses]
    if status:
        obj["status"] = status
    return obj


def parent_ref(
    gateway_name: str = "gw",
    namespace: str | None = None,
    section: str | None = None,
    port: int | None = None,
) -> dict[str, Any]:
    ref: dict[str, Any] = {"group": GW, "kind": "Gateway", "name": gateway_name}
    if namespace:
        ref["namespace"] = namespace
    if section:
        ref["sectionName"] = section
    if port is not None:
        ref["port"] = port
    return ref


def backend(
    name: str,
    *,
    kind: str | None = None,
    group: str | None = None,
    port: int | None = 80,
    namespace: str | None = None,
    weight: int | None = None,
) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": name}
    if kind:
        ref["kind"] = kind
    if group is not None:
        ref["group"] = group
    if port is not None:
        ref["port"] = port
    if namespace:
        ref["namespace"] = namespace
    if weight is not None:
        ref["weight"] = weight
    return ref


def route(
    name: str = "route",
    namespace: str = "default",
    *,
    kind: str = "HTTPRoute",
    parents: list[dict[str, Any]] | None = None,
    backends: list[dict[str, Any]] | None = None,
    status_parents: list[dict[str, Any]] | None = None,
    filters: list[dict[str, Any]] | None = None,
    owner: dict[str, Any] | None = None,
    with_kind: bool = True,
) -> dict[str, Any]:
    """A route; ``status_parents`` are parentRefs, reported Accepted unless they say otherwise."""
    extra = owned_by(owner) if owner else {}
    rule: dict[str, Any] = {"backendRefs": backends if backends is not None else [backend("svc")]}
    if filters:
        rule["filters"] = filters
    obj: dict[str, Any] = {
        "apiVersion": f"{GW}/v1",
        "kind": kind,
        "metadata": _meta(
            name, namespace, extra.get("labels"), ownerReferences=extra.get("ownerReferences")
        ),
        "spec": {"parentRefs": parents if parents is not None else [parent_ref()], "rules": [rule]},
    }
    if kind == "HTTPRoute":
        obj["spec"]["hostnames"] = ["app.example.com"]
    if status_parents is not None:
        obj["status"] = {
            "parents": [
                {
                    "parentRef": {k: v for k, v in p.items() if k != "conditions"},
                    "controllerName": CONTROLLER,
                    "conditions": p.get("conditions", [cond("Accepted"), cond("ResolvedRefs")]),
                }
                for p in status_parents
            ]
        }
    if not with_kind:
        del obj["kind"], obj["apiVersion"]
    return obj


def service(
    name: str = "svc",
    namespace: str = "default",
    *,
    selector: dict[str, str] | None = None,
    port: int = 80,
    owner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    extra = owned_by(owner) if owner else {}
    spec: dict[str, Any] = {
        "type": "ClusterIP",
        "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
    }
    if selector is not None:
        spec["selector"] = selector
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(
            name, namespace, extra.get("labels"), ownerReferences=extra.get("ownerReferences")
        ),
        "spec": spec,
    }


def pod(
    name: str,
    namespace: str = "default",
    *,
    labels: dict[str, str] | None = None,
    phase: str = "Running",
    ready: bool = True,
    waiting: str | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "phase": phase,
        "podIP": "10.0.0.1",
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
    }
    if waiting:
        status["containerStatuses"] = [{"name": "main", "state": {"waiting": {"reason": waiting}}}]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(name, namespace, labels or {}),
        "spec": {"nodeName": "node-1", "containers": [{"name": "main", "image": "x"}]},
        "status": status,
    }


def inference_pool_v1(
    name: str = "pool",
    namespace: str = "default",
    *,
    selector: dict[str, str] | None = None,
    ports: list[int] | None = None,
    picker: str | None = "pool-epp",
    failure_mode: str | None = "FailOpen",
    parents: list[dict[str, Any]] | None = None,
    owner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    extra = owned_by(owner) if owner else {}
    spec: dict[str, Any] = {
        "selector": {"matchLabels": selector if selector is not None else {"app": "vllm"}},
        "targetPorts": [{"number": p} for p in (ports or [8000])],
    }
    if picker:
        ref: dict[str, Any] = {
            "group": "",
            "kind": "Service",
            "name": picker,
            "port": {"number": 9002},
        }
        if failure_mode:
            ref["failureMode"] = failure_mode
        spec["endpointPickerRef"] = ref
    obj: dict[str, Any] = {
        "apiVersion": "inference.networking.k8s.io/v1",
        "kind": "InferencePool",
        "metadata": _meta(
            name, namespace, extra.get("labels"), ownerReferences=extra.get("ownerReferences")
        ),
        "spec": spec,
    }
    if parents is not None:
        obj["status"] = {"parents": parents}
    return obj


def inference_pool_v1alpha2(
    name: str = "pool",
    namespace: str = "default",
    *,
    selector: dict[str, str] | None = None,
    port: int = 8000,
    extension: str | None = "pool-epp",
    failure_mode: str | None = None,
    parents: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": selector if selector is not None else {"app": "vllm"},
        "targetPortNumber": port,
    }
    if extension:
        ref: dict[str, Any] = {"name": extension, "portNumber": 9002}
        if failure_mode:
            ref["failureMode"] = failure_mode
        spec["extensionRef"] = ref
    obj: dict[str, Any] = {
        "apiVersion": "inference.networking.x-k8s.io/v1alpha2",
        "kind": "InferencePool",
        "metadata": _meta(name, namespace, None),
        "spec": spec,
    }
    if parents is not None:
        obj["status"] = {"parent": parents}
    return obj


def pool_parent(
    gateway_name: str = "gw",
    namespace: str = "default",
    *,
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "parentRef": {"group": GW, "kind": "Gateway", "name": gateway_name, "namespace": namespace},
        "controllerName": CONTROLLER,
        "conditions": conditions
        if conditions is not None
        else [cond("Accepted"), cond("ResolvedRefs")],
    }


def parent(
    kind: str,
    name: str,
    namespace: str = "default",
    *,
    spec: dict[str, Any] | None = None,
    phase: str | None = "Ready",
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": kind,
        "metadata": _meta(name, namespace, None),
        "spec": spec or {},
    }
    if phase is not None:
        obj["status"] = {"state" if kind == "DistributedCloudPublish" else "phase": phase}
    return obj


def policy(
    kind: str,
    name: str,
    namespace: str = "default",
    *,
    target: dict[str, Any] | None = None,
    targets: list[dict[str, Any]] | None = None,
    api_version: str = "gateway.nginx.org/v1alpha1",
    ancestors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if target is not None:
        spec["targetRef"] = target
    if targets is not None:
        spec["targetRefs"] = targets
    obj: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": _meta(name, namespace, None),
        "spec": spec,
    }
    if ancestors is not None:
        obj["status"] = {"ancestors": ancestors}
    return obj


def reference_grant(
    namespace: str, *, from_kind: str, from_namespace: str, to_kind: str, to_name: str | None = None
) -> dict[str, Any]:
    to: dict[str, Any] = {"group": "", "kind": to_kind}
    if to_name:
        to["name"] = to_name
    return {
        "apiVersion": f"{GW}/v1beta1",
        "kind": "ReferenceGrant",
        "metadata": _meta(f"allow-{from_namespace}", namespace, None),
        "spec": {
            "from": [{"group": GW, "kind": from_kind, "namespace": from_namespace}],
            "to": [to],
        },
    }


# --- certificates -------------------------------------------------------------------------


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key(curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve or ec.SECP256R1())


def ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def certificate(
    key: Any,
    *,
    cn: str | None = "app.example.com",
    dns: list[str] | None = None,
    ips: list[str] | None = None,
    issuer_cert: x509.Certificate | None = None,
    issuer_key: Any = None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    serial: int = 0x1234ABCD,
    ca: bool = False,
) -> x509.Certificate:
    """A certificate for ``key``, self-signed unless an issuer certificate and key are given."""
    import ipaddress

    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if cn
        else [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "No CN Inc")]
    )
    issuer = issuer_cert.subject if issuer_cert is not None else subject
    signer = issuer_key if issuer_key is not None else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns or []]
    names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips or []]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    algorithm = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(signer, algorithm)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def tls_secret(
    name: str,
    namespace: str = "default",
    *,
    crt: bytes | None,
    key_data: bytes = b"SECRET-KEY",
    owner: dict[str, Any] | None = None,
    secret_type: str = "kubernetes.io/tls",
) -> dict[str, Any]:
    extra = owned_by(owner) if owner else {}
    data: dict[str, str] = {"tls.key": base64.b64encode(key_data).decode()}
    if crt is not None:
        data["tls.crt"] = base64.b64encode(crt).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": secret_type,
        "metadata": _meta(
            name, namespace, extra.get("labels"), ownerReferences=extra.get("ownerReferences")
        ),
        "data": data,
    }
