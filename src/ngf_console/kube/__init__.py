"""Kubernetes clients and helpers."""
