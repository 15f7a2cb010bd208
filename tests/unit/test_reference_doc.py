"""docs/reference.md is generated from the models and committed without drift."""

from __future__ import annotations

from pathlib import Path

from endpoint_operator.api.crd import build_crd
from endpoint_operator.api.reference import REFERENCE_FILE, render_reference

REPO = Path(__file__).resolve().parents[2]


def test_committed_reference_matches_the_models():
    assert (REPO / REFERENCE_FILE).read_text() == render_reference(), (
        f"{REFERENCE_FILE} is out of date with the models; regenerate every generated file:\n"
        f"  python -m endpoint_operator.api.crd --write")


def test_every_spec_field_and_rule_is_in_the_reference():
    text = render_reference()
    spec = build_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    for name in spec["properties"]:
        assert f"| `spec.{name}` |" in text
    for rule in spec.get("x-kubernetes-validations", []):
        assert rule["message"] in text
