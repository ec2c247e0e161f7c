"""Types shared by the parent CRDs: constrained scalars and Kubernetes core shapes.

The scalar constraints follow Kubernetes and the Gateway API project (object names, hostnames,
durations, ports), so a parent resource is rejected at admission for the same reasons its
rendered children would be, instead of failing later in the operator.
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from ngf_console.crd.base import CrdModel, ListMap, cel_rule

GROUP: Final = "ngf-console.f5.com"
VERSION: Final = "v1alpha1"
API_VERSION: Final = f"{GROUP}/{VERSION}"

DNS_LABEL_PATTERN: Final = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN_PATTERN: Final = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# Gateway API's Hostname: a DNS name, optionally with a leading "*." wildcard label.
HOSTNAME_PATTERN: Final = (
    r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
# Gateway API's Duration (GEP-2257): up to four <number><unit> parts, e.g. "300s", "1h30m".
DURATION_PATTERN: Final = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"
# The same with days, for thresholds measured in days ("30d").
LONG_DURATION_PATTERN: Final = r"^([0-9]{1,5}(d|h|m|s|ms)){1,4}$"
# resource.Quantity's canonical string form, as controller-gen writes it into CRDs.
QUANTITY_PATTERN: Final = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]"
    r"|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
_QUANTITY_RE: Final = re.compile(QUANTITY_PATTERN)

ObjectName = Annotated[
    str, StringConstraints(min_length=1, max_length=253, pattern=DNS_SUBDOMAIN_PATTERN)
]
"""A Kubernetes object name (DNS subdomain)."""

NamespaceName = Annotated[
    str, StringConstraints(min_length=1, max_length=63, pattern=DNS_LABEL_PATTERN)
]
"""A Kubernetes namespace name (DNS label)."""

SectionName = Annotated[
    str, StringConstraints(min_length=1, max_length=253, pattern=DNS_SUBDOMAIN_PATTERN)
]
"""A Gateway API section name, e.g. a listener name."""

Hostname = Annotated[str, StringConstraints(min_length=1, max_length=253, pattern=HOSTNAME_PATTERN)]
"""A DNS hostname; a leading ``*.`` wildcard label is allowed."""

Duration = Annotated[str, StringConstraints(pattern=DURATION_PATTERN)]
"""A duration such as ``"5s"``, ``"300s"`` or ``"1h30m"`` (units h, m, s, ms)."""

LongDuration = Annotated[str, StringConstraints(pattern=LONG_DURATION_PATTERN)]
"""A duration that may also use days, such as ``"30d"``."""

PortNumber = Annotated[int, Field(ge=1, le=65535)]
"""A TCP/UDP port number."""

ReplicaCount = Annotated[int, Field(ge=0, le=2147483647)]
"""A replica count (int32, not negative)."""

Count = Annotated[int, Field(ge=0)]
"""A non-negative counter."""

Weight = Annotated[float, Field(ge=0.0, le=1.0)]
"""A weight in [0, 1]."""

XCName = Annotated[str, StringConstraints(min_length=1, max_length=63, pattern=DNS_LABEL_PATTERN)]
"""The name of an F5 Distributed Cloud tenant, namespace or object."""

XCTlsMode = Literal["managed", "bringYourOwn"]
"""TLS at the XC edge: managed (XC issues the certificate) or bringYourOwn."""

Time = Annotated[AwareDatetime, Strict(False)]
"""A ``metav1.Time``: RFC 3339 with a zone offset. Accepts strings (strict mode would not)."""


def _validate_quantity(value: object) -> int | str:
    # A bool is an int in Python, not in JSON.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _QUANTITY_RE.fullmatch(value):
        return value
    raise PydanticCustomError(
        "quantity",
        "must be an integer or a quantity string such as '2', '500m' or '80Gi'",
    )


Quantity = Annotated[
    int | str,
    PlainValidator(_validate_quantity),
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": True,
        }
    ),
]
"""A ``resource.Quantity``: an integer or a string such as ``"500m"`` or ``"80Gi"``."""


class ObjectMeta(BaseModel):
    """The part of ``metav1.ObjectMeta`` the console sets; everything else is kept as is."""

    model_config = ConfigDict(
        extra="allow", populate_by_name=True, serialize_by_alias=True, strict=True
    )

    name: ObjectName | None = None
    generate_name: str | None = Field(default=None, alias="generateName")
    namespace: NamespaceName | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class Condition(CrdModel):
    """One aspect of the current state of this resource (the shape of metav1.Condition)."""

    type: Annotated[
        str,
        StringConstraints(
            max_length=316,
            pattern=(
                r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
            ),
        ),
    ] = Field(description="Type of condition in CamelCase, e.g. Ready, Reconciled, Degraded.")
    status: Literal["True", "False", "Unknown"] = Field(
        description="Status of the condition: True, False or Unknown."
    )
    observed_generation: Count | None = Field(
        default=None,
        description="The .metadata.generation the condition was set for.",
    )
    last_transition_time: Time = Field(
        description="Last time the condition changed from one status to another."
    )
    reason: Annotated[
        str,
        StringConstraints(
            min_length=1, max_length=1024, pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"
        ),
    ] = Field(description="Programmatic identifier for the last transition, in CamelCase.")
    message: Annotated[str, StringConstraints(max_length=32768)] = Field(
        description="Human-readable message with details about the transition."
    )


Conditions = Annotated[list[Condition], ListMap(("type",))]
"""Standard conditions, keyed by ``type``."""


class ChildStatus(CrdModel):
    """Status of one child resource the operator manages for a parent."""

    kind: str | None = Field(default=None, description="Kind of the child resource.")
    name: str | None = Field(default=None, description="Name of the child resource.")
    namespace: str | None = Field(default=None, description="Namespace of the child resource.")
    ready: bool = Field(description="Whether the child resource is ready.")
    message: str | None = Field(default=None, description="Human-readable message.")
    last_synced_at: Time | None = Field(
        default=None, description="Last time this child was synced."
    )


class DriftRecord(CrdModel):
    """One correction of a child that was changed or deleted outside the operator."""

    kind: str = Field(description="Kind of the child that drifted.")
    name: str = Field(description="Name of the child that drifted.")
    change: Annotated[str, StringConstraints(max_length=1024)] = Field(
        description='What changed, e.g. "deleted" or "spec.rules[0].matches[0].path.value".'
    )
    detected_at: Time = Field(description="When the operator saw the drift.")
    healed_at: Time | None = Field(default=None, description="When the child was restored.")


MAX_DRIFT_HISTORY = 20
DriftHistory = Annotated[list[DriftRecord], Field(max_length=MAX_DRIFT_HISTORY)]
"""The most recent drift corrections, newest last."""


class SecretReference(CrdModel):
    """Reference to a Kubernetes Secret."""

    name: ObjectName = Field(description="Name of the Secret.")
    namespace: NamespaceName | None = Field(
        default=None,
        description="Namespace of the Secret; defaults to the namespace of this resource.",
    )


class ObjectReference(CrdModel):
    """Reference to a namespaced Kubernetes object of a known kind."""

    name: ObjectName = Field(description="Name of the object.")
    namespace: NamespaceName | None = Field(
        default=None,
        description="Namespace of the object; defaults to the namespace of this resource.",
    )


class InlineCert(CrdModel):
    """A PEM certificate and private key given inline; the operator stores them in a Secret."""

    certificate: str = Field(description="PEM-encoded certificate chain, leaf certificate first.")
    private_key: str = Field(description="PEM-encoded private key of the leaf certificate.")

    @cel_rule(
        "size(self.certificate) > 0",
        message="certificate must not be empty",
        field_path=".certificate",
        reason="FieldValueRequired",
    )
    def _certificate_set(self) -> bool:
        return len(self.certificate) > 0

    @cel_rule(
        "size(self.privateKey) > 0",
        message="privateKey must not be empty",
        field_path=".privateKey",
        reason="FieldValueRequired",
    )
    def _private_key_set(self) -> bool:
        return len(self.private_key) > 0


class LabelSelectorRequirement(CrdModel):
    """A label selector requirement: a key, an operator and values."""

    key: str = Field(description="The label key that the selector applies to.")
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"] = Field(
        description="The key's relationship to the values: In, NotIn, Exists or DoesNotExist."
    )
    values: list[str] | None = Field(
        default=None,
        description=(
            "Values for In and NotIn (must be non-empty); must be empty for Exists and "
            "DoesNotExist."
        ),
    )


class LabelSelector(CrdModel):
    """A label query over a set of resources (the shape of metav1.LabelSelector)."""

    model_config = ConfigDict(json_schema_extra={"x-kubernetes-map-type": "atomic"})

    match_labels: dict[str, str] | None = Field(
        default=None, description="Labels that must all match (ANDed with matchExpressions)."
    )
    match_expressions: list[LabelSelectorRequirement] | None = Field(
        default=None,
        description="Label selector requirements, ANDed.",
        json_schema_extra={"x-kubernetes-list-type": "atomic"},
    )


class Toleration(CrdModel):
    """A toleration of a node taint (the shape of corev1.Toleration)."""

    key: str | None = Field(
        default=None,
        description="Taint key the toleration applies to; empty matches all keys (with Exists).",
    )
    operator: Literal["Exists", "Equal"] | None = Field(
        default=None, description="Relationship of key to value: Exists or Equal (default)."
    )
    value: str | None = Field(
        default=None, description="Taint value to match; empty when operator is Exists."
    )
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = Field(
        default=None, description="Taint effect to match; unset matches all effects."
    )
    toleration_seconds: int | None = Field(
        default=None,
        description="For NoExecute: how long the pod stays bound after the taint is added.",
    )


class ResourceClaim(CrdModel):
    """Reference to a dynamic resource claim of the pod."""

    name: str = Field(description="Name of an entry in the pod's spec.resourceClaims.")
    request: str | None = Field(
        default=None, description="Name of the request in the claim to use, if any."
    )


class ResourceRequirements(CrdModel):
    """Compute resources of a container (the shape of corev1.ResourceRequirements)."""

    limits: dict[str, Quantity] | None = Field(
        default=None, description="Maximum amount of compute resources allowed."
    )
    requests: dict[str, Quantity] | None = Field(
        default=None, description="Minimum amount of compute resources required."
    )
    claims: Annotated[list[ResourceClaim], ListMap(("name",))] | None = Field(
        default=None, description="Dynamic resource claims used by the container."
    )


class ParentResource(CrdModel):
    """Fields every parent custom resource has; each kind adds ``kind``, ``spec``, ``status``."""

    api_version: Literal["ngf-console.f5.com/v1alpha1"] = Field(
        default="ngf-console.f5.com/v1alpha1", alias="apiVersion"
    )
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
