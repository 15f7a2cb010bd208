"""Read-only gateways of `endpoint-operator assess`: what a running account holds.

Kept apart from the operator's own gateways (aws/*.py): assess runs with its own,
read-only IAM policy (docs/iam-policy-assess.json), checked against the operation
names these modules mention as the operator's policy is against aws/*.py.
"""

from .reader import read_inventory

__all__ = ["read_inventory"]
