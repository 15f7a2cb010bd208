"""What an incoming AWS call is: service, region, account, operation and parameters.

Read from the raw WSGI environ before moto sees the request, so the request log,
the fault rules and the SageMaker extensions all name calls the same way.
"""

from __future__ import annotations

import io
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from moto.core import DEFAULT_ACCOUNT_ID

# Signing names that differ from the boto3 client name users know.
_SERVICE_ALIASES = {"monitoring": "cloudwatch"}

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")

# S3 sub-resources that name an operation (GET ?tagging -> GetBucketTagging).
_S3_SUBRESOURCES = (
    "tagging", "policy", "versioning", "lifecycle", "cors", "acl", "location",
    "notification", "encryption", "uploads", "uploadId", "website", "logging", "delete",
)
_S3_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head", "POST": "Post"}
# Server-side encryption travels as headers; the log names them by their request member.
# S3's service model (CopyObjectRequest, PutObjectRequest, CreateMultipartUploadRequest):
# ServerSideEncryption is locationName "x-amz-server-side-encryption", SSEKMSKeyId is
# "x-amz-server-side-encryption-aws-kms-key-id".
_S3_HEADER_MEMBERS = {
    "HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION": "ServerSideEncryption",
    "HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION_AWS_KMS_KEY_ID": "SSEKMSKeyId",
}

READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "BatchGet")

# SageMaker Runtime's InvokeEndpoint: POST /endpoints/{EndpointName}/invocations (rest-json),
# signed as "sagemaker"; TargetModel, TargetVariant and InferenceComponentName travel as headers.
_INVOCATIONS = re.compile(r"^/endpoints/([^/]+)/invocations$")


@dataclass
class Call:
    service: str
    region: str
    account: str
    operation: str
    protocol: str  # json | query | rest-xml
    params: dict[str, Any] = field(default_factory=dict)
    access_key: str = ""  # who signed it: tells apart clients sharing one emulator

    @property
    def operation_class(self) -> str:
        """`read` or `write`: clients budget the two separately, and so can a rate fault."""
        return "read" if self.operation.startswith(READ_PREFIXES) else "write"


def parse_call(environ: dict[str, Any]) -> Call:
    """Describe the call in `environ`; the body stays readable for moto afterwards."""
    service, region, access_key = _signature(environ.get("HTTP_AUTHORIZATION", ""))
    account = _account(environ, access_key)
    call = _parse(environ, service, region, account)
    call.access_key = access_key
    return call


def _parse(environ: dict[str, Any], service: str, region: str, account: str) -> Call:
    headers_target = environ.get("HTTP_X_AMZ_TARGET", "")
    if headers_target:
        body = _read_body(environ)
        return Call(service, region, account, headers_target.rsplit(".", 1)[-1], "json", _json(body))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(_read_body(environ).decode("utf-8", "replace"), keep_blank_values=True))
        return Call(service, region, account, form.pop("Action", "Unknown"), "query", form)
    if service == "s3":
        operation, params = _s3_operation(environ)
        return Call(service, region, account, operation, "rest-xml", params)
    invocation = _INVOCATIONS.match(environ.get("PATH_INFO", "")) if service == "sagemaker" else None
    if invocation:
        params = {"EndpointName": unquote(invocation.group(1))}
        for name, header in (("TargetModel", "HTTP_X_AMZN_SAGEMAKER_TARGET_MODEL"),
                             ("TargetVariant", "HTTP_X_AMZN_SAGEMAKER_TARGET_VARIANT"),
                             ("InferenceComponentName", "HTTP_X_AMZN_SAGEMAKER_INFERENCE_COMPONENT")):
            if environ.get(header):
                params[name] = environ[header]
        return Call(service, region, account, "InvokeEndpoint", "rest-json", params)
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    return Call(service, region, account, query.pop("Action", environ.get("REQUEST_METHOD", "GET")), "query", query)


def _signature(authorization: str) -> tuple[str, str, str]:
    match = _CREDENTIAL.search(authorization)
    if not match:
        return "unknown", "us-east-1", ""
    access_key, region, signing_name = match.groups()
    return _SERVICE_ALIASES.get(signing_name, signing_name), region, access_key


def _account(environ: dict[str, Any], access_key: str) -> str:
    # The same order moto follows, so extensions touch the backend moto would.
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    if not access_key:
        return DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _json(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {"_unparsed": body[:200].decode("utf-8", "replace")}
    return parsed if isinstance(parsed, dict) else {"_body": parsed}


def _s3_multipart(method: str, subresource: str, environ: dict[str, Any]) -> str:
    """S3's multipart operations by their names in the service model's http traits:
    CreateMultipartUpload "POST /{Bucket}/{Key+}?uploads", UploadPart and UploadPartCopy
    "PUT /{Bucket}/{Key+}" with partNumber and uploadId (the copy with
    x-amz-copy-source), CompleteMultipartUpload "POST ...?uploadId",
    AbortMultipartUpload "DELETE ...?uploadId", ListParts "GET ...?uploadId"."""
    if subresource == "uploads":
        return "CreateMultipartUpload" if method == "POST" else "ListMultipartUploads"
    if method == "PUT":
        return "UploadPartCopy" if environ.get("HTTP_X_AMZ_COPY_SOURCE") else "UploadPart"
    return {"POST": "CompleteMultipartUpload", "DELETE": "AbortMultipartUpload"}.get(method, "ListParts")


def _s3_operation(environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/").lstrip("/")
    bucket, _, key = path.partition("/")
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    params: dict[str, Any] = {k: v for k, v in (("Bucket", bucket), ("Key", key)) if v}
    params.update(query)
    params.update({member: environ[header] for header, member in _S3_HEADER_MEMBERS.items() if header in environ})
    verb = _S3_VERBS.get(method, method.title())
    if not bucket:
        return ("ListBuckets" if method == "GET" else f"{verb}Service"), params
    subresource = next((s for s in _S3_SUBRESOURCES if s in query), None)
    if subresource == "delete" and method == "POST":
        return "DeleteObjects", params
    if key and subresource in ("uploads", "uploadId"):
        return _s3_multipart(method, subresource, environ), params
    if subresource:
        noun = "Object" if key else "Bucket"
        return f"{verb}{noun}{subresource[0].upper()}{subresource[1:]}", params
    if key:
        if method == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE"):
            return "CopyObject", params
        return f"{verb}Object", params
    if method == "GET":
        return ("ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"), params
    return {"PUT": "CreateBucket"}.get(method, f"{verb}Bucket"), params
