"""Hostnames as Gateway API reads them: exact names, ``*.`` wildcards and their intersection.

Rules (Gateway API v1, ``Listener.hostname`` and ``HTTPRoute.spec.hostnames``):

- A hostname prefixed with the wildcard label ``*.`` is a suffix match: ``*.example.com``
  matches ``test.example.com`` and ``foo.test.example.com`` but NOT ``example.com``.
- A listener without a hostname matches every hostname; a route without hostnames takes
  the listener's.
- A route attaches to a listener only if at least one of its hostnames intersects the
  listener's (``NoMatchingListenerHostname`` otherwise); the intersection is the more
  specific of the two.
- Matching ignores case and the request's port (the ``Host`` header is ``host[:port]``).
"""

from __future__ import annotations

__all__ = [
    "hostname_matches",
    "hostname_precedence",
    "intersect_hostnames",
    "is_wildcard",
    "normalize_host",
]


def normalize_host(host: str) -> str:
    """A request's ``Host``: lower case, without port, brackets or a trailing dot."""
    value = host.strip().lower()
    if value.startswith("["):  # IPv6 literal, [::1]:8080
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def is_wildcard(hostname: str) -> bool:
    return hostname.startswith("*.")


def hostname_matches(pattern: str | None, host: str) -> bool:
    """Whether ``host`` (a concrete name) is matched by ``pattern`` (exact or ``*.`` suffix).

    ``None`` (no hostname) matches everything; a wildcard never matches its bare domain.
    """
    if pattern is None or pattern == "":
        return True
    pattern = pattern.lower()
    if is_wildcard(pattern):
        suffix = pattern[1:]  # ".example.com"
        return host.endswith(suffix) and len(host) > len(suffix)
    return pattern == host


def intersect_hostnames(listener: str | None, route: str | None) -> str | bool | None:
    """The hostname both accept: ``False`` when they do not intersect.

    ``None`` on both sides is ``None`` (any hostname). Two wildcards intersect when one is a
    suffix of the other (the longer one wins); an exact name and a wildcard intersect when the
    wildcard matches it.
    """
    if not listener:
        return route or None
    if not route:
        return listener
    lst, rte = listener.lower(), route.lower()
    if lst == rte:
        return lst
    if is_wildcard(lst) and is_wildcard(rte):
        if rte.endswith(lst[1:]):
            return rte
        if lst.endswith(rte[1:]):
            return lst
        return False
    if is_wildcard(lst):
        return rte if hostname_matches(lst, rte) else False
    if is_wildcard(rte):
        return lst if hostname_matches(rte, lst) else False
    return False


def hostname_precedence(hostname: str | None) -> tuple[int, int]:
    """Sort key (ascending = higher precedence) of a matched hostname.

    HTTPRoute/GRPCRoute precedence: the largest number of characters in a matching
    non-wildcard hostname, then in a matching hostname. So an exact name beats any wildcard,
    a longer wildcard beats a shorter one, and no hostname (catch-all) comes last.
    """
    if not hostname:
        return (0, 0)
    if is_wildcard(hostname):
        return (0, -len(hostname))
    return (-len(hostname), -len(hostname))
