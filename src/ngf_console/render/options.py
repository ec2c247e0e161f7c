"""What the renderers share beyond ``render/common.py``: cluster options and value formats.

A parent's spec says what its owner wants; :class:`RenderOptions` says what the operator knows
about the cluster it runs in (where Prometheus is, which images to run, which GatewayClass is
the default, which NGF edition is installed). Renderers stay pure by taking both as input.

Values are rendered in the form the API server stores them (durations, canonical quantities),
so that a child read back equals the child rendered and drift detection sees no false drift.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, Literal

from ngf_console.render.capabilities import NgfCapabilities
from ngf_console.render.errors import RenderError

__all__ = [
    "DEFAULT_DCGM_IMAGE",
    "DEFAULT_DCGM_NAMESPACE",
    "DEFAULT_EPP_IMAGE",
    "DEFAULT_GATEWAY_CLASS",
    "DEFAULT_PROMETHEUS_URL",
    "Edition",
    "RenderOptions",
    "canonical_quantity",
    "duration_ms",
    "format_duration",
]

DEFAULT_GATEWAY_CLASS: Final = "nginx"
DEFAULT_PROMETHEUS_URL: Final = "http://prometheus.monitoring.svc:9090"
# The endpoint picker of the Gateway API Inference Extension release whose CRDs are installed
# (hack/crds.env): its flags and EndpointPickerConfig schema are what render/epp.py writes.
DEFAULT_EPP_IMAGE: Final = "registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0"
DEFAULT_DCGM_IMAGE: Final = "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04"
DEFAULT_DCGM_NAMESPACE: Final = "ngf-console-system"

Edition = Literal["oss", "enterprise", "unknown"]
"""NGINX Gateway Fabric edition: OSS, Enterprise (NGINX Plus), or not detected yet."""


@dataclass(frozen=True)
class RenderOptions:
    """Cluster-level settings the operator knows and a parent resource does not say."""

    default_gateway_class: str = DEFAULT_GATEWAY_CLASS
    """GatewayClass of the Gateways the console creates (NGF installs ``nginx``)."""
    prometheus_url: str = DEFAULT_PROMETHEUS_URL
    """Prometheus server that autoscalers query."""
    epp_image: str = DEFAULT_EPP_IMAGE
    """Endpoint picker (EPP) image."""
    dcgm_image: str = DEFAULT_DCGM_IMAGE
    """NVIDIA DCGM exporter image."""
    dcgm_namespace: str = DEFAULT_DCGM_NAMESPACE
    """Namespace of the one DCGM exporter DaemonSet shared by all stacks."""
    edition: Edition = "unknown"
    """NGF edition, for renderers of Enterprise-only children."""
    ngf: NgfCapabilities = field(default_factory=NgfCapabilities)
    """Which NGF APIs the cluster serves (discovered by the operator; NGF 2.x by default)."""


# Gateway API's Duration (GEP-2257), as the parent CRDs validate it: "300s", "1h30m", "500ms".
_DURATION_PART: Final = re.compile(r"([0-9]{1,5})(h|ms|m|s)")
_UNIT_MS: Final = {"h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}


def duration_ms(value: str) -> int:
    """Milliseconds in a Gateway API duration such as ``"1h30m"`` or ``"500ms"``."""
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(number + unit for number, unit in parts) != value:
        raise RenderError(f"invalid duration {value!r} (expected e.g. '300s', '1h30m', '500ms')")
    return sum(int(number) * _UNIT_MS[unit] for number, unit in parts)


def format_duration(ms: int) -> str:
    """The shortest canonical form of ``ms``: whole seconds as ``"120s"``, else ``"1500ms"``.

    Both Go's ``time.ParseDuration`` and PromQL read this form, so one string serves EPP flags,
    EPP plugin parameters and Prometheus range windows.
    """
    if ms <= 0:
        raise RenderError(f"duration must be positive, got {ms}ms")
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


# resource.Quantity: <sign><digits>[.<digits>]<suffix>, suffix binary (Ki..Ei), decimal SI
# (n u m "" k M G T P E) or an exponent (e3, E-2).
_QUANTITY: Final = re.compile(
    r"^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)
_BINARY: Final = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL: Final = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_DECIMAL_SUFFIX: Final = {exponent: suffix for suffix, exponent in _DECIMAL.items()}
_BINARY_SUFFIX: Final = {power: suffix for suffix, power in _BINARY.items()}


def canonical_quantity(value: int | float | str) -> str:
    """The canonical form the API server stores a ``resource.Quantity`` in.

    ``"2.5"`` is stored as ``"2500m"``, ``1000`` as ``"1k"``, ``"1024Mi"`` as ``"1Gi"``,
    ``"0.5Gi"`` as ``"512Mi"`` (apimachinery's ``Quantity.String``): values are exact, rounded
    up to the nano unit, with the largest unit that keeps the number whole.
    """
    text = repr(value) if isinstance(value, float) else str(value)
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise RenderError(f"invalid quantity {text!r}")
    sign, number, suffix = match.group(1), match.group(2), match.group(3) or ""
    whole, _, fraction = number.partition(".")
    if suffix not in _BINARY:
        # apimachinery (ParseQuantity) keeps a decimal spelling as given when its digits,
        # leading zeros stripped, have a scale that is a multiple of 3, no trailing "000" and
        # no leading zero ("5.", "1E3", "007"); every other spelling is canonicalized.
        digits = (whole.lstrip("0") or "0") + fraction
        scale = (int(suffix[1:]) if suffix[:1] in ("e", "E") else _DECIMAL[suffix]) - len(fraction)
        if (
            len(digits) <= 18
            and scale >= -9
            and scale % 3 == 0
            and not digits.endswith("000")
            and not digits.startswith("0")
        ):
            return text
    amount = Fraction(whole or "0") + (
        Fraction(int(fraction), 10 ** len(fraction)) if fraction else 0
    )
    binary = suffix in _BINARY
    if binary:
        amount *= 1024 ** _BINARY[suffix]
    elif suffix[:1] in ("e", "E"):
        amount *= Fraction(10) ** int(suffix[1:])
    else:
        amount *= Fraction(10) ** _DECIMAL[suffix]
    # Quantities are precise to the nano unit; smaller fractions round up (away from zero).
    amount = Fraction(math.ceil(amount * 10**9), 10**9)
    if amount == 0:
        return "0"
    negative = "-" if sign == "-" else ""
    # Binary form only for whole numbers of at least 1024; anything else is decimal.
    if binary and amount >= 1024 and amount.denominator == 1:
        mantissa, power = int(amount), 0
        while mantissa % 1024 == 0 and power < 6:
            mantissa, power = mantissa // 1024, power + 1
        return f"{negative}{mantissa}{_BINARY_SUFFIX.get(power, '')}"
    exponent = 0
    while amount.denominator != 1:
        amount, exponent = amount * 10, exponent - 1
    mantissa = int(amount)
    while mantissa % 10 == 0:
        mantissa, exponent = mantissa // 10, exponent + 1
    shift = exponent % 3
    mantissa, exponent = mantissa * 10**shift, exponent - shift
    if suffix[:1] in ("e", "E"):
        unit = f"e{exponent}" if exponent else ""
    else:
        unit = _DECIMAL_SUFFIX.get(exponent, f"e{exponent}")
    return f"{negative}{mantissa}{unit}"
