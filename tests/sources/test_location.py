"""Source locations: URLs and paths, secrets refused and masked, credentials looked up
before any request, and globs matched as Path.glob matches them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordersync.errors import SourceError
from ordersync.ingest.files import _matches
from ordersync.sources import SourceOptions, open_source
from ordersync.sources.location import account_in, mask, parse_location, secret_in
from ordersync.sources.storage import filesystem


@pytest.mark.parametrize(("text", "protocol", "root"), [
    ("az://orders/customers/", "az", "orders/customers"),
    ("abfss://orders@acme.dfs.core.windows.net/in", "az", "orders/in"),
    ("s3://bucket/prefix", "s3", "bucket/prefix"),
    ("s3a://bucket", "s3", "bucket"),
    ("file:///srv/orders", "file", "/srv/orders"),
    ("orders", "file", "/base/orders"),
    ("/abs/orders", "file", "/abs/orders"),
], ids=["az", "abfss-account", "s3", "s3a", "file-url", "relative", "absolute"])
def test_locations(text: str, protocol: str, root: str) -> None:
    location = parse_location(text, Path("/base"))
    assert (location.protocol, location.root) == (protocol, root)


def test_account_from_abfs_url() -> None:
    assert account_in("abfs://orders@acme.dfs.core.windows.net/in") == "acme"
    assert account_in("az://orders/in") is None


@pytest.mark.parametrize("text", [
    "az://orders/in?sv=2024-01-01&sig=abc", "s3://AKIA123:s3cr3t@bucket/in",
    "s3://AKIA123@bucket/in", "https://acme.blob.core.windows.net/orders?se=2030&sig=xyz",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc",
    "abfs://c:pw@acme.dfs.core.windows.net/x",
], ids=["sas", "s3-keys", "s3-key-id", "blob-sas-url", "connection-string", "password"])
def test_secrets_in_a_directory_are_refused(text: str) -> None:
    assert secret_in(text)
    with pytest.raises(ValueError, match="environment"):
        parse_location(text, Path("."))


def test_no_secret_in_plain_locations() -> None:
    for text in ("az://orders/in", "abfs://orders@acme.dfs.core.windows.net/in", "orders",
                 "s3://bucket/prefix", "C:/orders"):
        assert secret_in(text) is None


def test_mask_hides_environment_secrets_and_key_value_secrets(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIK7MDENG")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING",
                       "AccountName=acme;AccountKey=Zm9vYmFyYmF6cXV4;EndpointSuffix=x")
    text = mask("denied wJalrXUtnFEMIK7MDENG for key Zm9vYmFyYmF6cXV4 at "
                "https://a.blob.core.windows.net/c?sv=1&sig=SIGNATURE and s3://id:pw@b")
    for secret in ("wJalrXUtnFEMIK7MDENG", "Zm9vYmFyYmF6cXV4", "SIGNATURE", ":pw@"):
        assert secret not in text
    assert "https://a.blob.core.windows.net/c" in text


@pytest.mark.parametrize(("path", "pattern", "matched"), [
    ("GRE_1.xlsx", "GRE_*.xlsx", True),
    ("sub/GRE_1.xlsx", "GRE_*.xlsx", False),  # * stays in its folder, as Path.glob
    ("sub/GRE_1.xlsx", "**/GRE_*.xlsx", True),
    ("GRE_1.xlsx", "**/GRE_*.xlsx", True),
    ("a/b/GRE_1.xlsx", "a/**/GRE_?.xlsx", True),
    ("GRE_1.XLSX", "GRE_*.xlsx", False),  # case-sensitive, as object names are
    ("GRE_1.xlsx", "GRE_[0-9].xlsx", True),
    ("GRE_x.xlsx", "GRE_[!0-9].xlsx", True),
])
def test_globs_follow_path_glob(path: str, pattern: str, matched: bool) -> None:
    assert _matches(path, pattern) is matched


@pytest.mark.parametrize(("url", "variable"), [
    ("az://orders/in", "AZURE_STORAGE_CONNECTION_STRING"),
    ("s3://bucket/in", "AWS_ACCESS_KEY_ID"),
])
def test_no_credentials_is_one_message_before_any_request(
        url: str, variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT_NAME",
                 "AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_SAS_TOKEN",
                 "AZURE_STORAGE_CLIENT_SECRET", "AWS_ACCESS_KEY_ID", "AWS_PROFILE",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_EC2_METADATA_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    with pytest.raises(SourceError) as caught:
        open_source(url, Path("."), SourceOptions())
    assert str(caught.value).startswith(url) and variable in str(caught.value)


def test_account_key_without_account_name_is_missing_credentials(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.delenv("AZURE_STORAGE_ACCOUNT_NAME", raising=False)
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_KEY", "a2V5a2V5a2V5")
    with pytest.raises(SourceError, match="AZURE_STORAGE_ACCOUNT_NAME"):
        filesystem(parse_location("az://orders/in", Path(".")), SourceOptions())


def test_unknown_protocol_names_what_works() -> None:
    with pytest.raises(SourceError, match="az://, s3://"):
        open_source("nosuchproto://x/y", Path("."))
