"""spec.encryption: KMS keys for what the endpoint writes at rest.

`volumeKmsKeyId` is CreateEndpointConfig's KmsKeyId: "a Amazon Web Services Key
Management Service key that SageMaker uses to encrypt data on the storage volume
attached to the ML compute instance that hosts the endpoint"; AWS refuses it on
instance types with local storage (see instance_storage.py). `artifactKmsKeyId`
encrypts the copies the operator makes for a multi-model endpoint (CopyObject with
ServerSideEncryption aws:kms and SSEKMSKeyId), so a bucket that demands SSE-KMS keeps
every object encrypted with its key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .patterns import ascii_re
from .rules import SpecModel

# SageMaker's KmsKeyId: [a-zA-Z0-9:/_-]*, at most 2048; a key id, key ARN, alias name
# or alias ARN.
KMS_KEY = ascii_re(r"^[a-zA-Z0-9:/_\-]+$")
KMS_KEY_LEN = 2048
KmsKey = Annotated[str, Field(pattern=KMS_KEY, max_length=KMS_KEY_LEN)]


class EncryptionSpec(SpecModel):
    volume_kms_key_id: Annotated[KmsKey | None, Field(description="KMS key (id, alias or ARN) that encrypts the storage volume of each instance (CreateEndpointConfig's KmsKeyId). Not on instance types with local NVMe storage (ml.g4dn, ml.g5, ml.p4d, the d types, ...): their instance store is encrypted by the hardware and AWS refuses a key. Not for Serverless.")] = None
    artifact_kms_key_id: Annotated[KmsKey | None, Field(description="MultiModel (and Auto, when it picks MultiModel; no other mode copies artifacts): KMS key (id, alias or ARN) the operator's copies of the model artifacts are encrypted with (S3 SSE-KMS). A change copies the artifacts into a new folder, served by a new model and config.")] = None
