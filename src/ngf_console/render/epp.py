"""The endpoint picker (EPP) of a stack: its config, Deployment, Service and RBAC.

The shapes follow the EPP release in RenderOptions.epp_image (GAIE v1.5.0: cmd/epp flags,
apix/config/v1alpha1 EndpointPickerConfig, the epplib Helm templates):

* ``spec.epp.strategy`` picks the scorers of the one scheduling profile; a max-score-picker
  picks the pod.
* ``spec.epp.scrapeInterval`` is ``--refresh-metrics-interval``, the period at which the EPP's
  data layer polls every model server. The utilization-detector's staleness threshold is set
  to twice that period: at its 200 ms default, metrics polled every 5 s would always be stale
  and the detector would treat every pod as saturated.
* ``spec.epp.metricsPath`` is the ``path`` parameter of the ``metrics-data-source`` plugin
  (the ``--model-server-metrics-path`` flag is deprecated in favour of it).
* The metric names come from an explicit ``core-metrics-extractor`` engine config for the
  stack's engine, which is also the default for pods without the engine-type label (pods of a
  workload the console did not render).
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import yaml

from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.render.common import (
    KIND_LABELS,
    Manifest,
    child_labels,
    child_metadata,
    parent_name,
    parent_namespace,
)
from ngf_console.render.options import RenderOptions, duration_ms, format_duration
from ngf_console.render.providers import (
    COMPONENT_LABEL,
    ENGINE_TYPE_LABEL,
    MetricDialect,
    metric_dialect,
    metrics_path,
    server_profile,
)

__all__ = [
    "CONFIG_FILE",
    "EPP_CONFIG_API_VERSION",
    "EPP_GRPC_PORT",
    "EPP_HEALTH_PORT",
    "EPP_METRICS_PORT",
    "STRATEGY_SCORERS",
    "endpoint_picker_config",
    "epp_config_name",
    "epp_name",
    "render_epp",
]

EPP_GRPC_PORT: Final = 9002
EPP_HEALTH_PORT: Final = 9003
EPP_METRICS_PORT: Final = 9090
EPP_CONFIG_API_VERSION: Final = "inference.networking.x-k8s.io/v1alpha1"
EPP_COMPONENT: Final = "endpoint-picker"
CONFIG_DIR: Final = "/config"
CONFIG_FILE: Final = "endpoint-picker-config.yaml"
CONFIG_HASH_ANNOTATION: Final = "ngf-console.f5.com/epp-config-hash"
# The gRPC health service the EPP registers when it runs as a single replica.
HEALTH_SERVICE: Final = "inference-extension"
# The utilization-detector's defaults (GAIE v1.5.0), written out so the config says them.
SATURATION_QUEUE_DEPTH: Final = 5
SATURATION_KV_CACHE: Final = 0.8

QUEUE_SCORER: Final = "queue-scorer"
KV_CACHE_SCORER: Final = "kv-cache-utilization-scorer"
PREFIX_SCORER: Final = "prefix-cache-scorer"
PICKER: Final = "max-score-picker"
PROFILE_HANDLER: Final = "single-profile-handler"
SATURATION_DETECTOR: Final = "utilization-detector"
METRICS_SOURCE: Final = "metrics-data-source"
METRICS_EXTRACTOR: Final = "core-metrics-extractor"

STRATEGY_SCORERS: Final[dict[str, tuple[str, ...]]] = {
    "least_queue": (QUEUE_SCORER,),
    "best_kv_cache": (KV_CACHE_SCORER,),
    "prefix_affinity": (PREFIX_SCORER,),
    "composite": (QUEUE_SCORER, KV_CACHE_SCORER, PREFIX_SCORER),
}
"""The scorers of each ``spec.epp.strategy``."""


def epp_name(stack: InferenceStack) -> str:
    """Name of the EPP Deployment, Service, ServiceAccount, Role and RoleBinding."""
    return f"{parent_name(stack)}-epp"


def epp_config_name(stack: InferenceStack) -> str:
    """Name of the ConfigMap holding the EndpointPickerConfig."""
    return f"{parent_name(stack)}-epp-config"


def _scorer_weights(stack: InferenceStack) -> list[tuple[str, float]]:
    epp = stack.spec.epp
    if epp.strategy != "composite":
        return [(scorer, 1.0) for scorer in STRATEGY_SCORERS[epp.strategy]]
    weights = epp.composite_weights
    if weights is None:  # the CRD's CEL rule requires them
        raise ValueError("spec.epp.compositeWeights is required when strategy is composite")
    given = {
        QUEUE_SCORER: weights.queue_depth,
        KV_CACHE_SCORER: weights.kv_cache,
        PREFIX_SCORER: weights.prefix_cache,
    }
    # A zero-weight scorer changes no decision but still costs work (the prefix indexer).
    return [(scorer, given[scorer]) for scorer in STRATEGY_SCORERS["composite"] if given[scorer]]


def _engine_config(dialect: MetricDialect) -> dict[str, Any]:
    """A core-metrics-extractor engine config; unset specs disable that metric."""
    config: dict[str, Any] = {
        "name": dialect.name,
        "queuedRequestsSpec": dialect.queued.epp_spec(),
        "runningRequestsSpec": dialect.running.epp_spec(),
        "kvUsageSpec": dialect.kv_usage.epp_spec() if dialect.kv_usage else "",
        "loraSpec": dialect.lora.epp_spec() if dialect.lora else "",
        "cacheInfoSpec": dialect.cache_info.epp_spec() if dialect.cache_info else "",
    }
    if dialect.cache_block_size_label:
        config["cacheBlockSizeLabelName"] = dialect.cache_block_size_label
    if dialect.cache_num_blocks_label:
        config["cacheNumBlocksLabelName"] = dialect.cache_num_blocks_label
    if dialect.cache_block_size:
        config["cacheBlockSizeSpec"] = dialect.cache_block_size.epp_spec()
    if dialect.cache_num_blocks:
        config["cacheNumBlocksSpec"] = dialect.cache_num_blocks.epp_spec()
    return config


def endpoint_picker_config(stack: InferenceStack) -> dict[str, Any]:
    """The stack's EndpointPickerConfig document."""
    scorers = _scorer_weights(stack)
    dialect = metric_dialect(stack)
    staleness = format_duration(2 * duration_ms(stack.spec.epp.scrape_interval))
    plugins: list[dict[str, Any]] = [{"name": s, "type": s} for s, _ in scorers] + [
        {"name": PICKER, "type": PICKER},
        {"name": PROFILE_HANDLER, "type": PROFILE_HANDLER},
        {
            "name": SATURATION_DETECTOR,
            "type": SATURATION_DETECTOR,
            "parameters": {
                "queueDepthThreshold": SATURATION_QUEUE_DEPTH,
                "kvCacheUtilThreshold": SATURATION_KV_CACHE,
                "metricsStalenessThreshold": staleness,
            },
        },
        {
            "name": METRICS_SOURCE,
            "type": METRICS_SOURCE,
            "parameters": {"scheme": "http", "path": metrics_path(stack)},
        },
        {
            "name": METRICS_EXTRACTOR,
            "type": METRICS_EXTRACTOR,
            "parameters": {
                "engineLabelKey": ENGINE_TYPE_LABEL,
                "defaultEngine": dialect.name,
                "engineConfigs": [_engine_config(dialect)],
            },
        },
    ]
    return {
        "apiVersion": EPP_CONFIG_API_VERSION,
        "kind": "EndpointPickerConfig",
        "plugins": plugins,
        "schedulingProfiles": [
            {
                "name": "default",
                "plugins": [{"pluginRef": s, "weight": w} for s, w in scorers]
                + [{"pluginRef": PICKER}],
            }
        ],
        "saturationDetector": {"pluginRef": SATURATION_DETECTOR},
        "dataLayer": {
            "sources": [
                {"pluginRef": METRICS_SOURCE, "extractors": [{"pluginRef": METRICS_EXTRACTOR}]}
            ]
        },
    }


def _config_text(stack: InferenceStack) -> str:
    return yaml.safe_dump(endpoint_picker_config(stack), sort_keys=False, width=100)


def _selector(stack: InferenceStack) -> dict[str, str]:
    """The EPP pods' selector: the stack label alone would select the model servers too."""
    return {KIND_LABELS["InferenceStack"]: parent_name(stack), COMPONENT_LABEL: EPP_COMPONENT}


def _meta(stack: InferenceStack, name: str) -> dict[str, Any]:
    return child_metadata(stack, name, labels={COMPONENT_LABEL: EPP_COMPONENT})


def render_epp(stack: InferenceStack, *, pool_name: str, options: RenderOptions) -> list[Manifest]:
    """ServiceAccount, Role, RoleBinding, ConfigMap, Service and Deployment, in apply order."""
    name = epp_name(stack)
    config = _config_text(stack)
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(stack, name)},
        _role(stack),
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": _meta(stack, name),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [
                {"kind": "ServiceAccount", "name": name, "namespace": parent_namespace(stack)}
            ],
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(stack, epp_config_name(stack)),
            "data": {CONFIG_FILE: config},
        },
        _service(stack),
        _deployment(stack, pool_name=pool_name, config=config, options=options),
    ]


def _role(stack: InferenceStack) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(stack, epp_name(stack)),
        # What the EPP watches in its namespace: the pool's pods, the pool, and the objectives
        # and model rewrites that refer to it (its informers fail without them).
        "rules": [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
            {
                "apiGroups": ["inference.networking.k8s.io"],
                "resources": ["inferencepools"],
                "verbs": ["get", "list", "watch"],
            },
            {
                "apiGroups": ["inference.networking.x-k8s.io"],
                "resources": ["inferenceobjectives", "inferencemodelrewrites"],
                "verbs": ["get", "list", "watch"],
            },
        ],
    }


def _ports() -> list[dict[str, Any]]:
    return [
        {"name": "grpc-ext-proc", "port": EPP_GRPC_PORT},
        {"name": "grpc-health", "port": EPP_HEALTH_PORT},
        {"name": "http-metrics", "port": EPP_METRICS_PORT},
    ]


def _service(stack: InferenceStack) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(stack, epp_name(stack)),
        "spec": {
            "type": "ClusterIP",
            "selector": _selector(stack),
            "ports": [p | {"targetPort": p["port"], "protocol": "TCP"} for p in _ports()],
        },
    }


def _args(stack: InferenceStack, *, pool_name: str) -> list[str]:
    interval = format_duration(duration_ms(stack.spec.epp.scrape_interval))
    args = [
        f"--pool-name={pool_name}",
        f"--pool-namespace={parent_namespace(stack)}",
        "--pool-group=inference.networking.k8s.io",
        f"--config-file={CONFIG_DIR}/{CONFIG_FILE}",
        f"--refresh-metrics-interval={interval}",
        f"--grpc-port={EPP_GRPC_PORT}",
        f"--grpc-health-port={EPP_HEALTH_PORT}",
        f"--metrics-port={EPP_METRICS_PORT}",
        # Prometheus scrapes :9090 without a token; auth would need a ClusterRole for token
        # and access reviews, which a namespaced child cannot own.
        "--metrics-endpoint-auth=false",
        # No OTLP collector is configured; tracing on would only log export errors.
        "--tracing=false",
    ]
    profile = server_profile(stack)
    if profile.metrics_port != profile.port:
        # Triton serves metrics on their own port; v1.5.0 reads it only from this flag
        # (deprecated, with no config-file replacement yet).
        args.append(f"--model-server-metrics-port={profile.metrics_port}")
    return args


def _deployment(
    stack: InferenceStack, *, pool_name: str, config: str, options: RenderOptions
) -> Manifest:

    def health(**timing: int) -> dict[str, Any]:
        return {"grpc": {"port": EPP_HEALTH_PORT, "service": HEALTH_SERVICE}} | timing

    container: dict[str, Any] = {
        "name": "epp",
        "image": options.epp_image,
        "args": _args(stack, pool_name=pool_name),
        "env": [
            {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        ],
        "ports": [
            {"name": "grpc", "containerPort": EPP_GRPC_PORT, "protocol": "TCP"},
            {"name": "grpc-health", "containerPort": EPP_HEALTH_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": EPP_METRICS_PORT, "protocol": "TCP"},
        ],
        "livenessProbe": health(initialDelaySeconds=5, periodSeconds=10),
        "readinessProbe": health(periodSeconds=2),
        "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "8Gi"}},
        "volumeMounts": [{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}],
    }
    digest = hashlib.sha256(config.encode()).hexdigest()[:16]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(stack, epp_name(stack)),
        "spec": {
            # One active EPP: its prefix-cache index lives in memory. Recreate lets the new
            # pod take over at once instead of waiting beside the old one.
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": _selector(stack)},
            "template": {
                "metadata": {
                    "labels": child_labels(stack, {COMPONENT_LABEL: EPP_COMPONENT}),
                    # The EPP reads its config file once, at start-up: a changed config must
                    # roll the pod, so the pod template carries the config's hash.
                    "annotations": {CONFIG_HASH_ANNOTATION: digest},
                },
                "spec": {
                    "serviceAccountName": epp_name(stack),
                    # As long as the longest in-flight request of the pool it schedules for.
                    "terminationGracePeriodSeconds": 130,
                    "containers": [container],
                    "volumes": [{"name": "config", "configMap": {"name": epp_config_name(stack)}}],
                },
            },
        },
    }
