"""AWS-shaped HTTP responses, in the wire protocol of the service that was called.

botocore parses an error by protocol: JSON services read `__type`, query services
an `<ErrorResponse>` document, S3 a bare `<Error>`. An injected fault must look
exactly like the real one, so each is built here per protocol.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape

Headers = list[tuple[str, str]]


@dataclass
class HttpResponse:
    status: int
    headers: Headers
    body: bytes

    @property
    def status_line(self) -> str:
        return f"{self.status} {_REASONS.get(self.status, 'Error')}"


class ApiError(Exception):
    """An error the emulator answers with, as AWS would (code, message, HTTP status)."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation_error(message: str) -> ApiError:
    return ApiError("ValidationException", message)


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


def json_response(payload: dict[str, Any]) -> HttpResponse:
    body = json.dumps(payload, default=_epoch).encode()
    return HttpResponse(200, _json_headers(len(body)), body)


def error_response(error: ApiError, protocol: str) -> HttpResponse:
    # botocore's parsers.py reads these shapes: `__type` (JSON), <ErrorResponse><Error><Code> (query), <Error> (S3).
    request_id = str(uuid.uuid4())
    if protocol == "json":
        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        headers = _json_headers(len(body), request_id) + [("x-amzn-ErrorType", error.code)]
        return HttpResponse(error.status, headers, body)
    fields = f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
    if protocol == "rest-xml":
        text = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{fields}<RequestId>{request_id}</RequestId></Error>'
    else:
        kind = "Receiver" if error.status >= 500 else "Sender"
        text = (
            f"<ErrorResponse><Error><Type>{kind}</Type>{fields}</Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    body = text.encode()
    headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body))), ("x-amz-request-id", request_id)]
    return HttpResponse(error.status, headers, body)


def _json_headers(length: int, request_id: str | None = None) -> Headers:
    return [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Content-Length", str(length)),
        ("x-amzn-RequestId", request_id or str(uuid.uuid4())),
    ]


def _epoch(value: Any) -> Any:
    # AWS JSON protocols send timestamps as epoch seconds (botocore serialize.py, JSON: TIMESTAMP_FORMAT unixtimestamp).
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return round(moment.timestamp(), 3)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
