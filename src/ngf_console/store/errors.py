"""Errors the config DB raises for requests it cannot carry out."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the config DB's own errors."""


class UnknownUserError(StoreError):
    """A change names a user id that has no row in ``users``."""


class ConflictError(StoreError):
    """A row with the same natural key already exists."""
