"""s3://bucket/key URLs <-> S3Object."""

from __future__ import annotations

from ..api.resources import S3Object


def parse_s3_url(url: str) -> S3Object:
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url!r}")
    bucket, _, key = url[len("s3://"):].partition("/")
    return S3Object(bucket=bucket, key=key)


def s3_url(obj: S3Object) -> str:
    """The URL form the gateway records as a copied artifact's source metadata."""
    return f"s3://{obj.bucket}/{obj.key}"
