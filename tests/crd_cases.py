"""Parent CRD test data shared by the unit and integration tiers.

``INVALID_CASES`` runs against the pydantic models (tests/unit/test_crd_models.py) and against
a real API server (tests/integration/test_crds.py), so both are held to the same field paths
for the same mistakes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from ngf_console.crd.inference_stack import InferenceStack

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "deploy" / "samples"
SAMPLES = sorted(SAMPLES_DIR.glob("*.yaml"))
DELETE = object()


def load_sample(name: str) -> dict[str, Any]:
    """The single document of ``deploy/samples/<name>.yaml``."""
    doc: dict[str, Any] = yaml.safe_load((SAMPLES_DIR / f"{name}.yaml").read_text())
    return doc


class Case(NamedTuple):
    """A sample with edits that make it invalid, and the field path the error must name."""

    id: str
    sample: str
    edits: tuple[tuple[str, object], ...]
    path: str
    message: str = ""

    def document(self) -> dict[str, Any]:
        doc = copy.deepcopy(load_sample(self.sample))
        for dotted, value in self.edits:
            *parents, last = (int(p) if p.isdigit() else p for p in dotted.split("."))
            node: Any = doc
            for key in parents:
                node = node[key]
            if value is DELETE:
                del node[last]
            else:
                node[last] = value
        return doc


IS = "inferencestack-llama3-production"
_IS_HF = "inferencestack-llama31-8b-vllm"
GW = "gatewaybundle-production-gateway"
_GW_TLS = "gatewaybundle-shop-gateway"
_CERT = "certificatebundle-shop-cert-manager"
_CERT_INLINE = "certificatebundle-shop-uploaded"
_MIG = "migrationplan-shop-ingress"
_DCP = "distributedcloudpublish-my-app-xc"
_DCP_BYO = "distributedcloudpublish-shop-byo-cert"
_PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
_PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"

INVALID_CASES: tuple[Case, ...] = (
    # InferenceStack
    Case("weights-sum", IS, (("spec.epp.compositeWeights.queueDepth", 0.5),),
         "spec.epp.compositeWeights", "must sum to 1.0"),
    Case("weights-required", IS, (("spec.epp.compositeWeights", DELETE),),
         "spec.epp.compositeWeights", "compositeWeights is required when strategy is composite"),
    Case("weight-range", IS, (("spec.epp.compositeWeights.queueDepth", 1.5),),
         "spec.epp.compositeWeights.queueDepth"),
    Case("strategy-enum", IS, (("spec.epp.strategy", "round_robin"),), "spec.epp.strategy"),
    Case("replicas-above-max", IS, (("spec.pool.replicas", 11),),
         "spec.pool.replicas", "replicas must be between minReplicas and maxReplicas"),
    Case("replicas-below-min", IS, (("spec.pool.replicas", 1),),
         "spec.pool.replicas", "replicas must be between minReplicas and maxReplicas"),
    Case("min-above-max", IS, (("spec.pool.minReplicas", 12), ("spec.pool.replicas", 12)),
         "spec.pool.minReplicas", "minReplicas must be less than or equal to maxReplicas"),
    Case("replicas-negative", IS, (("spec.pool.minReplicas", -1),), "spec.pool.minReplicas"),
    Case("gateway-both", IS, (("spec.gateway.createListener", {"port": 8080}),),
         "spec.gateway", "exactly one of gatewayRef or createListener must be set"),
    Case("gateway-neither", IS, (("spec.gateway.gatewayRef", DELETE),),
         "spec.gateway", "exactly one of gatewayRef or createListener must be set"),
    Case("listener-port", _IS_HF, (("spec.gateway.createListener.port", 0),),
         "spec.gateway.createListener.port"),
    Case("autoscaling-backend", IS, (("spec.autoscaling.backend", "vpa"),),
         "spec.autoscaling.backend"),
    Case("duration-pattern", IS, (("spec.autoscaling.cooldownPeriod", "five minutes"),),
         "spec.autoscaling.cooldownPeriod"),
    Case("threshold-duration", IS, (("spec.autoscaling.queueDepthThreshold.duration", "60"),),
         "spec.autoscaling.queueDepthThreshold.duration"),
    Case("kv-cache-percent", IS, (("spec.autoscaling.kvCacheThreshold.value", 180),),
         "spec.autoscaling.kvCacheThreshold.value", "is a percentage"),
    Case("no-trigger", _IS_HF, (("spec.autoscaling.queueDepthThreshold", DELETE),),
         "spec.autoscaling", "at least one of"),
    Case("quantity", IS, (("spec.pool.resources.requests.memory", "lots"),),
         "spec.pool.resources.requests.memory"),
    Case("quantity-float", IS, (("spec.pool.resources.limits.memory", 0.5),),
         "spec.pool.resources.limits.memory"),
    Case("image-or-model-id", _IS_HF, (("spec.model.modelId", DELETE),),
         "spec.model.image", "image is required when modelId is not set"),
    Case("provider-enum", _IS_HF, (("spec.model.provider", "ollama"),), "spec.model.provider"),
    Case("engine-enum", _IS_HF, (("spec.model.engine", "llamacpp"),), "spec.model.engine"),
    Case("serving-mode-enum", _IS_HF, (("spec.model.servingMode", "split"),),
         "spec.model.servingMode"),
    Case("model-required", IS, (("spec.model.name", DELETE),), "spec.model.name"),
    Case("xc-tls-mode", IS, (("spec.distributedCloud.tlsMode", "custom"),),
         "spec.distributedCloud.tlsMode"),
    Case("route-path", IS, (("spec.gateway.route.pathPrefix", "v1"),),
         "spec.gateway.route.pathPrefix"),
    # GatewayBundle
    Case("tls-both-certs", GW,
         (("spec.listeners.1.tls.inlineCert", {"certificate": _PEM_CERT, "privateKey": _PEM_KEY}),),
         "spec.listeners[1].tls", "exactly one of certificateRef or inlineCert"),
    Case("tls-no-cert", GW, (("spec.listeners.1.tls.certificateRef", DELETE),),
         "spec.listeners[1].tls", "exactly one of certificateRef or inlineCert"),
    Case("inline-empty-key", _GW_TLS, (("spec.listeners.0.tls.inlineCert.privateKey", ""),),
         "spec.listeners[0].tls.inlineCert.privateKey", "privateKey must not be empty"),
    Case("inline-missing-key", _GW_TLS, (("spec.listeners.0.tls.inlineCert.privateKey", DELETE),),
         "spec.listeners[0].tls.inlineCert.privateKey"),
    Case("passthrough-with-cert", _GW_TLS,
         (("spec.listeners.1.tls.certificateRef", {"name": "payments-tls"}),),
         "spec.listeners[1].tls", "must not be set when mode is Passthrough"),
    Case("https-without-tls", GW, (("spec.listeners.1.tls", DELETE),),
         "spec.listeners[1].tls", "tls is required for protocols HTTPS and TLS"),
    Case("http-with-tls", GW, (("spec.listeners.0.tls", {"mode": "Passthrough"}),),
         "spec.listeners[0].tls", "tls must not be set for protocols HTTP, TCP and UDP"),
    Case("https-passthrough", GW, (("spec.listeners.1.tls", {"mode": "Passthrough"}),),
         "spec.listeners[1].tls.mode", "tls mode must be Terminate for protocol HTTPS"),
    Case("tcp-hostname", _GW_TLS, (("spec.listeners.2.hostname", "db.example.com"),),
         "spec.listeners[2].hostname", "hostname must not be set for protocols TCP and UDP"),
    Case("listener-duplicate-name", GW, (("spec.listeners.1.name", "http"),),
         "spec.listeners[1]", "Duplicate value"),
    Case("listener-same-endpoint", GW, (("spec.listeners.1", {
        "name": "http-again", "port": 80, "protocol": "HTTP"}),),
         "spec.listeners", "port, protocol and hostname must be unique"),
    Case("listener-port-range", GW, (("spec.listeners.0.port", 70000),),
         "spec.listeners[0].port"),
    Case("listener-protocol", GW, (("spec.listeners.0.protocol", "HTTP3"),),
         "spec.listeners[0].protocol"),
    Case("listener-name", GW, (("spec.listeners.0.name", "Plain HTTP"),),
         "spec.listeners[0].name"),
    Case("listeners-empty", GW, (("spec.listeners", []),), "spec.listeners"),
    Case("violation-rating", GW, (("spec.waf.violationRatingThreshold", 6),),
         "spec.waf.violationRatingThreshold"),
    Case("waf-mode", GW, (("spec.waf.mode", "block"),), "spec.waf.mode"),
    Case("snippet-context", _GW_TLS, (("spec.snippets.0.context", "stream"),),
         "spec.snippets[0].context"),
    Case("allowed-routes-selector", GW, (("spec.allowedRoutes.selector", DELETE),),
         "spec.allowedRoutes.selector", "selector is required when namespaces is Selector"),
    Case("allowed-routes-enum", GW, (("spec.allowedRoutes.namespaces", "Some"),),
         "spec.allowedRoutes.namespaces"),
    Case("infrastructure-replicas", GW, (("spec.infrastructure.replicas", -1),),
         "spec.infrastructure.replicas"),
    # CertificateBundle
    Case("cert-both-sources", _CERT,
         (("spec.source.inline", {"certificate": _PEM_CERT, "privateKey": _PEM_KEY}),),
         "spec.source", "exactly one of inline or certManager must be set"),
    Case("cert-no-source", _CERT, (("spec.source.certManager", DELETE),),
         "spec.source", "exactly one of inline or certManager must be set"),
    Case("issuer-kind", _CERT, (("spec.source.certManager.issuerKind", "Vault"),),
         "spec.source.certManager.issuerKind"),
    Case("inline-empty-cert", _CERT_INLINE, (("spec.source.inline.certificate", ""),),
         "spec.source.inline.certificate", "certificate must not be empty"),
    Case("expiry-threshold", _CERT, (("spec.expiryAlertThreshold", "a month"),),
         "spec.expiryAlertThreshold"),
    Case("auto-renew-inline", _CERT_INLINE, (("spec.autoRenew", True),),
         "spec.autoRenew", "autoRenew requires source.certManager"),
    Case("hostnames-empty", _CERT, (("spec.hostnames", []),), "spec.hostnames"),
    Case("hostnames-duplicate", _CERT, (("spec.hostnames.1", "shop.example.com"),),
         "spec.hostnames[1]", "Duplicate value"),
    # MigrationPlan
    Case("source-type", _MIG, (("spec.source.type", "haproxy"),), "spec.source.type"),
    Case("confidence", _MIG, (("spec.resources.0.confidence", "certain"),),
         "spec.resources[0].confidence"),
    Case("nginx-conf-needs-yaml", _MIG,
         (("spec.source.type", "nginx-conf"), ("spec.source.sourceYAML", DELETE)),
         "spec.source.sourceYAML", "required when type is nginx-conf"),
    Case("source-yaml-and-cluster", _MIG,
         (("spec.source.sourceCluster", {"kubeconfigSecretRef": "source-kubeconfig"}),),
         "spec.source.sourceCluster", "mutually exclusive"),
    Case("pause-between", _MIG, (("spec.strategy.pauseBetween", "30 seconds"),),
         "spec.strategy.pauseBetween"),
    # DistributedCloudPublish
    Case("both-targets", _DCP, (("spec.inferencePoolRef", {"name": "llama3-pool"}),),
         "spec", "exactly one of httpRouteRef or inferencePoolRef must be set"),
    Case("no-target", _DCP, (("spec.httpRouteRef", DELETE),),
         "spec", "exactly one of httpRouteRef or inferencePoolRef must be set"),
    Case("xc-tls-enum", _DCP, (("spec.distributedCloud.tls.mode", "letsencrypt"),),
         "spec.distributedCloud.tls.mode"),
    Case("byo-needs-cert", _DCP_BYO, (("spec.distributedCloud.tls.certificateRef", DELETE),),
         "spec.distributedCloud.tls.certificateRef", "required when mode is bringYourOwn"),
    Case("origin-port", _DCP, (("spec.distributedCloud.originPool.port", 0),),
         "spec.distributedCloud.originPool.port"),
    Case("origin-address", _DCP_BYO, (("spec.distributedCloud.originPool.overrideAddress", ""),),
         "spec.distributedCloud.originPool.overrideAddress", "required when autoDetect is false"),
    Case("public-hostname", _DCP, (("spec.distributedCloud.publicHostname", DELETE),),
         "spec.distributedCloud.publicHostname"),
    Case("protection-profile", _DCP, (("spec.distributedCloud.botDefense.profile", "max"),),
         "spec.distributedCloud.botDefense.profile"),
)  # fmt: skip


def kube_path(loc: tuple[str | int, ...]) -> str:
    """A pydantic error location in the API server's notation: ``spec.listeners[1].tls``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


TRITON = "inferencestack-llama3-production"
VLLM = "inferencestack-llama31-8b-vllm"
DYNAMO = "inferencestack-qwen-dynamo-disaggregated"


def make_stack(sample: str = VLLM, edits: dict[str, Any] | None = None) -> InferenceStack:
    """A sample InferenceStack with dotted-path edits (``DELETE`` removes a key)."""
    doc = copy.deepcopy(load_sample(sample))
    for dotted, value in (edits or {}).items():
        *parents, last = dotted.split(".")
        node = doc
        for key in parents:
            node = node.setdefault(key, {})
        if value is DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return InferenceStack.model_validate(doc)
