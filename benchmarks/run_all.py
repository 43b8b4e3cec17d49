"""Run every benchmark and write benchmarks/results/<date>.md with what each printed.

Run: .venv/bin/python -m benchmarks.run_all   (the web load tests start their own app)
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time

from assistant.settings import ROOT

# (title, module in this package, arguments); each runs in its own process, one after the other.
BENCHMARKS = [
    ("Ours vs the naive LangChain recipe", "versus_naive", []),
    ("Retrieval configurations, search latency, build time", "retrieval", []),
    ("Warm answer latency, CLI cold start, peak RSS", "answer", []),
    ("Corpus replicated ×1/×10/×50", "scale", []),
    ("Web chat under 20 concurrent users", "load", []),
    ("Web JSON API (/ask) under 20 concurrent users", "load", ["--endpoint", "ask"]),
]


def main() -> None:
    lines = [f"# Benchmarks {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"- machine: {platform.platform()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}",
             "- every number below was printed by the command named in its heading", ""]
    for title, module, arguments in BENCHMARKS:
        command = ["-m", f"benchmarks.{module}", *arguments]
        print(f"… {title}", file=sys.stderr)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True, check=False)
        output = result.stdout.strip() or result.stderr.strip()[-2000:]
        lines += [f"## {title} (`python {' '.join(command)}`, {time.perf_counter() - started:.0f} s)", "",
                  "```", output, "```", ""]
    target = ROOT / "benchmarks" / "results" / f"{time.strftime('%Y-%m-%d')}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines), encoding="utf-8")
    print(target)


if __name__ == "__main__":
    main()
