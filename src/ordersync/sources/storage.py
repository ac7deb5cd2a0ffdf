"""Connecting to object storage with credentials from the environment, and naming failures.

Azure Blob (adlfs) reads ``AZURE_STORAGE_CONNECTION_STRING``, or
``AZURE_STORAGE_ACCOUNT_NAME`` (or the account in an ``abfs://container@account…`` URL)
with ``AZURE_STORAGE_ACCOUNT_KEY``, ``AZURE_STORAGE_SAS_TOKEN`` or a service principal
(``AZURE_STORAGE_CLIENT_ID``, ``AZURE_STORAGE_CLIENT_SECRET``, ``AZURE_STORAGE_TENANT_ID``).
S3 (s3fs) reads botocore's environment: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``
(``AWS_SESSION_TOKEN``), ``AWS_PROFILE``, web identity or container credentials, and
``AWS_ENDPOINT_URL`` for S3-compatible stores.  With none of these the run stops with
the variables to set, before any request (no silent probing of instance metadata:
set ``AWS_EC2_METADATA_DISABLED=false`` to use an instance role).

Transient errors (timeouts, 5xx, throttling) are retried by the storage SDK with
exponential back-off, configured here from ``[sources] retries`` and ``timeout``;
:func:`classify` sorts what is left into the few cases a user can act on.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any

from ordersync.errors import SourceError
from ordersync.sources import SourceOptions
from ordersync.sources.location import SourceLocation, account_in

AZURE_HINT = ("set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT_NAME with "
              "AZURE_STORAGE_ACCOUNT_KEY or AZURE_STORAGE_SAS_TOKEN")
S3_HINT = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), and "
           "AWS_ENDPOINT_URL for an S3-compatible store")
_AWS_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                             "AWS_CONTAINER_CREDENTIALS_FULL_URI")


class Failure(StrEnum):
    """What a storage error means for the user."""

    NOT_FOUND = "not_found"
    DENIED = "denied"
    UNREACHABLE = "unreachable"
    OTHER = "other"


def credentials_hint(location: SourceLocation) -> str:
    if location.protocol == "az":
        return AZURE_HINT
    if location.protocol == "s3":
        return S3_HINT
    return f"set the credentials {location.protocol}:// reads from the environment"


def filesystem(location: SourceLocation, options: SourceOptions) -> Any:
    """An fsspec filesystem for ``location``, credentials from the environment."""
    if location.protocol == "az":
        return _azure(location, options)
    if location.protocol == "s3":
        return _s3(location, options)
    import fsspec
    try:
        return fsspec.filesystem(location.protocol, skip_instance_cache=True,
                                 use_listings_cache=False)
    except (ImportError, ValueError) as exc:
        raise SourceError(location.display, f"{location.protocol}:// is not supported here ({exc})",
                          "use az://, s3://, a path, or install the fsspec package for it") from exc


def _missing(location: SourceLocation, hint: str) -> SourceError:
    return SourceError(location.display, "no storage credentials in the environment", hint)


def _import(location: SourceLocation, package: str) -> None:
    try:
        __import__(package)
    except ImportError as exc:
        raise SourceError(location.display, f"the {package} package is not installed",
                          f"pip install {package}") from exc


def _azure(location: SourceLocation, options: SourceOptions) -> Any:
    _import(location, "adlfs")
    import adlfs
    from azure.storage.blob.aio import BlobServiceClient, ExponentialRetry

    env = os.environ
    client_options: dict[str, Any] = {
        "retry_policy": ExponentialRetry(initial_backoff=1, increment_base=2,
                                         retry_total=max(options.retries - 1, 0),
                                         random_jitter_range=1),
        "connection_timeout": options.timeout, "read_timeout": options.timeout,
    }
    account = account_in(location.url) or env.get("AZURE_STORAGE_ACCOUNT_NAME")
    connection_string = env.get("AZURE_STORAGE_CONNECTION_STRING")
    credential: Any = None
    if connection_string:
        try:
            client = BlobServiceClient.from_connection_string(connection_string,
                                                              **client_options)
        except ValueError as exc:
            raise SourceError(location.display,
                              "AZURE_STORAGE_CONNECTION_STRING is not a connection string",
                              "copy it again from the storage account's Access keys page"
                              ) from exc
    elif account and (env.get("AZURE_STORAGE_ACCOUNT_KEY") or env.get("AZURE_STORAGE_SAS_TOKEN")
                      or env.get("AZURE_STORAGE_CLIENT_SECRET")):
        url = f"https://{account}.blob.core.windows.net"
        if env.get("AZURE_STORAGE_ACCOUNT_KEY"):
            credential = {"account_name": account,
                          "account_key": env["AZURE_STORAGE_ACCOUNT_KEY"]}
        elif env.get("AZURE_STORAGE_SAS_TOKEN"):
            credential = env["AZURE_STORAGE_SAS_TOKEN"].lstrip("?")
        else:
            from azure.identity.aio import ClientSecretCredential
            if not (env.get("AZURE_STORAGE_CLIENT_ID") and env.get("AZURE_STORAGE_TENANT_ID")):
                raise _missing(location, "a service principal needs AZURE_STORAGE_CLIENT_ID, "
                                         "AZURE_STORAGE_CLIENT_SECRET and AZURE_STORAGE_TENANT_ID")
            credential = ClientSecretCredential(env["AZURE_STORAGE_TENANT_ID"],
                                                env["AZURE_STORAGE_CLIENT_ID"],
                                                env["AZURE_STORAGE_CLIENT_SECRET"])
        client = BlobServiceClient(url, credential=credential, **client_options)
    elif account and env.get("AZURE_STORAGE_ANON", "").lower() in ("1", "true", "yes"):
        client = BlobServiceClient(f"https://{account}.blob.core.windows.net", **client_options)
    else:
        raise _missing(location, AZURE_HINT)
    # adlfs builds its own client with the SDK's default retry (15 s first back-off);
    # ours carries the configured retries and timeouts.  anon=True keeps adlfs from
    # looking for credentials itself (it would probe managed-identity endpoints).
    fs = adlfs.AzureBlobFileSystem(account_name=account or "devstoreaccount1", anon=True,
                                   skip_instance_cache=True, use_listings_cache=False)
    fs.service_client = client
    return fs


def _s3(location: SourceLocation, options: SourceOptions) -> Any:
    _import(location, "s3fs")
    import s3fs

    env = os.environ
    has_file = Path(env.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
                    ).expanduser().is_file()
    instance_role = env.get("AWS_EC2_METADATA_DISABLED", "").lower() == "false"
    if not (any(env.get(v) for v in _AWS_CREDENTIAL_VARIABLES) or has_file or instance_role):
        raise _missing(location, S3_HINT)
    if env.get("AWS_ACCESS_KEY_ID") and not env.get("AWS_SECRET_ACCESS_KEY"):
        raise _missing(location, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    return s3fs.S3FileSystem(
        skip_instance_cache=True, use_listings_cache=False,
        client_kwargs={"endpoint_url": endpoint} if endpoint else {},
        config_kwargs={"retries": {"max_attempts": max(options.retries, 1), "mode": "standard"},
                       "connect_timeout": options.timeout, "read_timeout": options.timeout})


def classify(exc: BaseException) -> Failure:
    """What a storage SDK's exception means, after the SDK's own retries."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        failure = _classify_one(error)
        if failure is not Failure.OTHER:
            return failure
        error = error.__cause__ or error.__context__
    return Failure.OTHER


def _classify_one(exc: BaseException) -> Failure:
    name = type(exc).__name__
    status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
    code = str(getattr(exc, "error_code", "") or _boto_code(exc))
    if isinstance(exc, FileNotFoundError) or status == 404 or code in (
            "NoSuchBucket", "ContainerNotFound", "BlobNotFound", "NoSuchKey"):
        return Failure.NOT_FOUND
    if isinstance(exc, PermissionError) or status in (401, 403) or code in (
            "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied",
            "AuthenticationFailed", "AuthorizationFailure") or name in (
            "ClientAuthenticationError", "NoCredentialsError", "PartialCredentialsError"):
        return Failure.DENIED
    if name in ("ServiceRequestError", "ServiceRequestTimeoutError", "EndpointConnectionError",
                "ConnectTimeoutError", "ConnectionClosedError", "ClientConnectorError",
                "ServerDisconnectedError", "ReadTimeoutError", "ServiceResponseError",
                "ServiceResponseTimeoutError") or isinstance(exc, ConnectionError | TimeoutError):
        return Failure.UNREACHABLE
    return Failure.OTHER


def _boto_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def endpoint_of(location: SourceLocation) -> str:
    """The endpoint a location talks to, for 'cannot reach' messages (no secret in it)."""
    env = os.environ
    if location.protocol == "s3":
        return env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or "Amazon S3"
    if location.protocol == "az":
        for part in env.get("AZURE_STORAGE_CONNECTION_STRING", "").split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() == "blobendpoint" and value:
                return value
        account = account_in(location.url) or env.get("AZURE_STORAGE_ACCOUNT_NAME")
        return f"https://{account}.blob.core.windows.net" if account else "Azure Blob Storage"
    return location.protocol
