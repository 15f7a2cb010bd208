"""`simulate-scaling --chart out.png`: load, instances and p99 over time, 60-second
against 10-second metrics, drawn with matplotlib (the optional `charts` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .plan.simulator import Comparison

INSTALL_HINT = "pip install 'sagemaker-endpoint-operator[charts]'"


class ChartUnavailable(RuntimeError):
    """matplotlib is not installed: the chart is an optional extra."""


def pyplot() -> Any:
    """matplotlib's pyplot on a file backend, or ChartUnavailable."""
    return _pyplot()


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ChartUnavailable(f"--chart needs matplotlib, which is not installed: {INSTALL_HINT}") from None
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as pyplot
    return pyplot


def write_chart(comparison: Comparison, path: Path, p99_target_ms: int | None = None) -> None:
    pyplot = _pyplot()
    std, fast = comparison.standard, comparison.high_resolution
    minutes = [s.time / 60 for s in std.samples]
    figure, (load, fleet, latency) = pyplot.subplots(3, 1, sharex=True, figsize=(9, 7.5), constrained_layout=True)
    policy = comparison.policy
    figure.suptitle(f"simulate-scaling: {policy.metric.value} target {policy.target:g} "
                    "(a planning aid: a model, not a prediction)", fontsize=10)
    load.plot(minutes, [s.rate for s in std.samples], color="black", linewidth=1.2)
    load.set_ylabel("requests/s")
    load.set_title("load", fontsize=9, loc="left")
    for run, label, colour in ((std, "60-second metric", "tab:orange"), (fast, "10-second metric", "tab:blue")):
        fleet.plot(minutes, [s.in_service for s in run.samples], color=colour, label=f"{label}: serving")
        fleet.plot(minutes, [s.desired for s in run.samples], color=colour, linestyle="--", linewidth=0.9,
                   label=f"{label}: paid for")
        latency.plot(minutes, [s.p99_seconds * 1000 for s in run.samples], color=colour, label=label)
        if run.first_scale_out is not None:
            fleet.axvline(run.first_scale_out / 60, color=colour, linestyle=":", linewidth=0.9)
    fleet.set_ylabel("instances")
    fleet.set_title("instances (dotted: the scale-out decision)", fontsize=9, loc="left")
    fleet.legend(fontsize=8, loc="upper left")
    latency.set_yscale("log")
    latency.set_ylabel("p99 (ms)")
    latency.set_xlabel("minutes")
    latency.set_title("p99 latency", fontsize=9, loc="left")
    if p99_target_ms:
        latency.axhline(p99_target_ms, color="grey", linestyle="--", linewidth=0.9, label=f"target {p99_target_ms} ms")
    latency.legend(fontsize=8, loc="upper left")
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
