"""The local control plane is a real Kubernetes: nodes, scheduling, controllers, auth."""

from __future__ import annotations

import base64
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from lightkube import Client, KubeConfig
from lightkube.core.exceptions import ApiError
from lightkube.models.apps_v1 import DeploymentSpec
from lightkube.models.authentication_v1 import TokenRequestSpec, TokenReviewSpec
from lightkube.models.authorization_v1 import ResourceAttributes, SubjectAccessReviewSpec
from lightkube.models.batch_v1 import JobSpec
from lightkube.models.core_v1 import (
    Container,
    PodSpec,
    PodTemplateSpec,
    ResourceRequirements,
    Toleration,
)
from lightkube.models.meta_v1 import LabelSelector, ObjectMeta, OwnerReference
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.authentication_v1 import TokenReview
from lightkube.resources.authorization_v1 import SubjectAccessReview
from lightkube.resources.batch_v1 import Job
from lightkube.resources.core_v1 import (
    ConfigMap,
    Node,
    Pod,
    ServiceAccount,
    ServiceAccountToken,
)

from ngf_console.sandbox.fake_nodes import GPU_MODELS, GPUS_PER_NODE

T = TypeVar("T")


def eventually(check: Callable[[], T | None], timeout: float = 60.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.25)


def test_gpu_nodes_report_gpus_and_labels(kube: Client) -> None:
    for gpu in GPU_MODELS:
        node = kube.get(Node, gpu.node_name)
        assert node.status is not None and node.metadata is not None
        assert node.status.capacity is not None and node.status.allocatable is not None
        assert node.status.capacity["nvidia.com/gpu"] == str(GPUS_PER_NODE)
        assert node.status.allocatable["nvidia.com/gpu"] == "8"
        labels = node.metadata.labels or {}
        assert labels["nvidia.com/gpu.product"] == gpu.product
        assert int(labels["nvidia.com/gpu.memory"]) == gpu.memory_mib
        ready = [c for c in node.status.conditions or [] if c.type == "Ready"]
        assert ready and ready[0].status == "True"


def _deployment(name: str, replicas: int, gpus: int = 0) -> Deployment:
    labels = {"app": name}
    resources = ResourceRequirements(limits={"nvidia.com/gpu": str(gpus)}) if gpus else None
    return Deployment(
        metadata=ObjectMeta(name=name),
        spec=DeploymentSpec(
            replicas=replicas,
            selector=LabelSelector(matchLabels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=PodSpec(
                    containers=[
                        Container(name="main", image="registry.invalid/demo:1", resources=resources)
                    ],
                    tolerations=[
                        Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")
                    ]
                    if gpus
                    else None,
                    nodeSelector={"nvidia.com/gpu.product": "H100"} if gpus else None,
                ),
            ),
        ),
    )


def _running_pods(kube: Client, namespace: str, app: str) -> list[Pod]:
    pods = kube.list(Pod, namespace=namespace, labels={"app": app})
    return [p for p in pods if p.status is not None and p.status.phase == "Running"]


def test_deployment_gets_running_pods(kube: Client, namespace: str) -> None:
    kube.create(_deployment("web", replicas=2), namespace=namespace)
    pods = eventually(
        lambda: (r := _running_pods(kube, namespace, "web")) and len(r) == 2 and r,
        what="2 running pods",
    )
    # Without a GPU request or toleration, the scheduler keeps them off the tainted GPU nodes.
    assert {p.spec.nodeName for p in pods if p.spec} == {"kwok-cpu-0"}


def test_gpu_requests_are_scheduled_against_gpu_capacity(kube: Client, namespace: str) -> None:
    kube.create(_deployment("llm", replicas=3, gpus=4), namespace=namespace)
    # An H100 node has 8 GPUs: two 4-GPU pods fit, the third stays Pending.
    eventually(lambda: len(_running_pods(kube, namespace, "llm")) == 2, what="2 running pods")
    pending = eventually(
        lambda: [
            p
            for p in kube.list(Pod, namespace=namespace, labels={"app": "llm"})
            if p.status
            and p.status.phase == "Pending"
            and any(c.reason == "Unschedulable" for c in p.status.conditions or [])
        ],
        what="an unschedulable pod",
    )
    assert len(pending) == 1


def test_job_completes(kube: Client, namespace: str) -> None:
    job = Job(
        metadata=ObjectMeta(name="once"),
        spec=JobSpec(
            template=PodTemplateSpec(
                spec=PodSpec(
                    restartPolicy="Never",
                    containers=[Container(name="main", image="registry.invalid/job:1")],
                )
            )
        ),
    )
    kube.create(job, namespace=namespace)
    eventually(
        lambda: (
            (kube.get(Job, "once", namespace=namespace).status or None)
            and kube.get(Job, "once", namespace=namespace).status.succeeded == 1
        ),  # type: ignore[union-attr]
        what="job success",
    )


def test_owned_object_is_garbage_collected(kube: Client, namespace: str) -> None:
    owner = kube.create(ConfigMap(metadata=ObjectMeta(name="owner")), namespace=namespace)
    assert owner.metadata is not None and owner.metadata.uid is not None
    kube.create(
        ConfigMap(
            metadata=ObjectMeta(
                name="child",
                ownerReferences=[
                    OwnerReference(
                        apiVersion="v1", kind="ConfigMap", name="owner", uid=owner.metadata.uid
                    )
                ],
            )
        ),
        namespace=namespace,
    )
    kube.delete(ConfigMap, "owner", namespace=namespace)

    def child_gone() -> bool:
        try:
            kube.get(ConfigMap, "child", namespace=namespace)
        except ApiError as err:
            return err.status.code == 404
        return False

    eventually(child_gone, what="garbage collection of the owned ConfigMap")


def test_upstream_and_parent_crds_are_established(kube: Client) -> None:
    names = {c.metadata.name for c in kube.list(CustomResourceDefinition) if c.metadata}
    for expected in (
        "gateways.gateway.networking.k8s.io",
        "httproutes.gateway.networking.k8s.io",
        "inferencepools.inference.networking.k8s.io",
        "scaledobjects.keda.sh",
        "certificates.cert-manager.io",
        "inferencestacks.ngf-console.f5.com",
        "gatewaybundles.ngf-console.f5.com",
        "certificatebundles.ngf-console.f5.com",
        "migrationplans.ngf-console.f5.com",
        "distributedcloudpublishes.ngf-console.f5.com",
    ):
        assert expected in names


def _bearer_get(kubeconfig: Path, token: str, path: str) -> httpx.Response:
    cluster = KubeConfig.from_file(kubeconfig).get().cluster
    assert cluster.certificate_auth_data is not None

    ctx = ssl.create_default_context(
        cadata=base64.b64decode(cluster.certificate_auth_data).decode()
    )
    return httpx.get(
        f"{cluster.server}{path}", headers={"Authorization": f"Bearer {token}"}, verify=ctx
    )


def test_bearer_tokens_token_review_and_rbac(
    kube: Client, kubeconfig: Path, namespace: str
) -> None:
    kube.create(ServiceAccount(metadata=ObjectMeta(name="reader")), namespace=namespace)
    request = kube.create(
        ServiceAccountToken(
            metadata=ObjectMeta(), spec=TokenRequestSpec(audiences=[], expirationSeconds=600)
        ),
        "reader",
        namespace=namespace,
    )
    token = request.status.token

    # The token authenticates, but RBAC grants a fresh service account nothing.
    denied = _bearer_get(kubeconfig, token, f"/api/v1/namespaces/{namespace}/pods")
    assert denied.status_code == 403
    assert f"system:serviceaccount:{namespace}:reader" in denied.json()["message"]
    assert _bearer_get(kubeconfig, "not-a-token", "/api/v1/pods").status_code == 401

    review = kube.create(TokenReview(spec=TokenReviewSpec(token=token)))
    assert review.status is not None and review.status.authenticated is True
    assert review.status.user is not None
    assert review.status.user.username == f"system:serviceaccount:{namespace}:reader"

    sar = kube.create(
        SubjectAccessReview(
            spec=SubjectAccessReviewSpec(
                user=review.status.user.username,
                groups=review.status.user.groups,
                resourceAttributes=ResourceAttributes(
                    namespace=namespace, verb="list", resource="pods"
                ),
            )
        )
    )
    assert sar.status is not None and sar.status.allowed is False
