"""The sandbox account's fixed records: its one user, the account, its workspace and folder.

Every token belongs to ``SandboxUser``; the account has one workspace (``MAIN_WORKSPACE``,
where every board lives unless created elsewhere) and one folder in it (``MAIN_FOLDER``).
Fields of these types that the sandbox does not keep (a board's ``owner``, an item's
``creator``, a user's ``account``, …) return these fixed records; ``FIXED_RECORDS`` maps
each GraphQL type name to its record for ``shapes.blank_value``.

This module also owns the root queries over them — ``users``, ``workspaces``,
``folders``, ``account``, ``versions`` — with monday's ``page``/``limit`` paging
(``paging.page_of``), ids given or not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ordersync.sandbox.paging import page_of

if TYPE_CHECKING:
    from ordersync.sandbox.resolvers import Context

__all__ = ["ACCOUNT", "FIXED_RECORDS", "MAIN_FOLDER", "MAIN_WORKSPACE", "QUERIES",
           "SandboxAccount", "SandboxFolder", "SandboxUser", "SandboxWorkspace"]

CREATED: Final = "2026-01-01T00:00:00Z"
SUPPORTED_VERSIONS: Final = (("2025-10", "maintenance"), ("2026-01", "maintenance"),
                             ("2026-04", "maintenance"), ("2026-07", "current"),
                             ("2026-10", "release_candidate"))  # API_NOTES §1


@dataclass(frozen=True)
class SandboxUser:
    """Who ``me`` is: every token belongs to this one user (an admin)."""

    id: str = "10000001"
    name: str = "Sandbox User"
    email: str = "sandbox@example.com"
    enabled: bool = True
    is_admin: bool = True
    is_guest: bool = False
    is_pending: bool = False
    is_view_only: bool = False
    is_verified: bool = True
    is_deleted: bool = False
    is_email_confirmed: bool = True
    kind: str = "admin"
    title: str = ""
    account_id: str = "20000001"
    created_at: str = CREATED
    url: str = "https://sandbox.monday.com/users/10000001"
    time_zone_identifier: str = "Etc/UTC"
    utc_hours_diff: float = 0.0


@dataclass(frozen=True)
class SandboxAccount:
    id: str = "20000001"
    name: str = "Sandbox"
    slug: str = "sandbox"
    tier: str = "standard"
    active_members_count: int = 1
    created_at: str = CREATED
    show_timeline_weekends: bool = True
    first_day_of_the_week: str = "monday"


@dataclass(frozen=True)
class SandboxWorkspace:
    id: str = "30000001"
    name: str = "Main workspace"
    kind: str = "open"
    description: str | None = None
    is_default_workspace: bool = True
    state: str = "active"
    created_at: str = CREATED


@dataclass(frozen=True)
class SandboxFolder:
    id: str = "40000001"
    name: str = "Sandbox folder"
    created_at: str = CREATED
    owner_id: str = "10000001"


ACCOUNT: Final = SandboxAccount()
MAIN_WORKSPACE: Final = SandboxWorkspace()
MAIN_FOLDER: Final = SandboxFolder()
USER: Final = SandboxUser()

FIXED_RECORDS: Mapping[str, object] = {
    "User": USER, "Account": ACCOUNT, "Workspace": MAIN_WORKSPACE, "Folder": MAIN_FOLDER}


def _ids(values: Sequence[Any] | None) -> set[str] | None:
    return None if values is None else {str(v) for v in values}


def _users(_: Any, ctx: Context, *, ids: Sequence[Any] | None = None,
           emails: Sequence[str] | None = None, name: str | None = None,
           kind: str | None = None, limit: int = 200, page: int = 1,
           non_active: bool | None = None, **__: Any) -> list[SandboxUser]:
    wanted, user = _ids(ids), ctx.user
    matches = ((wanted is None or user.id in wanted)
               and (emails is None or user.email in emails)
               and (name is None or name.casefold() in user.name.casefold())
               and kind in (None, "all", "non_guests", "non_pending") and not non_active)
    return page_of([user] if matches else [], page=page, limit=limit, max_limit=1000)


def _workspaces(_: Any, ctx: Context, *, ids: Sequence[Any] | None = None,
                limit: int = 25, page: int = 1, state: str | None = None,
                kind: str | None = None, **__: Any) -> list[SandboxWorkspace]:
    wanted = _ids(ids)
    found = [w for w in (MAIN_WORKSPACE,)
             if (wanted is None or w.id in wanted) and state in (None, "active", "all")
             and kind in (None, w.kind)]
    return page_of(found, page=page, limit=limit)


def _folders(_: Any, ctx: Context, *, ids: Sequence[Any] | None = None,
             workspace_ids: Sequence[Any] | None = None, limit: int = 25, page: int = 1,
             **__: Any) -> list[SandboxFolder]:
    wanted, spaces = _ids(ids), _ids(workspace_ids)
    found = [f for f in (MAIN_FOLDER,) if (wanted is None or f.id in wanted)
             and (spaces is None or MAIN_WORKSPACE.id in spaces)]
    return page_of(found, page=page, limit=limit)


def _versions(*_: Any, **__: Any) -> list[dict[str, str]]:
    return [{"kind": kind, "value": value, "display_name": value}
            for value, kind in SUPPORTED_VERSIONS]


QUERIES: dict[tuple[str, str], Callable[..., Any]] = {
    ("Query", "users"): _users,
    ("Query", "workspaces"): _workspaces,
    ("Query", "folders"): _folders,
    ("Query", "account"): lambda *_, **__: ACCOUNT,
    ("Query", "versions"): _versions,
    ("Query", "me"): lambda _, ctx, **__: ctx.user,
    ("Folder", "workspace"): lambda *_, **__: MAIN_WORKSPACE,
    ("Folder", "children"): lambda folder, ctx, **__: [
        b for b in ctx.store.boards() if b.folder_id == folder.id],
    ("Workspace", "users_subscribers"): lambda _, ctx, **__: [ctx.user],
    ("Workspace", "owners_subscribers"): lambda _, ctx, **__: [ctx.user],
}
