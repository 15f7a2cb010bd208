"""S3 for multi-model endpoints: the models live as copies under one prefix.

Each copy records where it came from in its metadata, so a later reconcile can tell a
changed modelDataUrl from an unchanged one without comparing bytes.
"""

from __future__ import annotations

import logging
from typing import Any

from ..api.resources import S3Copy, S3Object, artifact_origin
from .calls import ServiceGateway
from .errors import NotFound

log = logging.getLogger(__name__)

SOURCE_METADATA = "endpoint-operator-source"  # on the wire: x-amz-meta-endpoint-operator-source
KMS_METADATA = "endpoint-operator-kms-key"  # the KMS key the operator asked S3 to encrypt the copy with
COPY_OBJECT_LIMIT = 5 * 1024**3  # CopyObject refuses larger sources
PART_SIZE = 1024**3


def url_of(obj: S3Object) -> str:
    return f"s3://{obj.bucket}/{obj.key}"


def encryption(kms_key_id: str | None) -> dict[str, str]:
    """SSE-KMS request parameters (CopyObject, CreateMultipartUpload, PutObject). S3's
    CopyObject: "if you don't specify encryption information in your copy request, the
    encryption setting of the target object is set to the default encryption
    configuration of the destination bucket"; SSEKMSKeyId "Specifies the KMS key ID
    (Key ID, Key ARN, or Key Alias) to use for object encryption"."""
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}


def folder(key: str) -> str:
    """`key` as a folder prefix, so 'models/a' does not also match 'models/ab/...'."""
    return key if not key or key.endswith("/") else key + "/"


class S3Gateway(ServiceGateway):
    service = "s3"

    def __init__(self, *args: Any, multipart_threshold: int = COPY_OBJECT_LIMIT,
                 part_size: int = PART_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._multipart_threshold = multipart_threshold
        self._part_size = part_size

    def list_artifacts(self, prefix: S3Object) -> dict[str, str]:
        """Objects under the prefix (a folder), by key relative to it, with the origin each
        was copied from: its source URL and KMS key (api/resources.artifact_origin; "" when
        not copied by the operator). One HEAD per object."""
        base = folder(prefix.key)
        keys = [
            row["Key"]
            for page in self._pages(
                "ListObjectsV2", "read",
                token_in="ContinuationToken", token_out="NextContinuationToken",
                Bucket=prefix.bucket, Prefix=base,
            )
            for row in page.get("Contents", [])
            if row["Key"] != base
        ]
        artifacts: dict[str, str] = {}
        for key in keys:
            found = self.head(S3Object(bucket=prefix.bucket, key=key))
            if found is not None:  # else deleted since the listing
                metadata = found.get("Metadata", {})
                artifacts[key[len(base):]] = artifact_origin(metadata.get(SOURCE_METADATA, ""), metadata.get(KMS_METADATA))
        return artifacts

    def copy_artifact(self, copy: S3Copy) -> None:
        """Server-side copy that records the source URL in the target's metadata.

        Sources over 5 GiB go part by part; the whole copy counts as one mutation
        against the limiter, since stopping half-way would waste the parts done."""
        source = self.head(copy.source)
        if source is None:
            raise NotFound("HeadObject", "404", f"{url_of(copy.source)} does not exist")
        metadata = {SOURCE_METADATA: url_of(copy.source)}
        if copy.kms_key_id:
            metadata[KMS_METADATA] = copy.kms_key_id
        if source["ContentLength"] <= self._multipart_threshold:
            self._call(
                "CopyObject", "mutation",
                Bucket=copy.target.bucket, Key=copy.target.key,
                CopySource={"Bucket": copy.source.bucket, "Key": copy.source.key},
                MetadataDirective="REPLACE", Metadata=metadata, **encryption(copy.kms_key_id),
            )
        else:
            self._copy_in_parts(copy, source["ContentLength"], metadata)

    def mark_removed(self, obj: S3Object, source: str, kms_key_id: str | None = None) -> None:
        """An empty object that records `source` in the same metadata as a copy
        (encrypted as the copies are, for a bucket that demands it)."""
        self._call("PutObject", "mutation", Bucket=obj.bucket, Key=obj.key, Body=b"",
                   Metadata={SOURCE_METADATA: source}, **encryption(kms_key_id))

    def delete_artifact(self, obj: S3Object) -> None:
        """Deletes the object; a missing one is no error (S3 does not say)."""
        self._call("DeleteObject", "mutation", Bucket=obj.bucket, Key=obj.key)

    def head(self, obj: S3Object) -> dict[str, Any] | None:
        """HeadObject's answer (ContentLength, ETag, Metadata, ...) or None if absent."""
        try:
            response = self._call("HeadObject", "read", Bucket=obj.bucket, Key=obj.key)
        except NotFound:
            return None
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}

    def _copy_in_parts(self, copy: S3Copy, size: int, metadata: dict[str, str]) -> None:
        target = {"Bucket": copy.target.bucket, "Key": copy.target.key}
        upload_id = self._call("CreateMultipartUpload", "mutation", **target, Metadata=metadata,
                               **encryption(copy.kms_key_id))["UploadId"]
        try:
            parts = []
            for number, start in enumerate(range(0, size, self._part_size), start=1):
                end = min(start + self._part_size, size) - 1
                part = self._call(
                    "UploadPartCopy", "mutation", budgeted=False, **target,
                    UploadId=upload_id, PartNumber=number,
                    CopySource={"Bucket": copy.source.bucket, "Key": copy.source.key},
                    CopySourceRange=f"bytes={start}-{end}",
                )
                parts.append({"PartNumber": number, "ETag": part["CopyPartResult"]["ETag"]})
            self._call(
                "CompleteMultipartUpload", "mutation", budgeted=False, **target,
                UploadId=upload_id, MultipartUpload={"Parts": parts},
            )
        except BaseException:
            # Leave no invisible, billed parts behind; the original error is the one to see.
            try:
                self._call("AbortMultipartUpload", "mutation", budgeted=False, **target, UploadId=upload_id)
            except Exception as abort_error:  # the first error is the one to raise
                log.warning("could not abort the multipart copy to %s: %s", url_of(copy.target), abort_error)
            raise
