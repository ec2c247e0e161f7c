"""InferenceStack: one model served behind an InferencePool, its EPP, route and autoscaler.

Fields follow spec §2.5.3. ``spec.model`` (in model_spec.py) also carries KubeFoundry's
deployment fields (engine, provider, modelId, servingMode), so one resource says both how the
model runs and how traffic reaches it. ``spec.distributedCloud`` keeps the spec's flat
XCInferenceSpec shape; the richer shape of a standalone publication is DistributedCloudPublish.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ngf_console.crd.base import CrdModel, cel_rule
from ngf_console.crd.common import (
    ChildStatus,
    Conditions,
    Count,
    DriftHistory,
    Duration,
    Hostname,
    LabelSelector,
    NamespaceName,
    ObjectName,
    ParentResource,
    PortNumber,
    ReplicaCount,
    ResourceRequirements,
    Time,
    Toleration,
    Weight,
    XCName,
    XCTlsMode,
)
from ngf_console.crd.model_spec import ModelSpec

__all__ = [
    "AutoscalingSpec",
    "CompositeWeights",
    "EPPSpec",
    "GatewayAttachmentSpec",
    "GatewayReference",
    "InferenceStack",
    "InferenceStackChildren",
    "InferenceStackSpec",
    "InferenceStackStatus",
    "ListenerSpec",
    "ModelSpec",
    "PoolSpec",
    "RateLimitSpec",
    "RouteSpec",
    "ThresholdSpec",
    "XCInferenceSpec",
    "XCPublishStatus",
]

EPPStrategy = Literal["least_queue", "best_kv_cache", "prefix_affinity", "composite"]
"""Endpoint-picker routing strategies."""

InferenceStackPhase = Literal["Pending", "Provisioning", "Ready", "Degraded", "Error"]

PathPrefix = Annotated[str, StringConstraints(max_length=1024, pattern=r"^/[^\s?#]*$")]


class PoolSpec(CrdModel):
    """InferencePool configuration: replicas and pod placement."""

    replicas: ReplicaCount = Field(description="Number of initial replicas.")
    min_replicas: ReplicaCount = Field(description="Min replicas for autoscaling.")
    max_replicas: Annotated[int, Field(ge=1, le=2147483647)] = Field(
        description="Max replicas for autoscaling."
    )
    selector: LabelSelector | None = Field(
        default=None, description="Pod selector (match an existing deployment's pods)."
    )
    node_selector: dict[str, str] | None = Field(
        default=None, description="Node labels the model server pods must run on (GPU nodes)."
    )
    tolerations: list[Toleration] | None = Field(
        default=None, description="Tolerations for GPU taints."
    )
    resources: ResourceRequirements | None = Field(
        default=None, description="Resource requests and limits per pod."
    )

    @cel_rule(
        "self.minReplicas <= self.maxReplicas",
        message="minReplicas must be less than or equal to maxReplicas",
        field_path=".minReplicas",
    )
    def _min_le_max(self) -> bool:
        return self.min_replicas <= self.max_replicas

    @cel_rule(
        "self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas",
        message="replicas must be between minReplicas and maxReplicas",
        field_path=".replicas",
    )
    def _replicas_in_range(self) -> bool:
        return self.min_replicas <= self.replicas <= self.max_replicas


class CompositeWeights(CrdModel):
    """Weights of the composite strategy's scorers; they must sum to 1.0."""

    queue_depth: Weight = Field(description="Weight of the queue-depth scorer.")
    kv_cache: Weight = Field(description="Weight of the KV-cache utilization scorer.")
    prefix_cache: Weight = Field(description="Weight of the prefix-cache affinity scorer.")

    # Exact float sums of decimal weights are rarely 1.0 (0.4 + 0.35 + 0.25), hence the band.
    @cel_rule(
        "self.queueDepth + self.kvCache + self.prefixCache > 0.999"
        " && self.queueDepth + self.kvCache + self.prefixCache < 1.001",
        message="queueDepth + kvCache + prefixCache must sum to 1.0",
    )
    def _sum_to_one(self) -> bool:
        total = self.queue_depth + self.kv_cache + self.prefix_cache
        return total > 0.999 and total < 1.001


class EPPSpec(CrdModel):
    """Endpoint picker (EPP) routing configuration."""

    scrape_interval: Duration = Field(default="5s", description="Metric scraping interval.")
    metrics_path: Annotated[str, StringConstraints(pattern=r"^/")] = Field(
        default="/metrics", description="Model server /metrics endpoint path."
    )
    strategy: EPPStrategy = Field(
        default="least_queue",
        description="Routing strategy: least_queue, best_kv_cache, prefix_affinity, composite.",
    )
    composite_weights: CompositeWeights | None = Field(
        default=None,
        description="Weights for the composite strategy (must sum to 1.0).",
    )
    dcgm_enabled: bool = Field(default=True, description="Enable DCGM GPU metrics integration.")

    @cel_rule(
        "self.strategy != 'composite' || has(self.compositeWeights)",
        message="compositeWeights is required when strategy is composite",
        field_path=".compositeWeights",
        reason="FieldValueRequired",
    )
    def _weights_for_composite(self) -> bool:
        return self.strategy != "composite" or self.composite_weights is not None


class ThresholdSpec(CrdModel):
    """A scale-up threshold that must hold for a duration."""

    value: Annotated[float, Field(ge=0.0)] = Field(
        description=(
            "Threshold value: waiting requests per pod for queueDepthThreshold, percent for "
            "kvCacheThreshold and gpuUtilThreshold."
        )
    )
    duration: Duration = Field(description='How long the value must be exceeded, e.g. "60s".')


class AutoscalingSpec(CrdModel):
    """Autoscaling configuration."""

    backend: Literal["keda", "hpa"] = Field(default="keda", description="Backend: keda or hpa.")
    queue_depth_threshold: ThresholdSpec | None = Field(
        default=None, description="Queue depth threshold for scale-up."
    )
    kv_cache_threshold: ThresholdSpec | None = Field(
        default=None, description="KV-cache utilization threshold (percent) for scale-up."
    )
    gpu_util_threshold: ThresholdSpec | None = Field(
        default=None, description="GPU utilization threshold (percent; DCGM safety net)."
    )
    cooldown_period: Duration = Field(
        default="300s", description="Cool-down period after a scale event."
    )

    @cel_rule(
        "has(self.queueDepthThreshold) || has(self.kvCacheThreshold) || has(self.gpuUtilThreshold)",
        message="at least one of queueDepthThreshold, kvCacheThreshold or gpuUtilThreshold "
        "must be set",
    )
    def _has_trigger(self) -> bool:
        return any(
            t is not None
            for t in (self.queue_depth_threshold, self.kv_cache_threshold, self.gpu_util_threshold)
        )

    @cel_rule(
        "!has(self.kvCacheThreshold) || self.kvCacheThreshold.value <= 100.0",
        message="kvCacheThreshold.value is a percentage and must be at most 100",
        field_path=".kvCacheThreshold.value",
    )
    def _kv_cache_percent(self) -> bool:
        return self.kv_cache_threshold is None or self.kv_cache_threshold.value <= 100.0

    @cel_rule(
        "!has(self.gpuUtilThreshold) || self.gpuUtilThreshold.value <= 100.0",
        message="gpuUtilThreshold.value is a percentage and must be at most 100",
        field_path=".gpuUtilThreshold.value",
    )
    def _gpu_util_percent(self) -> bool:
        return self.gpu_util_threshold is None or self.gpu_util_threshold.value <= 100.0


class GatewayReference(CrdModel):
    """Reference to an existing Gateway."""

    name: ObjectName = Field(description="Name of the Gateway.")
    namespace: NamespaceName | None = Field(
        default=None, description="Namespace of the Gateway; defaults to this namespace."
    )


class ListenerSpec(CrdModel):
    """A listener the operator creates for this stack when no gatewayRef is given."""

    port: PortNumber = Field(description="Listener port.")
    protocol: Literal["HTTP", "HTTPS"] | None = Field(
        default=None, description="Listener protocol: HTTP or HTTPS."
    )
    hostname: Hostname | None = Field(default=None, description="Listener hostname.")


class RouteSpec(CrdModel):
    """HTTPRoute matching configuration."""

    path_prefix: PathPrefix = Field(description="Path prefix for the inference endpoint.")
    timeout: Duration = Field(
        default="300s", description="Request timeout (inference is long-running)."
    )
    streaming_enabled: bool = Field(
        default=True, description="Enable SSE/streaming for token-by-token output."
    )


class GatewayAttachmentSpec(CrdModel):
    """How the stack attaches to a Gateway: an existing one, or a new listener."""

    gateway_ref: GatewayReference | None = Field(
        default=None, description="Reference to an existing Gateway."
    )
    create_listener: ListenerSpec | None = Field(
        default=None, description="If no gatewayRef, create a new listener on this gateway."
    )
    route: RouteSpec = Field(description="HTTPRoute matching configuration.")

    @cel_rule(
        "has(self.gatewayRef) != has(self.createListener)",
        message="exactly one of gatewayRef or createListener must be set",
    )
    def _one_attachment(self) -> bool:
        return (self.gateway_ref is None) != (self.create_listener is None)


class RateLimitSpec(CrdModel):
    """Per-tenant rate limit at the F5 Distributed Cloud edge."""

    requests_per_minute: Annotated[int, Field(ge=1)] = Field(
        description="Requests per minute per tenant."
    )
    tokens_per_minute: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Tokens per minute per tenant."
    )


class XCInferenceSpec(CrdModel):
    """Publication of this stack's endpoint through F5 Distributed Cloud."""

    tenant: XCName = Field(description="F5 Distributed Cloud tenant.")
    namespace: XCName = Field(description="F5 Distributed Cloud namespace.")
    waf_policy: XCName | None = Field(default=None, description="XC App Firewall name.")
    bot_defense: bool | None = Field(default=None, description="Enable XC bot defense.")
    ddos_protection: bool | None = Field(default=None, description="Enable XC DDoS protection.")
    per_tenant_rate_limit: RateLimitSpec | None = Field(
        default=None, description="Per-tenant rate limit at the edge."
    )
    public_hostname: Hostname = Field(description="Public hostname served by XC.")
    tls_mode: XCTlsMode | None = Field(
        default=None,
        description="TLS: managed (certificate issued by XC) or bringYourOwn.",
    )


class InferenceStackSpec(CrdModel):
    """Desired state of an InferenceStack."""

    model: ModelSpec = Field(description="Model serving configuration.")
    pool: PoolSpec = Field(description="InferencePool configuration.")
    epp: EPPSpec = Field(description="EPP routing configuration.")
    autoscaling: AutoscalingSpec | None = Field(
        default=None, description="Autoscaling configuration."
    )
    gateway: GatewayAttachmentSpec = Field(description="Gateway attachment.")
    distributed_cloud: XCInferenceSpec | None = Field(
        default=None, description="Optional: publish to F5 Distributed Cloud."
    )


class InferenceStackChildren(CrdModel):
    """Status of each child resource of an InferenceStack."""

    inference_pool: ChildStatus | None = Field(default=None, description="The InferencePool.")
    epp: ChildStatus | None = Field(default=None, description="The EPP configuration.")
    http_route: ChildStatus | None = Field(default=None, description="The HTTPRoute.")
    autoscaler: ChildStatus | None = Field(
        default=None, description="The KEDA ScaledObject or HPA."
    )
    dcgm_exporter: ChildStatus | None = Field(default=None, description="The DCGM exporter.")
    model_server: ChildStatus | None = Field(
        default=None, description="The model-server workload, when the stack deploys one."
    )
    gateway: ChildStatus | None = Field(
        default=None, description="The Gateway created for spec.gateway.createListener."
    )
    distributed_cloud: ChildStatus | None = Field(
        default=None, description="The DistributedCloudPublish child."
    )


class XCPublishStatus(CrdModel):
    """Status of the F5 Distributed Cloud publication."""

    state: Literal["Pending", "Published", "Error"] | None = Field(
        default=None, description="Pending, Published or Error."
    )
    public_endpoint: str | None = Field(default=None, description="Public URL of the endpoint.")
    load_balancer_name: str | None = Field(
        default=None, description="Name of the XC HTTP load balancer."
    )
    last_sync_time: Time | None = Field(default=None, description="Last successful sync.")


class InferenceStackStatus(CrdModel):
    """Observed state of an InferenceStack, aggregated by the operator."""

    phase: InferenceStackPhase | None = Field(
        default=None,
        description="High-level phase: Pending, Provisioning, Ready, Degraded, Error.",
    )
    observed_generation: Count | None = Field(
        default=None, description="The .metadata.generation this status was computed for."
    )
    current_replicas: ReplicaCount | None = Field(
        default=None, description="Current replica count."
    )
    desired_replicas: ReplicaCount | None = Field(
        default=None, description="Desired replica count (from the autoscaler)."
    )
    children: InferenceStackChildren | None = Field(
        default=None, description="Child resource statuses."
    )
    conditions: Conditions | None = Field(
        default=None, description="Conditions (standard Kubernetes pattern)."
    )
    observed_spec_hash: str | None = Field(
        default=None,
        description="Hash of the spec used to generate current children (drift detection).",
    )
    last_reconciled_at: Time | None = Field(
        default=None,
        description="Last time the operator successfully reconciled all children.",
    )
    drift_history: DriftHistory | None = Field(
        default=None, description="Recent corrections of children changed outside the operator."
    )
    xc_status: XCPublishStatus | None = Field(
        default=None, description="XC publish status (if distributedCloud is configured)."
    )


class InferenceStack(ParentResource):
    """InferenceStack is the parent of an inference workload.

    The operator renders its children (InferencePool, EPP configuration, HTTPRoute, KEDA
    ScaledObject or HPA, DCGM exporter), keeps them as declared and reports their state here.
    """

    kind: Literal["InferenceStack"] = "InferenceStack"
    spec: InferenceStackSpec
    status: InferenceStackStatus | None = None
