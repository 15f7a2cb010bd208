"""Rules that hold spec.network, spec.encryption, spec.dataCapture and
spec.provisioning against the mode and the instance type.

Serverless endpoints run on no instance of the user's: the developer guide's feature
exclusions for Serverless Inference list "VPC configuration, network isolation, data
capture", and the instance settings (volume, its key, timeouts, AMI) have no instance
to apply to. Instance types with local NVMe storage take neither a volume KMS key nor
a volume size (see instance_storage.py).
"""

from __future__ import annotations

from .instance_storage import INSTANCE_STORAGE_CEL, has_instance_storage
from .rules import Rule

_SERVERLESS = "(has(self.mode) && self.mode == 'Serverless')"
_MULTI_MODEL_OR_AUTO = "(!has(self.mode) || self.mode in ['Auto', 'MultiModel'])"
_LOCAL_STORAGE = f"(has(self.instances) && self.instances.type.matches('{INSTANCE_STORAGE_CEL}'))"


def _serverless(spec) -> bool:
    return spec.mode == "Serverless"


def _local_storage(spec) -> bool:
    return spec.instances is not None and has_instance_storage(spec.instances.type)


def _volume_key(spec) -> bool:
    return spec.encryption is not None and spec.encryption.volume_kms_key_id is not None


def _volume_size(spec) -> bool:
    return spec.provisioning is not None and spec.provisioning.volume_size_gb is not None


def _not_serverless(field: str, attribute: str, what: str) -> Rule:
    return Rule(field, f"spec.{field} is not allowed when spec.mode is Serverless: {what}",
                f"!{_SERVERLESS} || !has(self.{field})",
                lambda s: not _serverless(s) or getattr(s, attribute) is None)


_VOLUME_KEY_CEL = "has(self.encryption) && has(self.encryption.volumeKmsKeyId)"
_VOLUME_SIZE_CEL = "has(self.provisioning) && has(self.provisioning.volumeSizeGB)"

ENDPOINT_RULES = (
    _not_serverless("network", "network", "serverless endpoints take no VPC configuration or network isolation"),
    _not_serverless("dataCapture", "data_capture", "serverless endpoints do not capture data"),
    _not_serverless("provisioning", "provisioning", "a serverless endpoint has no instances to provision"),
    Rule("encryption.volumeKmsKeyId",
         "spec.encryption.volumeKmsKeyId is not allowed when spec.mode is Serverless: a serverless endpoint has no storage volume",
         f"!{_SERVERLESS} || !({_VOLUME_KEY_CEL})",
         lambda s: not _serverless(s) or not _volume_key(s)),
    Rule("encryption.volumeKmsKeyId",
         "spec.encryption.volumeKmsKeyId is not allowed on an instance type with local NVMe storage "
         "(spec.instances.type): AWS encrypts its instance store in hardware and refuses a KMS key for it",
         f"!({_VOLUME_KEY_CEL}) || !{_LOCAL_STORAGE}",
         lambda s: not _volume_key(s) or not _local_storage(s)),
    Rule("provisioning.volumeSizeGB",
         "spec.provisioning.volumeSizeGB is not allowed on an instance type with local NVMe storage "
         "(spec.instances.type): its storage is the instance store, of a fixed size",
         f"!({_VOLUME_SIZE_CEL}) || !{_LOCAL_STORAGE}",
         lambda s: not _volume_size(s) or not _local_storage(s)),
    Rule("encryption.artifactKmsKeyId",
         "spec.encryption.artifactKmsKeyId is allowed only when spec.mode is MultiModel or Auto: "
         "only a multi-model endpoint's artifacts are copied by the operator",
         f"!has(self.encryption) || !has(self.encryption.artifactKmsKeyId) || {_MULTI_MODEL_OR_AUTO}",
         lambda s: s.encryption is None or s.encryption.artifact_kms_key_id is None
         or s.mode in ("Auto", "MultiModel")),
)
