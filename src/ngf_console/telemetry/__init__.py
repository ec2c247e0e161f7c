"""Telemetry read models: Prometheus metrics of the data plane, model servers and GPUs."""
