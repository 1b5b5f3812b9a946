"""A child for tests/common/test_bounded.py: ``python -m tests.common.bounded_child`` under
common.bounded.serve, doing what its first argument says with the data it reads."""

from __future__ import annotations

import sys
import time

from common.bounded import serve


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _handle(data: bytes, args: list[str]) -> dict:
    what = args[0]
    if what == "echo":
        return {"length": len(data), "args": args[1:], "django": "django" in sys.modules}
    if what == "refuse":
        raise Refused("not_pdf", "x.pdf is not a PDF")
    if what == "bug":
        raise KeyError("x")
    if what == "memory":
        return {"block": len(bytearray(1 << 34))}  # 16 GiB: more than any limit a test sets
    if what == "deep":

        def down(n: int) -> int:
            return down(n + 1)

        return {"depth": down(0)}
    if what == "sleep":
        time.sleep(float(args[1]))
        return {}
    if what == "spin":
        while True:
            pass
    raise ValueError(what)


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:], _handle))
