"""What one ML instance offers inference components: memory, vCPUs and accelerators.

The numbers are the instance types' published specifications (Amazon SageMaker AI
pricing, "Instance details"; the EC2 instance type pages of the same families). A
type missing here is treated as large enough for anything: the capacity check then
never refuses, rather than refusing what AWS would take.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capacity:
    memory_mb: int
    cpus: float
    accelerators: int = 0

    def holds(self, memory_mb: int, cpus: float, accelerators: float) -> bool:
        return memory_mb <= self.memory_mb and cpus <= self.cpus and accelerators <= self.accelerators


GIB = 1024

_GENERAL = {  # family: (vCPUs, GiB) per size, accelerators none
    "m5": {"large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32), "4xlarge": (16, 64), "12xlarge": (48, 192), "24xlarge": (96, 384)},
    "m6i": {"large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32), "4xlarge": (16, 64), "8xlarge": (32, 128)},
    "c5": {"large": (2, 4), "xlarge": (4, 8), "2xlarge": (8, 16), "4xlarge": (16, 32), "9xlarge": (36, 72), "18xlarge": (72, 144)},
    "c6i": {"large": (2, 4), "xlarge": (4, 8), "2xlarge": (8, 16), "4xlarge": (16, 32), "8xlarge": (32, 64)},
    "r5": {"large": (2, 16), "xlarge": (4, 32), "2xlarge": (8, 64), "4xlarge": (16, 128)},
}
_ACCELERATED = {  # type: (vCPUs, GiB, GPUs or Inferentia chips)
    "ml.g4dn.xlarge": (4, 16, 1), "ml.g4dn.2xlarge": (8, 32, 1), "ml.g4dn.4xlarge": (16, 64, 1),
    "ml.g4dn.8xlarge": (32, 128, 1), "ml.g4dn.12xlarge": (48, 192, 4), "ml.g4dn.16xlarge": (64, 256, 1),
    "ml.g5.xlarge": (4, 16, 1), "ml.g5.2xlarge": (8, 32, 1), "ml.g5.4xlarge": (16, 64, 1),
    "ml.g5.8xlarge": (32, 128, 1), "ml.g5.12xlarge": (48, 192, 4), "ml.g5.16xlarge": (64, 256, 1),
    "ml.g5.24xlarge": (96, 384, 4), "ml.g5.48xlarge": (192, 768, 8),
    "ml.g6.xlarge": (4, 16, 1), "ml.g6.2xlarge": (8, 32, 1), "ml.g6.12xlarge": (48, 192, 4), "ml.g6.48xlarge": (192, 768, 8),
    "ml.p4d.24xlarge": (96, 1152, 8), "ml.p5.48xlarge": (192, 2048, 8),
    "ml.inf2.xlarge": (4, 16, 1), "ml.inf2.8xlarge": (32, 128, 1), "ml.inf2.24xlarge": (96, 384, 6), "ml.inf2.48xlarge": (192, 768, 12),
}


def capacity_of(instance_type: str) -> Capacity | None:
    """None: the type is not in the table (see the module's note)."""
    if instance_type in _ACCELERATED:
        cpus, gib, accelerators = _ACCELERATED[instance_type]
        return Capacity(memory_mb=gib * GIB, cpus=cpus, accelerators=accelerators)
    _, family, size = (instance_type.split(".") + ["", ""])[:3]
    sizes = _GENERAL.get(family, {})
    if size in sizes:
        cpus, gib = sizes[size]
        return Capacity(memory_mb=gib * GIB, cpus=cpus)
    return None
