"""SageMakerGateway against the SageMaker emulator over HTTP."""

from __future__ import annotations

import time

import boto3
import pytest

from endpoint_operator.api.resources import (
    AsyncConfig,
    ContainerDef,
    EndpointConfig,
    ObservedEndpoint,
    ProductionVariant,
    SageMakerModel,
    ServerlessConfig,
)
from endpoint_operator.aws import (
    AlreadyExists,
    CallStats,
    ClientFactory,
    LimiterRegistry,
    NotFound,
    SageMakerGateway,
    Transient,
)

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sagemaker-exec"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3"


@pytest.fixture
def clients(aws) -> ClientFactory:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return ClientFactory(session, endpoint_url=aws.url)


@pytest.fixture
def gateway(clients) -> SageMakerGateway:
    roomy = LimiterRegistry(reads_per_second=1000.0, mutations_per_second=1000.0, burst=1000)
    return SageMakerGateway(clients, roomy, REGION, stats=CallStats())


def wait_until_in_service(gateway: SageMakerGateway, name: str, timeout: float = 15.0) -> ObservedEndpoint:
    deadline = time.monotonic() + timeout
    while True:
        observed = gateway.describe_endpoint(name)
        if observed is not None and observed.status == "InService":
            return observed
        assert time.monotonic() < deadline, f"{name} is still {observed and observed.status}"
        time.sleep(0.05)


def model(name: str, **container) -> SageMakerModel:
    return SageMakerModel(
        name=name,
        execution_role_arn=ROLE,
        container=ContainerDef(image=IMAGE, model_data_url=f"s3://models-bucket/{name}/model.tar.gz", **container),
        tags={"endpoint-operator.io/name": "recs"},
    )


def real_time_config(name: str, *models: str) -> EndpointConfig:
    return EndpointConfig(
        name=name,
        variants=tuple(
            ProductionVariant(name=variant, model_name=m, weight=weight,
                              instance_type="ml.m5.large", initial_instance_count=2)
            for (variant, weight), m in zip((("primary", 0.85), ("canary", 0.15)), models)
        ),
        tags={"endpoint-operator.io/name": "recs"},
    )


@pytest.fixture
def paced_by_describes(aws):
    """Transitions wait for DescribeEndpoint calls, not time: a slow machine sees them too."""
    aws.emulator.set_describes_per_transition(3)


def test_model_config_endpoint_round_trip(gateway, paced_by_describes):
    model_arn = gateway.create_model(model("recs-v7", environment={"SAGEMAKER_PROGRAM": "serve.py"}))
    config_arn = gateway.create_endpoint_config(real_time_config("recs-cfg-1", "recs-v7"))
    endpoint_arn = gateway.create_endpoint("recs", "recs-cfg-1", {"endpoint-operator.io/name": "recs"})

    assert model_arn.endswith(":model/recs-v7")
    assert config_arn.endswith(":endpoint-config/recs-cfg-1")
    assert endpoint_arn.endswith(":endpoint/recs")

    creating = gateway.describe_endpoint("recs", include_tags=True)
    assert creating is not None
    assert creating.name == "recs"
    assert creating.arn == endpoint_arn
    assert creating.status == "Creating"
    assert creating.config_name == "recs-cfg-1"
    assert creating.last_modified is not None
    assert creating.tags == {"endpoint-operator.io/name": "recs"}

    serving = wait_until_in_service(gateway, "recs")
    assert serving.failure_reason is None
    (primary,) = serving.variants
    assert primary.name == "primary"
    assert primary.weight == 0.85
    assert primary.current_instances == 2
    assert primary.desired_instances == 2

    config = gateway.describe_endpoint_config("recs-cfg-1", include_tags=True)
    assert config is not None
    assert config.variant_models == ("recs-v7",)
    assert config.tags == {"endpoint-operator.io/name": "recs"}

    assert gateway.describe_endpoint("recs").tags == {}  # tags cost a call: only when asked


def test_requests_carry_the_exact_sagemaker_shapes(gateway, clients):
    sagemaker = clients.client("sagemaker", REGION)
    gateway.create_model(model("recs-mme", mode="MultiModel", model_cache=False))
    gateway.create_model(model("recs-v8"))
    gateway.create_endpoint_config(EndpointConfig(
        name="recs-async",
        variants=(ProductionVariant(name="primary", model_name="recs-v8", instance_type="ml.g4dn.xlarge",
                                    initial_instance_count=1),),
        async_config=AsyncConfig(output_path="s3://out-bucket/recs/", failure_path="s3://out-bucket/failed/",
                                 max_concurrent_invocations_per_instance=4),
    ))
    gateway.create_endpoint_config(EndpointConfig(
        name="recs-serverless",
        variants=(ProductionVariant(name="primary", model_name="recs-v8",
                                    serverless=ServerlessConfig(memory_size_mb=2048, max_concurrency=20)),),
    ))

    container = sagemaker.describe_model(ModelName="recs-mme")["PrimaryContainer"]
    assert container["Mode"] == "MultiModel"
    assert container["Image"] == IMAGE
    assert container["ModelDataUrl"] == "s3://models-bucket/recs-mme/model.tar.gz"
    assert container["MultiModelConfig"] == {"ModelCacheSetting": "Disabled"}

    async_config = sagemaker.describe_endpoint_config(EndpointConfigName="recs-async")
    assert async_config["AsyncInferenceConfig"] == {
        "OutputConfig": {"S3OutputPath": "s3://out-bucket/recs/", "S3FailurePath": "s3://out-bucket/failed/"},
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
    }
    (variant,) = async_config["ProductionVariants"]
    assert variant["InstanceType"] == "ml.g4dn.xlarge"
    assert variant["InitialInstanceCount"] == 1
    assert variant["InitialVariantWeight"] == 1.0

    (serverless,) = sagemaker.describe_endpoint_config(EndpointConfigName="recs-serverless")["ProductionVariants"]
    assert serverless["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 20}
    assert "InstanceType" not in serverless


def test_weights_and_capacities_shift_between_running_variants(gateway):
    gateway.create_model(model("recs-v7"))
    gateway.create_model(model("recs-v8"))
    gateway.create_endpoint_config(real_time_config("recs-canary", "recs-v7", "recs-v8"))
    gateway.create_endpoint("recs", "recs-canary", {})
    wait_until_in_service(gateway, "recs")

    gateway.update_weights_and_capacities("recs", {"primary": 0.5, "canary": 0.5}, {"canary": 3})

    variants = {v.name: v for v in wait_until_in_service(gateway, "recs").variants}
    assert {name: v.weight for name, v in variants.items()} == {"primary": 0.5, "canary": 0.5}
    assert variants["canary"].desired_instances == 3
    assert variants["primary"].desired_instances == 2


def test_update_endpoint_moves_it_to_another_config(gateway, paced_by_describes):
    gateway.create_model(model("recs-v7"))
    gateway.create_model(model("recs-v8"))
    gateway.create_endpoint_config(real_time_config("recs-cfg-7", "recs-v7"))
    gateway.create_endpoint_config(real_time_config("recs-cfg-8", "recs-v8"))
    gateway.create_endpoint("recs", "recs-cfg-7", {})
    wait_until_in_service(gateway, "recs")

    gateway.update_endpoint("recs", "recs-cfg-8")

    assert gateway.describe_endpoint("recs").status == "Updating"
    assert wait_until_in_service(gateway, "recs").config_name == "recs-cfg-8"


def test_an_update_while_one_is_in_flight_is_transient(gateway, paced_by_describes):
    gateway.create_model(model("recs-v7"))
    gateway.create_endpoint_config(real_time_config("recs-cfg-7", "recs-v7"))
    gateway.create_endpoint("recs", "recs-cfg-7", {})

    with pytest.raises(Transient) as caught:
        gateway.update_endpoint("recs", "recs-cfg-7")
    assert caught.value.retry_after > 0


def test_creating_an_existing_name_is_already_exists(gateway):
    gateway.create_model(model("recs-v7"))
    gateway.create_endpoint_config(real_time_config("recs-cfg", "recs-v7"))
    gateway.create_endpoint("recs", "recs-cfg", {})

    for create in (
        lambda: gateway.create_model(model("recs-v7")),
        lambda: gateway.create_endpoint_config(real_time_config("recs-cfg", "recs-v7")),
        lambda: gateway.create_endpoint("recs", "recs-cfg", {}),
    ):
        with pytest.raises(AlreadyExists):
            create()
    assert gateway.stats.total(outcome="AlreadyExists") == 3


def test_list_endpoints_reads_every_page(gateway, clients, aws):
    sagemaker = clients.client("sagemaker", REGION)
    gateway.create_model(model("recs-v7"))
    gateway.create_endpoint_config(real_time_config("recs-cfg", "recs-v7"))
    names = {f"fleet-{n:03d}" for n in range(150)}
    for name in names:
        sagemaker.create_endpoint(EndpointName=name, EndpointConfigName="recs-cfg")
    sagemaker.create_endpoint(EndpointName="other", EndpointConfigName="recs-cfg")

    summaries = gateway.list_endpoints()
    assert {s.name for s in summaries} == names | {"other"}
    assert all(s.status and s.last_modified for s in summaries)
    assert gateway.stats.total(operation="ListEndpoints", outcome="ok") == 2  # 100 a page
    assert [c["params"].get("MaxResults") for c in aws.emulator.calls(operation="ListEndpoints")] == [100, 100]

    assert {s.name for s in gateway.list_endpoints(name_contains="fleet-14")} == {
        f"fleet-14{n}" for n in range(10)
    }


def test_listings_by_prefix_keep_only_names_that_start_with_it(gateway):
    for name in ("recs-aaa", "recs-bbb", "old-recs-ccc", "search-ddd"):
        gateway.create_model(model(name))
        gateway.create_endpoint_config(real_time_config(f"{name}-cfg", name))

    assert sorted(gateway.list_models("recs-")) == ["recs-aaa", "recs-bbb"]
    assert sorted(gateway.list_endpoint_configs("recs-")) == ["recs-aaa-cfg", "recs-bbb-cfg"]


def test_missing_things_read_as_none_and_delete_as_not_found(gateway):
    assert gateway.describe_endpoint("nothing-here") is None
    assert gateway.describe_endpoint_config("nothing-here") is None
    for delete in (gateway.delete_endpoint, gateway.delete_endpoint_config, gateway.delete_model):
        with pytest.raises(NotFound) as caught:
            delete("nothing-here")
        assert caught.value.code == "ValidationException"
    assert gateway.stats.total(outcome="NotFound") == 5


def test_deletes_remove_what_was_created(gateway):
    gateway.create_model(model("recs-v7"))
    gateway.create_endpoint_config(real_time_config("recs-cfg", "recs-v7"))
    gateway.create_endpoint("recs", "recs-cfg", {})
    wait_until_in_service(gateway, "recs")

    gateway.delete_endpoint("recs")
    gateway.delete_endpoint_config("recs-cfg")
    gateway.delete_model("recs-v7")

    assert gateway.describe_endpoint_config("recs-cfg") is None
    assert gateway.list_models("recs-") == []


def test_an_endpoint_on_a_config_not_visible_yet_is_transient(gateway):
    with pytest.raises(Transient) as caught:
        gateway.create_endpoint("recs", "recs-cfg-not-yet", {})
    assert "Could not find" in caught.value.message
