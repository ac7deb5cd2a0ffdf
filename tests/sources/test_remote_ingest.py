"""Ingest from Azure Blob (Azurite) and S3 (moto's server), on both database engines.

Object reads are counted at the proxy in front of the emulator: a GET of an object's body.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from emulators import Request, free_port
from ordersync.config import Config, config_from_dict
from ordersync.db import open_database
from ordersync.demo import demo_config
from ordersync.errors import ConfigError, SourceError
from ordersync.ingest import ingest
from ordersync.ingest.files import _matches
from ordersync.pipeline import run_pipeline
from ordersync.sample_data import SampleDataSet, generate_sample_data, mutate_sample_data

ConfigFactory = Callable[..., Config]


@pytest.fixture(scope="session")
def forty(tmp_path_factory: pytest.TempPathFactory) -> SampleDataSet:
    """40 customers' workbooks from the sample-data generator (the demo's kind of files)."""
    return generate_sample_data(tmp_path_factory.mktemp("forty") / "orders", customers=40,
                                orders=800, seed=11)


def _config(dataset: SampleDataSet, db_settings: dict[str, Any], directory: str,
            tmp_path: Path, **sources: Any) -> Config:
    data = demo_config(dataset)
    data["database"] = dict(db_settings)
    data["sources"] = {**data["sources"], "directory": directory, **sources}
    return config_from_dict(data, base_dir=tmp_path)


def _orders(config: Config) -> dict[str, int]:
    db = open_database(config)
    with db.begin() as conn:
        rows = conn.execute(sa.text(
            f"SELECT change_kind, COUNT(*) AS n FROM {db.table('orders')} GROUP BY change_kind"))
        return {str(r.change_kind): int(r.n) for r in rows}


def test_forty_workbooks_then_unchanged_rerun_reads_no_object(
        store: Any, bucket: str, forty: SampleDataSet, db_settings: dict[str, Any],
        tmp_path: Path) -> None:
    names = store.upload_folder(bucket, forty.directory)
    assert len(names) == len(forty.files) >= 40
    config = _config(forty, db_settings, store.url(bucket), tmp_path)

    first = run_pipeline(config, open_database(config))
    assert first.ingest.count("staged") == len(forty.files)
    assert sum(_orders(config).values()) == forty.orders - forty.bad_rows  # the generator's truth
    assert sorted(store.proxy.object_reads(bucket)) == sorted(names)  # each object read once

    store.proxy.reset()
    again = run_pipeline(config, open_database(config))
    assert again.ingest.count("skipped") == len(forty.files)
    assert {f.reason for f in again.ingest.files} == {"unchanged"}
    assert store.proxy.lists(bucket) >= 1
    assert store.proxy.object_reads(bucket) == []  # zero object reads
    # List calls and nothing per object (adlfs checks the prefix itself with one HEAD).
    others = [r for r in store.proxy.requests
              if "comp=list" not in r.query and "list-type" not in r.query]
    assert len(others) <= 1 and all(r.method == "HEAD" for r in others)
    assert again.merge.orders.new + again.merge.orders.changed == 0


def test_one_changed_object_only_it_is_read(
        store: Any, bucket: str, db_settings: dict[str, Any], tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=6, orders=120, seed=3)
    store.upload_folder(bucket, dataset.directory)
    config = _config(dataset, db_settings, store.url(bucket), tmp_path)
    run_pipeline(config, open_database(config))

    before = {p.name: p.read_bytes() for p in dataset.files}
    changed = mutate_sample_data(dataset, files=1, fraction=0.2, seed=5)
    name = next(p.name for p in dataset.files if p.read_bytes() != before[p.name])
    store.put(bucket, f"in/{name}", (dataset.directory / name).read_bytes())
    store.put(bucket, "in/NEW_customer.xlsx", before[name])  # a file no profile claims

    store.proxy.reset()
    dry = ingest(config, open_database(config), dry_run=True)
    reasons = {f.path: f.reason for f in dry.files}
    assert reasons.pop(name) == "changed"
    assert set(reasons.values()) == {"unchanged"}
    assert dry.unmatched == ("NEW_customer.xlsx",)

    store.proxy.reset()
    result = run_pipeline(config, open_database(config))
    assert store.proxy.object_reads(bucket) == [f"in/{name}"]
    assert [f.path for f in result.ingest.files if f.status == "staged"] == [name]
    assert result.merge.orders.changed + result.merge.orders.cancelled == len(changed)


def test_deleted_object_follows_the_missing_file_rule(
        store: Any, bucket: str, db_settings: dict[str, Any], tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=3, orders=60, seed=4,
                                   quirks=False)
    names = store.upload_folder(bucket, dataset.directory)
    keep = _config(dataset, db_settings, store.url(bucket), tmp_path)
    run_pipeline(keep, open_database(keep))
    before = _orders(keep)
    store.delete(bucket, names[0])
    gone = names[0].removeprefix("in/")

    kept = run_pipeline(keep, open_database(keep))
    assert [(f.path, f.status) for f in kept.ingest.files if f.status == "missing"] == [
        (gone, "missing")]
    assert _orders(keep) == before  # "keep": the orders stay as they are
    db = open_database(keep)
    with db.begin() as conn:
        status = conn.execute(sa.text(f"SELECT status FROM {db.table('ingest_files')} "
                                      "WHERE path = :p"), {"p": gone}).scalar()
    assert status == "missing"

    remove = _config(dataset, db_settings, store.url(bucket), tmp_path, missing_files="remove")
    removed = run_pipeline(remove, open_database(remove))
    assert removed.merge.orders.removed > 0
    assert _orders(remove).get("REMOVED") == removed.merge.orders.removed


def test_object_replaced_while_read_is_not_ingested_and_read_next_run(
        store: Any, bucket: str, db_settings: dict[str, Any], tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=2, orders=40, seed=6,
                                   quirks=False)
    names = store.upload_folder(bucket, dataset.directory)
    before = {p.name: p.read_bytes() for p in dataset.files}
    mutate_sample_data(dataset, files=1, fraction=0.3, seed=2)
    name = next(p.name for p in dataset.files if p.read_bytes() != before[p.name])
    target, replacement = f"in/{name}", (dataset.directory / name).read_bytes()
    config = _config(dataset, db_settings, store.url(bucket), tmp_path)

    def replace_after_read(request: Request) -> None:
        if request.method == "GET" and request.path.endswith(target):
            store.proxy.after = None
            store.put(bucket, target, replacement)  # a new etag while the old bytes travel

    store.proxy.after = replace_after_read
    first = ingest(config, open_database(config))
    failed = {f.path: f.error for f in first.files if f.status == "failed"}
    assert list(failed) == [target.removeprefix("in/")]
    assert "replaced while it was being read" in str(failed[target.removeprefix("in/")])
    assert "read again by the next ingest" in str(failed[target.removeprefix("in/")])
    assert first.count("staged") == len(names) - 1

    second = ingest(config, open_database(config))
    assert [f.path for f in second.files if f.status == "staged"] == [target.removeprefix("in/")]


def test_transient_errors_are_retried_and_one_unreadable_object_fails_alone(
        store: Any, bucket: str, db_settings: dict[str, Any], tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=3, orders=60, seed=8,
                                   quirks=False)
    names = store.upload_folder(bucket, dataset.directory)
    config = _config(dataset, db_settings, store.url(bucket), tmp_path, retries=3)

    def get(name: str) -> Any:
        return lambda r: r.method == "GET" and r.path.endswith(name)

    def listing(r: Request) -> bool:
        return "comp=list" in r.query or "list-type" in r.query

    store.proxy.faults += [(listing, 503), (get(names[0]), 500), (get(names[0]), 503)]
    store.proxy.faults += [(get(names[1]), 403)] * 10  # refused every time
    report = ingest(config, open_database(config))
    statuses = {f.path: f.status for f in report.files}
    assert statuses.pop(names[1].removeprefix("in/")) == "failed"
    assert set(statuses.values()) == {"staged"}
    assert store.proxy.object_reads(bucket).count(names[0]) == 3  # two faults, then the body
    assert not [f for f in store.proxy.faults if f[1] != 403]  # every transient fault was hit


@pytest.mark.parametrize("case", ["missing credentials", "wrong credentials", "no container",
                                  "no network"])
def test_storage_errors_give_one_message_naming_url_and_variable(
        case: str, store: Any, bucket: str, make_config: ConfigFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "WRONGkeyWRONGkeyWRONGkeyWRONGkey=="
    target = store.url(bucket)
    if case == "missing credentials":
        for name in store.env():
            monkeypatch.delenv(name)
    elif case == "wrong credentials":
        for name, value in store.env(secret=wrong).items():
            monkeypatch.setenv(name, value)
    elif case == "no container":
        target = store.url("no-such-container")
    else:
        for name, value in store.env(port=free_port()).items():
            monkeypatch.setenv(name, value)
    config = make_config(sources={"directory": target, "retries": 1, "timeout": 5})
    with pytest.raises(SourceError) as caught:
        ingest(config, open_database(config))
    message = str(caught.value)
    assert message.startswith(target) and "\n" not in message
    assert wrong not in message and store.secret not in message
    expected = {"missing credentials": ("no storage credentials",
                                        "AZURE_STORAGE_CONNECTION_STRING" if store.kind == "az"
                                        else "AWS_ACCESS_KEY_ID"),
                "wrong credentials": ("refused the credentials",
                                      "AZURE_STORAGE_CONNECTION_STRING" if store.kind == "az"
                                      else "AWS_SECRET_ACCESS_KEY"),
                "no container": ("'no-such-container' does not exist", "directory"),
                "no network": ("cannot reach", "AZURE_STORAGE_CONNECTION_STRING"
                               if store.kind == "az" else "AWS_ENDPOINT_URL")}[case]
    for part in expected:
        assert part in message
    if case == "missing credentials":
        assert store.proxy.requests == []  # refused before any request


def test_local_folder_copied_is_the_same_order_list(
        forty: SampleDataSet, make_config: ConfigFactory, tmp_path: Path) -> None:
    """file:// reads like a plain path."""
    folder = tmp_path / "copy"
    shutil.copytree(forty.directory, folder)
    data = demo_config(forty)
    data["sources"]["directory"] = folder.as_uri()
    config = make_config(sources=data["sources"], columns=data["columns"])
    report = ingest(config, open_database(config))
    assert report.count("staged") == len(forty.files)


def test_secret_in_directory_is_refused_and_not_echoed(make_config: ConfigFactory) -> None:
    for directory in ("az://orders/in?sv=2024&sig=S3CR3TSIG", "s3://AKIAX:S3CR3TKEY@bucket/in",
                      "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=S3CR3TKEY"):
        with pytest.raises(ConfigError) as caught:
            make_config(sources={"directory": directory})
        assert "S3CR3T" not in str(caught.value)
        assert "environment" in str(caught.value)


def test_a_profile_reads_its_own_directory(
        store: Any, bucket: str, db_settings: dict[str, Any], tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=3, orders=45, seed=12,
                                   quirks=False)
    data = demo_config(dataset)
    data["database"] = dict(db_settings)
    data["sources"]["directory"] = store.url(bucket)
    own = dataset.customers[0]
    data["sources"]["profiles"][own.code]["directory"] = store.url(bucket, "elsewhere")
    for path in dataset.files:
        prefix = "elsewhere" if _matches(path.name, own.glob) else "in"
        store.put(bucket, f"{prefix}/{path.name}", path.read_bytes())
    config = config_from_dict(data, base_dir=tmp_path)

    report = ingest(config, open_database(config))
    staged = sorted(f.path for f in report.files if f.status == "staged")
    assert len(staged) == len(dataset.files)
    elsewhere = [p for p in staged if p.startswith(f"{store.url(bucket, 'elsewhere')}/")]
    assert len(elsewhere) == sum(1 for p in dataset.files if _matches(p.name, own.glob)) >= 1
    again = ingest(config, open_database(config))
    assert again.count("skipped") == len(dataset.files)
