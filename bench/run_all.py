"""Run every benchmark in bench/ one after the other (`make bench`).

Each benchmark sets up what it needs itself (a throwaway database, see _setup.py),
so this runs on a fresh clone. One that fails does not stop the others; the exit
status says whether all of them passed. bench/load.py is not run here (make load).
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

failed = []
for script in sorted(HERE.glob("bench_*.py")):
    print(f"== {script.name}", flush=True)
    if subprocess.run([sys.executable, str(script)]).returncode != 0:
        failed.append(script.name)
if failed:
    sys.exit(f"failed: {', '.join(failed)}")
