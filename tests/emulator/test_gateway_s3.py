"""S3Gateway against the emulator's S3 over HTTP: the artifacts of multi-model endpoints."""

from __future__ import annotations

import boto3
import pytest

from endpoint_operator.api.resources import S3Copy, S3Object
from endpoint_operator.aws import CallStats, ClientFactory, LimiterRegistry, NotFound, S3Gateway

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
SOURCE_BUCKET = "team-models"
MME_BUCKET = "serving-artifacts"
PREFIX = S3Object(bucket=MME_BUCKET, key="endpoint-operator/ml/recs")


@pytest.fixture
def clients(aws) -> ClientFactory:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return ClientFactory(session, endpoint_url=aws.url)


@pytest.fixture
def s3(clients):
    client = clients.client("s3", REGION)
    for bucket in (SOURCE_BUCKET, MME_BUCKET):
        client.create_bucket(Bucket=bucket)
    return client


@pytest.fixture
def gateway(clients, s3) -> S3Gateway:
    roomy = LimiterRegistry(reads_per_second=1000.0, mutations_per_second=1000.0, burst=1000)
    return S3Gateway(clients, roomy, REGION, stats=CallStats())


def source(key: str) -> S3Object:
    return S3Object(bucket=SOURCE_BUCKET, key=key)


def under_prefix(name: str) -> S3Object:
    return S3Object(bucket=MME_BUCKET, key=f"{PREFIX.key}/{name}")


def test_a_copy_records_its_source_and_the_listing_returns_it(gateway, s3):
    s3.put_object(Bucket=SOURCE_BUCKET, Key="recsys/v7/model.tar.gz", Body=b"weights v7")
    s3.put_object(Bucket=SOURCE_BUCKET, Key="ranker/v2/model.tar.gz", Body=b"weights r2")

    gateway.copy_artifact(S3Copy(source=source("recsys/v7/model.tar.gz"), target=under_prefix("recsys.tar.gz")))
    gateway.copy_artifact(S3Copy(source=source("ranker/v2/model.tar.gz"), target=under_prefix("ranker.tar.gz")))

    assert gateway.list_artifacts(PREFIX) == {
        "recsys.tar.gz": "s3://team-models/recsys/v7/model.tar.gz",
        "ranker.tar.gz": "s3://team-models/ranker/v2/model.tar.gz",
    }
    copied = s3.get_object(Bucket=MME_BUCKET, Key=f"{PREFIX.key}/recsys.tar.gz")
    assert copied["Body"].read() == b"weights v7"
    assert copied["Metadata"] == {"endpoint-operator-source": "s3://team-models/recsys/v7/model.tar.gz"}


def test_a_removal_marker_is_empty_and_lists_with_the_source_it_records(gateway, s3):
    marker = under_prefix("v-1a2b.removed/recsys.tar.gz")
    gateway.mark_removed(marker, "s3://team-models/recsys/v7/model.tar.gz")

    assert gateway.list_artifacts(PREFIX) == {"v-1a2b.removed/recsys.tar.gz": "s3://team-models/recsys/v7/model.tar.gz"}
    assert s3.get_object(Bucket=MME_BUCKET, Key=marker.key)["Body"].read() == b""


def test_objects_not_copied_by_the_operator_list_with_no_source(gateway, s3):
    s3.put_object(Bucket=MME_BUCKET, Key=f"{PREFIX.key}/hand-made.tar.gz", Body=b"x")
    s3.put_object(Bucket=MME_BUCKET, Key=f"{PREFIX.key}sibling/other.tar.gz", Body=b"x")  # not under the folder

    assert gateway.list_artifacts(PREFIX) == {"hand-made.tar.gz": ""}


def test_a_recopy_from_a_new_source_replaces_the_recorded_source(gateway, s3):
    s3.put_object(Bucket=SOURCE_BUCKET, Key="recsys/v7/model.tar.gz", Body=b"v7")
    s3.put_object(Bucket=SOURCE_BUCKET, Key="recsys/v8/model.tar.gz", Body=b"v8")
    target = under_prefix("recsys.tar.gz")

    gateway.copy_artifact(S3Copy(source=source("recsys/v7/model.tar.gz"), target=target))
    gateway.copy_artifact(S3Copy(source=source("recsys/v8/model.tar.gz"), target=target))

    assert gateway.list_artifacts(PREFIX) == {"recsys.tar.gz": "s3://team-models/recsys/v8/model.tar.gz"}


def test_head_and_delete(gateway, s3):
    s3.put_object(Bucket=MME_BUCKET, Key=f"{PREFIX.key}/a.tar.gz", Body=b"12345")
    obj = under_prefix("a.tar.gz")

    found = gateway.head(obj)
    assert found is not None and found["ContentLength"] == 5
    assert "ResponseMetadata" not in found

    gateway.delete_artifact(obj)
    assert gateway.head(obj) is None
    gateway.delete_artifact(obj)  # S3 deletes are idempotent
    assert gateway.list_artifacts(PREFIX) == {}


def test_copying_a_missing_source_is_not_found(gateway):
    with pytest.raises(NotFound):
        gateway.copy_artifact(S3Copy(source=source("nothing/model.tar.gz"), target=under_prefix("x.tar.gz")))
    assert gateway.stats.total(operation="CopyObject") == 0


def test_listing_a_missing_bucket_is_not_found(gateway):
    with pytest.raises(NotFound) as caught:
        gateway.list_artifacts(S3Object(bucket="no-such-bucket-here", key="models/"))
    assert caught.value.code == "NoSuchBucket"


def test_a_large_source_is_copied_in_parts_with_its_source_recorded(clients, s3):
    # S3 needs parts of 5 MiB but the last; a low threshold takes the multipart path
    # here for a 6 MiB object instead of a 5 GiB one.
    part = 5 * 1024 * 1024
    body = bytes(range(256)) * (6 * 1024 * 1024 // 256)
    s3.put_object(Bucket=SOURCE_BUCKET, Key="llm/model.tar.gz", Body=body)
    roomy = LimiterRegistry(reads_per_second=1000.0, mutations_per_second=1000.0, burst=1000)
    gateway = S3Gateway(clients, roomy, REGION, multipart_threshold=part, part_size=part)

    gateway.copy_artifact(S3Copy(source=source("llm/model.tar.gz"), target=under_prefix("llm.tar.gz")))

    copied = s3.get_object(Bucket=MME_BUCKET, Key=f"{PREFIX.key}/llm.tar.gz")
    assert copied["Body"].read() == body
    assert copied["Metadata"] == {"endpoint-operator-source": "s3://team-models/llm/model.tar.gz"}
    assert gateway.stats.total(operation="UploadPartCopy", outcome="ok") == 2
    assert gateway.stats.total(operation="CopyObject") == 0
    assert s3.list_multipart_uploads(Bucket=MME_BUCKET).get("Uploads", []) == []
