"""SageMaker behaviour the operator relies on and moto 5 lacks, as a layer over
moto's SageMaker backend: the extensions run before moto for the operations
below and either answer themselves or let moto answer from the same backend.

Each handler names the moto gap it fills.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core.utils import utcnow
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.utils import arn_formatter

from ...api.instance_storage import has_instance_storage
from .components import EmulatedComponent, InferenceComponents, components_of, invoke_component, place
from .guardrails import Deployment, plan_deployment
from .lifecycle import EndpointLifecycle, current_transition
from .multimodel import InstanceCaches, caches_models, invocation_response, load_artifact, multi_model_container, refuse_unhostable
from .responses import HttpResponse, validation_error
from .shadow import create_shadowed_config, described_config, shadow_summaries

# moto refuses instance types missing from its own list, which AWS has long outgrown
# (ml.g5, g6, p4d, p5, inf2, trn1, m6i, c6i ...). The request was already judged
# against botocore's ProductionVariantInstanceType enum (shapes.py), as AWS judges it.
FakeEndpointConfig.validate_instance_type = lambda self, instance_type: None  # type: ignore[method-assign]
# moto requires a model on every variant; a variant that hosts inference components names none
# (ProductionVariant.ModelName is optional in the service model).
_validate_variants = SageMakerModelBackend.validate_production_variants
SageMakerModelBackend.validate_production_variants = (  # type: ignore[method-assign]
    lambda self, variants: _validate_variants(self, [v for v in variants if v.get("ModelName")]))

CREATING, UPDATING, DELETING = "Creating", "Updating", "Deleting"
IN_SERVICE, FAILED = "InService", "Failed"
DELETED = "Deleted"  # the end of Deleting: the endpoint is gone, never reported
IN_FLIGHT = frozenset({CREATING, UPDATING, DELETING, "SystemUpdating", "RollingBack"})
SERVING = frozenset({IN_SERVICE, UPDATING, "SystemUpdating", "RollingBack"})  # the old fleet serves during an update
# UpdateEndpoint (API reference): "... then deletes the old instances using the previous EndpointConfig (there is no
# availability loss)".
MAX_LIST_RESULTS = 100

Params = dict[str, Any]
Payload = dict[str, Any] | None  # None: moto answers


@dataclass
class InjectedFailure:
    """The next create or update of one endpoint ends Failed with `reason`.

    A sandbox control (POST /_emulator/endpoint-failures), not an AWS behaviour; what the
    endpoint then reports follows DescribeEndpoint's EndpointStatus "Failed: Endpoint could
    not be created, updated, or re-scaled. Use the FailureReason value ..."

    With `rollback`, a failed update ends as AWS rolls one back instead:
    InService on the old config, with the reason reported."""

    reason: str
    operation: str = "any"  # create | update | any
    rollback: bool = False

    def applies_to(self, operation: str) -> bool:
        return self.operation in ("any", operation)


@dataclass
class PendingChange:
    """What an endpoint becomes when its transition succeeds."""

    config_name: str | None = None
    variants: list[dict[str, Any]] | None = None
    failure: InjectedFailure | None = None
    started: Any = None


class EmulatedEndpoint(FakeEndpoint):
    """moto's endpoint with a lifecycle: statuses move on moto's state manager,
    and the live config and variants change only when an update completes."""

    def __init__(self, backend: SageMakerModelBackend, name: str, config: FakeEndpointConfig,
                 tags: list[dict[str, str]], failure: InjectedFailure | None):
        super().__init__(
            account_id=backend.account_id,
            region_name=backend.region_name,
            endpoint_name=name,
            endpoint_config_name=config.endpoint_config_name,
            production_variants=[],
            data_capture_config=config.data_capture_config,
            tags=tags,
        )
        self.production_variants = variants_of(config)
        # DescribeEndpointOutput.AsyncInferenceConfig (service model): "Returns the description of an endpoint
        # configuration created using the CreateEndpointConfig API." moto's endpoint drops it.
        self.async_inference_config = config.async_inference_config
        self.pending = PendingChange(failure=failure)
        self.lifecycle = EndpointLifecycle(CREATING, FAILED if failure else IN_SERVICE)
        self.endpoint_status = CREATING
        self.model_caches = InstanceCaches()  # multi-model endpoints: what each instance loaded
        self._configs = backend.endpoint_configs  # the served config's shadow variants, for DescribeEndpoint
        self.deployment: Deployment | None = None  # a blue/green or rolling deployment in progress (guardrails.py)
        self._where = (backend.account_id, backend.region_name)  # whose alarms roll a deployment back
        self.last_deployment_config: dict[str, Any] | None = None

    # ---- transitions -------------------------------------------------------------

    def begin(self, transient: str, outcome: str, pending: PendingChange, deadline: float | None = None) -> None:
        """`deadline`: the virtual time the transition ends at, instead of the shared pace."""
        pending.started = utcnow()
        self.pending = pending
        self.lifecycle.begin(transient, outcome, deadline)
        self.failure_reason = None
        self._enter(transient)

    def refresh(self) -> bool:
        """Apply a transition that came due; False once the endpoint is gone."""
        if self.deployment is not None:
            self._advance_deployment()
            return True
        status = self.lifecycle.status
        if status != self.endpoint_status:
            self._enter(status)
        return status != DELETED

    def _advance_deployment(self) -> None:
        """Updating until the deployment's last stage is over, or an alarm rolls it back: then InService, on the
        new config or (rolled back) on the old one with the reason, as a rolled-back update ends."""
        deployment = self.deployment
        alarm = deployment.tripped(*self._where)
        if alarm is None and deployment.current() is not None:
            return
        if alarm is not None:
            self.pending.failure = InjectedFailure(
                reason=f"Deployment rolled back: alarm {alarm} went into ALARM during the deployment", rollback=True)
        self.deployment = None
        self.lifecycle.begin(IN_SERVICE, IN_SERVICE)  # done: the lifecycle has nothing left to move
        self._enter(IN_SERVICE)

    def _enter(self, status: str) -> None:
        if status in (IN_SERVICE, FAILED):
            self._complete(status)
        self.endpoint_status = status
        # Clients sweep ListEndpoints and describe only what changed: every status
        # change must move LastModifiedTime, even two within one millisecond.
        # DescribeEndpoint, LastModifiedTime: "A timestamp that shows when the endpoint was last modified."
        now = utcnow()
        earliest = self.last_modified_time + timedelta(milliseconds=1)
        self.last_modified_time = now if now >= earliest else earliest

    def _complete(self, status: str) -> None:
        pending, self.pending = self.pending, PendingChange()
        failure = pending.failure
        if status == FAILED or (failure and failure.rollback):
            # DescribeEndpoint, FailureReason: "If the status of the endpoint is Failed, the reason why it failed."
            # A rolled-back update (UpdateEndpointInput.DeploymentConfig: "the desired deployment strategy and rollback
            # configurations") keeps the old config and variants, InService, and reports the reason too.
            self.failure_reason = failure.reason if failure else "Request to service failed."
            return
        if pending.config_name:
            # UpdateEndpoint (API reference): "Deploys the EndpointConfig specified in the
            # request to a new fleet of instances": they have loaded no model yet.
            self.endpoint_config_name = pending.config_name
            self.model_caches.clear()
        if pending.variants is not None:
            self.production_variants = pending.variants
        self.production_variants = [settled(v) for v in self.production_variants]

    # ---- what moto serialises ----------------------------------------------------

    @property
    def response_object(self) -> dict[str, Any]:  # type: ignore[override]
        response: dict[str, Any] = {
            "EndpointName": self.endpoint_name,
            "EndpointArn": self.arn,
            "EndpointConfigName": self.endpoint_config_name,
            "ProductionVariants": copy.deepcopy(self.production_variants),
            "EndpointStatus": self.endpoint_status,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
        }
        if self.failure_reason:
            response["FailureReason"] = self.failure_reason
        if self.async_inference_config:
            response["AsyncInferenceConfig"] = self.async_inference_config
        shadows = shadow_summaries(self._configs.get(self.endpoint_config_name))
        if shadows:
            response["ShadowProductionVariants"] = shadows
        # DescribeEndpoint, PendingDeploymentSummary: "This field is only returned when the endpoint is creating or
        # updating with a new endpoint configuration." (the emulator reports it while updating only)
        if self.endpoint_status == UPDATING and self.pending.config_name:
            response["PendingDeploymentSummary"] = {
                "EndpointConfigName": self.pending.config_name,
                "ProductionVariants": [_pending_variant(v, self.deployment) for v in self.pending.variants or []],
                "StartTime": self.pending.started,
            }
        if self.last_deployment_config:
            # DescribeEndpointOutput.LastDeploymentConfig: "The most recent deployment configuration for the endpoint."
            response["LastDeploymentConfig"] = copy.deepcopy(self.last_deployment_config)
        return response


def variants_of(config: FakeEndpointConfig) -> list[dict[str, Any]]:
    """The variant summaries an endpoint reports for `config` once it serves it."""
    variants = []
    for entry in config.production_variants:
        variant: dict[str, Any] = {"VariantName": entry["VariantName"]}
        # ProductionVariant.InitialVariantWeight (service model): "If unspecified, it defaults to 1.0."
        weight = float(entry.get("InitialVariantWeight", 1.0))
        variant["CurrentWeight"] = variant["DesiredWeight"] = weight
        if entry.get("InitialInstanceCount") is not None:
            variant["CurrentInstanceCount"] = variant["DesiredInstanceCount"] = entry["InitialInstanceCount"]
        if entry.get("ServerlessConfig"):
            variant["CurrentServerlessConfig"] = dict(entry["ServerlessConfig"])
            variant["DesiredServerlessConfig"] = dict(entry["ServerlessConfig"])
        variants.append(variant)
    return variants


def settled(variant: dict[str, Any]) -> dict[str, Any]:
    """The variant once its desired weight and capacity are reached."""
    # ProductionVariantSummary.DesiredWeight: "The requested weight, as specified in the
    # UpdateEndpointWeightsAndCapacities request."; CurrentWeight: "The weight associated with the variant."
    done = dict(variant)
    for field in ("Weight", "InstanceCount", "ServerlessConfig"):
        if f"Desired{field}" in done:
            done[f"Current{field}"] = copy.deepcopy(done[f"Desired{field}"])
    return done


def _pending_variant(variant: dict[str, Any], deployment: Deployment | None = None) -> dict[str, Any]:
    pending = {k: v for k, v in variant.items() if k == "VariantName" or k.startswith("Desired")}
    pending["VariantStatus"] = [{"Status": "Creating"}]  # ProductionVariantStatus: "Creating inference resources ..."
    if deployment is not None and deployment.variant_status():
        # ProductionVariantStatus.Status: "ActivatingTraffic: Turning on traffic for the production variant.
        # Baking: Waiting period to monitor the CloudWatch alarms in the automatic rollback configuration."
        pending["VariantStatus"] = deployment.variant_status()
    return pending


class SageMakerExtensions:
    """The SageMaker operations the emulator adds to or corrects in moto.

    Calls are serialised: a check ("does this name exist?") and the change it
    guards must not interleave with another call, as moto's handlers would."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._failures: dict[str, list[InjectedFailure]] = {}
        self._handlers: dict[str, Callable[[SageMakerModelBackend, Params], Payload]] = {
            "CreateModel": self._create_model,
            "DescribeModel": self._require_model,
            "DeleteModel": self._require_model,
            "CreateEndpointConfig": self._create_endpoint_config,
            "DescribeEndpointConfig": self._describe_endpoint_config,
            "DeleteEndpointConfig": self._require_endpoint_config,
            "CreateEndpoint": self._create_endpoint,
            "DescribeEndpoint": self._describe_endpoint,
            "DeleteEndpoint": self._delete_endpoint,
            "UpdateEndpoint": self._update_endpoint,
            "UpdateEndpointWeightsAndCapacities": self._update_weights_and_capacities,
            "ListEndpoints": self._list_endpoints,
            "AddTags": self._add_tags,
            "ListTags": self._list_tags,
            "DeleteTags": self._delete_tags,
        }
        self._components = InferenceComponents()
        for operation in InferenceComponents.operations:
            self._handlers[operation] = lambda backend, params, op=operation: self._components.handle(backend, op, params)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._lock:
            yield

    def before_moto(self, account: str, region: str, operation: str, params: Params) -> Payload:
        """Run the extension for one call; a payload answers it, None lets moto answer."""
        backend = sagemaker_backends[account][region]
        self.settle(backend)
        handler = self._handlers.get(operation)
        return handler(backend, params) if handler else None

    def invoke(self, account: str, region: str, params: Params) -> HttpResponse | None:
        """InvokeEndpoint with TargetModel on a multi-model endpoint, served from the
        instance caches; None lets moto answer (any other endpoint, moto's canned body)."""
        backend = sagemaker_backends[account][region]
        self.settle(backend)
        if params.get("InferenceComponentName"):
            # InvokeEndpointInput.InferenceComponentName: "If the endpoint hosts one or more inference components,
            # this parameter specifies the name of inference component to invoke."
            return invoke_component(backend, params["InferenceComponentName"])
        endpoint = backend.endpoints.get(params.get("EndpointName", ""))
        target = params.get("TargetModel")
        if not isinstance(endpoint, EmulatedEndpoint) or not target or endpoint.endpoint_status not in SERVING:
            return None
        config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
        variant = _invoked_variant(endpoint, config, params.get("TargetVariant"))
        if variant is None:
            return None
        container = multi_model_container(backend._models, variant["ModelName"])
        if container is None or not container.get("ModelDataUrl"):
            return None
        live = next((v for v in endpoint.production_variants if v["VariantName"] == variant["VariantName"]), {})
        instances = live.get("CurrentInstanceCount") or variant.get("InitialInstanceCount") or 1
        instance, artifact = endpoint.model_caches.serve(
            variant["VariantName"], instances, target,
            lambda: load_artifact(account, container["ModelDataUrl"], target), cache=caches_models(container))
        return invocation_response(variant["VariantName"], instance, target, artifact)

    # ---- injected endpoint failures ----------------------------------------------

    def fail_next(self, endpoint: str, failure: InjectedFailure) -> None:
        with self._lock:
            self._failures.setdefault(endpoint, []).append(failure)

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def pending_failures(self) -> dict[str, list[InjectedFailure]]:
        with self._lock:
            return {name: list(queue) for name, queue in self._failures.items() if queue}

    def _take_failure(self, endpoint: str, operation: str) -> InjectedFailure | None:
        queue = self._failures.get(endpoint, [])
        for index, failure in enumerate(queue):
            if failure.applies_to(operation):
                return queue.pop(index)
        return None

    # ---- lifecycle ---------------------------------------------------------------

    @staticmethod
    def settle(backend: SageMakerModelBackend) -> None:
        """Apply due transitions before any call reads or changes endpoints."""
        hosting = {c.endpoint_name for c in components_of(backend).values()}
        for name, endpoint in list(backend.endpoints.items()):
            if not isinstance(endpoint, EmulatedEndpoint):
                continue
            before = endpoint.endpoint_status
            if not endpoint.refresh():
                del backend.endpoints[name]
            elif endpoint.endpoint_status != before and name in hosting:
                place(backend, name)  # a new fleet, or a settled one, holds the components' copies again
        InferenceComponents.settle(backend)

    # ---- models and configs: moto overwrites duplicates silently ----------------

    def _create_model(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        name = params.get("ModelName", "")
        if name in backend._models:
            # The API reference is silent; AWS's message as it answers it (astronomer/astronomer-providers#1055).
            raise validation_error(f'Cannot create already existing model "{_arn(backend, "model", name)}".')
        return None

    def _require_model(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        # moto's DeleteModel names the model without its ARN, unlike AWS.
        # The API reference lists no error for a missing model; AWS answers ValidationException (boto/boto3#2886).
        name = params.get("ModelName", "")
        if name not in backend._models:
            raise validation_error(f'Could not find model "{_arn(backend, "model", name)}".')
        return None

    def _create_endpoint_config(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        name = params.get("EndpointConfigName", "")
        if name in backend.endpoint_configs:
            arn = _arn(backend, "endpoint-config", name)
            # AWS's message as it answers it (awslabs/spot-tagging-bot-for-digital-assets#2).
            raise validation_error(f'Cannot create already existing endpoint configuration "{arn}".')
        refuse_unhostable(backend._models, params.get("ProductionVariants") or [])
        _refuse_volume_key_on_instance_storage(params)
        _refuse_serverless_variants(params.get("ProductionVariants") or [])
        for variant in params.get("ProductionVariants") or []:
            if variant.get("ManagedInstanceScaling") and variant.get("ModelName"):
                # AWS's answer to a variant with a model and managed instance scaling, as quoted in
                # hashicorp/terraform-provider-aws#45926.
                raise validation_error("ManagedInstanceScaling is only supported for inference component endpoints.")
        return create_shadowed_config(backend, params)  # moto drops ShadowProductionVariants

    def _require_endpoint_config(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        self._config(backend, params.get("EndpointConfigName", ""))
        return None

    def _describe_endpoint_config(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        return described_config(self._config(backend, params.get("EndpointConfigName", "")))  # None: moto answers

    # ---- endpoints: moto has no transitions, no UpdateEndpoint, no duplicates check

    def _create_endpoint(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        name = params.get("EndpointName", "")
        # CreateEndpoint (API reference): "The endpoint name must be unique within an AWS Region in your AWS account."
        # (it is also case-insensitive there, which this exact-match check is not)
        if name in backend.endpoints:
            raise validation_error(f'Cannot create already existing endpoint "{_arn(backend, "endpoint", name)}".')
        config = self._config(backend, params.get("EndpointConfigName", ""))
        failure = self._take_failure(name, "create")
        # CreateEndpoint: "When SageMaker receives the request, it sets the endpoint status to Creating. After it
        # creates the endpoint, it sets the status to InService." (lifecycle.py paces it)
        endpoint = EmulatedEndpoint(backend, name, config, params.get("Tags") or [], failure)
        backend.endpoints[name] = endpoint
        return {"EndpointArn": endpoint.arn}

    def _describe_endpoint(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        endpoint = self._endpoint(backend, params.get("EndpointName", ""))
        if isinstance(endpoint, EmulatedEndpoint):
            endpoint.lifecycle.advance()  # counts describes for the manual pace
            self.settle(backend)
            self._endpoint(backend, endpoint.endpoint_name)
        return None

    def _delete_endpoint(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        # moto deletes at once; AWS goes through Deleting.
        # DescribeEndpoint, EndpointStatus: "Deleting: DeleteEndpoint is executing."
        endpoint = self._endpoint(backend, params.get("EndpointName", ""))
        if not isinstance(endpoint, EmulatedEndpoint):
            return None
        # moto deletes an endpoint in any status. SageMaker refuses while it creates or
        # updates one: the API reference is silent, but AWS's own sample code waits for
        # that ("can't delete endpoint when status is Creating or Updating",
        # awslabs/stable-diffusion-aws-extension#342) and so do Terraform's
        # (hashicorp/terraform-provider-aws#39152, "check for update in-progress upon deletion").
        if endpoint.endpoint_status in IN_FLIGHT - {DELETING}:
            raise validation_error(f'Cannot delete in-progress endpoint "{endpoint.arn}".')
        if endpoint.endpoint_status != DELETING:
            endpoint.begin(DELETING, DELETED, PendingChange())
        return {}

    def _update_endpoint(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        endpoint = self._updatable(backend, params.get("EndpointName", ""))
        config = self._config(backend, params.get("EndpointConfigName", ""))
        _refuse_instances_to_serverless(backend, endpoint, config)
        _refuse_autoscaled_changes(backend, endpoint, config)
        variants = variants_of(config)
        if params.get("RetainAllVariantProperties"):
            excluded = {p.get("VariantPropertyType") for p in params.get("ExcludeRetainedVariantProperties") or []}
            variants = _retain_properties(endpoint.production_variants, variants, excluded)
        failure = self._take_failure(endpoint.endpoint_name, "update")
        outcome = FAILED if failure and not failure.rollback else IN_SERVICE
        guarded = params.get("DeploymentConfig") or {}
        transition = current_transition()
        deployment = plan_deployment(guarded, endpoint.production_variants, config.production_variants,
                                     float(transition.get("seconds", 0)) if transition.get("progression") == "time" else 0.0)
        # UpdateEndpoint (API reference): "When SageMaker receives the request, it sets the endpoint status to
        # Updating. After updating the endpoint, it sets the status to InService." moto has no UpdateEndpoint.
        endpoint.begin(UPDATING, outcome, PendingChange(config.endpoint_config_name, variants, failure))
        endpoint.deployment = deployment if failure is None else None
        if guarded:
            endpoint.last_deployment_config = copy.deepcopy(guarded)
        return {"EndpointArn": endpoint.arn}

    def _update_weights_and_capacities(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        # moto applies these at once and drops instance counts it was not given.
        endpoint = self._updatable(backend, params.get("EndpointName", ""))
        desired = params.get("DesiredWeightsAndCapacities") or []
        by_name = {v["VariantName"]: v for v in endpoint.production_variants}
        seen: set[str] = set()
        for change in desired:
            name = change.get("VariantName")
            if name in seen:
                raise validation_error(f'The variant name "{name}" was non-unique within the request.')
            if name not in by_name:
                raise validation_error(
                    f'The variant name(s) "{name}" is/are not present within endpoint configuration '
                    f'"{endpoint.endpoint_config_name}".'
                )
            seen.add(name)
        variants = copy.deepcopy(endpoint.production_variants)
        for variant in variants:
            change = next((c for c in desired if c["VariantName"] == variant["VariantName"]), None)
            if change:
                _apply_desired(variant, change)
        endpoint.production_variants = variants  # desired now, current once InService
        endpoint.begin(UPDATING, IN_SERVICE, PendingChange())
        return {"EndpointArn": endpoint.arn}

    def _list_endpoints(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        max_results = params.get("MaxResults")
        # Service model, ListEndpointsInput.MaxResults: shape MaxResults, min 1, max 100. moto takes any value.
        if max_results is not None and not 1 <= int(max_results) <= MAX_LIST_RESULTS:
            raise validation_error(
                f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy "
                f"constraint: Member must have value less than or equal to {MAX_LIST_RESULTS}"
            )
        return None  # settled already: moto lists current statuses and times

    # ---- tags: moto appends duplicate keys and fails on unknown ARNs ------------

    def _add_tags(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        resource = self._tagged_resource(backend, params.get("ResourceArn", ""))
        if resource is None:
            return None
        # AddTags (API reference): "Adds or overwrites one or more tags ... Tag keys must be unique per resource."
        merged = {t["Key"]: t.get("Value", "") for t in resource.tags}
        merged.update({t["Key"]: t.get("Value", "") for t in params.get("Tags") or []})
        resource.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
        return {"Tags": list(params.get("Tags") or [])}

    def _list_tags(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        resource = self._tagged_resource(backend, params.get("ResourceArn", ""))
        if isinstance(resource, EmulatedComponent):  # moto knows no inference component's ARN
            return {"Tags": list(resource.tags)}
        return None

    def _delete_tags(self, backend: SageMakerModelBackend, params: Params) -> Payload:
        resource = self._tagged_resource(backend, params.get("ResourceArn", ""))
        if isinstance(resource, EmulatedComponent):
            gone = set(params.get("TagKeys") or [])
            resource.tags = [t for t in resource.tags if t["Key"] not in gone]
            return {}
        return None

    @staticmethod
    def _tagged_resource(backend: SageMakerModelBackend, arn: str) -> Any:
        kind, _, name = arn.rpartition(":")[2].partition("/")
        table = {"endpoint": backend.endpoints, "endpoint-config": backend.endpoint_configs,
                 "model": backend._models, "inference-component": components_of(backend)}.get(kind)
        if table is None:
            return None  # another resource type: moto's own handling
        if name not in table:
            # The API reference is silent on an unknown ARN; worded as SageMaker's other "Could not find" errors.
            raise validation_error(f'Could not find resource "{arn}".')
        return table[name]

    # ---- lookups -----------------------------------------------------------------

    @staticmethod
    def _endpoint(backend: SageMakerModelBackend, name: str) -> FakeEndpoint:
        endpoint = backend.endpoints.get(name)
        if endpoint is None:
            # AWS's wording: 'Could not find endpoint configuration "arn:..."' (aws/amazon-sagemaker-examples#2339).
            raise validation_error(f'Could not find endpoint "{_arn(backend, "endpoint", name)}".')
        return endpoint

    def _updatable(self, backend: SageMakerModelBackend, name: str) -> EmulatedEndpoint:
        endpoint = self._endpoint(backend, name)
        if not isinstance(endpoint, EmulatedEndpoint):
            raise validation_error(f'Endpoint "{endpoint.arn}" was not created through this emulator.')
        # EndpointStatus: SystemUpdating "cannot be updated or deleted or re-scaled until it has completed"; the
        # reference is silent on Creating and Updating, which the emulator refuses alike.
        if endpoint.endpoint_status in IN_FLIGHT:
            raise validation_error(f'Cannot update in-progress endpoint "{endpoint.arn}".')
        # EndpointStatus: "DeleteEndpoint is the only operation that can be performed on a failed endpoint."
        if endpoint.endpoint_status == FAILED:
            raise validation_error(f'Cannot update failed endpoint "{endpoint.arn}".')
        return endpoint

    @staticmethod
    def _config(backend: SageMakerModelBackend, name: str) -> FakeEndpointConfig:
        config = backend.endpoint_configs.get(name)
        if config is None:
            arn = _arn(backend, "endpoint-config", name)
            raise validation_error(f'Could not find endpoint configuration "{arn}".')
        return config


def _invoked_variant(endpoint: EmulatedEndpoint, config: FakeEndpointConfig | None,
                     target_variant: str | None) -> dict[str, Any] | None:
    """The config entry of the variant that answers: TargetVariant, else the one with the
    most weight (the emulator routes deterministically)."""
    # InvokeEndpoint TargetVariant (runtime service model): "overrides the default behavior for the endpoint, which is
    # to distribute the invocation traffic based on the variant weights" (AWS spreads traffic; this picks the heaviest).
    if config is None:
        return None
    entries = {v["VariantName"]: v for v in config.production_variants}
    if target_variant:
        return entries.get(target_variant)
    weights = {v["VariantName"]: v.get("CurrentWeight", 0.0) for v in endpoint.production_variants}
    ranked = sorted(entries, key=lambda name: (-weights.get(name, 0.0), name))
    return entries[ranked[0]] if ranked else None


def _refuse_volume_key_on_instance_storage(params: Params) -> None:
    """SageMaker API reference, CreateEndpointConfig, KmsKeyId: "If you specify a value for
    KmsKeyId when using any nitro-based instances with local storage, the call to
    CreateEndpointConfig fails." The families with local storage: api/instance_storage.py.
    AWS publishes no message text; this one names the variant and its type."""
    if not params.get("KmsKeyId"):
        return
    for variant in params.get("ProductionVariants") or []:
        instance_type = variant.get("InstanceType") or ""
        if has_instance_storage(instance_type):
            raise validation_error(
                f"KmsKeyId cannot be specified for production variant {variant.get('VariantName')}: "
                f"instance type {instance_type} has local instance storage, which is encrypted by the instance.")


def _arn(backend: SageMakerModelBackend, kind: str, name: str) -> str:
    return arn_formatter(kind, name, backend.account_id, backend.region_name)


def _apply_desired(variant: dict[str, Any], change: dict[str, Any]) -> None:
    if change.get("DesiredWeight") is not None:
        variant["DesiredWeight"] = float(change["DesiredWeight"])
    if change.get("DesiredInstanceCount") is not None:
        variant["DesiredInstanceCount"] = change["DesiredInstanceCount"]
    serverless = change.get("ServerlessUpdateConfig")
    if serverless:
        desired = dict(variant.get("DesiredServerlessConfig") or {})
        desired.update(serverless)
        variant["DesiredServerlessConfig"] = desired


def _retain_properties(current: list[dict[str, Any]], new: list[dict[str, Any]],
                       excluded: set[str] | None = None) -> list[dict[str, Any]]:
    """RetainAllVariantProperties: variants that keep their name keep weight and capacity,
    but for the properties ExcludeRetainedVariantProperties names."""
    # UpdateEndpointInput.RetainAllVariantProperties: "To retain the variant properties of an endpoint when updating
    # it, set RetainAllVariantProperties to true."
    by_name = {v["VariantName"]: v for v in current}
    retained = []
    kept = [f for f in ("DesiredWeight", "DesiredInstanceCount", "DesiredServerlessConfig") if f not in (excluded or set())]
    for variant in new:
        old = by_name.get(variant["VariantName"])
        merged = dict(variant)
        if old:
            for field in kept:
                if field in old:
                    merged[field] = copy.deepcopy(old[field])
        retained.append(merged)
    return retained


def _refuse_serverless_variants(variants: list[dict[str, Any]]) -> None:
    # Developer guide, "Deploy models with Amazon SageMaker Serverless Inference", feature exclusions: "Some of the
    # features currently available for SageMaker Real-time Inference are not supported for Serverless Inference,
    # including ... multiple production variants". (AWS's exact error text is not documented.)
    if len(variants) > 1 and any(v.get("ServerlessConfig") for v in variants):
        raise validation_error("Serverless inference does not support multiple production variants.")


def _refuse_instances_to_serverless(backend: SageMakerModelBackend, endpoint: FakeEndpoint,
                                    config: FakeEndpointConfig) -> None:
    """Developer guide, "Update a serverless endpoint": "Updating a real-time inference
    endpoint to either an on-demand serverless endpoint or a serverless endpoint with
    Provisioned Concurrency is currently not supported." moto updates anything."""
    serving = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    on_instances = any(v.get("InstanceType") for v in (serving.production_variants if serving else []))
    to_serverless = any(v.get("ServerlessConfig") for v in config.production_variants)
    if on_instances and to_serverless:
        raise validation_error(
            f"Cannot update endpoint {endpoint.endpoint_name} from an instance-based endpoint configuration to "
            f"serverless endpoint configuration {config.endpoint_config_name}; create a new endpoint instead."
        )


def clamp_instance_count(endpoint: FakeEndpoint, variant: str, low: int, high: int) -> bool:
    """Moves an active endpoint's variant count into [low, high] as an update of the
    endpoint (Application Auto Scaling's scaling activity calls
    UpdateEndpointWeightsAndCapacities); True when it did."""
    if not isinstance(endpoint, EmulatedEndpoint) or endpoint.endpoint_status != IN_SERVICE:
        return False
    variants = copy.deepcopy(endpoint.production_variants)
    for entry in variants:
        count = entry.get("DesiredInstanceCount")
        if entry["VariantName"] != variant or count is None or low <= count <= high:
            continue
        entry["DesiredInstanceCount"] = min(max(count, low), high)
        endpoint.production_variants = variants
        endpoint.begin(UPDATING, IN_SERVICE, PendingChange())
        return True
    return False


def set_instance_count(endpoint: FakeEndpoint, variant: str, count: int, deadline: float) -> bool:
    """A scaling activity: the variant's DesiredInstanceCount becomes `count` and the
    endpoint is Updating until the virtual time `deadline` (the instances starting), then
    InService with CurrentInstanceCount at `count`. False when the endpoint is not InService."""
    # UpdateEndpointWeightsAndCapacities (API reference): "When it receives the request, SageMaker sets the endpoint
    # status to Updating. After updating the endpoint, it sets the status to InService."; developer guide,
    # "Automatic scaling of Amazon SageMaker AI models": Application Auto Scaling changes a variant's
    # DesiredInstanceCount, the scalable dimension sagemaker:variant:DesiredInstanceCount.
    if not isinstance(endpoint, EmulatedEndpoint) or endpoint.endpoint_status != IN_SERVICE:
        return False
    variants = copy.deepcopy(endpoint.production_variants)
    entry = next((v for v in variants if v["VariantName"] == variant), None)
    if entry is None or entry.get("DesiredInstanceCount") is None:
        return False
    entry["DesiredInstanceCount"] = count
    endpoint.production_variants = variants
    endpoint.begin(UPDATING, IN_SERVICE, PendingChange(), deadline=deadline)
    return True


def _refuse_autoscaled_changes(backend: SageMakerModelBackend, endpoint: FakeEndpoint, config: FakeEndpointConfig) -> None:
    """AWS refuses an update that changes the instance type of (or drops) a variant
    registered with Application Auto Scaling; moto does not look."""
    # Developer guide, "Update endpoints that use auto scaling": "If the update would change the instance type for
    # any model that is a target for auto scaling, the update fails."
    registered = applicationautoscaling_backends[backend.account_id][backend.region_name].targets.get(
        "sagemaker:variant:DesiredInstanceCount", {})
    serving = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    old_types = {v["VariantName"]: v.get("InstanceType") for v in (serving.production_variants if serving else [])}
    new_types = {v["VariantName"]: v.get("InstanceType") for v in config.production_variants}
    for variant, old_type in old_types.items():
        resource_id = f"endpoint/{endpoint.endpoint_name}/variant/{variant}"
        if resource_id not in registered:
            continue
        if variant not in new_types or new_types[variant] != old_type:
            raise validation_error(
                f"The variant(s) \"[{variant}]\" of endpoint {endpoint.endpoint_name} are registered with "
                "Application Auto Scaling; deregister them before changing their instance type or removing them."
            )
