"""The SageMaker hosting instance types: exactly what AWS's service model lists.

instance_types.json is generated from botocore's `ProductionVariantInstanceType` enum
by scripts/gen-instance-types (api/ may not import botocore); a test fails when it
drifts from the installed botocore. The CRD carries the list as an enum, so a type no
one sells is refused at `kubectl apply`.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_FILE = Path(__file__).with_name("instance_types.json")

INSTANCE_TYPES: tuple[str, ...] = tuple(json.loads(DATA_FILE.read_text())["instanceTypes"])
