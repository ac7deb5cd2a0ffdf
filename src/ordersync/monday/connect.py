"""A ``MondayClient`` for a configuration: endpoint, API version and retry policy from
``[monday]``; the token is the caller's (from the environment, never the file).

Both ``plan`` (which may read the boards) and ``sync`` open their client here.
"""

from __future__ import annotations

from ordersync.config import Config
from ordersync.monday.client import MondayClient
from ordersync.monday.retry import RetryPolicy


def retry_policy_for(config: Config) -> RetryPolicy:
    retry = config.monday.retry
    return RetryPolicy(max_attempts=retry.max_attempts, base_delay=retry.base_delay,
                       max_delay=retry.max_delay)


def make_client(config: Config, token: str, **kwargs: object) -> MondayClient:
    """The client for ``config``'s endpoint (``kwargs``: transport, sleep, clock)."""
    return MondayClient(token, url=config.monday.api_url, api_version=config.monday.api_version,
                        policy=retry_policy_for(config), **kwargs)  # type: ignore[arg-type]
