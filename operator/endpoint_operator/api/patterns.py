"""Patterns that mean the same to pydantic and to the API server.

pydantic's regex engine reads `\\d`, `\\s` and `\\w` as Unicode classes (an Arabic-Indic
digit is a `\\d`, a no-break space an `\\s`); the API server's RE2 reads them as ASCII.
Every pattern of the spec is written through `ascii_re`, so both sides get the same
ASCII classes, spelled out (tests/unit/test_crd.py fails on a pattern that is not).
"""

from __future__ import annotations

# RE2's Perl classes (re2/syntax): \s is [\t\n\f\r ], without \v.
_CLASSES = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}
# Escapes whose meaning depends on Unicode in one engine and not the other.
UNICODE_ESCAPES = ("\\d", "\\D", "\\s", "\\S", "\\w", "\\W", "\\b", "\\B")


def ascii_re(pattern: str) -> str:
    """`pattern` with `\\d`, `\\s` and `\\w` spelled as the ASCII classes RE2 means."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escape = pattern[i + 1]
            if escape in _CLASSES:
                out.append(_CLASSES[escape] if in_class else f"[{_CLASSES[escape]}]")
            elif escape in "DSWbB":
                raise ValueError(f"{pattern!r}: \\{escape} has no ASCII spelling here; write the class out")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class and out and out[-1] != "[":
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)
