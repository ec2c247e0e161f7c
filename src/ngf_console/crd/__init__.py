"""Parent custom resources (ngf-console.f5.com/v1alpha1) as pydantic models."""

from ngf_console.crd.certificate_bundle import CertificateBundle
from ngf_console.crd.common import API_VERSION, GROUP, VERSION
from ngf_console.crd.distributed_cloud_publish import DistributedCloudPublish
from ngf_console.crd.gateway_bundle import GatewayBundle
from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.crd.kinds import KINDS_BY_NAME, PARENT_KINDS, ParentKind, parent_kind
from ngf_console.crd.migration_plan import MigrationPlan

__all__ = [
    "API_VERSION",
    "GROUP",
    "KINDS_BY_NAME",
    "PARENT_KINDS",
    "VERSION",
    "CertificateBundle",
    "DistributedCloudPublish",
    "GatewayBundle",
    "InferenceStack",
    "MigrationPlan",
    "ParentKind",
    "parent_kind",
]
