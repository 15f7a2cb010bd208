"""Which instance types and model servers SageMaker hosts a multi-model endpoint on.

From the developer guide, "Supported algorithms, frameworks, and instances for
multi-model endpoints": "Multi-model endpoints support all of the CPU instance types";
"Hosting multiple GPU backed models on multi-model endpoints is supported through the
SageMaker AI Triton Inference server", on the GPU instance types of its table. The
spec rules (CEL at the API server), mode Auto and the emulator all read this module.
"""

from __future__ import annotations

import re
from enum import Enum


class MultiModelServer(str, Enum):
    """The model server in a multi-model endpoint's image."""

    DEFAULT = "Default"  # the framework container's own (CPU instance types only)
    TRITON = "Triton"  # the SageMaker Triton Inference Server container


# Instance families with accelerators (GPU, Inferentia, Trainium).
ACCELERATED_FAMILY = re.compile(r"^ml\.(p\d|g\d|inf\d|trn\d)")
ACCELERATED_FAMILY_CEL = "^ml[.](p[0-9]|g[0-9]|inf[0-9]|trn[0-9])"

# The guide's table of GPU instance types for multi-model endpoints.
GPU_MULTI_MODEL_TYPES = (
    "ml.p2.xlarge",
    "ml.p3.2xlarge",
    "ml.g5.xlarge", "ml.g5.2xlarge", "ml.g5.4xlarge", "ml.g5.8xlarge", "ml.g5.16xlarge",
    "ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.g4dn.4xlarge", "ml.g4dn.8xlarge",
)

# The repository name of AWS's Triton containers ("NVIDIA Triton Inference Containers
# (SM support only)"): a hint when spec.multiModel.server is not set.
TRITON_IMAGE_HINT = "sagemaker-tritonserver"


def accelerated(instance_type: str) -> bool:
    return ACCELERATED_FAMILY.match(instance_type) is not None


def looks_like_triton(image: str | None) -> bool:
    return image is not None and TRITON_IMAGE_HINT in image


def server_hint(raw_spec: dict) -> str:
    """A hint for a refused GPU multi-model spec whose image looks like Triton's."""
    images = [raw_spec.get("image")] + [m.get("image") for m in raw_spec.get("models") or [] if isinstance(m, dict)]
    triton = next((i for i in images if isinstance(i, str) and looks_like_triton(i)), None)
    if triton is None:
        return ""
    return f" (the image {triton} looks like AWS's Triton container: set spec.multiModel.server: Triton)"
