"""The Dockerfile cannot be built here; these checks keep it honest: two stages, the
README's install step without extras, a non-root user, the operator as entrypoint."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def test_two_stages_on_a_slim_base():
    bases = [arg.split()[0] for op, arg in instructions() if op == "FROM"]
    assert len(bases) == 2 and all(b.endswith("-slim") for b in bases)


def test_installs_as_the_readme_does_and_only_runtime_dependencies():
    runs = " ".join(arg for op, arg in instructions() if op == "RUN")
    assert re.search(r"pip install \.(\s|$)", runs)
    assert "[" not in runs.split("pip install", 1)[1].split("&&")[0]  # no extras
    assert "pip install ." in (REPO / "README.md").read_text()
    assert not any(op == "RUN" and "pip install" in arg for op, arg in final_stage())


def test_runs_the_operator_as_a_non_root_user():
    final = final_stage()
    [(_, user)] = [step for step in final if step[0] == "USER"]
    assert user.split(":")[0] not in ("0", "root") and user.split(":")[0].isdigit()
    [(_, entrypoint)] = [step for step in final if step[0] == "ENTRYPOINT"]
    assert json.loads(entrypoint) == ["endpoint-operator", "run"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert "endpoint-operator" in scripts


def test_the_chart_runs_the_image_as_that_user():
    deployment = (REPO / "charts" / "sagemaker-endpoint-operator" / "templates" / "deployment.yaml").read_text()
    final = final_stage()
    [(_, user)] = [step for step in final if step[0] == "USER"]
    assert f"runAsUser: {user.split(':')[0]}" in deployment
