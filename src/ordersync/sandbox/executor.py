"""Runs a request document against the ``Store``: prepare (validate, coerce, cost), execute.

Two steps, so the HTTP layer can put its limits between them::

    prepared = executor.prepare(query, variables, operation_name)  # ValidationFailed
    admission = limiter.admit(prepared.cost, is_complexity_only=prepared.complexity_only)
    outcome = executor.execute(prepared, complexity=admission.complexity())

Execution is graphql-core's own ``execute`` on monday's packaged schema, with
one ``field_resolver`` that dispatches on ``(parent type, field)`` to the resolvers
in ``resolvers.py`` (a field not in that table reads the attribute or key of the same
name, else answers with its documented shape).  The schema object is never mutated, so it
stays shareable.  graphql-core runs mutation fields serially in document order and
turns a resolver's exception into a null for that field plus an error with its
``path`` — exactly monday's per-alias behaviour for batched mutations; a resolver's
``MondayError`` becomes ``error.at(path)`` in ``ExecutionOutcome.errors``.

Cost (``costs.CostModel``): each selected field is a ``CostNode``; a root field of
a mutation is a mutation node (30,000 + its selection), ``complexity`` and
``__typename`` excepted.  A field's multiplier is the number of ``ids`` when given,
else its ``limit`` argument (with the schema's default, 25) if it has one, else 1.
Fragments are all charged (cost is on potential size).  ``@skip``/``@include`` are
applied at the root only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    execute,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from ordersync.sandbox.account import SandboxUser
from ordersync.sandbox.costs import CostModel, CostNode, list_multiplier
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.resolvers import DEFAULT_API_VERSION, Context, resolve_field, resolve_type
from ordersync.sandbox.schema import (
    VALIDATION_FAILED,
    DocumentError,
    OperationKind,
    RootField,
    ValidationFailed,
    load_schema,
    operation_kind,
    parse_and_validate,
    root_fields,
    select_operation,
)
from ordersync.sandbox.store import Store

__all__ = ["DEFAULT_API_VERSION", "ExecutionOutcome", "Executor", "Prepared", "SandboxUser"]

_NOT_MUTATIONS = frozenset({"complexity", "__typename"})


@dataclass(frozen=True)
class Prepared:
    """A validated request, priced, ready to run."""

    document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any]
    kind: OperationKind
    roots: tuple[RootField, ...]
    cost: int
    mutation_keys: tuple[str, ...]  # response keys of the mutation fields, in document order

    @property
    def complexity_only(self) -> bool:
        """Selects nothing but ``complexity`` (charged 0.1 of a daily call, §2.1)."""
        return all(r.name in _NOT_MUTATIONS for r in self.roots)


@dataclass(frozen=True)
class ExecutionOutcome:
    """``data`` (possibly partial, or None) and the errors, each at its path."""

    data: dict[str, Any] | None
    errors: tuple[MondayError, ...] = ()


class Executor:
    """Prepares and executes documents for one ``Store``."""

    def __init__(self, store: Store, cost_model: CostModel | None = None, *,
                 schema: GraphQLSchema | None = None, user: SandboxUser | None = None) -> None:
        self.store = store
        self.cost_model = cost_model or CostModel()
        self.schema = schema or load_schema()
        self.user = user or SandboxUser()

    def prepare(self, query: str, variables: Mapping[str, Any] | None = None,
                operation_name: str | None = None) -> Prepared:
        """Parse, validate, coerce variables and price; ``ValidationFailed`` if rejected."""
        document = parse_and_validate(query, self.schema)
        operation = select_operation(document, operation_name)
        kind = operation_kind(document, operation_name)
        raw = dict(variables or {})
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), raw)
        if isinstance(coerced, list):
            raise ValidationFailed.of([
                DocumentError(VALIDATION_FAILED, e.message, locations=tuple(
                    (loc.line, loc.column) for loc in e.locations or ())) for e in coerced])
        roots = root_fields(document, operation_name, coerced.coerced)
        root_type = self.schema.mutation_type if kind == "mutation" else self.schema.query_type
        assert root_type is not None
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        pricer = _Pricer(self.schema, fragments, coerced)
        nodes = [pricer.root(root_type, r, mutation=kind == "mutation") for r in roots]
        mutation_keys = tuple(r.response_key for r in roots
                              if kind == "mutation" and r.name not in _NOT_MUTATIONS)
        return Prepared(document, operation_name, raw, kind, roots,
                        self.cost_model.cost(nodes), mutation_keys)

    def execute(self, prepared: Prepared, *, complexity: dict[str, int] | None = None,
                fail_alias: tuple[str, MondayError] | None = None,
                api_version: str = DEFAULT_API_VERSION) -> ExecutionOutcome:
        """Run ``prepared``; ``fail_alias`` makes that mutation key fail with that error
        (fault injection) without touching the store."""
        context = Context(self.store, self.user, api_version, complexity,
                           *(fail_alias or (None, None)))
        result = execute(self.schema, prepared.document, context_value=context,
                         variable_values=prepared.variables,
                         operation_name=prepared.operation_name,
                         field_resolver=resolve_field, type_resolver=resolve_type)
        assert not isawaitable(result)  # every resolver is synchronous
        errors = tuple(_monday_error(e) for e in result.errors or ())
        return ExecutionOutcome(result.data, errors)


# --- pricing ---------------------------------------------------------------------------------

_Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


class _Pricer:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: VariableValues) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def root(self, root_type: GraphQLObjectType, root: RootField, *, mutation: bool) -> CostNode:
        node = self.field(root_type, root.nodes)
        if mutation and root.name not in _NOT_MUTATIONS:
            return CostNode.mutation(*node.children)
        return node

    def field(self, parent: _Composite, nodes: Sequence[FieldNode]) -> CostNode:
        fields = {} if isinstance(parent, GraphQLUnionType) else parent.fields
        definition = fields.get(nodes[0].name.value)
        if definition is None:  # __typename (the only field a union selects directly)
            return CostNode.scalar()
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return CostNode.scalar()
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        children = [child for node in nodes if node.selection_set is not None
                    for child in self.selection(named, node.selection_set)]
        return CostNode.object(*children, multiplier=self.multiplier(definition, nodes[0]))

    def multiplier(self, definition: GraphQLField, node: FieldNode) -> int:
        try:
            args = get_argument_values(definition, node, self.variables)
        except GraphQLError:  # execution reports it; price the field at its defaults
            args = {}
        if args.get("ids") is not None:
            return list_multiplier(ids=args["ids"])
        if "limit" in definition.args:
            return list_multiplier(limit=args.get("limit"))
        return 1

    def selection(self, parent: _Composite,
                  selection_set: SelectionSetNode) -> list[CostNode]:
        found: list[CostNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.append(self.field(parent, [selection]))
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            else:
                assert isinstance(selection, FragmentSpreadNode)
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            target = self.schema.get_type(condition.name.value) if condition else parent
            assert isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
            found.extend(self.selection(target, inner))
        return found


def _monday_error(error: GraphQLError) -> MondayError:
    original = error.original_error
    path = tuple(error.path) if error.path else None
    if isinstance(original, MondayError):
        return original.at(path) if path is not None else original
    if original is not None:  # a sandbox bug: say so, as monday's 500 would
        return MondayError("INTERNAL_SERVER_ERROR", f"Internal server error: {original}",
                           status_code=500, path=path)
    return MondayError(VALIDATION_FAILED, error.message, path=path)
