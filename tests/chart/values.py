"""Values sets the chart is tested with: each is linted, rendered, checked, dry-run
applied to the API server and installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

VALUE_SETS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "namespaces": {
        "watchNamespaces": ["team-a", "team-b"],
        "serviceAccount": {"roleArn": "arn:aws:iam::111122223333:role/sagemaker-endpoint-operator"},
        "accounts": {"namespaces": {"team-b": {"roleArn": "arn:aws:iam::222233334444:role/endpoint-operator-target",
                                               "allowedAccounts": ["333344445555"]}}},
    },
    "metrics": {
        "metrics": {"service": {"enabled": True},
                    "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}}},
        "operator": {"verbose": True, "extraArgs": ["--workers=4"], "prometheusUrl": "http://prometheus-server.monitoring:80"},
    },
    "single": {
        "replicaCount": 1,
        "leaderElection": {"enabled": False},
        "serviceAccount": {"create": False, "name": "existing-operator"},
        "aws": {"region": "eu-west-1"},
        "image": {"repository": "registry.example.com/seo", "tag": "1.2.3"},
    },
}


def values_file(directory: Path, name: str, extra: dict[str, Any] | None = None) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**VALUE_SETS[name], **(extra or {})}))
    return path
