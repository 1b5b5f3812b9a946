import re
import subprocess
import sys
from pathlib import Path

import guide.parsing
from guide.parsing import indicators, parse_indicator, parse_indicators

ROOT = Path(__file__).resolve().parents[3]


def test_the_parser_imports_no_django():
    code = (
        "import sys, guide.parsing, guide.parsing.readers, guide.parsing.indicators;"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_no_module_of_the_package_imports_django():
    sources = sorted(Path(guide.parsing.__file__).parent.glob("*.py"))
    assert len(sources) >= 8
    importing = re.compile(r"^\s*(?:from|import)\s+django\b", re.MULTILINE)
    assert [path.name for path in sources if importing.search(path.read_text(encoding="utf-8"))] == []


def test_stable_indicator_api_is_re_exported():
    assert parse_indicator is indicators.parse_indicator
    assert parse_indicators is indicators.parse_indicators
