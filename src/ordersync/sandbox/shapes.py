"""The documented shape of a field the sandbox does not model.

The sandbox serves monday's whole published schema but keeps only boards, groups,
columns, items and their values.  Any other field still answers, with a value of its
declared type, so that every document monday accepts runs:

* a field whose type is ``User``, ``Account``, ``Workspace`` or ``Folder`` (or a list
  of them): the account's fixed record (``account.FIXED_RECORDS``);
* any other list: ``[]``;
* anything nullable: ``null``;
* a non-null scalar: ``""``, ``0``, ``0.0``, ``false``, ``"{}"`` for JSON, a fixed
  date for the date types; a non-null enum: its first value;
* a non-null object: ``Blank`` of that type, whose own fields follow these rules (an
  interface or union: its first implementation).

``MISSING`` is what a resolver returns to ask for this shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

from ordersync.sandbox.account import CREATED, FIXED_RECORDS

__all__ = ["MISSING", "Blank", "blank_value"]

MISSING: Final = object()
_SCALARS: Final[dict[str, Any]] = {
    "String": "", "ID": "0", "Int": 0, "Float": 0.0, "Boolean": False, "JSON": "{}",
    "Date": CREATED[:10], "ISO8601DateTime": CREATED,
}


@dataclass(frozen=True)
class Blank:
    """A non-null object the sandbox does not model, of GraphQL type ``type_name``."""

    type_name: str


def blank_value(schema: GraphQLSchema, field_type: GraphQLOutputType) -> Any:
    """The value of an unmodelled field of ``field_type`` (see the module docstring)."""
    named = get_named_type(field_type)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    fixed = FIXED_RECORDS.get(named.name)
    if isinstance(inner, GraphQLList):
        return [fixed] if fixed is not None else []
    if fixed is not None:
        return fixed
    if not isinstance(field_type, GraphQLNonNull):
        return None
    if isinstance(named, GraphQLScalarType):
        return _SCALARS.get(named.name, "")
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values.values())).value
    if isinstance(named, GraphQLObjectType):
        return Blank(named.name)
    assert isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
    return Blank(schema.get_possible_types(named)[0].name)
