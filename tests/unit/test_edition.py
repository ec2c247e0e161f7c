"""Edition detection (spec §3.1) over plain Deployment manifests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from lightkube.resources.apps_v1 import Deployment

from ngf_console.kube.edition import EditionInfo, detect_edition, read_edition

OSS_IMAGE = "ghcr.io/nginx/nginx-gateway-fabric:2.1.0"
PLUS_CP_IMAGE = "private-registry.nginx.com/nginx-gateway-fabric/nginx-gateway-fabric:2.1.0"


def deployment(
    name: str,
    containers: list[dict[str, Any]],
    *,
    labels: dict[str, str] | None = None,
    namespace: str = "nginx-gateway",
) -> dict[str, Any]:
    """A Deployment manifest with the given containers."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"spec": {"containers": containers}},
        },
    }


def control_plane(image: str = OSS_IMAGE, *extra_args: str, **kw: Any) -> dict[str, Any]:
    """The NGF control plane Deployment as the Helm chart renders it."""
    args = ["controller", "--gateway-ctlr-name=gateway.nginx.org/nginx-gateway-controller"]
    container = {"name": "nginx-gateway", "image": image, "args": [*args, *extra_args]}
    labels = {"app.kubernetes.io/name": "nginx-gateway-fabric", **kw.pop("labels", {})}
    return deployment("ngf-nginx-gateway-fabric", [container], labels=labels, **kw)


def test_oss_control_plane() -> None:
    info = detect_edition([control_plane()])
    assert info.edition == "oss"
    assert info.version == "2.1.0"
    assert not info.is_enterprise
    assert any("without --nginx-plus" in e for e in info.evidence)


@pytest.mark.parametrize(
    "flag", ["--nginx-plus", "--nginx-plus=true", "--usage-report-secret=nplus-license"]
)
def test_plus_flags_mean_enterprise(flag: str) -> None:
    info = detect_edition([control_plane(OSS_IMAGE, flag)])
    assert info.edition == "enterprise"
    assert info.is_enterprise
    assert any(flag.split("=")[0] in e for e in info.evidence)


def test_nginx_plus_false_is_oss() -> None:
    assert detect_edition([control_plane(OSS_IMAGE, "--nginx-plus=false")]).edition == "oss"


def test_usage_report_and_plus_flag_both_reported() -> None:
    info = detect_edition(
        [control_plane(OSS_IMAGE, "--nginx-plus", "--usage-report-secret", "nplus-license")]
    )
    assert info.edition == "enterprise"
    assert len(info.evidence) == 2


def test_control_plane_from_plus_registry() -> None:
    info = detect_edition([control_plane(PLUS_CP_IMAGE)])
    assert info.edition == "enterprise"
    assert info.version == "2.1.0"
    assert any("private-registry.nginx.com" in e for e in info.evidence)


def test_ngf1_pod_with_plus_data_plane_container() -> None:
    """NGF 1.x runs nginx in the control plane pod."""
    dep = control_plane("ghcr.io/nginxinc/nginx-gateway-fabric:1.6.2")
    dep["spec"]["template"]["spec"]["containers"].append(
        {
            "name": "nginx",
            "image": "private-registry.nginx.com/nginx-gateway-fabric/nginx-plus:1.6.2",
        }
    )
    info = detect_edition([dep])
    assert info.edition == "enterprise"
    assert info.version == "1.6.2"
    assert any("NGINX Plus data plane image" in e for e in info.evidence)


def test_ngf2_data_plane_deployment_plus() -> None:
    """NGF 2.x creates a Deployment per Gateway; its image alone decides."""
    dp = deployment(
        "gateway-nginx",
        [{"name": "nginx", "image": "my.registry/nginx-gateway-fabric/nginx-plus-f5waf:2.6.0"}],
        labels={"gateway.networking.k8s.io/gateway-name": "gateway"},
        namespace="default",
    )
    info = detect_edition([dp])
    assert info == EditionInfo(
        "enterprise",
        "2.6.0",
        (
            "Deployment default/gateway-nginx, container nginx: NGINX Plus data plane image "
            "my.registry/nginx-gateway-fabric/nginx-plus-f5waf:2.6.0",
        ),
    )


def test_ngf2_data_plane_deployment_oss_with_oss_control_plane() -> None:
    dp = deployment(
        "gateway-nginx",
        [{"name": "nginx", "image": "ghcr.io/nginx/nginx-gateway-fabric/nginx:2.1.0"}],
    )
    info = detect_edition([control_plane(), dp])
    assert info.edition == "oss"
    assert len(info.evidence) == 2


def test_plus_evidence_wins_over_oss_evidence() -> None:
    dp = deployment(
        "gateway-nginx",
        [{"name": "nginx", "image": "private-registry.nginx.com/nginx-gateway-fabric/nginx-plus"}],
    )
    assert detect_edition([control_plane(), dp]).edition == "enterprise"


def test_waf_sidecar_means_enterprise() -> None:
    dp = deployment(
        "gw",
        [
            {"name": "nginx", "image": "example.com/nginx:custom"},
            {"name": "waf-enforcer", "image": "private-registry.nginx.com/nap/waf-enforcer:5.9"},
        ],
    )
    info = detect_edition([dp])
    assert info.edition == "enterprise"
    assert "F5 WAF" in info.evidence[0]


def test_unknown_without_ngf() -> None:
    envoy = deployment("envoy", [{"name": "envoy", "image": "envoyproxy/envoy:v1.31.0"}])
    info = detect_edition([envoy, {"kind": "ConfigMap", "data": {}}])
    assert info.edition == "unknown"
    assert info.version is None
    assert info.evidence == ("no NGINX Gateway Fabric Deployment found",)


def test_empty_input_is_unknown() -> None:
    assert detect_edition([]).edition == "unknown"


def test_bare_pod_spec_and_pod() -> None:
    spec = {"containers": [{"name": "c", "image": OSS_IMAGE, "args": ["controller"]}]}
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    assert detect_edition([spec]).edition == "oss"
    assert detect_edition([pod]).edition == "oss"


def test_init_containers_are_seen() -> None:
    spec = {
        "initContainers": [
            {"name": "init", "image": PLUS_CP_IMAGE, "command": ["/usr/bin/gateway"]}
        ],
        "containers": [{"name": "c", "image": "busybox"}],
    }
    assert detect_edition([spec]).edition == "enterprise"


def test_version_from_label_when_image_has_digest_only() -> None:
    dep = control_plane(
        "ghcr.io/nginx/nginx-gateway-fabric@sha256:" + "a" * 64,
        labels={"app.kubernetes.io/version": "2.2.1"},
    )
    info = detect_edition([dep])
    assert info.edition == "oss"
    assert info.version == "2.2.1"


def test_version_edge_tag_is_not_a_version() -> None:
    info = detect_edition([control_plane("ghcr.io/nginx/nginx-gateway-fabric:edge")])
    assert info.edition == "oss"
    assert info.version is None


def test_highest_version_wins_numerically() -> None:
    a = control_plane("ghcr.io/nginx/nginx-gateway-fabric:2.9.0")
    b = control_plane("ghcr.io/nginx/nginx-gateway-fabric:v2.10.0", namespace="other")
    assert detect_edition([a, b]).version == "2.10.0"


def test_registry_with_port_parses() -> None:
    dep = control_plane("registry.local:5000/nginx/nginx-gateway-fabric:2.3.0")
    info = detect_edition([dep])
    assert (info.edition, info.version) == ("oss", "2.3.0")


class _FakeClient:
    """Just enough of lightkube's AsyncClient for read_edition."""

    def __init__(self, items: list[Deployment]) -> None:
        self.items = items
        self.calls: list[tuple[str | None, dict[str, Any]]] = []

    async def list(
        self, res: type[Deployment], *, namespace: str | None = None, labels: Any = None
    ) -> AsyncIterator[Deployment]:
        self.calls.append((namespace, labels))
        for item in self.items:
            yield item


def test_read_edition_lists_and_dedupes() -> None:
    dep = cast(Deployment, Deployment.from_dict(control_plane(OSS_IMAGE, "--nginx-plus")))
    fake = _FakeClient([dep])
    info = asyncio.run(read_edition(fake, namespace="nginx-gateway"))  # type: ignore[arg-type]
    assert info.edition == "enterprise"
    # Two selectors (control plane name, per-Gateway data plane), one Deployment, one finding.
    assert [ns for ns, _ in fake.calls] == ["nginx-gateway", "nginx-gateway"]
    assert len(info.evidence) == 1


def test_read_edition_all_namespaces_by_default() -> None:
    fake = _FakeClient([])
    info = asyncio.run(read_edition(fake))  # type: ignore[arg-type]
    assert info.edition == "unknown"
    assert {ns for ns, _ in fake.calls} == {"*"}
