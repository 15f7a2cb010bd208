"""spec.dataCapture: what SageMaker records of requests and responses for Model Monitor.

CreateEndpointConfig's DataCaptureConfig requires InitialSamplingPercentage (0-100),
DestinationS3Uri (at most 512 characters) and CaptureOptions (Input, Output); content
types are CaptureContentTypeHeader's CsvContentTypes and JsonContentTypes (1-10 each,
type/subtype of 1-256 characters); KmsKeyId "uses to encrypt the captured data at rest
using Amazon S3 server-side encryption".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .encryption import KmsKey
from .patterns import ascii_re
from .rules import Rule, SpecModel

# AWS's CsvContentType and JsonContentType.
CONTENT_TYPE = ascii_re(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*/[a-zA-Z0-9](-*[a-zA-Z0-9.])*$")
_BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
# A key character, as spec.py's: Java's `.` in AWS's pattern stops at line terminators.
_KEY_CHAR = "[^\\x00-\\x1F\\x7F-\\x9F\u2028\u2029]"
CAPTURE_DESTINATION = ascii_re(rf"^s3://{_BUCKET}(/{_KEY_CHAR}*)?$")
CAPTURE_DESTINATION_LEN = 512  # DestinationS3Uri

ContentType = Annotated[str, Field(min_length=1, max_length=256, pattern=CONTENT_TYPE)]
ContentTypes = Annotated[list[ContentType], Field(min_length=1, max_length=10)]


class DataCaptureSpec(SpecModel):
    enabled: Annotated[bool, Field(description="Whether SageMaker captures (EnableCapture); false keeps the settings and stops capturing. Defaults to true.")] = True
    sampling_percentage: Annotated[int, Field(ge=0, le=100, description="Percent of requests captured, 0 to 100 (InitialSamplingPercentage); lower for high traffic.")]
    destination: Annotated[str, Field(pattern=CAPTURE_DESTINATION, max_length=CAPTURE_DESTINATION_LEN, description="S3 URI the captured data is written under (DestinationS3Uri).")]
    capture_request: Annotated[bool, Field(description="Capture what callers send (CaptureMode Input). Defaults to true.")] = True
    capture_response: Annotated[bool, Field(description="Capture what the model answers (CaptureMode Output). Defaults to true.")] = True
    csv_content_types: Annotated[ContentTypes | None, Field(description="Content types captured as CSV text, for example text/csv; other types are base64-encoded.")] = None
    json_content_types: Annotated[ContentTypes | None, Field(description="Content types captured as JSON text, for example application/json.")] = None
    kms_key_id: Annotated[KmsKey | None, Field(description="KMS key (id, alias or ARN) the captured data is encrypted with in S3.")] = None

    rules = (
        Rule("", "spec.dataCapture must capture the request, the response or both",
             "(!has(self.captureRequest) || self.captureRequest) || (!has(self.captureResponse) || self.captureResponse)",
             lambda d: d.capture_request or d.capture_response),
    )

    def capture_modes(self) -> tuple[str, ...]:
        return (("Input",) if self.capture_request else ()) + (("Output",) if self.capture_response else ())
