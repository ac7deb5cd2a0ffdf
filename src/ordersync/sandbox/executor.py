"""Runs a request document against the ``Store``: prepare (validate, coerce, cost), execute.

Two steps, so the HTTP layer can put its limits between them::

    prepared = executor.prepare(query, variables, operation_name)  # ValidationFailed
    admission = limiter.admit(prepared.cost, is_complexity_only=prepared.complexity_only)
    outcome = executor.execute(prepared, complexity=admission.complexity())

Execution is graphql-core's own ``execute`` on the packaged subset schema, with
one ``field_resolver`` that dispatches on ``(parent type, field)`` to the
functions below (anything not in the table falls back to graphql-core's default:
attribute or key of the same name).  The schema object is never mutated, so it
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

``JSON`` arguments (``column_values``) may arrive as a JSON string, as monday
documents, or as a JSON object (an inline object literal or a variable holding an
object); both are accepted.  Not modelled: ``query_params`` on ``items_page``
(ignored), more than one column in ``items_page_by_column_values`` (an error),
``items`` without ``ids`` (an empty list), item positions in ``create_item``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
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
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    default_field_resolver,
    execute,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from ordersync.sandbox.columns import ColumnDef, ColumnKind, StatusValue, read
from ordersync.sandbox.costs import CostModel, CostNode, list_multiplier
from ordersync.sandbox.errors import MondayError
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
from ordersync.sandbox.store import Board, Item, Store

__all__ = ["DEFAULT_API_VERSION", "ExecutionOutcome", "Executor", "Prepared", "SandboxUser"]

DEFAULT_API_VERSION = "2026-07"  # monday's Current version per API_NOTES §1 (2026-09 docs)
_NOT_MUTATIONS = frozenset({"complexity", "__typename"})
_CELL_TYPES: Mapping[ColumnKind, str] = {
    ColumnKind.TEXT: "TextValue", ColumnKind.LONG_TEXT: "LongTextValue",
    ColumnKind.NUMBERS: "NumbersValue", ColumnKind.DATE: "DateValue",
    ColumnKind.STATUS: "StatusValue", ColumnKind.DROPDOWN: "DropdownValue",
    ColumnKind.SUBTASKS: "SubtasksValue",
}


@dataclass(frozen=True)
class SandboxUser:
    """Who ``me`` is: every token belongs to this one user."""

    id: str = "10000001"
    name: str = "Sandbox User"
    email: str = "sandbox@example.com"


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


@dataclass
class _Context:
    store: Store
    user: SandboxUser
    api_version: str
    complexity: dict[str, int] | None
    fail_key: str | None = None
    fail_error: MondayError | None = None


@dataclass(frozen=True)
class _Cell:
    """One ``column_values`` entry: a column and the item it belongs to."""

    column: ColumnDef
    item: Item


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
        context = _Context(self.store, self.user, api_version, complexity,
                           *(fail_alias or (None, None)))
        result = execute(self.schema, prepared.document, context_value=context,
                         variable_values=prepared.variables,
                         operation_name=prepared.operation_name,
                         field_resolver=_resolve, type_resolver=_resolve_type)
        assert not isawaitable(result)  # every resolver is synchronous
        errors = tuple(_monday_error(e) for e in result.errors or ())
        return ExecutionOutcome(result.data, errors)


# --- pricing ---------------------------------------------------------------------------------


class _Pricer:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: VariableValues) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def root(self, root_type: GraphQLObjectType, root: RootField, *, mutation: bool) -> CostNode:
        node = self.field(root_type, root.nodes)
        if mutation and root.name not in _NOT_MUTATIONS:
            return CostNode.mutation(*node.children)
        return node

    def field(self, parent: GraphQLObjectType | GraphQLInterfaceType,
              nodes: Sequence[FieldNode]) -> CostNode:
        definition = parent.fields.get(nodes[0].name.value)
        if definition is None:  # __typename
            return CostNode.scalar()
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return CostNode.scalar()
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
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

    def selection(self, parent: GraphQLObjectType | GraphQLInterfaceType,
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
            assert isinstance(target, GraphQLObjectType | GraphQLInterfaceType)
            found.extend(self.selection(target, inner))
        return found


# --- resolvers -------------------------------------------------------------------------------


def _resolve(source: Any, info: GraphQLResolveInfo[_Context], **args: Any) -> Any:
    context: _Context = info.context
    if isinstance(source, _Cell):
        return _cell_field(source, info.field_name, context.store)
    parent = info.parent_type.name
    if (parent == "Mutation" and info.path.prev is None and context.fail_error is not None
            and info.path.key == context.fail_key):
        raise context.fail_error
    resolver = _RESOLVERS.get((parent, info.field_name))
    if resolver is None:
        return default_field_resolver(source, info, **args)
    return resolver(source, context, **args)


def _resolve_type(value: Any, info: GraphQLResolveInfo[_Context], abstract_type: Any) -> str | None:
    if isinstance(value, _Cell):
        return _CELL_TYPES.get(value.column.type, "TextValue")
    return None


def _json_arg(raw: Any, name: str = "column_values") -> dict[str, Any]:
    """A ``JSON`` argument: a JSON string (monday's form) or an object."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:  # code and text UNCERTAIN
            raise MondayError("InvalidArgumentException", f"{name} is not valid JSON: {exc}",
                              status_code=200) from exc
    if not isinstance(raw, dict):
        raise MondayError("InvalidArgumentException", f"{name} must be a JSON object",
                          status_code=200)
    return raw


def _ids(values: Sequence[Any] | None) -> list[str]:
    return [str(v) for v in values or ()]


def _boards(_: Any, ctx: _Context, *, ids: Sequence[Any] | None = None, limit: int = 25,
            page: int = 1, **__: Any) -> list[Board]:
    known = {b.id: b for b in ctx.store.boards()}
    if ids is not None:  # unknown ids are left out, as monday does
        return [known[i] for i in _ids(ids) if i in known]
    start = max(page - 1, 0) * limit
    return list(known.values())[start:start + limit]


def _items(_: Any, ctx: _Context, *, ids: Sequence[Any] | None = None, **__: Any) -> list[Item]:
    found: list[Item] = []
    for item_id in _ids(ids):
        try:
            found.append(ctx.store.item(item_id))
        except MondayError:
            continue  # unknown ids are left out
    return found


def _by_column_values(_: Any, ctx: _Context, *, board_id: str, limit: int = 25,
                      columns: Sequence[Mapping[str, Any]] | None = None,
                      cursor: str | None = None, **__: Any) -> Any:
    if cursor is not None:
        return ctx.store.next_items_page(cursor, limit=limit)
    if not columns or len(columns) != 1:  # the sandbox filters on exactly one column
        raise MondayError("InvalidArgumentException",
                          "the sandbox supports exactly one column in columns", status_code=200)
    rule = columns[0]
    return ctx.store.items_by_column_values(board_id, rule["column_id"],
                                            list(rule["column_values"]), limit=limit)


def _complexity(_: Any, ctx: _Context, **__: Any) -> dict[str, int] | None:
    return ctx.complexity


def _version(_: Any, ctx: _Context, **__: Any) -> dict[str, str]:
    kind = "current" if ctx.api_version == DEFAULT_API_VERSION else "maintenance"
    return {"kind": kind, "value": ctx.api_version, "display_name": ctx.api_version}


def _columns(board: Board, _: _Context, *, ids: Sequence[str] | None = None,
             types: Sequence[str] | None = None, **__: Any) -> list[ColumnDef]:
    return [c for c in board.columns if (ids is None or c.id in ids)
            and (types is None or c.type.value in types)]


def _item_cells(item: Item, ctx: _Context, *, ids: Sequence[str] | None = None,
                types: Sequence[str] | None = None, **__: Any) -> list[_Cell]:
    board = ctx.store.board(item.board_id)
    return [_Cell(c, item) for c in _columns(board, ctx, ids=ids, types=types)
            if c.type is not ColumnKind.NAME]


def _parent_item(item: Item, ctx: _Context, **__: Any) -> Item | None:
    return None if item.parent_id is None else ctx.store.item(item.parent_id)


def _cell_field(cell: _Cell, name: str, store: Store) -> Any:
    column, stored = cell.column, cell.item.values.get(cell.column.id)
    text: str | None
    value: str | None
    if column.type is ColumnKind.SUBTASKS:
        subitems = store.subitems(cell.item.id)
        text = ", ".join(s.name for s in subitems)
        value = json.dumps({"linkedPulseIds": [{"linkedPulseId": int(s.id)} for s in subitems]})
        found: dict[str, Any] = {"text": text, "value": value if subitems else None,
                                 "subitems_ids": [s.id for s in subitems]}
    else:
        text, value = read(column, stored)
        found = {"text": text, "value": value}
    if name in found:
        return found[name]
    if name == "id":
        return column.id
    if name == "type":
        return column.type.value
    if name == "column":
        return column
    if name in ("index", "is_done"):
        index = stored.index if isinstance(stored, StatusValue) else None
        return index if name == "index" else (None if index is None else index == 1)
    if name == "label":
        return text
    if name == "number":
        return None if not text else float(text)
    if name in ("date", "time"):
        return getattr(stored, name, None)
    if name == "values":
        ids = getattr(stored, "ids", ())
        return [{"id": str(label.id), "label": label.name} for i in ids
                if (label := column.label_with_id(i)) is not None]
    return None  # symbol and the like: nothing the sandbox keeps


def _mutations() -> dict[tuple[str, str], Callable[..., Any]]:
    def create_group(_: Any, ctx: _Context, *, board_id: str, group_name: str,
                     group_color: str | None = None, relative_to: str | None = None,
                     position_relative_method: str | None = None, **__: Any) -> Any:
        return ctx.store.create_group(board_id, group_name, color=group_color,
                                      relative_to=relative_to,
                                      position_relative_method=position_relative_method)

    def create_item(_: Any, ctx: _Context, *, board_id: str, item_name: str,
                    group_id: str | None = None, column_values: Any = None,
                    create_labels_if_missing: bool | None = None, **__: Any) -> Any:
        return ctx.store.create_item(board_id, item_name, group_id, _json_arg(column_values),
                                     bool(create_labels_if_missing))

    def create_subitem(_: Any, ctx: _Context, *, parent_item_id: str, item_name: str,
                       column_values: Any = None, create_labels_if_missing: bool | None = None,
                       **__: Any) -> Any:
        return ctx.store.create_subitem(parent_item_id, item_name, _json_arg(column_values),
                                        bool(create_labels_if_missing))

    def change_multiple(_: Any, ctx: _Context, *, board_id: str, column_values: Any,
                        item_id: str | None = None, create_labels_if_missing: bool | None = None,
                        **__: Any) -> Any:
        return ctx.store.change_multiple_column_values(
            str(item_id), board_id, _json_arg(column_values), bool(create_labels_if_missing))

    def change_simple(_: Any, ctx: _Context, *, board_id: str, column_id: str,
                      item_id: str | None = None, value: str | None = None,
                      create_labels_if_missing: bool | None = None, **__: Any) -> Any:
        return ctx.store.change_simple_column_value(str(item_id), board_id, column_id, value,
                                                    bool(create_labels_if_missing))

    def archive(_: Any, ctx: _Context, *, item_id: str | None = None, **__: Any) -> Any:
        return ctx.store.archive_item(str(item_id))

    def delete(_: Any, ctx: _Context, *, item_id: str | None = None, **__: Any) -> Any:
        return ctx.store.delete_item(str(item_id))

    return {("Mutation", "create_group"): create_group, ("Mutation", "create_item"): create_item,
            ("Mutation", "create_subitem"): create_subitem,
            ("Mutation", "change_multiple_column_values"): change_multiple,
            ("Mutation", "change_simple_column_value"): change_simple,
            ("Mutation", "archive_item"): archive, ("Mutation", "delete_item"): delete}


_RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("Query", "boards"): _boards,
    ("Query", "items"): _items,
    ("Query", "next_items_page"): lambda _, ctx, *, cursor, limit=25, **__:
        ctx.store.next_items_page(cursor, limit=limit),
    ("Query", "items_page_by_column_values"): _by_column_values,
    ("Query", "complexity"): _complexity,
    ("Mutation", "complexity"): _complexity,
    ("Query", "me"): lambda _, ctx, **__: ctx.user,
    ("Query", "version"): _version,
    ("Board", "groups"): lambda board, _, *, ids=None, **__:
        [g for g in board.groups if ids is None or g.id in ids],
    ("Board", "columns"): _columns,
    ("Board", "board_kind"): lambda *_, **__: "public",
    ("Board", "state"): lambda *_, **__: "active",
    ("Board", "items_page"): lambda board, ctx, *, limit=25, cursor=None, **__:
        ctx.store.items_page(board.id, limit=limit, cursor=cursor),
    ("Group", "archived"): lambda *_, **__: False,
    ("Group", "deleted"): lambda *_, **__: False,
    ("Column", "settings_str"): lambda column, _, **__: json.dumps(column.settings),
    ("Item", "board"): lambda item, ctx, **__: ctx.store.board(item.board_id),
    ("Item", "group"): lambda item, ctx, **__:
        ctx.store.board(item.board_id).group(item.group_id),
    ("Item", "column_values"): _item_cells,
    ("Item", "parent_item"): _parent_item,
    ("Item", "subitems"): lambda item, ctx, **__: list(ctx.store.subitems(item.id)),
    ("Item", "state"): lambda item, _, **__: item.state.value,
    ("Item", "created_at"): lambda item, _, **__: item.created_at.isoformat(),
    ("Item", "updated_at"): lambda item, _, **__: item.updated_at.isoformat(),
    **_mutations(),
}


def _monday_error(error: GraphQLError) -> MondayError:
    original = error.original_error
    path = tuple(error.path) if error.path else None
    if isinstance(original, MondayError):
        return original.at(path) if path is not None else original
    if original is not None:  # a sandbox bug: say so, as monday's 500 would
        return MondayError("INTERNAL_SERVER_ERROR", f"Internal server error: {original}",
                           status_code=500, path=path)
    return MondayError(VALIDATION_FAILED, error.message, path=path)
