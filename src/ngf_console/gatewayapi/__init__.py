"""Gateway API semantics over plain manifests: attachment, matching, precedence, filters,
policy attachment and request simulation. Pure: no I/O, no cluster (docs/gatewayapi.md).
"""

from ngf_console.gatewayapi.attachment import RouteAttachment, attach_all, attach_route
from ngf_console.gatewayapi.policies import effective_policies, find_conflicts
from ngf_console.gatewayapi.request import CurlParseError, SimulatedRequest, from_curl
from ngf_console.gatewayapi.simulate import RoutingTable, SimulationResult, simulate

__all__ = [
    "CurlParseError",
    "RouteAttachment",
    "RoutingTable",
    "SimulatedRequest",
    "SimulationResult",
    "attach_all",
    "attach_route",
    "effective_policies",
    "find_conflicts",
    "from_curl",
    "simulate",
]
