"""Where a source folder is: a local path or an object-storage URL, checked for secrets.

``sources.directory`` (and a profile's ``directory``) is a path relative to the
config file, a ``file://`` URL, ``az://container/prefix`` (Azure Blob Storage or
ADLS Gen2; ``abfs://`` and ``abfss://`` too), ``s3://bucket/prefix`` or another
fsspec URL.  Credentials come from the environment only: a URL holding a
password, a query string or a pasted key is refused, and :func:`mask` hides
every secret the environment holds before a message or a log line shows it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

AZURE_SCHEMES = frozenset({"az", "abfs", "abfss"})
S3_SCHEMES = frozenset({"s3", "s3a"})

# Environment variables whose values are secrets, hidden wherever they would be shown.
SECRET_VARIABLES = (
    "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_STORAGE_CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
)
# key=value pairs that carry a secret in a connection string, SAS token or presigned URL.
_SECRET_PAIRS = re.compile(
    r"(?i)\b(AccountKey|SharedAccessSignature|sig|X-Amz-Signature|X-Amz-Credential|"
    r"X-Amz-Security-Token|aws_secret_access_key|secret|password|token)=([^&;\s\"']+)")
_USERINFO_PASSWORD = re.compile(r"(://[^/:@\s]*):([^/@\s]+)@")


@dataclass(frozen=True)
class SourceLocation:
    """A parsed source folder."""

    protocol: str  # "file", "az", "s3" or another fsspec protocol
    url: str  # as configured (it holds no secret)
    root: str  # local: absolute path; remote: "container/prefix" with no trailing slash

    @property
    def is_local(self) -> bool:
        return self.protocol == "file"

    @property
    def display(self) -> str:
        """How messages name the folder."""
        return self.root if self.is_local else mask(self.url.rstrip("/"))


def secret_in(text: str) -> str | None:
    """Why ``text`` (a configured directory) holds a secret, or None when it holds none."""
    if _SECRET_PAIRS.search(text) or "accountkey" in text.lower():
        return "it holds a key, signature or token"
    if "://" not in text:
        return None
    parts = urlsplit(text)
    if parts.query:
        return "it has a query string (a SAS token or signature)"
    if parts.password is not None:
        return "it holds a password"
    if parts.username is not None and parts.scheme.lower() in S3_SCHEMES:
        return "it holds an access key"
    return None


def parse_location(text: str, base_dir: Path) -> SourceLocation:
    """``text`` as a location; relative paths are resolved against ``base_dir``.

    Raises ValueError with the reason when the text names no usable location.
    """
    reason = secret_in(text)
    if reason:
        raise ValueError(f"{reason}; credentials never go in the config file — set them in "
                         "the environment (see README, 'Reading from Azure Blob or S3')")
    scheme, sep, rest = text.partition("://")
    if not sep or (len(scheme) == 1 and os.name == "nt"):  # a plain path (C:\… on Windows)
        return SourceLocation("file", text, str((base_dir / text).resolve()))
    protocol = scheme.lower()
    if protocol == "file":
        return SourceLocation("file", text, str((base_dir / unquote(rest)).resolve()))
    if protocol in AZURE_SCHEMES:
        protocol = "az"
    elif protocol in S3_SCHEMES:
        protocol = "s3"
    root = rest.strip("/")
    if protocol == "az" and "@" in root.split("/", 1)[0]:
        # abfs://container@account.dfs.core.windows.net/prefix names the account too.
        container, _, host = root.split("/", 1)[0].partition("@")
        root = "/".join([container, *root.split("/")[1:]])
        if not host:
            raise ValueError("the container is missing before '@'")
    if not root:
        raise ValueError("the URL names no container or bucket, e.g. az://orders/customers")
    return SourceLocation(protocol, text, root)


def account_in(url: str) -> str | None:
    """The storage account an ``abfs://container@account.dfs.core.windows.net`` URL names."""
    parts = urlsplit(url)
    if parts.username and parts.hostname:
        return parts.hostname.split(".", 1)[0]
    return None


def mask(text: str) -> str:
    """``text`` with every secret replaced by ``***``: the environment's secret values,
    key=value secrets and URL passwords."""
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
            for part in value.split(";"):  # a connection string's key shown on its own
                key, _, secret = part.partition("=")
                if key.lower() in ("accountkey", "sharedaccesssignature") and len(secret) >= 4:
                    text = text.replace(secret, "***")
    text = _SECRET_PAIRS.sub(lambda m: f"{m.group(1)}=***", text)
    return _USERINFO_PASSWORD.sub(r"\1:***@", text)
