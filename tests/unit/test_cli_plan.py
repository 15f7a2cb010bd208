"""`endpoint-operator plan` as a user runs it: a subprocess with no cluster and no AWS
credentials in reach (empty HOME, no KUBECONFIG, no AWS variables)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from endpoint_operator.api.constants import API_VERSION, KIND
from endpoint_operator.api.pricing import load_prices
from endpoint_operator.cli_plan import plan_document
from endpoint_operator.sandbox.controlplane import repo_root
from unit.test_spec_validation import BAD_METADATA, GOOD_METADATA, REALTIME as REALTIME_SPEC

CONSOLIDATION = repo_root() / "examples" / "consolidation"
G4DN = load_prices().instance_hourly("us-east-1", "ml.g4dn.xlarge")


def plan(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KUBECONFIG", "ENDPOINT_OPERATOR_"))}
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / "none"), AWS_SHARED_CREDENTIALS_FILE=str(home / "none"),
               AWS_EC2_METADATA_DISABLED="true")
    return subprocess.run([sys.executable, "-m", "endpoint_operator.cli", "plan", *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)


def plan_json(tmp_path: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess]:
    result = plan(tmp_path, *args, "--output", "json")
    return json.loads(result.stdout), result


def test_consolidation_plans_three_endpoints_for_eleven_models(tmp_path):
    out, result = plan_json(tmp_path, "-f", str(CONSOLIDATION), "--baseline", "one-per-model")
    assert result.returncode == 0, result.stderr
    assert out["errors"] == []
    assert len(out["endpoints"]) <= 3
    assert out["totals"]["models"] == 11
    assert {e["name"]: e["mode"] for e in out["endpoints"]} == {
        "live-recommendations": "MultiModel", "document-parsing": "Async", "internal-tools": "Serverless"}
    naive = out["baseline"]
    assert naive["endpoints"] == 11
    assert naive["monthlyUSD"] == round(11 * G4DN * 730, 2)
    assert naive["savingMonthlyUSD"] == pytest.approx(naive["monthlyUSD"] - out["totals"]["monthlyUSD"], abs=0.011)
    assert naive["savingMonthlyUSD"] > 0


def test_json_describes_resources_and_assumptions(tmp_path):
    out, _ = plan_json(tmp_path, "-f", str(CONSOLIDATION / "live-recommendations.yaml"))
    [mme] = out["endpoints"]
    res = mme["resources"]
    assert res["endpoint"] == "default-live-recommendations"
    assert [m["container"] for m in res["models"]] == ["MultiModel"]
    assert res["endpointConfig"]["variants"] == [{"name": "primary", "instanceType": "ml.g4dn.xlarge", "initialInstanceCount": 2}]
    assert len(res["artifacts"]["models"]) == 9
    [scaling] = res["scaling"]
    assert (scaling["minInstances"], scaling["maxInstances"]) == (2, 4)
    assert scaling["policies"][0]["metric"] == "SageMakerVariantConcurrentRequestsPerModelHighResolution"
    # 2 x g4dn.xlarge around the clock
    assert mme["cost"]["monthlyUSD"] == round(2 * G4DN * 730, 2)
    assert mme["cost"]["peakMonthlyUSD"] == round(4 * G4DN * 730, 2)
    assert mme["modeReason"].startswith("9 models share one image")
    assert any("share the endpoint's instances" in a for a in mme["cost"]["assumptions"])
    assert "baseline" not in out and "baseline" not in mme
    assert "retrieved" in out["prices"]["source"]


def test_table_shows_layout_next_to_the_naive_one(tmp_path):
    result = plan(tmp_path, "-f", str(CONSOLIDATION), "--baseline", "one-per-model")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.count("ModelEndpoint default/") == 3
    assert "naive (one endpoint per model)" in text
    total = next(line for line in text.splitlines() if line.startswith("TOTAL"))
    assert "3 endpoints" in total and "11 endpoints" in total
    assert "Saving against one-per-model:" in text
    assert "policies default-document-parsing-primary-target-tracking" in text
    assert "alarm default-document-parsing-primary-has-backlog-without-capacity" in text


def test_user_prices_give_the_figures_of_the_case(tmp_path):
    """11 always-on endpoints at $1.20/h: $316.80 a day; two shared instances: $57.60."""
    prices = tmp_path / "prices.yaml"
    prices.write_text(yaml.safe_dump({"regions": {"us-east-1": {"instances": {"ml.g4dn.xlarge": 1.20}}}}))
    out, result = plan_json(tmp_path, "-f", str(CONSOLIDATION), "--baseline", "one-per-model", "--prices", str(prices))
    assert result.returncode == 0, result.stderr
    assert out["baseline"]["dailyUSD"] == 316.80
    mme = next(e for e in out["endpoints"] if e["name"] == "live-recommendations")
    assert mme["cost"]["dailyUSD"] == 57.60
    assert str(prices) in out["prices"]["source"]


def _write(directory: Path, name: str, content: str | dict | list) -> Path:
    path = directory / name
    path.write_text(content if isinstance(content, str) else yaml.safe_dump_all(content if isinstance(content, list) else [content]))
    return path


def _good(name: str, **spec) -> dict:
    doc = yaml.safe_load((CONSOLIDATION / "live-recommendations.yaml").read_text())
    doc["metadata"]["name"] = name
    doc["spec"].update(spec)
    return doc


def test_bad_manifests_are_named_and_the_good_ones_still_planned(tmp_path):
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    _write(manifests, "a-good.yaml", _good("good"))
    _write(manifests, "b-broken.yaml", "apiVersion: v1\nkind: ModelEndpoint\n  metadata: x\n")
    _write(manifests, "c-unknown-type.yaml", _good("unknown-type", instances={"type": "ml.m7i.large", "min": 1, "max": 2}))
    _write(manifests, "d-configmap.yaml", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}})
    _write(manifests, "e-invalid.yaml", _good("invalid", instances={"type": "ml.g4dn.xlarge", "min": 3, "max": 2}))
    _write(manifests, "f-two-docs.yaml", [_good("second-good"), {**_good("old-version"), "apiVersion": "serving.endpoint-operator.io/v0"}])
    out, result = plan_json(tmp_path, "-f", str(manifests))
    assert result.returncode == 1
    assert sorted(e["name"] for e in out["endpoints"]) == ["good", "second-good"]
    errors = {(Path(e["file"]).name, e["document"], e["field"]) for e in out["errors"]}
    assert errors == {
        ("b-broken.yaml", None, "line 3, column 11"),
        ("c-unknown-type.yaml", None, "spec.instances.type"),
        ("d-configmap.yaml", None, "kind"),
        ("e-invalid.yaml", None, "spec.instances.min"),
        ("f-two-docs.yaml", 2, "apiVersion"),
    }
    stderr = result.stderr
    assert f"{manifests / 'c-unknown-type.yaml'}: spec.instances.type: no price for ml.m7i.large" in stderr
    assert f"{manifests / 'd-configmap.yaml'}: kind: 'ConfigMap' is not ModelEndpoint" in stderr
    assert f"{manifests / 'f-two-docs.yaml'} (document 2): apiVersion:" in stderr
    assert f"{manifests / 'b-broken.yaml'}: line 3, column 11: not valid YAML: mapping values are not allowed here" in stderr
    assert "5 error(s); 2 ModelEndpoint(s) planned" in stderr

    table = plan(tmp_path, "-f", str(manifests))
    assert table.returncode == 1 and "ModelEndpoint default/good" in table.stdout


@pytest.mark.parametrize("args, code, said", [
    (["-f", "does-not-exist.yaml"], 1, "does-not-exist.yaml does not exist"),
    (["-f", str(CONSOLIDATION), "--prices", "missing-prices.yaml"], 2, "missing-prices.yaml: cannot read"),
    (["-f", str(CONSOLIDATION), "--output", "xml"], 2, "invalid choice"),
], ids=["missing-manifest", "missing-prices", "bad-output"])
def test_usage_errors(tmp_path, args, code, said):
    result = plan(tmp_path, *args)
    assert result.returncode == code and said in result.stderr


def test_serverless_baseline_type_comes_from_the_annotation_or_the_flag(tmp_path):
    doc = yaml.safe_load((CONSOLIDATION / "internal-tools.yaml").read_text())
    del doc["metadata"]["annotations"]
    path = _write(tmp_path, "serverless.yaml", doc)
    out, _ = plan_json(tmp_path, "-f", str(path), "--baseline", "one-per-model", "--baseline-instance-type", "ml.c5.large")
    assert out["endpoints"][0]["baseline"]["instanceType"] == "ml.c5.large"
    out, _ = plan_json(tmp_path, "-f", str(CONSOLIDATION / "internal-tools.yaml"), "--baseline", "one-per-model")
    assert out["endpoints"][0]["baseline"]["instanceType"] == "ml.g4dn.xlarge"


DOCS = repo_root() / "docs" / "cost.md"


@pytest.mark.parametrize("price_file", [None, "ml.g4dn.xlarge: 1.20"], ids=["shipped", "case"])
def test_the_saving_matches_the_hand_calculation_in_the_docs(tmp_path, price_file):
    args = ["-f", str(CONSOLIDATION), "--baseline", "one-per-model"]
    if price_file:
        prices = tmp_path / "prices.yaml"
        prices.write_text(f"regions:\n  us-east-1:\n    instances:\n      {price_file}\n")
        args += ["--prices", str(prices)]
    result = plan(tmp_path, *args)
    saving = next(line for line in result.stdout.splitlines() if line.startswith("Saving against"))
    assert f"\n{saving}\n" in DOCS.read_text()
    if price_file is None:  # the documented table is the shipped one, line for line
        table = result.stdout[result.stdout.index("ModelEndpoint                 models"):]
        assert table.strip() in DOCS.read_text()


def test_run_refuses_a_bad_price_file_at_start(tmp_path):
    bad = tmp_path / "prices.yaml"
    bad.write_text("regions:\n  us-east-1:\n    instances:\n      ml.m5.large: free\n")
    result = subprocess.run([sys.executable, "-m", "endpoint_operator.cli", "run", "--prices", str(bad),
                             "--kubeconfig", str(tmp_path / "no-kubeconfig")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"--prices {bad}: regions.us-east-1.instances.ml.m5.large" in result.stderr


PYTORCH_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"
TRITON = "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.09-py3"


@pytest.mark.parametrize("image, hint", [(PYTORCH_GPU, False), (TRITON, True)])
def test_plan_refuses_several_gpu_models_without_triton_naming_the_field(tmp_path, image, hint):
    doc = yaml.safe_load((CONSOLIDATION / "live-recommendations.yaml").read_text())
    doc["spec"]["image"] = image
    del doc["spec"]["multiModel"]
    (tmp_path / "gpu.yaml").write_text(yaml.safe_dump(doc))
    out, result = plan_json(tmp_path, "-f", str(tmp_path / "gpu.yaml"))
    assert result.returncode != 0
    [error] = out["errors"]
    assert error["field"] == "spec.multiModel.server"
    assert "only through the Triton Inference Server" in error["message"]
    assert ("looks like AWS's Triton container" in error["message"]) is hint


def planned_canary(tmp_path, example: str, mode: str) -> dict:
    """The one endpoint `plan` prints for a consolidation example in `mode` with a canary."""
    doc = yaml.safe_load((CONSOLIDATION / example).read_text())
    doc["spec"]["mode"] = mode
    doc["spec"]["rollout"] = {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]}
    (tmp_path / "canary.yaml").write_text(yaml.safe_dump(doc))
    out, result = plan_json(tmp_path, "-f", str(tmp_path / "canary.yaml"))
    assert result.returncode == 0, out["errors"]
    [endpoint] = out["endpoints"]
    return endpoint


@pytest.mark.parametrize("mode", ["Auto", "MultiModel"])
def test_plan_walks_a_multi_model_artifact_change_in_canary_steps(tmp_path, mode):
    """Auto picks MultiModel for this example: a changed artifact is a canary of two folders."""
    endpoint = planned_canary(tmp_path, "live-recommendations.yaml", mode)
    assert endpoint["resources"]["updates"]["modelChange"] == (
        "canary steps 15% -> 100% (a changed artifact: primary on the old content folder, canary on the new; "
        "the old folder goes at the promotion, the new one at a rollback); adding or removing a model is an S3 copy "
        "or delete in the folder in service, no new fleet")


def test_plan_refuses_a_shadow_step_where_auto_picks_multi_model(tmp_path):
    doc = yaml.safe_load((CONSOLIDATION / "live-recommendations.yaml").read_text())
    doc["spec"]["mode"] = "Auto"
    doc["spec"]["rollout"] = {"shadow": {"pause": "1h"}, "steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]}
    (tmp_path / "shadow.yaml").write_text(yaml.safe_dump(doc))
    out, result = plan_json(tmp_path, "-f", str(tmp_path / "shadow.yaml"))
    assert result.returncode != 0 and out["endpoints"] == []
    assert [e["field"] for e in out["errors"]] == ["spec.rollout.shadow"], out["errors"]
    assert "shadow tests exclude multi-model endpoints" in out["errors"][0]["message"]


@pytest.mark.parametrize("bad", BAD_METADATA, ids=lambda c: c.id)
def test_metadata_the_api_server_refuses_is_refused(bad):
    doc = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": bad.name, "namespace": bad.namespace},
           "spec": REALTIME_SPEC}
    result = plan_document("m.yaml", None, doc, load_prices(None), None, "ml.m5.large")
    assert isinstance(result, list), "planned a name or namespace the API server refuses"
    assert bad.field in [p.field for p in result]
    assert all(p.message.startswith(f"{p.field}: Invalid value") for p in result)


@pytest.mark.parametrize("name, namespace", GOOD_METADATA)
def test_metadata_the_api_server_accepts_is_planned(name, namespace):
    doc = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name, "namespace": namespace},
           "spec": REALTIME_SPEC}
    assert not isinstance(plan_document("m.yaml", None, doc, load_prices(None), None, "ml.m5.large"), list)


def test_plan_says_which_strategy_each_kind_of_change_takes(tmp_path):
    rollout = {"shadow": {"samplingPercent": 20, "pause": "2h"}, "steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]}
    deployment = {"strategy": "Rolling", "batchPercent": 25, "waitSeconds": 60, "alarms": ["recs-5xx"]}
    docs = [{"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "live", "namespace": "default"},
             "spec": {**REALTIME_SPEC, "rollout": rollout, "deployment": deployment}},
            {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "tiny", "namespace": "default"},
             "spec": {**{k: v for k, v in REALTIME_SPEC.items() if k != "instances"}, "mode": "Serverless"}}]
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    out, result = plan_json(tmp_path, "-f", str(path))
    assert result.returncode == 0, result.stderr
    updates = {e["name"]: e["resources"]["updates"] for e in out["endpoints"]}
    assert updates["live"] == {
        "modelChange": "shadow step (20% of requests copied for 2h), then canary steps 15% -> 100%",
        "otherChange": "rolling deployment in batches of 25%, 60s baking each, rolled back on alarm recs-5xx"}
    assert updates["tiny"]["modelChange"] == updates["tiny"]["otherChange"]
    assert "no deployment guardrails for serverless endpoints" in updates["tiny"]["otherChange"]
    table = plan(tmp_path, "-f", str(path)).stdout
    assert "  updates   a model change: shadow step (20% of requests copied for 2h)" in table


def test_plan_says_what_a_suspension_deletes_keeps_and_saves(tmp_path):
    out, _ = plan_json(tmp_path, "-f", str(repo_root() / "examples" / "cost-controls"))
    [endpoint] = out["endpoints"]
    suspension = endpoint["costControls"]["suspension"]
    # Weekday nights (11 h x 4) and the weekend from Friday 20:00 to Monday 07:00 (59 h): 103 of 168 hours.
    assert suspension["suspendedPercentOfWeek"] == 61.3
    config = endpoint["resources"]["endpointConfig"]["name"]
    assert suspension["deletes"][0] == f"endpoint {endpoint['resources']['endpoint']}"
    assert any(d.startswith("scalable target endpoint/") for d in suspension["deletes"])
    assert f"endpoint config {config}" in suspension["keeps"]
    monthly = endpoint["cost"]["monthlyUSD"]
    assert suspension["monthlyUSD"] + suspension["savingMonthlyUSD"] == pytest.approx(monthly, abs=0.02)
    assert endpoint["costControls"]["idleAfter"] == "24h"
    table = plan(tmp_path, "-f", str(repo_root() / "examples" / "cost-controls")).stdout
    assert "suspend   suspended at '0 20 * * 1-5', resumed at '0 7 * * 1-5' (Europe/Berlin): 61.3 % of the week" in table


@pytest.mark.parametrize("mode", ["Async", "Auto"])
def test_plan_says_an_async_model_change_walks_the_canary_steps(tmp_path, mode):
    """Auto picks Async for this example: its model change takes spec.rollout's canary steps."""
    endpoint = planned_canary(tmp_path, "document-parsing.yaml", mode)
    assert endpoint["mode"] == "Async"
    assert endpoint["resources"]["updates"]["modelChange"] == "canary steps 15% -> 100%"


@pytest.mark.parametrize("rollout, field, says", [
    ({"shadow": {"pause": "1h"}, "steps": [{"weight": 100}]}, "spec.rollout.shadow",
     "shadow tests exclude asynchronous endpoints"),
    ({"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}],
      "analysis": {"metrics": [{"name": "Invocations", "statistic": "Sum", "max": 10}]}}, "spec.rollout.analysis.metrics",
     "[0].name Invocations: not published per variant by the Async endpoint"),
])
def test_plan_refuses_what_an_async_endpoint_cannot_do_when_auto_picks_it(tmp_path, rollout, field, says):
    """The schema refuses these for an explicit mode Async; the planner names the same field when Auto picks it."""
    doc = yaml.safe_load((CONSOLIDATION / "document-parsing.yaml").read_text())
    doc["spec"]["mode"] = "Auto"
    doc["spec"]["rollout"] = rollout
    (tmp_path / "canary.yaml").write_text(yaml.safe_dump(doc))
    out, result = plan_json(tmp_path, "-f", str(tmp_path / "canary.yaml"))
    assert result.returncode != 0
    [error] = out["errors"]
    assert error["field"] == field and says in error["message"], error
