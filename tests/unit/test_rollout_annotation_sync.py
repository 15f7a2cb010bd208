"""The controller syncs on a change of the rollout annotation, which moves no generation."""

from __future__ import annotations

from endpoint_operator.handlers.controller import Tracked, _needs_sync

ANNOTATION = "endpoint-operator.io/rollout"


def body(generation: int, command: str | None = None, **annotations: str) -> dict:
    if command is not None:
        annotations[ANNOTATION] = command
    return {"metadata": {"name": "recs", "namespace": "ml", "generation": generation, "annotations": annotations}}


def synced(at: dict) -> Tracked:
    return Tracked(body=at, synced_generation=at["metadata"]["generation"],
                   synced_command=at["metadata"]["annotations"].get(ANNOTATION))


def test_a_new_rollout_command_needs_a_sync():
    assert _needs_sync(synced(body(3)), body(3, "promote"))
    assert _needs_sync(synced(body(3, "promote")), body(3, "promote:2"))
    assert _needs_sync(synced(body(3, "pause")), body(3))  # resume


def test_a_deletion_needs_one_sync_and_its_own_status_writes_none():
    deleting = {**body(3), "metadata": {**body(3)["metadata"], "deletionTimestamp": "2026-01-01T00:00:00Z"}}
    assert _needs_sync(synced(body(3)), deleting)
    tracked = synced(body(3))
    tracked.synced_deletion = "2026-01-01T00:00:00Z"
    assert not _needs_sync(tracked, deleting)


def test_the_same_command_or_other_annotations_do_not():
    assert not _needs_sync(synced(body(3, "promote")), body(3, "promote"))
    assert not _needs_sync(synced(body(3)), body(3, **{"example.com/owner": "team-a"}))
