"""Run every benchmark and write benchmarks/results/<date>.md with what each printed.

Run: .venv/bin/python benchmarks/run_all.py   (the web load test starts its own app when load.py supports it)
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = [
    ("Ours vs the naive LangChain recipe", ["versus_naive.py"]),
    ("Retrieval configurations, search latency, build time", ["retrieval.py"]),
    ("Warm answer latency, CLI cold start, peak RSS", ["answer.py"]),
    ("Corpus replicated ×1/×10/×50", ["scale.py"]),
    ("Web chat under 20 concurrent users", ["load.py"]),
    ("Web JSON API (/ask) under 20 concurrent users", ["load.py", "--endpoint", "ask"]),
]


def main() -> None:
    lines = [f"# Benchmarks {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"- machine: {platform.platform()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}",
             "- every number below was printed by the script named in its heading", ""]
    for title, command in BENCHMARKS:
        script = ROOT / "benchmarks" / command[0]
        if not script.exists():
            continue
        print(f"… {title}", file=sys.stderr)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *command[1:]], cwd=ROOT, capture_output=True,
                                text=True, check=False)
        output = result.stdout.strip() or result.stderr.strip()[-2000:]
        lines += [f"## {title} (`benchmarks/{command[0]}`, {time.perf_counter() - started:.0f} s)", "",
                  "```", output, "```", ""]
    target = ROOT / "benchmarks" / "results" / f"{time.strftime('%Y-%m-%d')}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines), encoding="utf-8")
    print(target)


if __name__ == "__main__":
    main()
