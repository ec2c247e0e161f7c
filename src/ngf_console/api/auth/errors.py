"""The two ways a request is turned away: 401 (who are you?) and 403 (not you)."""

from __future__ import annotations

from fastapi import HTTPException, status


def _quoted(text: str) -> str:
    # RFC 6750 puts the description in a quoted-string: no quotes or backslashes inside.
    return text.replace("\\", "/").replace('"', "'")


class NotAuthenticated(HTTPException):
    """401: no bearer token, or one that does not prove who the caller is.

    The reason is shown to the caller; it never contains the token.
    """

    def __init__(self, reason: str, *, token_given: bool = True) -> None:
        challenge = 'Bearer realm="ngf-console"'
        if token_given:
            challenge += f', error="invalid_token", error_description="{_quoted(reason)}"'
        super().__init__(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=f"not authenticated: {reason}",
            headers={"WWW-Authenticate": challenge},
        )
        self.reason = reason


class NotAuthorized(HTTPException):
    """403: the caller is known but may not do this."""

    def __init__(self, reason: str) -> None:
        super().__init__(status_code=status.HTTP_403_FORBIDDEN, detail=f"forbidden: {reason}")
        self.reason = reason


class AuthUnavailable(HTTPException):
    """503: whatever vouches for callers (issuer, API server) cannot be reached right now."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"authentication unavailable: {reason}",
        )
        self.reason = reason
