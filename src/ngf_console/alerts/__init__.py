"""Alerting: rules over pluggable metric sources, a firing-state evaluator, and webhook
notification channels (Slack, PagerDuty Events v2, generic JSON) with retries.

``docs/alerts.md`` describes the model; the API routes live in
:mod:`ngf_console.api.routers.alerts`.
"""

from ngf_console.alerts.channels import (
    ChannelConfig,
    DeliveryLog,
    DeliveryRecord,
    Notifier,
    RetryPolicy,
)
from ngf_console.alerts.evaluator import ActiveAlert, Evaluator, Notification
from ngf_console.alerts.query_sources import ClickHouseQuerySource, PrometheusQuerySource
from ngf_console.alerts.rules import RuleConfig, compare
from ngf_console.alerts.runner import AlertRunner, RunnerSettings
from ngf_console.alerts.sources import (
    CertificateExpirySource,
    CheckedSource,
    InvalidRuleError,
    MetricSource,
    Sample,
    SourceError,
)

__all__ = [
    "ActiveAlert",
    "AlertRunner",
    "CertificateExpirySource",
    "ChannelConfig",
    "CheckedSource",
    "ClickHouseQuerySource",
    "DeliveryLog",
    "DeliveryRecord",
    "Evaluator",
    "InvalidRuleError",
    "MetricSource",
    "Notification",
    "Notifier",
    "PrometheusQuerySource",
    "RetryPolicy",
    "RuleConfig",
    "RunnerSettings",
    "Sample",
    "SourceError",
    "compare",
]
