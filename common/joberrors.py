"""A job's stored error read back for its page.

Jobs (guide publishing, registry imports …) store a failure as ``"<code>: <detail>"``: a code
from the job's own table of translated headlines, and the detail in the program's words. The
page shows the headline in the reader's language and the detail beside it; an error that does
not parse, or names no known code, shows as "internal" with the whole text as its detail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobError:
    code: str
    headline: str
    detail: str


def job_error(error: str, headlines: Mapping[str, Any]) -> JobError | None:
    """``error`` as its code, translated headline (from ``headlines``, which has "internal") and
    detail; None if empty."""
    if not error:
        return None
    code, sep, detail = error.partition(": ")
    if not sep or code not in headlines:
        return JobError("internal", str(headlines["internal"]), error)
    return JobError(code, str(headlines[code]), detail)
