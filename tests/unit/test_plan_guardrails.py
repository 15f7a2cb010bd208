"""spec.deployment: an ordinary update carries SageMaker's deployment guardrails, as
AWS's service model shapes them; a serverless endpoint, which has none, never does."""

from __future__ import annotations

import botocore.session
from botocore.validate import ParamValidator
from test_plan_kit import bp_of, built, endpoint, realtime_spec, status_of

from endpoint_operator.api.deployment import DeploymentSpec
from endpoint_operator.aws.sagemaker import deployment_request
from endpoint_operator.plan import actions as a
from endpoint_operator.plan.reconcile import reconcile

BLUE_GREEN = {"strategy": "BlueGreen", "trafficShifting": "Linear", "linearPercent": 20, "waitSeconds": 120,
              "terminationWaitSeconds": 600, "alarms": ["recs-5xx", "recs-latency"]}
UPDATE_INPUT = botocore.session.get_session().get_service_model("sagemaker").operation_model("UpdateEndpoint").input_shape


def updates(plan) -> list[a.UpdateEndpoint]:
    return [action for action in plan.actions if isinstance(action, a.UpdateEndpoint)]


def test_an_instance_type_change_is_updated_by_the_spec_guardrails():
    old = bp_of(realtime_spec(deployment=BLUE_GREEN))
    new = bp_of(realtime_spec(deployment=BLUE_GREEN, instances={"type": "ml.m5.xlarge", "min": 1, "max": 1}))
    plan = reconcile(new, built(old, new, ep=endpoint(old)), 2, status_of(old))
    [update] = updates(plan)
    assert update.config_name == new.config.name and update.deployment == DeploymentSpec.model_validate(BLUE_GREEN)
    assert "by blue/green (20% at a time, rolled back on recs-5xx, recs-latency)" in update.describe()


def test_without_spec_deployment_the_update_is_sagemakers_default():
    old, new = bp_of(realtime_spec()), bp_of(realtime_spec(instances={"type": "ml.m5.xlarge", "min": 1, "max": 1}))
    [update] = updates(reconcile(new, built(old, new, ep=endpoint(old)), 2, status_of(old)))
    assert update.deployment is None


def test_the_request_is_the_shape_aws_documents():
    for spec in (BLUE_GREEN, {"strategy": "Rolling", "batchPercent": 10, "waitSeconds": 0},
                 {"trafficShifting": "AllAtOnce"}, {}):
        request = {"EndpointName": "recs", "EndpointConfigName": "recs-1",
                   "DeploymentConfig": deployment_request(DeploymentSpec.model_validate(spec))}
        report = ParamValidator().validate(request, UPDATE_INPUT)
        assert not report.has_errors(), report.generate_report()
    assert deployment_request(DeploymentSpec.model_validate(BLUE_GREEN)) == {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {
            "Type": "LINEAR", "WaitIntervalInSeconds": 120, "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 20}},
            "TerminationWaitInSeconds": 600},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "recs-5xx"}, {"AlarmName": "recs-latency"}]}}
    assert deployment_request(DeploymentSpec()) == {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {
        "Type": "CANARY", "WaitIntervalInSeconds": 300, "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10}},
        "TerminationWaitInSeconds": 0}}
