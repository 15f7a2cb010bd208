"""The instance types the spec accepts are exactly those AWS's service model lists
(botocore's ProductionVariantInstanceType), and the committed list has not drifted
from the installed botocore."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from botocore.loaders import Loader

from endpoint_operator.api.crd import build_crd
from endpoint_operator.api.instance_types import DATA_FILE, INSTANCE_TYPES
from endpoint_operator.api.pricing import load_prices
from endpoint_operator.api.spec import InvalidSpec, validate_spec
from unit.test_spec_validation import REALTIME, changed

REPO = Path(__file__).resolve().parents[2]
BOTOCORE_TYPES = Loader().load_service_model("sagemaker", "service-2")["shapes"]["ProductionVariantInstanceType"]["enum"]
# Sold today and priced by the shipped table, yet missing from moto's own list.
CURRENT = ["ml.g5.xlarge", "ml.inf2.xlarge", "ml.m6i.large", "ml.c6i.xlarge", "ml.g4dn.xlarge"]


def _generator():
    spec = importlib.util.spec_from_loader("gen_instance_types", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(REPO / "scripts" / "gen-instance-types")
    exec((REPO / "scripts" / "gen-instance-types").read_text(), module.__dict__)
    return module


def test_committed_list_is_botocores():
    assert list(INSTANCE_TYPES) == BOTOCORE_TYPES, (
        f"{DATA_FILE.name} has drifted from the installed botocore; regenerate it: python scripts/gen-instance-types")
    generator = _generator()
    assert DATA_FILE.read_text() == generator.render(generator.current())


def test_the_crd_enum_is_the_list():
    schema = build_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert schema["properties"]["spec"]["properties"]["instances"]["properties"]["type"]["enum"] == BOTOCORE_TYPES


@pytest.mark.parametrize("instance_type", [*CURRENT, "ml.p4d.24xlarge", "ml.p5.48xlarge", "ml.trn1.32xlarge",
                                           "ml.p6-b200.48xlarge"])
def test_current_types_are_accepted(instance_type):
    assert validate_spec(changed(REALTIME, {"instances": {"type": instance_type}})).instances.type == instance_type


@pytest.mark.parametrize("instance_type", ["ml.m5.huge", "m5.large", "ml.g5.xlarge ", "ML.M5.LARGE"])
def test_a_type_no_one_sells_is_refused(instance_type):
    with pytest.raises(InvalidSpec) as refused:
        validate_spec(changed(REALTIME, {"instances": {"type": instance_type}}))
    assert [e.field for e in refused.value.errors] == ["spec.instances.type"]
    assert "not a SageMaker hosting instance type" in str(refused.value)


def test_every_priced_type_is_sold():
    prices = load_prices()
    for region in prices.regions:
        assert set(prices.instance_types(region)) <= set(INSTANCE_TYPES), region
    assert set(CURRENT) <= set(prices.instance_types("us-east-1"))
