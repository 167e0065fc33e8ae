"""boto3 clients for the dynamic providers: created per call (never kept on a pickled provider), with retries."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# Adaptive mode retries throttling (with client-side rate limiting) and transient errors; 10 attempts rides out
# a burst of `Throttling` from the Redshift control plane. Timeouts keep a hung connection from hanging `pulumi up`.
RETRY_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 10},
    connect_timeout=10,
    read_timeout=60,
)


def client(service: str, region: str | None = None) -> Any:
    """A boto3 client for `service`; `AWS_ENDPOINT_URL` (moto in tests) is honoured by boto3 itself."""
    session = boto3.session.Session()
    return session.client(service, region_name=region, config=RETRY_CONFIG)
