"""Run a tutorial script cell by cell and write each code cell's output as JSON.

Usage: ``python run_cells.py SCRIPT OUT.json``. Cells share one namespace, exactly as when the
script is run as a whole; stdout and stderr of each cell are captured separately. On an exception
the traceback is the failing cell's output and the exit status is 1.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cells import parse_script


def main(script_path: str, out_path: str) -> int:
    script = parse_script(Path(script_path).read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"__name__": "__main__", "__file__": script_path}
    outputs: list[dict[str, object]] = []
    status = 0
    for index, cell in enumerate(script.cells):
        if cell.kind != "code":
            continue
        buffer = io.StringIO()
        # Line numbers in tracebacks match the script file.
        code = compile("\n" * (cell.line - 1) + cell.source, script_path, "exec")
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                exec(code, namespace)
            except BaseException:
                traceback.print_exc()
                status = 1
        outputs.append({"cell": index, "output": buffer.getvalue()})
        if status:
            break
    Path(out_path).write_text(json.dumps({"status": status, "outputs": outputs}), "utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
