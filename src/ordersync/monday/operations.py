"""The GraphQL operations ordersync sends to monday.com, and batched mutation documents.

Owns two things:

* the operation templates — one ``operations/<name>.graphql`` file per operation,
  each a single-operation document whose every value is a variable, loaded by name
  (``operation_text``, ``operation_document``);
* ``build_batch`` / ``build_mixed_batch`` — N calls of mutation templates as ONE
  document with N aliased root fields::

      mutation ($m0_board_id: ID!, $m0_item_name: String!, ..., $m1_board_id: ID!, ...) {
        m0: create_item(board_id: $m0_board_id, item_name: $m0_item_name, ...) { id }
        m1: create_item(board_id: $m1_board_id, item_name: $m1_item_name, ...) { id }
      }

  Each call's variables are renamed with its alias as prefix, so every value stays
  a GraphQL variable — never spliced into the text (item names with quotes broke
  string-built clients, API_NOTES §8).  The alias list comes back in call order, so
  each alias's data or error maps back to its own record.

Each template is renamed on graphql-core's AST (parse, rename, print) once; a batch
joins those printed texts with each call's alias in place of a placeholder — cheap
enough for batches of hundreds of calls.  ``tests/sandbox/test_schema.py`` validates
every template against monday's real schema and the sandbox subset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

__all__ = [
    "MUTATIONS",
    "OPERATIONS",
    "QUERIES",
    "Batch",
    "Call",
    "build_batch",
    "build_mixed_batch",
    "operation_document",
    "operation_text",
    "template_field",
]

MUTATIONS = ("create_item", "create_subitem", "change_multiple_column_values", "create_group",
             "archive_item", "delete_item", "move_item_to_group", "duplicate_board",
             "move_item_to_board")
QUERIES = ("board_groups", "items_by_identity", "next_items_by_identity", "subitems_of",
           "complexity", "board_columns", "board_items", "next_board_items", "items_state",
           "boards_page", "items_shown")
OPERATIONS = MUTATIONS + QUERIES

_PACKAGE = "ordersync.monday"
_DIRECTORY = "operations"


@dataclass(frozen=True)
class Call:
    """One mutation to send: the template's name and its variables (template names)."""

    operation: str
    variables: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """A built request: the document, its variables, and the alias of each call in order."""

    query: str
    variables: dict[str, object]
    aliases: list[str]


def operation_text(name: str) -> str:
    """The text of ``operations/<name>.graphql``; ``KeyError`` for an unknown name."""
    if name not in OPERATIONS:
        raise KeyError(f"unknown monday operation {name!r}; known: {', '.join(OPERATIONS)}")
    return _read(name)


@cache
def _read(name: str) -> str:
    return (resources.files(_PACKAGE).joinpath(_DIRECTORY, f"{name}.graphql")
            .read_text(encoding="utf-8"))


@cache
def operation_document(name: str) -> DocumentNode:
    """The parsed template (shared: treat it as read-only)."""
    return parse(operation_text(name), no_location=True)


def _template(name: str) -> OperationDefinitionNode:
    definitions = operation_document(name).definitions
    if len(definitions) != 1 or not isinstance(definitions[0], OperationDefinitionNode):
        raise ValueError(f"operation {name!r} must hold exactly one operation")
    return definitions[0]


def template_field(name: str) -> FieldNode:
    """The single root field of mutation template ``name`` (what one call adds to a batch)."""
    operation = _template(name)
    if operation.operation is not OperationType.MUTATION:
        raise ValueError(f"operation {name!r} is a query, not a mutation; it cannot be batched")
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        raise ValueError(f"mutation template {name!r} must select exactly one root field")
    return selections[0]


def build_batch(operation: str, calls: Sequence[Mapping[str, object]], *,
                with_complexity: bool = False) -> tuple[str, dict[str, object], list[str]]:
    """N calls of one mutation template as one document: ``(query, variables, aliases)``.

    ``calls`` holds each call's variables by template name (``board_id``, ...);
    they come back prefixed with the call's alias (``m0_board_id``).
    """
    batch = build_mixed_batch([Call(operation, call) for call in calls],
                              with_complexity=with_complexity)
    return batch.query, batch.variables, batch.aliases


def build_mixed_batch(calls: Sequence[Call], *, with_complexity: bool = False) -> Batch:
    """Calls of any mutation templates, in order, as one document with aliases m0, m1, ...

    ``with_complexity`` adds ``complexity { before query after reset_in_x_seconds }``
    (from ``complexity.graphql``) so the response reports the budget left this minute;
    it is not in ``aliases``.

    Each template is renamed and printed through graphql-core's AST once, with a
    placeholder alias; a batch is those texts with the placeholder replaced — the
    same document as renaming every call's AST, without re-walking it per call.
    """
    if not calls:
        raise ValueError("a batch needs at least one call")
    definitions: list[str] = []
    selections: list[str] = []
    variables: dict[str, object] = {}
    aliases: list[str] = []
    for index, call in enumerate(calls):
        alias = f"m{index}"
        _check_variables(call, alias)
        for name, value in call.variables.items():
            variables[f"{alias}_{name}"] = value
        template_definitions, template_selection = _aliased_texts(call.operation)
        definitions.append(template_definitions.replace(_PLACEHOLDER, alias))
        selections.append(template_selection.replace(_PLACEHOLDER, alias))
        aliases.append(alias)
    if with_complexity:
        selections.append(_complexity_text())
    body = "\n".join(selections)
    query = f"mutation ({', '.join(definitions)}) {{\n{body}\n}}"
    return Batch(query, variables, aliases)


_PLACEHOLDER = "zzAliaszz"  # never in a template: replaced by each call's alias


@cache
def _aliased_texts(operation: str) -> tuple[str, str]:
    """The template's variable definitions and its root field, renamed for the placeholder
    alias and printed: ``$zzAliaszz_board_id: ID!, …`` and ``zzAliaszz: create_item(…) {…}``."""
    template = _template(operation)
    definitions = []
    for definition in template.variable_definitions or ():
        node = visit(definition, _Renamer(_PLACEHOLDER))
        assert isinstance(node, VariableDefinitionNode)
        definitions.append(print_ast(node))
    renamed = visit(template_field(operation), _Renamer(_PLACEHOLDER))
    assert isinstance(renamed, FieldNode)
    field_node = FieldNode(alias=NameNode(value=_PLACEHOLDER), name=renamed.name,
                           arguments=renamed.arguments, directives=renamed.directives,
                           selection_set=renamed.selection_set)
    return ", ".join(definitions), _indent(print_ast(field_node))


@cache
def _complexity_text() -> str:
    fields = [s for s in _template("complexity").selection_set.selections
              if isinstance(s, FieldNode)]
    return "\n".join(_indent(print_ast(f)) for f in fields)


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def _check_variables(call: Call, alias: str) -> None:
    """Unknown names and missing required values are caught here, naming the call,
    rather than as a whole-batch validation error at monday."""
    declared = _declared(call.operation)
    unknown = sorted(set(call.variables) - set(declared))
    if unknown:
        raise ValueError(f"{alias} ({call.operation}): unknown variable(s) {', '.join(unknown)}; "
                         f"the template takes {', '.join(declared)}")
    missing = [name for name, required in declared.items()
               if required and call.variables.get(name) is None]
    if missing:
        raise ValueError(f"{alias} ({call.operation}): required variable(s) "
                         f"{', '.join(missing)} missing")


@cache
def _declared(operation: str) -> dict[str, bool]:
    """The template's variables: name → required (non-null without a default)."""
    return {d.variable.name.value: isinstance(d.type, NonNullTypeNode) and d.default_value is None
            for d in _template(operation).variable_definitions or ()}


class _Renamer(Visitor):
    """Prefixes every variable (definition and use) with the call's alias."""

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.alias = alias

    def enter_variable(self, node: VariableNode, *_: Any) -> VariableNode:
        return VariableNode(name=NameNode(value=f"{self.alias}_{node.name.value}"))
