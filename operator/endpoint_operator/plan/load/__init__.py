"""The load model: request-rate profiles, routing by variant weight, and fleets of
instances that serve them second by second, with the latency, errors, backlog,
cold starts and model loads that follow. Pure code, shared by the offline
`simulate-scaling` (plan/simulator.py) and the emulator's traffic engine
(sandbox/emulator/traffic.py), so what the simulator claims is what the sandbox
serves. The model and its limits: docs/load-model.md.
"""

from .asynchronous import AsyncQueue, AsyncSecond
from .fleet import RealTimeFleet, RealTimeSecond, VariantLoad
from .latency import Latency, Sketch
from .multimodel import ModelCaches, ModelCalls
from .profiles import Constant, Profile, Step, Trace, parse_trace, profile_from_dict
from .routing import split_by_weight
from .serverless import ServerlessFleet, ServerlessSecond

__all__ = [
    "AsyncQueue", "AsyncSecond", "Constant", "Latency", "ModelCaches", "ModelCalls", "Profile",
    "RealTimeFleet", "RealTimeSecond", "ServerlessFleet", "ServerlessSecond", "Sketch", "Step", "Trace",
    "VariantLoad", "parse_trace", "profile_from_dict", "split_by_weight",
]
