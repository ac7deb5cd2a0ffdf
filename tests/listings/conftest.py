"""The sync harness (a sandbox board and a config for it), shared with tests/sync."""

from sync.conftest import Harness, harness, harness_factory  # noqa: F401
