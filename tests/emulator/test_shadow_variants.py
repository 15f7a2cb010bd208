"""Shadow variants, which moto drops: kept on the config, described on the config and
the endpoint as AWS describes them, never a production variant."""

import pytest
from botocore.exceptions import ClientError

from .helpers import create_model, wait_for_status

pytestmark = pytest.mark.emulator


def variant(name: str, model: str, count: int = 1, weight: float = 1.0) -> dict:
    return {"VariantName": name, "ModelName": model, "InstanceType": "ml.m5.large",
            "InitialInstanceCount": count, "InitialVariantWeight": weight}


def test_a_shadow_variant_is_kept_on_the_config_and_described_on_the_endpoint(aws):
    sm = aws.sagemaker
    create_model(sm, "v7")
    create_model(sm, "v8")
    sm.create_endpoint_config(EndpointConfigName="shadowed", ProductionVariants=[variant("primary", "v7", 2, 100.0)],
                              ShadowProductionVariants=[variant("shadow", "v8", 1, 20.0)])
    config = sm.describe_endpoint_config(EndpointConfigName="shadowed")
    assert [v["VariantName"] for v in config["ProductionVariants"]] == ["primary"]
    assert [(v["VariantName"], v["ModelName"], v["InitialVariantWeight"]) for v in config["ShadowProductionVariants"]] == [
        ("shadow", "v8", 20.0)]

    sm.create_endpoint(EndpointName="recs", EndpointConfigName="shadowed")
    described = wait_for_status(sm, "recs", "InService")
    assert [v["VariantName"] for v in described["ProductionVariants"]] == ["primary"]
    assert [(v["VariantName"], v["CurrentInstanceCount"]) for v in described["ShadowProductionVariants"]] == [("shadow", 1)]
    # Callers are answered by production variants only: the shadow is not one to target.
    with pytest.raises(ClientError):
        sm.update_endpoint_weights_and_capacities(EndpointName="recs", DesiredWeightsAndCapacities=[
            {"VariantName": "shadow", "DesiredWeight": 50.0}])


def test_a_shadow_needs_exactly_one_production_variant(aws):
    sm = aws.sagemaker
    for name in ("a", "b", "c"):
        create_model(sm, name)
    with pytest.raises(ClientError) as raised:
        sm.create_endpoint_config(EndpointConfigName="two", ProductionVariants=[variant("p", "a"), variant("q", "b")],
                                  ShadowProductionVariants=[variant("shadow", "c")])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "one variant for ProductionVariants" in raised.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        sm.describe_endpoint_config(EndpointConfigName="two")


def test_a_config_without_shadow_is_described_as_before(aws):
    sm = aws.sagemaker
    create_model(sm, "plain")
    sm.create_endpoint_config(EndpointConfigName="plain", ProductionVariants=[variant("primary", "plain")])
    assert "ShadowProductionVariants" not in sm.describe_endpoint_config(EndpointConfigName="plain")
