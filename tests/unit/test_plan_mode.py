"""resolve_mode(): the Auto decision table, every row and its edges (docs/modes.md)."""

from __future__ import annotations

import pytest
from test_plan_kit import IMAGE, ROLE

from endpoint_operator.api.spec import Mode, ModelEndpointSpec
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.mode import needs_gpu, resolve_mode, scales_to_zero

A, MM, SL, RT = Mode.ASYNC, Mode.MULTI_MODEL, Mode.SERVERLESS, Mode.REAL_TIME


def spec(models: int = 1, calls: int | None = None, images: int = 1, mode: str = "Auto", **extra) -> ModelEndpointSpec:
    rows = []
    for i in range(models):
        row = {"name": f"m{i}", "modelDataUrl": f"s3://models/m{i}/model.tar.gz"}
        if calls is not None and i == 0:
            row["invocationsPerDay"] = calls
        if images > 1 and i > 0:
            row["image"] = f"{IMAGE}-{i % images}"
        rows.append(row)
    raw = {"region": "us-east-1", "executionRoleArn": ROLE, "mode": mode, "image": IMAGE, "models": rows,
           "instances": {"type": "ml.m5.large"}, **extra}
    return ModelEndpointSpec.model_validate(raw)


def traffic(**fields) -> dict:
    return {"traffic": fields}


# (spec, mode, words the reason must hold)
TABLE = [
    # 1. beyond real-time's limits -> Async
    pytest.param(spec(**traffic(maxPayloadMB=6.5)), A, "6.5 MB exceed the 6 MB real-time limit", id="payload-over-6MB"),
    pytest.param(spec(**traffic(maxPayloadMB=6)), RT, "steady traffic", id="payload-exactly-6MB-is-real-time"),
    pytest.param(spec(**traffic(maxProcessingSeconds=61)), A, "61 s exceed the 60 s", id="job-over-60s"),
    pytest.param(spec(**traffic(maxProcessingSeconds=60)), RT, "steady", id="job-exactly-60s-is-real-time"),
    pytest.param(spec(**traffic(pattern="Sporadic", maxPayloadMB=100)), A, "100 MB", id="large-payload-beats-sporadic"),
    # 2. several models on one image -> MultiModel
    pytest.param(spec(models=5), MM, "5 models share one image: one multi-model endpoint consolidates them", id="exactly-5-models"),
    pytest.param(spec(models=4), MM, "only a multi-model endpoint serves several models", id="4-models"),
    pytest.param(spec(models=2), MM, "2 models share one image", id="2-models"),
    pytest.param(spec(models=6, **traffic(pattern="Sporadic")), MM, "6 models", id="several-models-beat-sporadic"),
    pytest.param(spec(models=6, **traffic(pattern="Scheduled")), MM, "6 models", id="several-models-beat-scheduled"),
    # 3. scheduled bulk scoring -> Async (scale to zero), Batch Transform named
    pytest.param(spec(**traffic(pattern="Scheduled")), A, "Batch Transform would also fit", id="scheduled"),
    pytest.param(spec(calls=100, **traffic(pattern="Scheduled", gpu=True)), A, "scheduled bulk scoring", id="scheduled-gpu"),
    # 4. sporadic small CPU traffic -> Serverless
    pytest.param(spec(**traffic(pattern="Sporadic")), SL, "sporadic traffic, small CPU requests", id="sporadic"),
    pytest.param(spec(calls=800), SL, "800 calls a day", id="exactly-800-calls-a-day"),
    pytest.param(spec(calls=801), RT, "steady traffic", id="801-calls-a-day"),
    pytest.param(spec(calls=0), SL, "0 calls a day", id="no-calls"),
    pytest.param(spec(calls=800, **traffic(pattern="Steady")), SL, "800 calls a day", id="800-calls-steady-is-still-sporadic"),
    pytest.param(spec(**traffic(pattern="Sporadic", maxPayloadMB=4)), SL, "sporadic", id="sporadic-exactly-4MB"),
    pytest.param(spec(**traffic(pattern="Sporadic", maxPayloadMB=4.5)), RT, "4.5 MB exceed the serverless 4 MB limit", id="sporadic-over-4MB"),
    pytest.param(spec(**traffic(pattern="Sporadic", gpu=True)), RT, "needs a GPU", id="sporadic-gpu-hint"),
    pytest.param(spec(instances={"type": "ml.g5.xlarge"}, **traffic(pattern="Sporadic")), RT, "needs a GPU", id="sporadic-gpu-instance"),
    pytest.param(spec(instances={"type": "ml.inf2.xlarge"}, **traffic(pattern="Sporadic")), RT, "needs a GPU", id="sporadic-inferentia-instance"),
    pytest.param(spec(instances={"type": "ml.g5.xlarge"}, **traffic(pattern="Sporadic", gpu=False)), SL, "sporadic", id="gpu-false-overrides-instance-family"),
    pytest.param(spec(**traffic(pattern="Sporadic", p99LatencyTargetMs=999)), RT, "no room for serverless cold starts", id="sporadic-p99-under-1s"),
    pytest.param(spec(**traffic(pattern="Sporadic", p99LatencyTargetMs=1000)), SL, "sporadic", id="sporadic-p99-exactly-1s"),
    pytest.param(spec(serverless={"maxConcurrency": 5, "provisionedConcurrency": 1}, **traffic(pattern="Sporadic", p99LatencyTargetMs=200)),
                 SL, "sporadic", id="sporadic-p99-with-provisioned-concurrency"),
    # 5. otherwise -> RealTime
    pytest.param(spec(), RT, "no traffic hints", id="no-hints"),
    pytest.param(spec(calls=12000, **traffic(pattern="Steady")), RT, "steady traffic on one model", id="steady"),
    pytest.param(spec(calls=50000, **traffic(pattern="Unpredictable")), RT, "steady traffic on one model", id="unpredictable-busy"),
    pytest.param(spec(calls=500, **traffic(pattern="Unpredictable")), SL, "500 calls a day", id="unpredictable-rare"),
    # explicit modes are taken as declared
    pytest.param(spec(mode="RealTime", **traffic(pattern="Sporadic")), RT, "set in spec.mode", id="explicit-realtime"),
    pytest.param(spec(mode="Serverless", instances=None), SL, "set in spec.mode", id="explicit-serverless"),
    pytest.param(spec(mode="Async", **{"async": {"outputPath": "s3://out/x/"}}), A, "set in spec.mode", id="explicit-async"),
]


@pytest.mark.parametrize("the_spec, mode, words", TABLE)
def test_auto_decision_table(the_spec, mode, words):
    resolved, reason = resolve_mode(the_spec)
    assert resolved is mode
    assert words in reason
    assert "\n" not in reason and len(reason) < 200  # one line, for kubectl


def test_calls_are_summed_over_models():
    many = ModelEndpointSpec.model_validate({
        "region": "us-east-1", "executionRoleArn": ROLE, "image": IMAGE, "instances": {"type": "ml.m5.large"},
        "models": [{"name": "a", "modelDataUrl": "s3://models/a.tar.gz", "invocationsPerDay": 400}],
    })
    assert resolve_mode(many)[0] is SL


REFUSED = [
    pytest.param(spec(models=3, images=2), "spec.models", "different images", id="several-images"),
    pytest.param(spec(models=2, **traffic(maxPayloadMB=50)), "spec.models", "Async", id="async-several-models"),
    pytest.param(spec(mode="RealTime", **traffic(maxPayloadMB=7)), "spec.traffic.maxPayloadMB", "use mode Async", id="explicit-realtime-large-payload"),
    pytest.param(spec(mode="MultiModel", models=2, **traffic(maxProcessingSeconds=90)), "spec.traffic.maxProcessingSeconds", "use mode Async", id="explicit-mme-long-job"),
]


@pytest.mark.parametrize("the_spec, field, words", REFUSED)
def test_what_no_mode_serves_is_refused_naming_the_field(the_spec, field, words):
    with pytest.raises(PlanError) as caught:
        resolve_mode(the_spec)
    assert caught.value.field == field
    assert field in caught.value.message and words in caught.value.message


SCALE_TO_ZERO = [
    pytest.param(spec(**traffic(pattern="Scheduled")), Mode.ASYNC, True, id="auto-scheduled"),
    pytest.param(spec(**traffic(maxPayloadMB=50)), Mode.ASYNC, False, id="auto-large-payload"),
    pytest.param(spec(**traffic(maxPayloadMB=50), **{"async": {"outputPath": "s3://out/x/", "scaleToZero": True}}), Mode.ASYNC, True, id="asked-for"),
    pytest.param(spec(mode="Async", **traffic(pattern="Scheduled"), **{"async": {"outputPath": "s3://out/x/"}}), Mode.ASYNC, False, id="explicit-async-not-asked"),
    pytest.param(spec(**traffic(pattern="Scheduled")), Mode.REAL_TIME, False, id="not-async"),
]


@pytest.mark.parametrize("the_spec, mode, expected", SCALE_TO_ZERO)
def test_scales_to_zero(the_spec, mode, expected):
    assert scales_to_zero(the_spec, mode) is expected


@pytest.mark.parametrize("instance, gpu", [("ml.m5.large", False), ("ml.c6i.xlarge", False), ("ml.g4dn.xlarge", True),
                                           ("ml.p4d.24xlarge", True), ("ml.trn1.2xlarge", True), ("ml.inf1.xlarge", True)])
def test_gpu_from_instance_family(instance, gpu):
    assert needs_gpu(spec(instances={"type": instance})) is gpu


TRITON_IMAGE = "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.09-py3"


def test_auto_puts_several_gpu_models_on_triton_and_says_so():
    chosen = spec(models=6, image=TRITON_IMAGE, instances={"type": "ml.g4dn.xlarge"}, multiModel={"server": "Triton"})
    assert resolve_mode(chosen) == (MM, "6 models share one image on the Triton server: one multi-model endpoint consolidates them")


def test_auto_refuses_several_gpu_models_without_triton_naming_the_field():
    # No instance type to judge at apply: the GPU is only declared in traffic.gpu.
    unservable = spec(models=3, instances=None, **traffic(gpu=True))
    with pytest.raises(PlanError) as refused:
        resolve_mode(unservable)
    assert refused.value.field == "spec.multiModel.server"
    assert "only through the Triton Inference Server" in refused.value.message
SCALE_TO_ZERO = {"instances": {"type": "ml.m5.large", "min": 0, "max": 2},
                 "async": {"outputPath": "s3://models/out/", "scaleToZero": True}}


def test_auto_that_resolves_to_async_accepts_a_declared_scale_to_zero():
    declared = spec(**SCALE_TO_ZERO, **traffic(pattern="Scheduled"))
    assert resolve_mode(declared)[0] is A
    assert scales_to_zero(declared, A)


def test_auto_whose_resolution_contradicts_scale_to_zero_says_so_naming_the_field():
    declared = spec(**SCALE_TO_ZERO, **traffic(pattern="Steady"))
    with pytest.raises(PlanError) as refused:
        resolve_mode(declared)
    assert refused.value.reason == "ModeContradictsSpec"
    assert refused.value.field == "spec.instances.min"
    assert "Auto resolved to RealTime because steady traffic" in refused.value.message
