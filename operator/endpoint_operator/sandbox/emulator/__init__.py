"""The SageMaker emulator: moto in server mode plus what moto lacks.

Start it with `Emulator` (a child process) or `python -m endpoint_operator.sandbox.emulator`;
steer it with `EmulatorClient`; reach it with boto3 through `AwsClients`.
"""

from .boto import AwsClients, emulator_client
from .client import EmulatorClient, EmulatorControlError
from .process import Emulator, EmulatorStartError

__all__ = ["AwsClients", "Emulator", "EmulatorClient", "EmulatorControlError", "EmulatorStartError",
           "emulator_client"]
