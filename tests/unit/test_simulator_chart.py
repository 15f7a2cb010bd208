"""`simulate-scaling --chart`: a PNG with the charts extra, a clear refusal without it."""

from __future__ import annotations

import sys

from endpoint_operator.cli import main

ARGS = ["simulate-scaling", "--trace", "examples/traces/step.csv", "--manifest", "examples/realtime.yaml",
        "--capacity", "100"]


def test_the_chart_is_written_as_a_png(tmp_path, capsys):
    out = tmp_path / "step.png"
    assert main([*ARGS, "--chart", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
    assert f"chart written to {out}" in capsys.readouterr().out


def test_without_matplotlib_the_chart_is_refused_with_the_extra_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what `import matplotlib` sees when it is absent
    out = tmp_path / "step.png"
    assert main([*ARGS, "--chart", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--chart needs matplotlib" in err and "sagemaker-endpoint-operator[charts]" in err
    assert not out.exists()
