"""The GraphQL schema the sandbox serves, and the gate every request document passes.

Owns three things:

* ``load_schema()`` — the packaged ``schema.graphql``: the part of monday's real
  2026-07 schema that ordersync uses, copied verbatim (``tests/sandbox/test_schema.py``
  proves the copy faithful);
* ``parse_and_validate()`` — parse and validate a request document, turning every
  problem into monday-style errors;
* ``select_operation()`` / ``operation_kind()`` / ``root_fields()`` — what the
  executor needs to know before it runs anything: which operation, query or
  mutation, and the root fields by response key (each alias of a batched mutation
  is executed, charged and failed on its own).

Error design: a rejected document raises **one** exception, ``ValidationFailed``
(a ``MondayError``), whose ``errors`` tuple holds one ``DocumentError`` per problem,
in document order (by first location), so the HTTP layer writes all of them into
``errors[]``::

    except ValidationFailed as rejected:
        body = response_body(request_id, errors=rejected.errors, include_data=False)

A syntax error is a single ``DocumentError`` with code ``GRAPHQL_PARSE_FAILED``;
validation errors carry graphql-core's message and code ``GRAPHQL_VALIDATION_FAILED``.
Each ``DocumentError`` puts its ``locations`` at the top level of its payload, where
the GraphQL spec (and monday) put them.  HTTP status is 200, as for every monday
application error: API_NOTES §5 lists "Parse error on …" under HTTP 200, and a
2024 capture of an unknown-field error came with 200.  UNCERTAIN for today's
validation errors (GraphQL-over-HTTP would say 400; monday documents nothing), and
whether monday adds ``"data": null`` beside them (the spec says no ``data``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    build_schema,
    parse,
    validate,
    value_from_ast_untyped,
)
from graphql.language import BooleanValueNode, DirectiveNode, Lexer, TokenKind, VariableNode

from ordersync.sandbox.errors import MondayError

__all__ = [
    "PARSE_FAILED",
    "SCHEMA_RESOURCE",
    "VALIDATION_FAILED",
    "DocumentError",
    "OperationKind",
    "RootField",
    "ValidationFailed",
    "load_schema",
    "operation_kind",
    "parse_and_validate",
    "root_fields",
    "select_operation",
]

SCHEMA_RESOURCE = "schema.graphql"

# UNCERTAIN: monday documents the parse-error *message* ("Parse error on …", HTTP 200)
# but no code; captures from 2024 (graphql-ruby era) carry no extensions at all, and a
# 2024-02 validation error carried code "undefinedField".  MondayError always sends a
# code, so these follow the common Apollo convention.  Clients should key on HTTP
# status and message, not on these strings.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

OperationKind = Literal["query", "mutation"]

# graphql-core 3.3 accepts `{ boards {} }` unless told not to; monday (and the spec
# that 3.2 implements) reject empty selection sets.  3.2 has no such option.
_PARSE_OPTIONS: dict[str, Any] = (
    {"allow_empty_selection_sets": False}
    if "allow_empty_selection_sets" in inspect.signature(parse).parameters else {})
_VALIDATE_OPTIONS: dict[str, Any] = (
    {"allow_empty_selection_sets": False}
    if "allow_empty_selection_sets" in inspect.signature(validate).parameters else {})

# graphql-ruby's token names, which monday's "Parse error on …" messages use.
_RUBY_TOKEN_NAMES = {
    "BANG": "BANG", "DOLLAR": "VAR_SIGN", "AMP": "AMP", "PAREN_L": "LPAREN",
    "PAREN_R": "RPAREN", "SPREAD": "ELLIPSIS", "COLON": "COLON", "EQUALS": "EQUALS",
    "AT": "DIR_SIGN", "BRACKET_L": "LBRACKET", "BRACKET_R": "RBRACKET", "BRACE_L": "LCURLY",
    "PIPE": "PIPE", "BRACE_R": "RCURLY", "NAME": "IDENTIFIER", "INT": "INT",
    "FLOAT": "FLOAT", "STRING": "STRING", "BLOCK_STRING": "STRING",
}
_RUBY_KEYWORDS = frozenset({"query", "mutation", "subscription", "fragment", "on",
                            "true", "false", "null"})


@dataclass(frozen=True)
class DocumentError(MondayError):
    """One problem with a request document, with its ``(line, column)`` locations."""

    locations: tuple[tuple[int, int], ...] = ()

    def to_payload(self) -> dict[str, Any]:
        """The ``errors[]`` entry: ``message``, ``locations``, then the rest."""
        payload = super().to_payload()
        if not self.locations:
            return payload
        located: dict[str, Any] = {"message": payload.pop("message"),
                                   "locations": [{"line": line, "column": column}
                                                 for line, column in self.locations]}
        located.update(payload)
        return located


@dataclass(frozen=True)
class ValidationFailed(MondayError):
    """A rejected document (syntax or validation); ``errors`` lists every problem.

    ``code`` is the first problem's code, ``message`` all messages joined by "; "
    (for logs); the response carries ``errors``, not this exception itself.
    """

    errors: tuple[DocumentError, ...] = ()

    @classmethod
    def of(cls, errors: Sequence[DocumentError]) -> ValidationFailed:
        """Wrap one or more problems (at least one)."""
        if not errors:
            raise ValueError("ValidationFailed needs at least one error")
        return cls(errors[0].code, "; ".join(e.message for e in errors), errors=tuple(errors))


@dataclass(frozen=True)
class RootField:
    """One entry of the operation's result: a root field under its response key.

    ``nodes`` holds every selection of that key (GraphQL merges repeats; validation
    has made sure they agree), in document order.
    """

    response_key: str
    name: str
    nodes: tuple[FieldNode, ...]


@cache
def load_schema() -> GraphQLSchema:
    """The sandbox schema, built once from the packaged ``schema.graphql``."""
    sdl = resources.files("ordersync.sandbox").joinpath(SCHEMA_RESOURCE).read_text(
        encoding="utf-8")
    return build_schema(sdl)


def parse_and_validate(query: str, schema: GraphQLSchema | None = None) -> DocumentNode:
    """The parsed document, or ``ValidationFailed`` naming every problem in it.

    Valid documents are cached by text: a client's batches repeat the same text with
    other variables, and graphql-core's validation is pure Python (~1 s for a batch of
    166 aliased mutations).  Executing never alters a document."""
    return _parse_and_validate(query, schema or load_schema())


@lru_cache(maxsize=256)
def _parse_and_validate(query: str, schema: GraphQLSchema) -> DocumentNode:
    try:
        document = parse(Source(query), **_PARSE_OPTIONS)
    except GraphQLError as exc:
        raise ValidationFailed.of([_parse_error(exc, query)]) from exc
    problems = validate(schema, document, **_VALIDATE_OPTIONS)
    if problems:
        errors = [_validation_error(problem) for problem in problems]
        raise ValidationFailed.of(sorted(errors, key=_document_order))
    return document


def select_operation(document: DocumentNode,
                     operation_name: str | None = None) -> OperationDefinitionNode:
    """The operation a request runs, chosen as the GraphQL spec says."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) == 1:
            return operations[0]
        message = ("Must provide an operation." if not operations else
                   "Must provide operation name if query contains multiple operations.")
        raise _rejected(message)
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise _rejected(f"Unknown operation named '{operation_name}'.")


def operation_kind(document: DocumentNode, operation_name: str | None = None) -> OperationKind:
    """``"query"`` or ``"mutation"`` (the sandbox, like its schema, has no subscriptions)."""
    operation = select_operation(document, operation_name).operation
    if operation is OperationType.QUERY:
        return "query"
    if operation is OperationType.MUTATION:
        return "mutation"
    raise _rejected("The subscription operation is not supported by the schema.")


def root_fields(document: DocumentNode, operation_name: str | None = None,
                variables: Mapping[str, Any] | None = None) -> tuple[RootField, ...]:
    """The operation's root fields by response key (alias or name), in document order.

    Fragments and inline fragments on the root type are flattened and ``@skip`` /
    ``@include`` applied (with ``variables``, falling back to the operation's
    defaults); ``__typename`` is returned like any other field.
    """
    operation = select_operation(document, operation_name)
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    values = {**_variable_defaults(operation), **(variables or {})}
    collected: dict[str, list[FieldNode]] = {}
    _collect(operation.selection_set, fragments, values, collected, set())
    return tuple(RootField(key, nodes[0].name.value, tuple(nodes))
                 for key, nodes in collected.items())


def _rejected(message: str) -> ValidationFailed:
    return ValidationFailed.of([DocumentError(VALIDATION_FAILED, message)])


def _locations(error: GraphQLError) -> tuple[tuple[int, int], ...]:
    return tuple((loc.line, loc.column) for loc in error.locations or ())


def _document_order(error: DocumentError) -> tuple[int, int]:
    """graphql-core reports by rule, not by position; users read top to bottom."""
    return error.locations[0] if error.locations else (2**31, 0)


def _validation_error(error: GraphQLError) -> DocumentError:
    return DocumentError(VALIDATION_FAILED, error.message, locations=_locations(error))


def _parse_error(error: GraphQLError, query: str) -> DocumentError:
    locations = _locations(error)
    line, column = locations[0] if locations else (1, 1)
    position = next(iter(error.positions or ()), 0)
    return DocumentError(PARSE_FAILED, _parse_message(error, query, position, line, column),
                         locations=locations)


def _parse_message(error: GraphQLError, query: str, position: int, line: int,
                   column: int) -> str:
    """monday's (graphql-ruby's) wording: ``Parse error on "}" (RCURLY) at [1, 10]``.

    UNCERTAIN: monday replaced its parser in 2024-10; the docs still list
    "Parse error on …", the exact current text is not published.  A lexical error
    (no token where parsing stopped) keeps graphql-core's description.
    """
    token = _token_at(query, position)
    if token is None:
        detail = error.message.removeprefix("Syntax Error: ")
        return f"Parse error at [{line}, {column}]: {detail}"
    kind, text = token
    if kind == "EOF":
        return "Unexpected end of document"
    return f'Parse error on "{text}" ({kind}) at [{line}, {column}]'


def _token_at(query: str, position: int) -> tuple[str, str] | None:
    """The graphql-ruby kind and text of the token starting at ``position``, if any."""
    lexer = Lexer(Source(query))
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF and token.start < position:
            token = lexer.advance()
    except GraphQLError:
        return None
    if token.start != position:
        return None
    if token.kind is TokenKind.EOF:
        return "EOF", ""
    text = token.value if token.value is not None else str(token.kind.value)
    kind = _RUBY_TOKEN_NAMES.get(token.kind.name, token.kind.name)
    if kind == "IDENTIFIER" and text in _RUBY_KEYWORDS:
        kind = text.upper()
    return kind, text


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    return {d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in operation.variable_definitions or () if d.default_value is not None}


def _collect(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode],
             variables: Mapping[str, Any], collected: dict[str, list[FieldNode]],
             visited: set[str]) -> None:
    """CollectFields from the spec, for the root selection set only."""
    for selection in selection_set.selections:
        if not _included(selection.directives or (), variables):
            continue
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            collected.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, variables, collected, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in visited or name not in fragments:
                continue
            visited.add(name)
            _collect(fragments[name].selection_set, fragments, variables, collected, visited)


def _included(directives: Iterable[DirectiveNode], variables: Mapping[str, Any]) -> bool:
    for directive in directives:
        name = directive.name.value
        if name == "skip" and _condition(directive, variables) is True:
            return False
        if name == "include" and _condition(directive, variables) is not True:
            return False
    return True


def _condition(directive: DirectiveNode, variables: Mapping[str, Any]) -> object:
    for argument in directive.arguments or ():
        if argument.name.value != "if":
            continue
        value = argument.value
        if isinstance(value, BooleanValueNode):
            return value.value
        if isinstance(value, VariableNode):
            return variables.get(value.name.value)
    return None
