"""The CLI against object storage: the dry run says what it would read and why; a storage
error is one line with the URL (no secret) and exit code 1."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import tomli_w
from click.testing import CliRunner

from ordersync.cli import cli
from ordersync.demo import demo_config
from ordersync.sample_data import generate_sample_data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "ordersync.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_dry_run_lists_what_would_be_read_and_why(
        store: Any, bucket: str, db_settings: dict[str, Any], tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=3, orders=45, seed=9,
                                   quirks=False)
    names = store.upload_folder(bucket, dataset.directory)
    data = demo_config(dataset)
    data["database"] = dict(db_settings)
    data["sources"]["directory"] = store.url(bucket)
    config = _write(tmp_path, data)
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", "--config", str(config)]).exit_code == 0
    first = names[0]
    # The same bytes uploaded again: a new etag (Azure) or last-modified time (S3).  S3's
    # etag is the bytes' MD5 and its Last-Modified has 1-second resolution: within the
    # same second the stamp would not change at all (and rightly nothing would be read).
    if store.kind == "s3":
        time.sleep(1.1)
    store.put(bucket, first, (dataset.directory / first.removeprefix("in/")).read_bytes())
    store.proxy.reset()

    result = runner.invoke(cli, ["ingest", "--dry-run", "--config", str(config)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "would ingest" in result.output and "why" in result.output
    for name in names:  # every file listed, unchanged ones too
        assert name.removeprefix("in/") in result.output
    as_json = runner.invoke(cli, ["ingest", "--dry-run", "--json", "--config", str(config)])
    reasons = {f["path"]: f["reason"] for f in json.loads(as_json.stdout)["files"]}
    assert reasons == {n.removeprefix("in/"): "unchanged (same bytes)" if n == first
                       else "unchanged" for n in names}  # read to find out, then unchanged
    assert store.proxy.object_reads(bucket) == [first, first]
    assert not any(r.method == "PUT" for r in store.proxy.requests)


def test_storage_error_is_one_line_and_exit_1(
        store: Any, db_settings: dict[str, Any], tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=1, orders=10, seed=1,
                                   quirks=False)
    data = demo_config(dataset)
    data["database"] = dict(db_settings)
    data["sources"]["directory"] = store.url("no-such-bucket-here")
    result = CliRunner().invoke(cli, ["ingest", "--config", str(_write(tmp_path, data))])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "no-such-bucket-here" in lines[0] and "does not exist" in lines[0]
    assert store.secret not in result.output
