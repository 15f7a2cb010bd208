"""An endpoint stuck Creating far longer than expected: the Overdue condition and one
Warning event say for how long, before SageMaker gives up; it clears once the endpoint
serves. The emulator holds the endpoint in Creating until the test lets it go."""

from __future__ import annotations

from endpoint_operator.sandbox.operator_process import OperatorProcess

from . import kit
from .conftest import FAST_ARGS
from .standby import session_operator_stood_down


def test_an_endpoint_stuck_creating_is_overdue_with_the_time_spent_then_clears(
        operator, control_plane, emulator, namespace, tmp_path):
    doc = kit.example("realtime.yaml", namespace, rename="stuck")
    with session_operator_stood_down(operator):
        impatient = OperatorProcess(control_plane.kubeconfig, emulator.url, tmp_path / "operator.log",
                                    extra_args=[*FAST_ARGS, "--transition-warning-seconds", "1"]).start()
        try:
            emulator.client.set_describes_per_transition(10**6)  # Creating until let go
            kit.apply(control_plane, doc, emulator)
            obj = kit.wait_condition(control_plane, namespace, "stuck", "Overdue", timeout=60)
            overdue = kit.condition(obj, "Overdue")
            assert overdue["reason"] == "CreatingTooLong"
            assert "has been Creating for " in overdue["message"] and "longer than the 1s expected" in overdue["message"]
            assert obj["status"]["endpoint"]["status"] == "Creating"
            assert kit.condition(obj, "Ready")["status"] == "False"
            kit.wait_for(lambda: [e for e in kit.events(control_plane, namespace, "stuck")
                                  if e[:2] == ("Warning", "EndpointOverdue")],
                         timeout=30, what="the Overdue warning event")

            emulator.client.restore_delay()  # SageMaker finishes after all
            obj = kit.wait_condition(control_plane, namespace, "stuck", "Ready", timeout=60)
            obj = kit.wait_condition(control_plane, namespace, "stuck", "Overdue", status="False", timeout=30)
            assert kit.condition(obj, "Overdue")["reason"] == "NotOverdue"
            warnings = [e for e in kit.events(control_plane, namespace, "stuck") if e[:2] == ("Warning", "EndpointOverdue")]
            assert len(warnings) == 1, warnings  # said when it turned True, not at every poll
        finally:
            emulator.client.restore_delay()
            kit.delete(control_plane, namespace, "stuck", timeout=60)
            impatient.stop()
