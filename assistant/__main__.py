"""Command line: python -m assistant <command> (cases, build, search, eval, …)."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata

from . import corpus
from .settings import Settings, env_help

EXIT_USAGE = 2


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_cases(args: argparse.Namespace, settings: Settings) -> int:
    compendium = corpus.load(settings.corpus_path)
    if args.id:
        case = compendium.get(args.id)
        if case is None:
            print(f"错误：没有编号为「{args.id}」的案例。用 `python -m assistant cases` 查看全部编号。", file=sys.stderr)
            return EXIT_USAGE
        if args.json:
            _print_json(case.to_dict())
        else:
            print(format_case(case))
        return 0
    if args.json:
        _print_json([case.to_dict() for case in compendium.cases])
        return 0
    print(f"{_pad('编号', 12)}{_pad('奖项', 14)}{_pad('标题', 50)}单位")
    for case in compendium.cases:
        print(f"{_pad(case.id, 12)}{_pad(case.award, 14)}{_pad(case.title, 50)}{case.unit}")
    print(f"\n共 {len(compendium.cases)} 个案例。")
    return 0


def format_case(case: corpus.Case) -> str:
    """One case in full, as readable text."""
    lines = [f"《{case.title}》", f"单位：{case.unit}"]
    if case.aliases:
        lines.append(f"单位别名：{'、'.join(case.aliases)}")
    lines += [f"奖项：{case.award}　类别：{case.category}　编号：{case.id}", ""]
    if case.background:
        lines += ["【类别背景】", case.background, ""]
    for section in case.sections:
        lines += [f"【{section.name}】", section.text, ""]
    for comment in case.expert_comments:
        lines += [f"【专家点评】{comment.affiliation} {comment.expert}", comment.text, ""]
    return "\n".join(lines).rstrip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description="工会案例问答助手：回答关于《2017年度上海市基层工会创新案例集》的问题，并注明出处案例和单位。",
        epilog=env_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="命令", required=True)

    cases = commands.add_parser(
        "cases",
        help="列出全部 60 个案例，或显示一个案例全文",
        description="不带编号：打印案例表（编号、奖项、标题、单位）；带编号：打印该案例全文。",
    )
    cases.add_argument("id", nargs="?", help="案例编号，如 2017-A3-2")
    cases.add_argument("--json", action="store_true", help="输出 JSON（机器可读）")
    cases.set_defaults(handler=cmd_cases)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.handler(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
