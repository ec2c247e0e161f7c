"""The operator works with exactly the rights of deploy/manifests/operator-rbac.yaml, and
those rights stop short of what it does not need."""

from __future__ import annotations

from pathlib import Path

import yaml
from lightkube import Client, codecs
from lightkube.core.exceptions import ApiError
from lightkube.models.authentication_v1 import TokenRequestSpec
from lightkube.models.authorization_v1 import ResourceAttributes, SubjectAccessReviewSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.authorization_v1 import SubjectAccessReview
from lightkube.resources.core_v1 import Namespace, ServiceAccountToken
from operator_harness import OperatorProcess, eventually, exists, get, parent_status
from test_operator import bundle_doc, create, stack_doc

RBAC = Path(__file__).resolve().parents[2] / "deploy" / "manifests" / "operator-rbac.yaml"
SA_NAMESPACE, SA_NAME = "ngf-console-system", "ngf-console-operator"
USER = f"system:serviceaccount:{SA_NAMESPACE}:{SA_NAME}"


def _install_rbac(kube: Client) -> None:
    try:
        kube.create(Namespace(metadata=ObjectMeta(name=SA_NAMESPACE)))
    except ApiError as err:
        if err.status.code != 409:
            raise
    for doc in yaml.safe_load_all(RBAC.read_text()):
        kube.apply(codecs.from_dict(doc), field_manager="ngf-console-tests")


def _token_kubeconfig(kube: Client, admin_kubeconfig: Path, path: Path) -> Path:
    token = kube.create(
        ServiceAccountToken(
            metadata=ObjectMeta(), spec=TokenRequestSpec(audiences=[], expirationSeconds=3600)
        ),
        SA_NAME,
        namespace=SA_NAMESPACE,
    ).status.token
    config = yaml.safe_load(admin_kubeconfig.read_text())
    config["users"] = [{"name": SA_NAME, "user": {"token": token}}]
    config["contexts"][0]["context"]["user"] = SA_NAME
    path.write_text(yaml.safe_dump(config))
    return path


def _allowed(kube: Client, verb: str, resource: str, group: str = "") -> bool:
    review = kube.create(
        SubjectAccessReview(
            spec=SubjectAccessReviewSpec(
                user=USER,
                resourceAttributes=ResourceAttributes(verb=verb, resource=resource, group=group),
            )
        )
    )
    return bool(review.status and review.status.allowed)


def test_operator_reconciles_with_its_own_least_privilege_rbac(
    kube: Client, kubeconfig: Path, namespace: str, tmp_path: Path
) -> None:
    _install_rbac(kube)
    assert not _allowed(kube, "delete", "namespaces")
    assert not _allowed(kube, "create", "clusterrolebindings", "rbac.authorization.k8s.io")
    assert not _allowed(kube, "create", "pods")
    assert not _allowed(kube, "update", "customresourcedefinitions", "apiextensions.k8s.io")

    operator = OperatorProcess(
        _token_kubeconfig(kube, kubeconfig, tmp_path / "sa-kubeconfig"), tmp_path / "operator.log"
    )
    try:
        operator.wait_healthy()
        create(kube, stack_doc("rbac-stack", namespace))
        create(
            kube,
            bundle_doc("rbac-gw", namespace, [{"name": "http", "port": 80, "protocol": "HTTP"}]),
        )
        for kind, name in (("InferenceStack", "rbac-stack"), ("GatewayBundle", "rbac-gw")):
            status = eventually(
                lambda k=kind, n=name: (
                    (s := parent_status(kube, k, n, namespace)).get("phase") and s
                ),
                what=f"{kind} reconciled",
            )
            assert status["phase"] in ("Provisioning", "Ready"), status
        # the EPP Role could be granted, so the operator holds what it grants
        assert exists(kube, "rbac.authorization.k8s.io/v1", "Role", "rbac-stack-epp", namespace)
        assert get(kube, "gateway.networking.k8s.io/v1", "Gateway", "rbac-gw", namespace)
        assert "forbidden" not in operator.log.read_text().lower()
    finally:
        operator.stop()
