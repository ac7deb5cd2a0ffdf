"""Object stores for the source tests: Azurite and moto's S3 server, one of each per session
(started on free ports, data in a temp folder), each behind a counting proxy; every test
gets its own empty container or bucket and the environment variables that reach it.

A plugin of tests/conftest.py (a second conftest.py here would shadow its module name)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulators import (
    AZURITE_ACCOUNT,
    AZURITE_KEY,
    Proxy,
    azurite_available,
    start_azurite,
    start_moto,
    stop,
)

CREDENTIAL_VARIABLES = (
    "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CLIENT_ID", "AZURE_STORAGE_CLIENT_SECRET",
    "AZURE_STORAGE_TENANT_ID", "AZURE_STORAGE_ANON", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_EC2_METADATA_DISABLED",
)


@dataclass
class Store:
    """One emulator: where it is, how to reach it, and a client that bypasses the proxy."""

    kind: str  # az | s3
    port: int
    proxy: Proxy
    secret: str  # the key the environment carries
    access_key: str = ""

    def url(self, bucket: str, prefix: str = "in") -> str:
        return f"{self.kind}://{bucket}/{prefix}"

    def env(self, *, secret: str | None = None, port: int | None = None) -> dict[str, str]:
        """The variables that reach the store through the proxy (or ``port``)."""
        port = port or self.proxy.port
        key = secret or self.secret
        if self.kind == "az":
            return {"AZURE_STORAGE_CONNECTION_STRING": (
                f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={key};"
                f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};")}
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": key,
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_DEFAULT_REGION": "us-east-1"}

    # -- direct access (setup, not counted) ------------------------------------------------

    def _azure(self) -> Any:
        from azure.storage.blob import BlobServiceClient
        return BlobServiceClient.from_connection_string(
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{self.port}/"
            f"{AZURITE_ACCOUNT};")

    def _s3(self) -> Any:
        import boto3
        return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.port}",
                            region_name="us-east-1", aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret)

    def create(self, bucket: str) -> None:
        if self.kind == "az":
            self._azure().create_container(bucket)
        else:
            self._s3().create_bucket(Bucket=bucket)

    def put(self, bucket: str, name: str, data: bytes) -> None:
        if self.kind == "az":
            self._azure().get_blob_client(bucket, name).upload_blob(data, overwrite=True)
        else:
            self._s3().put_object(Bucket=bucket, Key=name, Body=data)

    def delete(self, bucket: str, name: str) -> None:
        if self.kind == "az":
            self._azure().get_blob_client(bucket, name).delete_blob()
        else:
            self._s3().delete_object(Bucket=bucket, Key=name)

    def upload_folder(self, bucket: str, folder: Path, prefix: str = "in") -> list[str]:
        names = []
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = f"{prefix}/{path.relative_to(folder).as_posix()}"
                self.put(bucket, name, path.read_bytes())
                names.append(name)
        return names


@pytest.fixture(scope="session")
def azurite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    reason = azurite_available()
    if reason:
        pytest.skip(reason)
    process, port = start_azurite(tmp_path_factory.mktemp("azurite"))
    proxy = Proxy(port)
    proxy.start()
    yield Store("az", port, proxy, AZURITE_KEY)
    proxy.stop()
    stop(process)


@pytest.fixture(scope="session")
def moto_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    pytest.importorskip("moto.server", reason="moto[server] is in the dev extras")
    import boto3
    process, port = start_moto(tmp_path_factory.mktemp("moto"))
    iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="ordersync")
    iam.put_user_policy(UserName="ordersync", PolicyName="read", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="ordersync")["AccessKey"]
    proxy = Proxy(port)
    proxy.start()
    yield Store("s3", port, proxy, key["SecretAccessKey"], key["AccessKeyId"])
    proxy.stop()
    stop(process)


@pytest.fixture(params=["az", "s3"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Store:
    """An emulator with the environment pointing at it (and nothing else set)."""
    chosen: Store = request.getfixturevalue(
        "azurite_store" if request.param == "az" else "moto_store")
    chosen.proxy.reset()
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/ordersync-test")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/ordersync-test")
    for name, value in chosen.env().items():
        monkeypatch.setenv(name, value)
    return chosen


@pytest.fixture
def bucket(store: Store) -> str:
    """A fresh, empty container or bucket."""
    name = f"orders-{uuid.uuid4().hex[:12]}"
    store.create(name)
    return name
