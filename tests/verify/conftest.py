"""The sync tests' sandbox board and harness serve the verify tests too."""

from sync.conftest import harness, harness_factory

__all__ = ["harness", "harness_factory"]
