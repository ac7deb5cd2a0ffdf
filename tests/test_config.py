"""The config file: the shipped example stays valid, and every mistake is reported clearly.

A user fixes a config by reading one ``ConfigError``: it must list every problem at
once, each with its key path, never echo a secret, and say what to do next.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from ordersync.config import (
    DATABASE_URL_ENV,
    Config,
    config_from_dict,
    example_config_text,
    load_config,
)
from ordersync.errors import ConfigError

PASSWORD = "Hunter2secret"


def example_data() -> dict[str, Any]:
    return tomllib.loads(example_config_text())


EXAMPLE_ENVS = sorted(example_data().get("env", {}))


def config_error(data: dict[str, Any], **kwargs: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data, **kwargs)
    return caught.value


@pytest.fixture(autouse=True)
def _no_database_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own ORDERSYNC_DATABASE_URL must not leak into these tests.
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)


# --- the shipped example --------------------------------------------------------------------


def test_example_config_loads() -> None:
    config = config_from_dict(example_data())
    assert config.database.url == "sqlite:///ordersync.db"
    assert set(config.sources.profiles) == {"GRE", "BHD"}
    assert config.sources.profiles["BHD"].customer == "B'HOOD"
    assert config.sources.profiles["BHD"].glob == ["BHD_*.xlsx", "BHD_*.csv"]
    assert config.sources.profiles["GRE"].glob == ["GRE_*.xlsx"]  # one string becomes a list
    assert config.merge.key == ["AAG ORDER NUMBER", "PLANNED DELIVERY METHOD", "CUSTOMER STYLE"]
    assert config.names.group_template.columns == ("CUSTOMER", "CUSTOMER SEASON", "AAG SEASON")


def test_example_config_loads_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "ordersync.toml"
    path.write_text(example_config_text(), encoding="utf-8")
    config = load_config(path)
    assert config.base_dir == tmp_path.resolve()
    assert config.source_dir == (tmp_path / "orders").resolve()


def test_example_defines_environments() -> None:
    assert {"dev", "prod"} <= set(EXAMPLE_ENVS)


@pytest.mark.parametrize("env", EXAMPLE_ENVS)
def test_every_example_environment_validates(env: str) -> None:
    base = config_from_dict(example_data())
    overlaid = config_from_dict(example_data(), env=env)
    overlay = example_data()["env"][env]
    assert overlaid.database.url == overlay.get("database", {}).get("url", base.database.url)
    # Only what the overlay names changes; the rest comes from the base.
    assert overlaid.sources == base.sources
    assert overlaid.columns == base.columns
    assert overlaid.database.tables == base.database.tables


def test_prod_environment_points_at_postgresql_without_a_password() -> None:
    config = config_from_dict(example_data(), env="prod")
    assert config.database.url.startswith("postgresql://")
    assert config.database.schema_name == "ordersync"
    assert config_from_dict(example_data(), env="dev").database.schema_name is None


def test_example_column_types_agree_with_the_sample_data() -> None:
    columns = pytest.importorskip(
        "ordersync.sample_data.columns",
        reason="ordersync.sample_data.columns does not import yet (sample data in progress)",
    )
    config = config_from_dict(example_data())
    assert sorted(config.columns.dates) == sorted(columns.DATE_COLUMNS)
    assert sorted(config.columns.decimals) == sorted(columns.DECIMAL_COLUMNS)
    # The total column is an integer too, but the config handles it via sizes.total_column.
    assert config.sizes.total_column not in config.columns.integers
    assert sorted([*config.columns.integers, config.sizes.total_column]) == sorted(
        columns.INTEGER_COLUMNS
    )


# --- every problem at once --------------------------------------------------------------------

MANY_MISTAKES: dict[str, Any] = {
    "database": {"url": f"postgresql://ordersync:{PASSWORD}@db-host:5432/orders"},
    "sources": {"threads": "many", "directroy": "orders"},
    "merge": {"key": []},
    "names": {"item": "{AAG ORDER NUMBER"},
    "colums": {},
}
MANY_MISTAKES_PATHS = [
    "database.url",
    "sources.threads",
    "sources.directroy",
    "merge.key",
    "names.item",
    "colums",
]


def test_every_problem_is_reported_at_once_with_its_key_path() -> None:
    error = config_error(MANY_MISTAKES, source="ordersync.toml")
    message = str(error)
    assert "ordersync.toml" in message
    assert len(error.problems) == len(MANY_MISTAKES_PATHS)
    for path, problem in zip(sorted(MANY_MISTAKES_PATHS), sorted(error.problems), strict=True):
        assert problem.startswith(f"{path}: "), problem
        assert problem in message
    by_path = {p.split(":", 1)[0]: p for p in error.problems}
    assert "unknown key" in by_path["sources.directroy"]
    assert "unknown key" in by_path["colums"]
    assert "'many'" in by_path["sources.threads"]
    assert "at least one column" in by_path["merge.key"]
    assert "malformed template" in by_path["names.item"]
    assert DATABASE_URL_ENV in by_path["database.url"]  # says where the secret goes instead


def test_a_column_with_two_types_is_reported_naming_both_lists() -> None:
    error = config_error({"columns": {"dates": ["ETA"], "decimals": [" eta "]}})
    (problem,) = error.problems
    assert "columns.dates" in problem
    assert "columns.decimals" in problem
    assert "ETA" in problem


def test_a_column_with_two_types_is_reported_with_the_other_problems() -> None:
    data = {**MANY_MISTAKES, "columns": {"dates": ["ETA"], "decimals": ["ETA"]}}
    message = str(config_error(data))
    for path in MANY_MISTAKES_PATHS:
        assert f"{path}: " in message
    assert "columns.dates and columns.decimals" in message


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://ordersync:{PASSWORD}@db-host:5432/orders",
        f"postgresql://ordersync:{PASSWORD}@db-host:5432/orders?sslmode=require",
        f"postgresql://:{PASSWORD}@db-host/orders",
        f"postgresql://ordersync:{PASSWORD}@db-host:notaport/orders",
        f"sqlite://ordersync:{PASSWORD}@/orders.db",
        pytest.param(f"postgresql:/ordersync:{PASSWORD}@db-host/orders", id="one-slash-typo"),
        f"postgresql://ordersync@db-host:5432/orders?password={PASSWORD}",
        f"postgresql:///orders?host=/run/postgresql&PassWord={PASSWORD}",
        f"postgresql://ordersync:{PASSWORD}@x@db-host/orders",
    ],
    ids=["plain", "query", "no-user", "bad-port", "sqlite", "one-slash-typo", "query-password",
         "query-password-no-host", "unencoded-at"],
)
@pytest.mark.parametrize("where", ["base", "env"])
def test_a_password_in_the_url_is_refused_and_never_shown(url: str, where: str) -> None:
    if where == "base":
        error = config_error({"database": {"url": url}})
    else:
        error = config_error({"env": {"prod": {"database": {"url": url}}}}, env="prod")
    message = str(error)
    assert "database.url" in message
    assert PASSWORD not in message


@pytest.mark.parametrize("url", [
    f"postgresql://ordersync@db-host:5432/orders?sslmode=require&password={PASSWORD}",
    f"postgresql://ordersync:{PASSWORD}@x@db-host/orders",
], ids=["query-password", "unencoded-at"])
def test_a_password_in_the_environment_s_url_is_never_shown(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ordersync.db.url import parse_url

    monkeypatch.setenv(DATABASE_URL_ENV, url)
    config = config_from_dict(tomllib.loads(example_config_text()))
    try:
        shown = parse_url(config.database_url).render()
    except ConfigError as error:  # the unencoded '@': refused, without the URL
        shown = str(error)
        assert "%40" in shown
    assert PASSWORD not in shown


@pytest.mark.parametrize("url", ["http://u:APIPASS@127.0.0.1:8765/v2",
                                 "http://127.0.0.1:8765/v2?token=APIPASS"])
def test_an_api_url_holding_credentials_is_refused_and_not_echoed(url: str) -> None:
    data = tomllib.loads(example_config_text())
    data.setdefault("monday", {})["api_url"] = url

    with pytest.raises(ConfigError, match=r"monday\.api_url: the URL holds credentials") as error:
        config_from_dict(data)
    assert "APIPASS" not in str(error.value)


def test_a_url_given_where_a_table_belongs_is_not_echoed_with_its_password() -> None:
    message = str(config_error({"database": f"postgresql://u:{PASSWORD}@db-host/orders"}))
    assert "database: " in message
    assert PASSWORD not in message


@pytest.mark.parametrize(
    ("data", "path", "expected"),
    [
        ({"merge": {"key": []}}, "merge.key", "at least one column"),
        ({"merge": {"key": ["CUSTOMER STYLE", "customer  style"]}}, "merge.key", "twice"),
        ({"merge": {"duplicates": "middle"}}, "merge.duplicates", "'middle'"),
        ({"names": {"group": "{CUSTOMER"}}, "names.group", "malformed template"),
        ({"names": {"group": "{}"}}, "names.group", "empty column name"),
        ({"names": {"item": "{CUSTOMER:>10}"}}, "names.item", "may not carry"),
        ({"names": {"item": "ORDER"}}, "names.item", "names no column"),
        ({"sources": {"threads": 0}}, "sources.threads", "greater than or equal to 1"),
        (
            {"sources": {"profiles": {"GRE": {"glob": "GRE_*.xlsx"}}}},
            "sources.profiles.GRE.customer",
            "required key is missing",
        ),
        (
            {"sources": {"profiles": {"GRE": {"customer": "G", "glob": "*", "header_row": 0}}}},
            "sources.profiles.GRE.header_row",
            "greater than or equal to 1",
        ),
        ({"database": {"url": "mysql://u@h/db"}}, "database.url", "only sqlite"),
        ({"database": {"tables": {"oders": "o"}}}, "database.tables.oders", "unknown key"),
    ],
    ids=[
        "empty-key",
        "key-twice",
        "duplicates-choice",
        "unclosed-template",
        "empty-field",
        "format-spec",
        "no-field",
        "zero-threads",
        "missing-customer",
        "header-row-zero",
        "mysql",
        "unknown-table",
    ],
)
def test_each_mistake_names_its_key_path(data: dict[str, Any], path: str, expected: str) -> None:
    (problem,) = config_error(data).problems
    assert problem.startswith(f"{path}: ")
    assert expected in problem


def test_column_names_in_the_config_are_normalised() -> None:
    config = config_from_dict(
        {
            "columns": {"dates": [" eta\u00a0date "], "aliases": {"po  #": "po number"}},
            "merge": {"key": ["aag order number", "Customer\nStyle"]},
        }
    )
    assert config.columns.dates == ["ETA DATE"]
    assert config.columns.aliases == {"PO #": "PO NUMBER"}
    assert config.merge.key == ["AAG ORDER NUMBER", "CUSTOMER STYLE"]


# --- the database URL -------------------------------------------------------------------------


def test_environment_variable_overrides_the_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    env_url = f"postgresql://ordersync:{PASSWORD}@db-host:5432/orders"
    monkeypatch.setenv(DATABASE_URL_ENV, env_url)
    config = config_from_dict(example_data())
    assert config.database_url == env_url  # secrets from the environment are fine


def test_relative_sqlite_path_resolves_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    path = folder / "ordersync.toml"
    path.write_text('[database]\nurl = "sqlite:///data/orders.db"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(path)
    assert config.database_url == f"sqlite:///{(folder / 'data' / 'orders.db').resolve()}"


def test_relative_sqlite_path_from_the_environment_also_resolves_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "sqlite:///other.db")
    config = config_from_dict({}, base_dir=tmp_path)
    assert config.database_url == f"sqlite:///{(tmp_path / 'other.db').resolve()}"


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://"], ids=["memory", "bare"])
def test_in_memory_sqlite_is_refused(url: str, tmp_path: Path) -> None:
    """It was taken, and `run` failed with "no such table … report the error": the bulk
    loads open their own connection, which sees another, empty, database."""
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"database": {"url": url}}, base_dir=tmp_path)
    assert list(caught.value.problems) == [
        "database.url: an in-memory SQLite database holds nothing past the command, and the "
        "bulk loads cannot see it: name a file, e.g. sqlite:///ordersync.db"]


def test_absolute_sqlite_path_is_kept(tmp_path: Path) -> None:
    absolute = tmp_path / "abs" / "orders.db"
    config = config_from_dict(
        {"database": {"url": f"sqlite:///{absolute}"}}, base_dir=Path("/somewhere/else")
    )
    assert config.database_url == f"sqlite:///{absolute}"


# --- loading files ----------------------------------------------------------------------------


def test_missing_file_names_the_file_and_the_next_step(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert "not found" in message
    assert "ordersync init" in message
    assert "--config" in message


def test_invalid_toml_names_the_file_and_where_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "ordersync.toml"
    path.write_text('[database]\nurl = "sqlite:///x.db"\nthreads 2\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 3" in message


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "ordersync.toml"
    path.write_bytes('[sources]\ndirectory = "Commandes été"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_a_mistake_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ordersync.toml"
    path.write_text("[sources]\nthreads = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert caught.value.problems[0].startswith("sources.threads: ")


@pytest.mark.parametrize("load", ["dict", "file"])
def test_unknown_env_lists_the_known_ones(load: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        if load == "dict":
            config_from_dict(example_data(), env="staging")
        else:
            path = tmp_path / "ordersync.toml"
            path.write_text(example_config_text(), encoding="utf-8")
            load_config(path, env="staging")
    message = str(caught.value)
    assert "env.staging" in message
    assert "known: dev, prod" in message


def test_unknown_env_without_any_env_tables_says_so() -> None:
    message = str(config_error({}, env="prod"))
    assert "env.prod" in message
    assert "none defined" in message


def test_defaults_make_a_complete_config() -> None:
    config = config_from_dict({})
    assert isinstance(config, Config)
    assert config.database.url == "sqlite:///ordersync.db"
    assert config.sizes.total_column == "TOTAL QTY"


@pytest.mark.parametrize(
    ("monday", "path"),
    [
        ({"board_id": "not-a-number"}, "monday.board_id"),
        ({"subitems_board_id": "12a"}, "monday.subitems_board_id"),
        ({"api_version": "2026-05"}, "monday.api_version"),
        ({"token": "secret"}, "monday.token"),
    ],
    ids=["board-id", "subitems-board-id", "api-version", "no-token-in-file"],
)
def test_monday_table_is_validated(monday: dict[str, Any], path: str) -> None:
    message = str(config_error({"monday": monday}))

    assert f"{path}: " in message
    assert "secret" not in message


# --- [monday.routing] and the limits it plans against (issue #10) --------------------------

def test_routing_defaults_to_one_board_and_limits_to_monday_s() -> None:
    monday = config_from_dict({}).monday
    assert monday.routing.key is None and monday.routing.key_template is None
    assert monday.routing.overflow == "stop" and monday.routing.boards == {}
    assert monday.limits.items_per_board == 10_000
    assert (monday.limits.plan, monday.limits.daily_call_limit) == ("standard", 1_000)


@pytest.mark.parametrize(("plan", "calls"), [("free", 1_000), ("basic", 1_000),
                                            ("standard", 1_000), ("pro", 10_000),
                                            ("enterprise", 25_000)])
def test_the_daily_call_cap_defaults_by_plan_and_can_be_set(plan: str, calls: int) -> None:
    limits = config_from_dict({"monday": {"limits": {"plan": plan}}}).monday.limits
    assert limits.daily_call_limit == calls
    limits = config_from_dict({"monday": {"limits": {"plan": plan,
                                                     "daily_calls": 4_000}}}).monday.limits
    assert limits.daily_call_limit == 4_000


def test_a_routing_table_is_read() -> None:
    routing = config_from_dict({"monday": {"routing": {
        "key": "{Customer} {AAG season}", "board_name": "Schedule {AAG SEASON} {CUSTOMER}",
        "template_board_id": "100", "workspace_id": "7", "folder_id": "8", "overflow": "split",
        "boards": {"GREYSTONE FALL 2025": "555"}}}}).monday.routing
    assert routing.key_template is not None
    assert routing.key_template.columns == ("CUSTOMER", "AAG SEASON")
    assert routing.name_template is not None
    assert routing.name_template.source == "Schedule {AAG SEASON} {CUSTOMER}"
    assert routing.boards == {"GREYSTONE FALL 2025": "555"}


@pytest.mark.parametrize(
    ("routing", "path", "expected"),
    [
        ({"key": "no field"}, "monday.routing.key", "names no column"),
        ({"key": "{SEASON", "board_name": "x {SEASON}"}, "monday.routing.key", "malformed"),
        ({"key": "{AAG SEASON}", "board_name": "{CUSTOMER} {AAG SEASON}"},
         "monday.routing.board_name", "reads CUSTOMER, which the key does not"),
        ({"board_name": "Board {AAG SEASON}"}, "monday.routing.board_name",
         "needs monday.routing.key"),
        ({"boards": {"FALL": "1"}}, "monday.routing.boards", "need monday.routing.key"),
        ({"key": "{S}", "boards": {"FALL": "1", "SPRING": "1"}}, "monday.routing.boards",
         "pinned for both 'FALL' and 'SPRING'"),
        ({"key": "{S}", "boards": {"FALL": "board-1"}}, "monday.routing.boards.FALL",
         "pattern"),
        ({"key": "{S}", "template_board_id": "x1"}, "monday.routing.template_board_id",
         "pattern"),
        ({"key": "{S}", "overflow": "grow"}, "monday.routing.overflow", "'stop' or 'split'"),
        ({"key": "{S}", "bords": {}}, "monday.routing.bords", "unknown key"),
    ],
    ids=["key-without-field", "malformed-key", "name-reads-more-than-key",
         "name-without-key", "pins-without-key", "one-board-two-routes", "pinned-id",
         "template-id", "overflow", "typo"],
)
def test_each_routing_mistake_names_its_key_path(routing: dict[str, Any], path: str,
                                                 expected: str) -> None:
    message = str(config_error({"monday": {"routing": routing}}))
    assert f"{path}: " in message
    assert expected in message


def test_every_routing_and_limits_problem_is_reported_at_once() -> None:
    message = str(config_error({"monday": {
        "routing": {"key": "{S}", "overflow": "grow", "template_board_id": "x"},
        "limits": {"items_per_board": 0, "daily_calls": 0, "plan": "gold"}}}))
    for path in ("monday.routing.overflow", "monday.routing.template_board_id",
                 "monday.limits.items_per_board", "monday.limits.daily_calls",
                 "monday.limits.plan"):
        assert f"{path}: " in message


def test_the_example_s_commented_limits_and_routing_are_valid_when_uncommented() -> None:
    text = example_config_text()
    block = text[text.index("# [monday.limits]"):text.index("# Environments overlay")]
    lines = [line[2:] for line in block.splitlines()
             if line.startswith("# ") and ("=" in line or line.startswith("# ["))]
    data = tomllib.loads("[monday]\nboard_id = '1'\n" + "\n".join(lines))
    monday = config_from_dict(data).monday
    assert monday.routing.key == "{AAG SEASON}" and monday.routing.overflow == "split"
    assert monday.routing.boards == {"FALL 2025": "2345678901"}
    assert monday.limits.items_per_board == 10_000


def test_a_typo_in_an_environment_not_in_use_is_reported_with_its_path() -> None:
    data = tomllib.loads(example_config_text())
    data["env"]["dev"] = {"databse": {"url": "sqlite:///x.db"}}

    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)
    assert any(p.startswith("env.dev.databse") for p in caught.value.problems), \
        caught.value.problems


@pytest.mark.parametrize("env", [None, "dev"], ids=["another-env", "env-in-use"])
def test_a_typo_in_an_environment_is_reported_with_its_path_in_use_or_not(
        env: str | None) -> None:
    """With --env the overlay's mistakes were reported as "database.urll", a key path the
    file does not have; the file's own mistake keeps its own path, once."""
    data = tomllib.loads(example_config_text())
    data["env"]["dev"] = {"database": {"urll": "sqlite:///x.db"}}
    data["sources"]["threads"] = "two"

    with pytest.raises(ConfigError) as caught:
        config_from_dict(data, env=env)

    assert sorted(caught.value.problems) == [
        "env.dev.database.urll: unknown key (check the spelling against `ordersync init`'s "
        "example)",
        "sources.threads: Input should be a valid integer, unable to parse string as an "
        "integer (got 'two')"]


def test_a_config_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Saved "UTF-8 with BOM" (Notepad): "not valid TOML: Invalid statement (at line 1,
    column 1)", not a word about the mark."""
    path = tmp_path / "ordersync.toml"
    path.write_bytes(b"\xef\xbb\xbf" + example_config_text().encode("utf-8"))

    assert load_config(path) == load_config_text(example_config_text(), tmp_path)


def load_config_text(text: str, folder: Path) -> Config:
    plain = folder / "plain.toml"
    plain.write_text(text, encoding="utf-8")
    return load_config(plain)


def test_env_that_is_not_a_table_of_tables_is_one_clear_problem() -> None:
    data = tomllib.loads(example_config_text())
    data["env"] = "production"

    with pytest.raises(ConfigError, match=r"env: must hold one table per environment"):
        config_from_dict(data, env="prod")


def test_a_directory_given_as_the_config_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)


def test_an_api_url_without_its_scheme_is_refused_at_load() -> None:
    data = tomllib.loads(example_config_text())
    data.setdefault("monday", {})["api_url"] = "api.monday.com/v2"

    with pytest.raises(ConfigError, match=r"monday\.api_url"):
        config_from_dict(data)


def test_a_database_url_from_the_environment_is_checked_like_the_file_s(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_from_dict(tomllib.loads(example_config_text()))
    monkeypatch.setenv(DATABASE_URL_ENV, "mysql://postgres@127.0.0.1:5432/test")

    with pytest.raises(ConfigError, match="only sqlite:/// and postgresql://"):
        _ = config.database_url


def test_a_mistake_of_the_file_s_own_tables_is_said_once_not_per_environment() -> None:
    """With the example's [env.dev] and [env.prod], every mistake was listed three times,
    twice under env.… paths the file does not have."""
    data = example_data()
    data["sources"]["threads"] = "two"

    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)

    assert list(caught.value.problems) == [
        "sources.threads: Input should be a valid integer, unable to parse string as an "
        "integer (got 'two')"]


def test_a_problem_names_keys_of_the_file_not_the_types_a_value_may_take() -> None:
    data = example_data()
    data["monday"] = {"board_id": "1", "columns": {"identity": "order_key",
                                                   "notes": {"id": "notes", "source": "X"}}}

    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)

    assert all(p.startswith("monday.columns.notes") for p in caught.value.problems), \
        caught.value.problems
    assert not any(".str" in p or "BoardColumn" in p for p in caught.value.problems)


@pytest.mark.parametrize("fmt", ["%-d/%-m/%Y", "%e-%b-%Y", "%F", "%D", "%d.%m.%y"])
def test_a_date_format_polars_reads_is_taken(fmt: str) -> None:
    """The ingest reads text dates with polars (chrono), which knows more than strptime."""
    data = example_data()
    data["columns"]["date_formats"] = [fmt]
    assert config_from_dict(data).columns.date_formats == [fmt]


def test_a_profile_named_in_mixed_case_keeps_its_name_in_a_problem() -> None:
    data = example_data()
    data["sources"]["profiles"]["GreyStone"] = {"customer": "G", "glob": "G*", "bogus": 1}

    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)

    assert any(p.startswith("sources.profiles.GreyStone.bogus: unknown key")
               for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("fmt", ["DD/MM/YYYY", "%Q", "%", "%d/%m"])
@pytest.mark.parametrize("where", ["columns", "profile"])
def test_a_date_format_that_reads_no_date_is_refused(fmt: str, where: str) -> None:
    """Accepted before: every date written as text was then refused as "not a date
    (expected … text like DD/MM/YYYY)", 22/08/2025 included."""
    data = example_data()
    if where == "columns":
        data["columns"]["date_formats"] = ["%Y-%m-%d", fmt]
    else:
        next(iter(data["sources"]["profiles"].values()))["date_formats"] = [fmt]

    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)

    (problem,) = caught.value.problems
    assert f"{fmt!r} is not a strptime format naming day, month and year" in problem
