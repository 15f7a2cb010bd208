"""spec.network: where the model containers run and whether they may reach out.

CreateModel's VpcConfig ("Control access to and from your model container by
configuring the VPC") takes both lists or neither: VpcConfig requires SecurityGroupIds
(1-5) and Subnets (1-16), each an id of at most 32 characters. EnableNetworkIsolation:
"No inbound or outbound network calls can be made to or from the model container."
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .patterns import ascii_re
from .rules import Rule, SpecModel

# AWS's SubnetId and SecurityGroupId are [-0-9a-zA-Z]+ of up to 32 characters; EC2's
# ids are a prefix and hex digits ("in the form sg-xxxxxxxx").
SUBNET_ID = ascii_re(r"^subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP_ID = ascii_re(r"^sg-[0-9a-f]{8,17}$")
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5

SubnetId = Annotated[str, Field(pattern=SUBNET_ID, max_length=32)]
SecurityGroupId = Annotated[str, Field(pattern=SECURITY_GROUP_ID, max_length=32)]


class NetworkSpec(SpecModel):
    subnets: Annotated[list[SubnetId] | None, Field(min_length=1, max_length=MAX_SUBNETS, description="VPC subnets the model containers get network interfaces in (CreateModel's VpcConfig), 1 to 16, for example subnet-0a1b2c3d; needs securityGroupIds.")] = None
    security_group_ids: Annotated[list[SecurityGroupId] | None, Field(min_length=1, max_length=MAX_SECURITY_GROUPS, description="Security groups of those network interfaces, 1 to 5, for example sg-0a1b2c3d; needs subnets.")] = None
    isolation: Annotated[bool, Field(description="Network isolation (EnableNetworkIsolation): the containers make and take no network calls; SageMaker still downloads the model artifact. Defaults to false.")] = False

    rules = (
        Rule("subnets", "spec.network.subnets and spec.network.securityGroupIds go together: a VPC needs both",
             "has(self.subnets) == has(self.securityGroupIds)",
             lambda n: (n.subnets is None) == (n.security_group_ids is None)),
        Rule("subnets", "spec.network.subnets must not repeat a subnet",
             "!has(self.subnets) || self.subnets.all(s, self.subnets.exists_one(t, t == s))",
             lambda n: n.subnets is None or len(set(n.subnets)) == len(n.subnets)),
        Rule("securityGroupIds", "spec.network.securityGroupIds must not repeat a security group",
             "!has(self.securityGroupIds) || self.securityGroupIds.all(s, self.securityGroupIds.exists_one(t, t == s))",
             lambda n: n.security_group_ids is None or len(set(n.security_group_ids)) == len(n.security_group_ids)),
    )

    @property
    def in_vpc(self) -> bool:
        return self.subnets is not None
