"""Canary steps on a multi-model endpoint: two variants on two artifact folders, both
in S3 while the rollout runs, one left at each end (plan/rollout_artifacts.py).

A small in-memory world of SageMaker and S3 is walked the way the handler walks it:
each pass observes, picks the served folder (served_blueprint), describes the models
the planner asks for, reconciles and applies the actions. Nothing is carried between
passes but status, so every pass is also what a restarted operator would do."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from test_plan_kit import OWNER, bp_of, mme_spec

from endpoint_operator.api.resources import ObservedConfig, ObservedEndpoint, ObservedVariant
from endpoint_operator.api.spec import DeletionPolicy
from endpoint_operator.plan import actions as a
from endpoint_operator.plan import rollout as ro
from endpoint_operator.plan.artifacts import served_blueprint, split_key
from endpoint_operator.plan.blueprint import build_blueprint
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.finalize import finalize
from endpoint_operator.plan.gates import GateReadings
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reconcile import reconcile
from endpoint_operator.plan.rollout_artifacts import models_to_describe, serving_folders
from endpoint_operator.plan.s3url import s3_url

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
ALARM = "recs-5xx"
ROLL = {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 50, "pause": "1h"}, {"weight": 100}],
        "analysis": {"alarms": [ALARM], "interval": "30s"}}
OK = GateReadings(alarms={ALARM: "OK"}, metrics={})
FIRING = GateReadings(alarms={ALARM: "ALARM"}, metrics={})


def models(alpha: int = 1, *extra: str) -> list[dict]:
    return ([{"name": "alpha", "modelDataUrl": f"s3://models/alpha/v{alpha}/model.tar.gz"},
             {"name": "beta", "modelDataUrl": "s3://models/beta/v1/model.tar.gz"}]
            + [{"name": n, "modelDataUrl": f"s3://models/{n}/v1/model.tar.gz"} for n in extra])


def spec(alpha: int = 1, *extra: str, rollout=ROLL):
    return mme_spec(models=models(alpha, *extra), **({"rollout": rollout} if rollout else {}))


OLD = bp_of(spec(1))
NEW = bp_of(spec(2))
PREFIX = OLD.artifact_prefix


class World:
    """SageMaker and S3 as the planner sees them. Weights move only by ShiftTraffic, the
    config only by UpdateEndpoint (which lands on the next tick), S3 only by the
    artifact actions."""

    def __init__(self, bp=OLD):
        self.models = {m.name: m.container.model_data_url for m in bp.models}
        self.configs = {bp.config.name: bp.config}
        self.config, self.weights, self.status, self.pending = bp.config.name, None, "InService", None
        self.artifacts = {c.target.key[len(PREFIX.key):]: s3_url(c.source) for c in bp.artifacts}
        self.exists = True

    def observe(self) -> Observed:
        config = self.configs[self.config]
        weights = self.weights or {v.name: v.weight for v in config.variants}
        variants = tuple(ObservedVariant(name=v.name, weight=weights[v.name], current_instances=1) for v in config.variants)
        ep = ObservedEndpoint(name=OLD.endpoint_name, status=self.status, config_name=self.config,
                              variants=variants) if self.exists else None
        # Only the serving config is described, as handlers/observe.py does.
        configs = {n: ObservedConfig(name=n, variant_models=tuple(v.model_name for v in c.variants) if n == self.config else (),
                                     variants=c.variants if n == self.config else ()) for n, c in self.configs.items()}
        return Observed(endpoint=ep, models=frozenset(self.models), configs=configs, artifacts=dict(self.artifacts))

    def describe(self, observed: Observed, names) -> Observed:
        found = {n: self.models[n] for n in names if n in self.models}
        return Observed(endpoint=observed.endpoint, models=observed.models, configs=observed.configs,
                        artifacts=observed.artifacts, model_data=found)

    def apply(self, action) -> None:
        match action:
            case a.CreateModel(model=m):
                self.models[m.name] = m.container.model_data_url
            case a.CreateEndpointConfig(config=c):
                assert all(v.model_name in self.models for v in c.variants)
                self.configs[c.name] = c
            case a.UpdateEndpoint(config_name=c):
                assert self.status == "InService"
                self.status, self.pending = "Updating", c
            case a.ShiftTraffic(weights=w):
                assert self.status == "InService"
                self.weights, self.status = dict(w), "Updating"
            case a.CopyArtifact(copy=c):
                self.artifacts[c.target.key[len(PREFIX.key):]] = s3_url(c.source)
            case a.MarkArtifactRemoved(obj=o, source=source):
                self.artifacts[o.key[len(PREFIX.key):]] = source
            case a.DeleteArtifact(obj=o):
                del self.artifacts[o.key[len(PREFIX.key):]]
            case a.DeleteEndpointConfig(name=n):
                assert n != self.config
                del self.configs[n]
            case a.DeleteModel(name=n):
                assert all(n not in (v.model_name for v in c.variants) for c in self.configs.values() if c.name == self.config)
                del self.models[n]

    def tick(self) -> None:
        if self.status == "Updating":
            if self.pending:
                self.config, self.pending, self.weights = self.pending, None, None
            self.status = "InService"

    def folders(self) -> set[str]:
        """The model folders in S3 (not the removal markers)."""
        return {split_key(k)[0] for k in self.artifacts if not split_key(k)[0].endswith(".removed")}

    def folder_of(self, model: str) -> str:
        return self.models[model][len(s3_url(PREFIX)):].strip("/")

    def serving(self) -> dict[str, str]:
        """variant -> the folder its model serves from."""
        return {v.name: self.folder_of(v.model_name) for v in self.configs[self.config].variants}


def one_pass(world: World, the_spec, status, now, gates):
    """What the handler does in one sync: observe, pick the folder, describe, plan, act."""
    observed = world.observe()
    bp = served_blueprint(the_spec, build_blueprint(the_spec, OWNER), observed)
    observed = world.describe(observed, models_to_describe(bp, observed, status))
    query = ro.gate_query(bp, observed, status)
    decision = reconcile(bp, observed, 3, status, now=now, gates=gates if query else None)
    for action in decision.actions:
        world.apply(action)
    return bp, decision


def walk(world: World, the_spec, status=None, gates_at=lambda now: OK, until=timedelta(hours=4), start=T0,
         each=lambda world, bp, decision: None):
    now = start
    while now < start + until:
        bp, decision = one_pass(world, the_spec, status, now, gates_at(now))
        status = decision.status
        each(world, bp, decision)
        world.tick()
        now += timedelta(minutes=5)
    return status


def both_folders_serve(seen: list):
    def check(world, bp, decision):
        r = decision.status.rollout
        if r is not None and r.phase in ro.ACTIVE:
            # served_blueprint keeps the blueprint on the canary's folder: the target never moves under the rollout.
            assert bp.config.name == r.to_revision and r.phase != ro.SUPERSEDED
            # Every folder a variant serves exists in S3, with every model the spec names.
            for folder in world.serving().values():
                names = {split_key(k)[1] for k in world.artifacts if split_key(k)[0] == folder}
                assert names >= {"alpha.tar.gz", "beta.tar.gz"}, (folder, world.artifacts)
            seen.append(dict(world.serving()))
    return check


def test_an_mme_rollout_was_refused_before():
    """The starting point: build_blueprint no longer refuses spec.rollout on MultiModel."""
    assert NEW.rollout is not None and NEW.artifact_version != OLD.artifact_version


def test_the_canary_config_puts_primary_on_the_old_folder_and_canary_on_the_new():
    world = World()
    bp, decision = one_pass(world, spec(2), None, T0, None)
    assert decision.status.rollout.phase == ro.STARTING
    canary = [x.config for x in decision.actions if isinstance(x, a.CreateEndpointConfig)
              and x.config.name == decision.status.rollout.canary_config]
    [config] = canary
    assert [(v.name, v.weight) for v in config.variants] == [("primary", 85.0), ("canary", 15.0)]
    folders = {v.name: world.folder_of(v.model_name) for v in config.variants}
    assert folders == {"primary": OLD.artifact_version, "canary": NEW.artifact_version}
    # The new folder is filled before the endpoint moves: copies come before the UpdateEndpoint.
    kinds = [type(x).__name__ for x in decision.actions]
    assert kinds.index("CopyArtifact") < kinds.index("UpdateEndpoint")
    assert world.folders() == {OLD.artifact_version, NEW.artifact_version}


def test_a_promoted_rollout_leaves_only_the_new_folder():
    world, seen = World(), []
    status = walk(world, spec(2), each=both_folders_serve(seen))
    assert status.rollout.phase == ro.SUCCEEDED
    # Both folders served side by side during the steps, one variant on each.
    assert {"primary": OLD.artifact_version, "canary": NEW.artifact_version} in seen
    assert world.serving() == {"primary": NEW.artifact_version}
    assert world.folders() == {NEW.artifact_version}
    assert set(world.artifacts) == {f"{NEW.artifact_version}/alpha.tar.gz", f"{NEW.artifact_version}/beta.tar.gz"}
    assert set(world.models) == {NEW.models[0].name}


def test_a_rolled_back_rollout_leaves_only_the_old_folder_and_copies_nothing_back():
    world, seen = World(), []
    fails = lambda now: FIRING if now >= T0 + timedelta(hours=1, minutes=20) else OK  # noqa: E731
    status = walk(world, spec(2), gates_at=fails, each=both_folders_serve(seen))
    assert status.rollout.phase == ro.ROLLED_BACK
    assert {"primary": OLD.artifact_version, "canary": NEW.artifact_version} in seen
    assert world.serving() == {"primary": OLD.artifact_version}
    assert set(world.artifacts) == {f"{OLD.artifact_version}/alpha.tar.gz", f"{OLD.artifact_version}/beta.tar.gz"}
    # Held rolled back, pass after pass: the new folder is not copied again.
    status = walk(world, spec(2), status, gates_at=fails, start=T0 + timedelta(hours=4), until=timedelta(minutes=30))
    assert status.rollout.phase == ro.ROLLED_BACK and world.folders() == {OLD.artifact_version}


def test_a_retry_after_a_rollback_copies_the_new_folder_before_the_canary_serves_it():
    world = World()
    fails = lambda now: FIRING if now >= T0 + timedelta(minutes=20) else OK  # noqa: E731
    status = walk(world, spec(2), gates_at=fails, until=timedelta(hours=1))
    assert status.rollout.phase == ro.ROLLED_BACK and world.folders() == {OLD.artifact_version}
    observed = world.observe()
    bp = served_blueprint(spec(2), bp_of(spec(2)), observed)
    observed = world.describe(observed, models_to_describe(bp, observed, status))
    decision = reconcile(bp, observed, 3, status, now=T0 + timedelta(hours=2), command="retry")
    kinds = [type(x).__name__ for x in decision.actions]
    assert decision.status.rollout.phase == ro.STARTING
    assert kinds.count("CopyArtifact") == 2 and kinds.index("CopyArtifact") < kinds.index("UpdateEndpoint")


def test_a_model_added_mid_rollout_is_copied_into_both_folders_and_a_removed_one_leaves_both():
    world = World(bp_of(spec(1, "gamma")))
    status = walk(world, spec(2, "gamma"), until=timedelta(minutes=30))  # at step 1, both folders serving
    assert status.rollout.phase == ro.PROGRESSING
    canary_config = status.rollout.canary_config
    # delta added: one copy into each folder, no new config, the rollout goes on.
    status = walk(world, spec(2, "gamma", "delta"), status, start=T0 + timedelta(minutes=30), until=timedelta(minutes=10))
    assert status.rollout.phase == ro.PROGRESSING and status.rollout.canary_config == canary_config
    old, new = OLD_G.artifact_version, NEW_G.artifact_version
    assert {f"{old}/delta.tar.gz", f"{new}/delta.tar.gz"} <= set(world.artifacts)
    # gamma removed: gone from both folders, a marker beside the old one (its instances may hold it).
    status = walk(world, spec(2, "delta"), status, start=T0 + timedelta(minutes=40), until=timedelta(minutes=10))
    assert status.rollout.canary_config == canary_config
    assert not {f"{old}/gamma.tar.gz", f"{new}/gamma.tar.gz"} & set(world.artifacts)
    assert world.artifacts[f"{old}.removed/gamma.tar.gz"] == "s3://models/gamma/v1/model.tar.gz"
    # The changed model keeps its old artifact in the primary's folder: that change is the canary's.
    assert world.artifacts[f"{old}/alpha.tar.gz"] == "s3://models/alpha/v1/model.tar.gz"
    status = walk(world, spec(2, "delta"), status, start=T0 + timedelta(minutes=50))
    assert status.rollout.phase == ro.SUCCEEDED
    assert world.folders() == {new}
    assert {split_key(k)[1] for k in world.artifacts if split_key(k)[0] == new} == {"alpha.tar.gz", "beta.tar.gz", "delta.tar.gz"}
    assert {split_key(k)[0] for k in world.artifacts} == {new, new + ".removed"}  # the served folder's marker stays with it


OLD_G, NEW_G = bp_of(spec(1, "gamma")), bp_of(spec(2, "gamma"))


def test_deleting_the_object_mid_rollout_deletes_both_folders():
    world = World()
    status = walk(world, spec(2), until=timedelta(minutes=30))
    assert status.rollout.phase == ro.PROGRESSING and world.folders() == {OLD.artifact_version, NEW.artifact_version}
    first = finalize(OLD.endpoint_name, world.observe(), DeletionPolicy.DELETE, PREFIX, 4)
    assert [type(x).__name__ for x in first.actions] == ["DeleteEndpoint"]
    world.exists = False
    last = finalize(OLD.endpoint_name, world.observe(), DeletionPolicy.DELETE, PREFIX, 4)
    deleted = {x.obj.key[len(PREFIX.key):] for x in last.actions if isinstance(x, a.DeleteArtifact)}
    assert deleted == set(world.artifacts) and {split_key(k)[0] for k in deleted} == world.folders()


def test_a_primary_whose_folder_is_not_known_keeps_every_folder_at_a_rollback():
    world = World()
    fails = lambda now: FIRING if now >= T0 + timedelta(minutes=20) else OK  # noqa: E731
    status = walk(world, spec(2), gates_at=fails, until=timedelta(minutes=50))
    assert status.rollout.phase == ro.ROLLED_BACK
    world.artifacts[f"{NEW.artifact_version}/alpha.tar.gz"] = "s3://models/alpha/v2/model.tar.gz"  # as if not yet collected
    observed = world.observe()  # DescribeModel not answered: the primary's folder is unknown
    bp = served_blueprint(spec(2), bp_of(spec(2)), observed)
    assert serving_folders(bp, observed) is None
    decision = reconcile(bp, observed, 3, status, now=T0 + timedelta(hours=1))
    assert not [x for x in decision.actions if isinstance(x, (a.DeleteArtifact, a.CopyArtifact))]


def test_models_are_described_only_under_a_rollout():
    world = World(bp_of(spec(1, rollout=None)))
    at_rest = world.observe()
    assert models_to_describe(bp_of(spec(1)), at_rest, None) == ()  # the serving config is the blueprint's
    assert models_to_describe(bp_of(spec(2, rollout=None)), at_rest, None) == ()  # an ordinary update
    assert models_to_describe(bp_of(spec(2)), at_rest, None) == (OLD.models[0].name,)


def test_a_shadow_step_on_a_multi_model_endpoint_mode_auto_picked_is_refused_naming_the_field():
    shadow = {**ROLL, "shadow": {"pause": "1h"}}
    auto = mme_spec(models=models(2), mode="Auto", rollout=shadow)
    try:
        bp_of(auto)
    except PlanError as error:
        assert error.field == "spec.rollout.shadow" and "shadow tests exclude multi-model endpoints" in error.message
    else:
        raise AssertionError("a shadow step on a multi-model endpoint was planned")


def test_adding_a_model_under_spec_rollout_is_an_s3_copy_not_a_rollout():
    world = World()
    bp, decision = one_pass(world, spec(1, "gamma"), None, T0, None)
    assert bp.config.name == OLD.config.name and decision.status.rollout is None
    assert [type(x).__name__ for x in decision.actions] == ["CopyArtifact"]
    assert world.folders() == {OLD.artifact_version}
