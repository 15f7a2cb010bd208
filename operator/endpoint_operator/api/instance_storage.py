"""Which hosting instance types carry local NVMe instance storage.

CreateEndpointConfig's KmsKeyId (botocore's service model, and the API reference):
"You can't request a KmsKeyId when using an instance type with local storage. [...] If
you specify a value for KmsKeyId when using any nitro-based instances with local
storage, the call to CreateEndpointConfig fails." ProductionVariant's VolumeSizeInGB:
"Currently only Amazon EBS gp2 storage volumes are supported", and an instance with
NVMe SSD volumes gets no EBS gp2 volume ("ML instance families with the NVMe-type
instance storage include ml.p4d, ml.g4dn, and ml.g5"). The families below are those of
api/instance_types.json whose EC2 instance type has instance store volumes (EC2's
"Instance store volumes" table); a family missing here still meets AWS's refusal, which
the operator reports as AwsRejected.
"""

from __future__ import annotations

import re

INSTANCE_STORAGE_FAMILIES = (
    "c5d", "c6gd", "m5d", "m6gd", "r5d", "r6gd", "r7gd",  # the "d" variants: NVMe SSD
    "g4dn", "g5", "g6", "g6e", "dl1",
    "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "p6-b300", "p6e-gb200",
    "trn1", "trn1n", "trn2",
)

_FAMILIES = "|".join(re.escape(f) for f in INSTANCE_STORAGE_FAMILIES)
INSTANCE_STORAGE = re.compile(rf"^ml\.({_FAMILIES})\.")
# The same for CEL (RE2): the families contain only letters, digits and '-'.
INSTANCE_STORAGE_CEL = "^ml[.](" + "|".join(INSTANCE_STORAGE_FAMILIES) + ")[.]"


def has_instance_storage(instance_type: str) -> bool:
    return INSTANCE_STORAGE.match(instance_type) is not None
