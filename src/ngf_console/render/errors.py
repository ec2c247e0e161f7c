"""The error a renderer raises when a parent resource cannot be turned into valid children."""

from __future__ import annotations


class RenderError(ValueError):
    """A parent's spec cannot be rendered; nothing is rendered at all.

    ``field_path`` names the offending field in the parent's JSON (camelCase) form, e.g.
    ``spec.listeners[1].tls.inlineCert``, so the API can attach the message to the form field
    and the operator can put it into a condition; it is empty when no single field is to blame.
    ``message`` is for humans and never contains secret material (private keys, certificate
    bodies). ``RenderError("...")`` with a message alone also works, so renderers that have no
    field path to give can raise the same type.
    """

    def __init__(self, message: str, *, field_path: str = "") -> None:
        super().__init__(f"{field_path}: {message}" if field_path else message)
        self.field_path = field_path
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        # Keeps the keyword-only field path through pickle and copy.
        return (_rebuild, (self.message, self.field_path))


def _rebuild(message: str, field_path: str) -> RenderError:
    return RenderError(message, field_path=field_path)
