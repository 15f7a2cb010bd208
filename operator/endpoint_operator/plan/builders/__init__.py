"""One module per inference mode (Auto resolves to one of them first), each ending
with its profile (profile.py); PROFILES is the one place they are registered."""

from __future__ import annotations

from ...api.spec import Mode
from . import asynchronous, components, multimodel, realtime, serverless
from .common import BuildContext, Parts
from .profile import EndpointKind, ModeProfile

PROFILES: dict[Mode, ModeProfile] = {
    p.mode: p for p in (realtime.PROFILE, multimodel.PROFILE, serverless.PROFILE, asynchronous.PROFILE,
                        components.PROFILE)
}


def profile_of(mode: Mode | str) -> ModeProfile:
    """The profile of a resolved mode (never Auto)."""
    return PROFILES[Mode(mode)]


__all__ = ["PROFILES", "BuildContext", "EndpointKind", "ModeProfile", "Parts", "profile_of"]
