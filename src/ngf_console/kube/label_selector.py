"""Kubernetes label selectors: parse the string form and match it against an object's labels.

The grammar is the one ``kubectl -l`` and the API's ``labelSelector`` parameter accept
(k8s.io/apimachinery/pkg/labels)::

    selector    := requirement ( "," requirement )*
    requirement := key ( "=" | "==" | "!=" ) value
                 | key ( "in" | "notin" ) "(" value ( "," value )* ")"
                 | key ( ">" | "<" ) integer
                 | key                                  (exists)
                 | "!" key                              (does not exist)

Keys are qualified names (optional DNS-subdomain prefix and ``/``), values are label values
(possibly empty). The empty selector matches everything. A malformed selector raises
:class:`LabelSelectorError` (a ``ValueError``) naming the position where parsing failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["LabelSelector", "LabelSelectorError", "Requirement", "parse_label_selector"]

Operator = Literal["=", "!=", "in", "notin", "exists", "!", ">", "<"]

_NAME: Final = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_DNS_SUBDOMAIN: Final = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_INTEGER: Final = re.compile(r"^-?[0-9]+$")
# Characters that end an identifier (k8s labels lexer: whitespace and the operator runes).
_SPECIAL: Final = frozenset(" \t\n\r!=(),<>")


class LabelSelectorError(ValueError):
    """A label selector that does not parse; ``position`` is a 0-based index into it."""

    def __init__(self, selector: str, position: int, reason: str) -> None:
        super().__init__(f"invalid label selector {selector!r} at position {position}: {reason}")
        self.selector = selector
        self.position = position
        self.reason = reason


@dataclass(frozen=True)
class Requirement:
    """One comma-separated term: ``key``, an operator and its values (sorted, for sets)."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy this term (absent keys satisfy ``!=`` and ``notin``)."""
        value = labels.get(self.key)
        match self.operator:
            case "exists":
                return value is not None
            case "!":
                return value is None
            case "=" | "in":
                return value is not None and value in self.values
            case "!=" | "notin":
                return value is None or value not in self.values
            case ">" | "<":
                if value is None or not _INTEGER.match(value):
                    return False
                bound = int(self.values[0])
                return int(value) > bound if self.operator == ">" else int(value) < bound
        return False  # pragma: no cover - exhaustive above

    def __str__(self) -> str:
        if self.operator == "exists":
            return self.key
        if self.operator == "!":
            return f"!{self.key}"
        if self.operator in ("in", "notin"):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        return f"{self.key}{self.operator}{self.values[0]}"


@dataclass(frozen=True)
class LabelSelector:
    """A parsed selector: every requirement must hold (logical AND)."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with ``labels`` (None: no labels) is selected."""
        present = labels or {}
        return all(r.matches(present) for r in self.requirements)

    @property
    def empty(self) -> bool:
        """True for the selector that matches everything."""
        return not self.requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


@dataclass(frozen=True)
class _Token:
    kind: Literal["id", "op", "(", ")", ",", "!", "end"]
    text: str
    position: int


def _tokens(selector: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(selector)
    while i < n:
        c = selector[i]
        if c.isspace():
            i += 1
        elif c in "(),":
            tokens.append(_Token(c, c, i))  # type: ignore[arg-type]
            i += 1
        elif c == "!":
            if selector.startswith("!=", i):
                tokens.append(_Token("op", "!=", i))
                i += 2
            else:
                tokens.append(_Token("!", "!", i))
                i += 1
        elif c == "=":
            width = 2 if selector.startswith("==", i) else 1
            tokens.append(_Token("op", "=", i))
            i += width
        elif c in "<>":
            tokens.append(_Token("op", c, i))
            i += 1
        else:
            start = i
            while i < n and selector[i] not in _SPECIAL:
                i += 1
            tokens.append(_Token("id", selector[start:i], start))
    tokens.append(_Token("end", "", n))
    return tokens


def _key_problem(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return f"key prefix {prefix!r} is not a DNS subdomain"
    if not name or len(name) > 63 or not _NAME.match(name):
        return (
            f"key name {name!r} must be 1-63 characters of [A-Za-z0-9-_.], "
            "starting and ending with an alphanumeric"
        )
    return None


def _value_problem(value: str) -> str | None:
    if value and (len(value) > 63 or not _NAME.match(value)):
        return (
            f"value {value!r} must be at most 63 characters of [A-Za-z0-9-_.], "
            "starting and ending with an alphanumeric"
        )
    return None


class _Parser:
    def __init__(self, selector: str) -> None:
        self.selector = selector
        self.tokens = _tokens(selector)
        self.i = 0

    def fail(self, token: _Token, reason: str) -> LabelSelectorError:
        return LabelSelectorError(self.selector, token.position, reason)

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def key(self) -> str:
        token = self.take()
        if token.kind != "id":
            found = "end of input" if token.kind == "end" else repr(token.text)
            raise self.fail(token, f"expected a label key, found {found}")
        problem = _key_problem(token.text)
        if problem:
            raise self.fail(token, problem)
        return token.text

    def value(self, *, allow_empty: bool) -> str:
        token = self.peek()
        if token.kind != "id":
            if allow_empty and token.kind in (",", ")", "end"):
                return ""
            raise self.fail(token, "expected a label value")
        self.take()
        problem = _value_problem(token.text)
        if problem:
            raise self.fail(token, problem)
        return token.text

    def requirement(self) -> Requirement:
        if self.peek().kind == "!":
            self.take()
            return Requirement(self.key(), "!")
        key = self.key()
        token = self.peek()
        if token.kind in (",", "end"):
            return Requirement(key, "exists")
        if token.kind == "op":
            self.take()
            if token.text in ("<", ">"):
                bound = self.peek()
                if bound.kind != "id" or not _INTEGER.match(bound.text):
                    raise self.fail(bound, f"operator {token.text!r} needs an integer")
                self.take()
                return Requirement(key, token.text, (bound.text,))  # type: ignore[arg-type]
            value = self.value(allow_empty=True)
            return Requirement(key, token.text, (value,))  # type: ignore[arg-type]
        if token.kind == "id" and token.text in ("in", "notin"):
            self.take()
            return Requirement(key, token.text, self.value_set())  # type: ignore[arg-type]
        raise self.fail(token, f"expected an operator (=, ==, !=, in, notin, <, >) after {key!r}")

    def value_set(self) -> tuple[str, ...]:
        opening = self.take()
        if opening.kind != "(":
            raise self.fail(opening, "expected '(' to open the set of values")
        values = [self.value(allow_empty=True)]
        while self.peek().kind == ",":
            self.take()
            values.append(self.value(allow_empty=True))
        closing = self.take()
        if closing.kind != ")":
            raise self.fail(closing, "expected ',' or ')' in the set of values")
        return tuple(sorted(set(values)))

    def parse(self) -> LabelSelector:
        if self.peek().kind == "end":
            return LabelSelector()
        requirements = [self.requirement()]
        while True:
            token = self.take()
            if token.kind == "end":
                break
            if token.kind != ",":
                raise self.fail(token, f"expected ',' between requirements, found {token.text!r}")
            requirements.append(self.requirement())
        return LabelSelector(tuple(requirements))


def parse_label_selector(selector: str | None) -> LabelSelector:
    """Parse the string form of a label selector; None and "" select everything.

    Raises :class:`LabelSelectorError` (a ``ValueError``) with the failing position.
    """
    if selector is None:
        return LabelSelector()
    return _Parser(selector).parse()
