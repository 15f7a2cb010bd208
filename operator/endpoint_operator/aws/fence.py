"""A fence on AWS changes: a replica that has lost the leader lease may still be in the
middle of a sync (a worker thread cannot be interrupted). From the moment it stops
acting, every mutating call it attempts is refused here, before it is signed and sent,
so it never changes what the new leader now owns. Reads stay allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from .errors import Transient

NOT_LEADER = "NotLeader"
# Read operations by name across SageMaker, Application Auto Scaling, CloudWatch, S3, STS.
READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "BatchGet")


def fenced_session(may_act: Callable[[], bool], session: boto3.Session | None = None) -> boto3.Session:
    """`session` (a new one by default) whose clients refuse mutations while `may_act()`
    is False, with a Transient error the caller retries (and the next leader will not)."""
    session = session or boto3.Session()

    def refuse_unless_acting(model: Any, **_: Any) -> None:
        if not model.name.startswith(READ_PREFIXES) and not may_act():
            raise Transient(model.name, NOT_LEADER,
                            "this replica no longer holds the leader lease; the leader will act", retry_after=5.0)

    session.events.register("before-call", refuse_unless_acting)
    return session
