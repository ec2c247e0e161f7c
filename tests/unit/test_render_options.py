"""RenderOptions defaults and the Gateway API duration helpers."""

from __future__ import annotations

import dataclasses

import pytest

from ngf_console.render.errors import RenderError
from ngf_console.render.options import (
    RenderOptions,
    canonical_quantity,
    duration_ms,
    format_duration,
)


def test_defaults() -> None:
    options = RenderOptions()
    assert options.default_gateway_class == "nginx"
    assert options.prometheus_url == "http://prometheus.monitoring.svc:9090"
    assert options.epp_image == "registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0"
    assert options.dcgm_image == "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04"
    assert options.dcgm_namespace == "ngf-console-system"
    assert options.edition == "unknown"


def test_options_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        RenderOptions().edition = "oss"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("5s", 5000),
        ("300s", 300_000),
        ("2m", 120_000),
        ("1h30m", 5_400_000),
        ("500ms", 500),
        ("1m30s250ms", 90_250),
        ("0s", 0),
    ],
)
def test_duration_ms(text: str, ms: int) -> None:
    assert duration_ms(text) == ms


@pytest.mark.parametrize("text", ["", "5", "s", "5x", "1.5s", "-5s", "5s ", "1d"])
def test_invalid_durations(text: str) -> None:
    with pytest.raises(RenderError, match="invalid duration"):
        duration_ms(text)


@pytest.mark.parametrize(
    ("ms", "text"), [(5000, "5s"), (120_000, "120s"), (1500, "1500ms"), (1, "1ms")]
)
def test_format_duration(ms: int, text: str) -> None:
    assert format_duration(ms) == text


def test_format_duration_rejects_zero() -> None:
    with pytest.raises(RenderError, match="positive"):
        format_duration(0)


# Each pair was checked against a real kube-apiserver (v1.37): what it stores for the input.
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2.5", "2500m"),
        (1000, "1k"),
        ("1024Mi", "1Gi"),
        ("0.5Gi", "512Mi"),
        ("80Gi", "80Gi"),
        ("100m", "100m"),
        ("1000m", "1"),
        ("1500", "1500"),
        ("50000", "50k"),
        ("1e3", "1e3"),
        ("1E3", "1E3"),
        ("1.5e3", "1500"),
        ("0.0000000001", "1n"),
        ("1Ki", "1Ki"),
        ("1.5Ki", "1536"),
        ("0.1Ki", "102400m"),
        ("1536Mi", "1536Mi"),
        (90.5, "90500m"),
        (0.001, "1m"),
        (".5", "500m"),
        ("5.", "5."),
        ("007", "007"),
        ("0.5e1", "5"),
        ("3000000000", "3G"),
        ("1.0000000001", "1000000001n"),
        ("2e20", "200e18"),
        ("1.50", "1500m"),
        ("12345n", "12345n"),
        ("0", "0"),
        (0, "0"),
    ],
)
def test_canonical_quantity_matches_the_api_server(given: int | float | str, stored: str) -> None:
    assert canonical_quantity(given) == stored


@pytest.mark.parametrize("given", ["", "abc", "1.5.5", "5X", "1 Gi", "--1"])
def test_invalid_quantities(given: str) -> None:
    with pytest.raises(RenderError, match="invalid quantity"):
        canonical_quantity(given)
