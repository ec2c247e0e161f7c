"""Base model for the parent CRDs, and the CEL rules that it mirrors in Python.

Every model that becomes part of a CRD schema derives from :class:`CrdModel`. The config makes
pydantic behave like the Kubernetes API server does for a structural schema:

* strict types (``"3"`` is not an integer, ``1`` is not a boolean), as the API server rejects
  them too;
* unknown fields are errors (the API server would silently prune them, which hides typos);
* Python attributes are snake_case, JSON keys are the camelCase ``json`` tags of the spec.

A rule the schema cannot express is declared once, with :func:`cel_rule`, on a predicate
method of the model. The same declaration feeds the CRD (``x-kubernetes-validations``) and the
model's own validation, so the API can report the API server's message, on the same field path,
before it calls Kubernetes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError
from pydantic_core import core_schema as cs

__all__ = [
    "CelReason",
    "CelRule",
    "CrdModel",
    "ListMap",
    "ListSet",
    "cel_rule",
    "raise_at",
]

CelReason = Literal[
    "FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"
]
"""The ``reason`` values the API server accepts on an ``x-kubernetes-validations`` rule."""

_Check = TypeVar("_Check", bound=Callable[[Any], bool])
# Attribute under which cel_rule() stores its rule on the predicate function. A variable, not a
# literal, because it is read back in CrdModel.__pydantic_init_subclass__.
_RULE_ATTR = "__ngf_cel_rule__"


@dataclass(frozen=True)
class CelRule:
    """One ``x-kubernetes-validations`` entry of a CRD schema node.

    ``field_path`` (e.g. ``".compositeWeights"``) makes the API server report the error on that
    child field instead of on the object that carries the rule; it must name a declared field.
    """

    rule: str
    message: str
    field_path: str | None = None
    reason: CelReason | None = None

    def to_schema(self) -> dict[str, str]:
        """Render the rule as it appears in the CRD's OpenAPI schema."""
        entry = {"rule": self.rule, "message": self.message}
        if self.field_path is not None:
            entry["fieldPath"] = self.field_path
        if self.reason is not None:
            entry["reason"] = self.reason
        return entry

    @property
    def loc(self) -> tuple[str, ...]:
        """The field path as a pydantic error location, relative to the model."""
        if not self.field_path:
            return ()
        return tuple(self.field_path.lstrip(".").split("."))


def cel_rule(
    rule: str,
    *,
    message: str,
    field_path: str | None = None,
    reason: CelReason | None = None,
) -> Callable[[_Check], _Check]:
    """Declare a CEL rule on a model, with the decorated method as its Python twin.

    The method takes the validated model and returns True when the rule holds. It must say
    exactly what ``rule`` says, in terms of the Python attributes: ``has(self.x)`` is
    ``self.x is not None``.
    """
    spec = CelRule(rule=rule, message=message, field_path=field_path, reason=reason)

    def mark(check: _Check) -> _Check:
        setattr(check, _RULE_ATTR, spec)
        return check

    return mark


def raise_at(title: str, loc: tuple[str | int, ...], message: str, value: object) -> None:
    """Raise a one-error ValidationError at ``loc``, relative to the model being validated.

    Raised from a validator, pydantic prefixes the location of that model, so the final
    location is the full path from the document root (``spec.epp.compositeWeights``).
    """
    raise ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("crd_rule", "{message}", {"message": message}),
                loc=loc,
                input=value,
            )
        ],
    )


class CrdModel(BaseModel):
    """Base of every model that is part of a parent CRD's schema."""

    # Spelled out, not shared through a constant, so that the pydantic mypy plugin sees
    # populate_by_name and accepts snake_case keyword arguments.
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        populate_by_name=True,
        alias_generator=to_camel,
        serialize_by_alias=True,
    )

    __cel_checks__: ClassVar[tuple[tuple[CelRule, Callable[[Any], bool]], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the class's :func:`cel_rule` predicates, own and inherited, in order."""
        super().__pydantic_init_subclass__(**kwargs)
        # Keyed by method name, base classes first, so that an override replaces its rule.
        checks: dict[str, tuple[CelRule, Callable[[Any], bool]]] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                rule = getattr(value, _RULE_ATTR, None)
                if isinstance(rule, CelRule):
                    checks[name] = (rule, value)
        cls.__cel_checks__ = tuple(checks.values())

    @classmethod
    def cel_rules(cls) -> Sequence[CelRule]:
        """The CEL rules this model puts on its CRD schema node."""
        return [rule for rule, _ in cls.__cel_checks__]

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Add the model's CEL rules to its JSON schema as ``x-kubernetes-validations``."""
        json_schema = super().__get_pydantic_json_schema__(core_schema, handler)
        if cls.__cel_checks__:
            target = handler.resolve_ref_schema(json_schema)
            target["x-kubernetes-validations"] = [rule.to_schema() for rule in cls.cel_rules()]
        return json_schema

    @model_validator(mode="after")
    def _check_cel_rules(self) -> Self:
        """Run the Python twin of every CEL rule; report all failures at their field paths."""
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "crd_rule", "{message}", {"message": rule.message, "rule": rule.rule}
                ),
                loc=rule.loc,
                input=self._input_at(rule.loc),
            )
            for rule, check in type(self).__cel_checks__
            if not check(self)
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def _input_at(self, loc: tuple[str, ...]) -> object:
        """The serialized value at ``loc`` (JSON keys), for the error's ``input``."""
        value: object = self.model_dump(mode="json", exclude_none=True)
        for key in loc:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def to_json(self) -> dict[str, Any]:
        """This object as a Kubernetes JSON document: camelCase keys, unset fields omitted."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class ListMap:
    """Annotation for a list of objects keyed by one or more fields (``listType: map``).

    The API server rejects two items with the same key values ("Duplicate value"); so does the
    model. Key names are JSON names that must equal the Python attribute names (``name``,
    ``type``), which holds for every key used in these CRDs.
    """

    keys: tuple[str, ...]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: Callable[[Any], CoreSchema]
    ) -> CoreSchema:
        """Validate the list as usual, then check its keys are unique."""
        return cs.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Mark the array as a list-map in the CRD schema."""
        json_schema = handler(schema)
        json_schema["x-kubernetes-list-type"] = "map"
        json_schema["x-kubernetes-list-map-keys"] = list(self.keys)
        return json_schema

    def _check(self, items: list[Any]) -> list[Any]:
        seen: set[tuple[object, ...]] = set()
        for index, item in enumerate(items):
            key = tuple(getattr(item, name) for name in self.keys)
            if key in seen:
                shown = ", ".join(f"{n}={v!r}" for n, v in zip(self.keys, key, strict=True))
                raise_at("ListMap", (index,), f"Duplicate value: {shown}", item)
            seen.add(key)
        return items


@dataclass(frozen=True)
class ListSet:
    """Annotation for a list of unique scalars (``listType: set``)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: Callable[[Any], CoreSchema]
    ) -> CoreSchema:
        """Validate the list as usual, then check its items are unique."""
        return cs.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Mark the array as a set in the CRD schema."""
        json_schema = handler(schema)
        json_schema["x-kubernetes-list-type"] = "set"
        return json_schema

    @staticmethod
    def _check(items: list[Any]) -> list[Any]:
        seen: set[object] = set()
        for index, item in enumerate(items):
            if item in seen:
                raise_at("ListSet", (index,), f"Duplicate value: {item!r}", item)
            seen.add(item)
        return items
