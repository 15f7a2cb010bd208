"""Names shared by the server and the processes that start it (no moto import here:
a parent that only launches the emulator should not pay for loading moto)."""

DELAY_ENV = "SAGEMAKER_EMULATOR_DELAY_SECONDS"
DEFAULT_DELAY_SECONDS = 2.0
LISTENING = "emulator listening on "
