"""Command line: python -m assistant <command> (cases, build, search, eval, …)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from pathlib import Path

from . import corpus
from .settings import ROOT, Settings, env_help

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


def _filters(args: argparse.Namespace):
    from .retrieval import Filters

    return Filters(award=args.award, category=args.category, unit=args.unit)


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from . import index

    built = index.build(settings) if args.force else index.open_index(settings)
    manifest = built.manifest
    print(f"索引就绪：{manifest['chunk_count']} 个段落，向量模型 {manifest['embedding_model']}，"
          f"建于 {manifest['built_at']}（用时 {manifest['build_seconds']} 秒），位置 {built.store}")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from .pipeline import Assistant, QuestionError, clean_question
    from .refusal import asked

    try:
        question = clean_question(args.question)
    except QuestionError as error:
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_USAGE
    assistant = Assistant(settings)
    question = asked(question)  # searched and judged as the assistant does: without markup or 「请用英文回答」
    result = assistant.searcher.search(question, k=args.k, filters=_filters(args))
    answerability = assistant.gate.explain(question, result)
    if args.json:
        print(json.dumps({
            "question": question, "query": result.query, "top_dense": result.top_dense, "top_bm25": result.top_bm25,
            "agreement": result.agreement, "timings_ms": result.timings_ms, "answerability": answerability,
            "cases": [{"case_id": h.case.id, "title": h.case.title, "unit": h.case.unit, "award": h.case.award,
                       "score": h.score, "passages": [
                           {"chunk_id": p.chunk.id, "section": p.chunk.section, "dense": p.dense, "bm25": p.bm25,
                            "fused": p.fused, "text": p.chunk.text} for p in h.passages]} for h in result.hits],
        }, ensure_ascii=False))
        return 0
    print(f"检索词：{result.query}（{result.timings_ms['search']:.0f} ms）")
    for rank, hit in enumerate(result.hits, start=1):
        print(f"\n{rank}. 《{hit.case.title}》— {hit.case.unit}（{hit.case.award}，{hit.case.id}）得分 {hit.score:.4f}")
        for p in hit.passages:
            dense = "–" if p.dense is None else f"{p.dense:.3f}"
            bm25 = "–" if p.bm25 is None else f"{p.bm25:.2f}"
            print(f"   [{p.chunk.section}] 向量 {dense}  BM25 {bm25}  融合 {p.fused:.4f}  {p.chunk.text[:70]}…")
    if not result.hits:
        print("没有找到符合条件的案例。")
    _print_answerability(answerability)
    return 0


def _print_answerability(explained: dict) -> None:
    """Why the question would be answered or refused: the decision, then each signal with its weight."""
    decision = "拒答" if explained["refused"] else "回答"
    reason = f"（{explained['kind']}{'：' + explained['detail'] if explained['detail'] else ''}）" if explained["kind"] else ""
    if explained["decided_by"] == "rule":
        print(f"\n能否回答：{decision}{reason}，由确定规则判定。")
        return
    probability = explained["probability"]
    if explained["decided_by"] == "english":
        from .refusal import MIN_ENGLISH_NEIGHBOURS

        print(f"\n能否回答：{decision}{reason}。英文问题看意思最近的 5 道标注问题"
              f"（可回答 +1、不可回答 −1 的平均，须高于 {MIN_ENGLISH_NEIGHBOURS}）。")
    elif probability is None:
        print(f"\n能否回答：{decision}{reason}（未加载拒答模型，使用旧规则）。")
    else:
        print(f"\n能否回答：{decision}{reason}，可回答概率 {probability:.3f}（阈值 {explained['threshold']:.3f}）")
    weights = explained["weights"] if explained["decided_by"] == "model" else {}
    for name, value in explained["signals"].items():
        weight = f"  权重 {weights[name]:+.2f}" if name in weights else ""
        print(f"   {name:<20} {value:8.3f}{weight}")


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    print(answer.answer)
    if answer.notice:
        print(f"\n（提示：{answer.notice}）")
    for citation in answer.citations:
        print(f"\n[{citation.n}] 出处原文（{citation.section}）：{citation.quote}")


def _print_error(question: str, error: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"question": question, "error": error}, ensure_ascii=False))
    else:
        print(f"错误：{error}", file=sys.stderr)


def _read_history(path: str | None):
    from .pipeline import Turn
    from .types import Answer

    if not path:
        return []
    turns = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            answer = Answer.from_dict(item)
            turns.append(Turn(answer.question, answer))
    return turns


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch:
        return _ask_batch(args, settings)
    if args.question is None:
        print("错误：请给出问题，或用 --batch 文件。", file=sys.stderr)
        return EXIT_USAGE
    from .pipeline import Assistant, QuestionError

    assistant = Assistant(settings)
    try:
        answer = assistant.ask(args.question, _read_history(args.history), _filters(args), mode=args.mode)
    except QuestionError as error:
        _print_error(args.question, str(error), args.json)
        return EXIT_USAGE
    _print_answer(answer, args.json)
    return 0


def _ask_batch(args: argparse.Namespace, settings: Settings) -> int:
    """Every question of the file, each printed as soon as it is answered; a bad one is reported and skipped."""
    from tqdm import tqdm

    from .batch import QuestionFileError, answer_all, read_questions
    from .pipeline import Assistant

    try:
        questions = read_questions(args.batch)
    except QuestionFileError as error:
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_USAGE
    assistant = Assistant(settings)
    status = 0
    progress = tqdm(questions, desc="回答问题", unit="题", file=sys.stderr)
    for entry in answer_all(assistant, progress, _filters(args), args.mode):
        if entry.answer is None:
            _print_error(entry.question, entry.error, args.json)
            status = EXIT_USAGE
            continue
        _print_answer(entry.answer, args.json)
        if not args.json:
            print("\n" + "—" * 20 + "\n")
    return status


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from . import evaluation

    if args.dialogues:
        return _eval_dialogues(args, settings)
    names = [n.strip() for n in (args.compare or args.config).split(",") if n.strip()]
    unknown = [n for n in names if n not in evaluation.CONFIG_NAMES]
    if unknown:
        print(f"错误：未知配置 {', '.join(unknown)}；可选：{', '.join(evaluation.CONFIG_NAMES)}", file=sys.stderr)
        return EXIT_USAGE
    questions = evaluation.load_questions(Path(args.questions))
    if args.limit:
        questions = questions[: args.limit]
    report = evaluation.run(names, settings, questions)
    paths = evaluation.write_reports(report, args.name or "-".join(names), Path(args.out))
    for name in names:
        summary = report["configs"][name]["summary"]
        print(f"\n== {name} ==")
        for key, label in evaluation.METRIC_LABELS.items():
            print(f"  {label:<12} {summary[key]}")
    print("\n报告：" + "、".join(str(p) for p in paths))
    thresholds = {k: v for k, v in (("hit@3", args.min_hit3), ("hit@1", args.min_hit1),
                                     ("must_contain", args.min_must_contain)) if v is not None}
    failures = evaluation.check_thresholds(report["configs"][names[0]]["summary"], thresholds)
    for failure in failures:
        print(f"未达标：{failure}", file=sys.stderr)
    return 1 if failures else 0


def _eval_dialogues(args: argparse.Namespace, settings: Settings) -> int:
    """Multi-turn dialogues, turn by turn (eval/dialogues.jsonl)."""
    from . import dialogue_eval

    dialogues = dialogue_eval.load_dialogues(Path(args.dialogues))[: args.limit or None]
    report = dialogue_eval.run(settings, dialogues)
    paths = dialogue_eval.write_reports(report, args.name or Path(args.dialogues).stem, Path(args.out))
    for key, label in dialogue_eval.LABELS.items():
        print(f"  {label:<14} {report['summary'][key]}")
    print("\n报告：" + "、".join(str(p) for p in paths))
    return 0


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

    build = commands.add_parser("build", help="建立（或检查）检索索引",
                                description="索引缺失、过期或损坏时重建；--force 强制重建。")
    build.add_argument("--force", action="store_true", help="无论如何都重建")
    build.set_defaults(handler=cmd_build)

    def add_filters(command: argparse.ArgumentParser) -> None:
        command.add_argument("--award", help="只看某个奖项：特等奖 / 十大创新案例 / 提名奖")
        command.add_argument("--category", help="只看某个类别（类别名中的一段文字即可）")
        command.add_argument("--unit", help="只看某个单位（单位名中的一段文字即可）")
        command.add_argument("--json", action="store_true", help="输出 JSON")

    search = commands.add_parser("search", help="检索测试：显示排名靠前的案例、段落和各项得分",
                                 description="显示混合检索的结果：每个案例的最佳段落及向量、BM25、融合得分。")
    search.add_argument("question", help="问题")
    search.add_argument("-k", type=int, default=5, help="显示几个案例（默认 5）")
    add_filters(search)
    search.set_defaults(handler=cmd_search)

    ask = commands.add_parser("ask", help="提问，得到带出处的回答",
                              description="回答一个问题（或 --batch 文件中的每个问题），注明出处案例与单位。")
    ask.add_argument("question", nargs="?", help="问题")
    ask.add_argument("--batch", metavar="FILE",
                     help="批量提问：每行一个问题的文本文件、带 question 字段的 JSONL，"
                          "或 .csv / .xlsx（取「问题」列，没有则取第一列）；- 表示标准输入")
    ask.add_argument("--history", metavar="FILE", help="之前的对话：每行一个 ask --json 的输出，用于追问")
    ask.add_argument("--mode", choices=("extractive", "llm"),
                     help="答案模式（默认取 ASSISTANT_ANSWER_MODE）：extractive 抽取式；llm 大模型，失败时退回抽取式")
    add_filters(ask)
    ask.set_defaults(handler=cmd_ask)

    evaluate = commands.add_parser("eval", help="运行评测题集并写出报告",
                                   description="把 eval/questions.jsonl 的每道题走一遍与用户相同的流程，"
                                               "写出 eval/reports/<名称>.md / .json / .png。")
    evaluate.add_argument("--config", default="hybrid", help="配置：hybrid、hybrid-nosyn、dense、bm25、naive")
    evaluate.add_argument("--compare", metavar="A,B,…", help="同一次运行里并排比较多个配置")
    evaluate.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"), help="题集文件")
    evaluate.add_argument("--dialogues", metavar="FILE", help="多轮对话题集（如 eval/dialogues.jsonl），逐轮提问并评分")
    evaluate.add_argument("--out", default=str(ROOT / "eval" / "reports"), help="报告目录")
    evaluate.add_argument("--name", help="报告名称（默认取配置名）")
    evaluate.add_argument("--limit", type=int, help="只跑前 N 题（调试用）")
    evaluate.add_argument("--min-hit1", type=float, help="hit@1 低于此值时退出码为 1")
    evaluate.add_argument("--min-hit3", type=float, help="hit@3 低于此值时退出码为 1")
    evaluate.add_argument("--min-must-contain", type=float, help="must_contain 低于此值时退出码为 1")
    evaluate.set_defaults(handler=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"配置错误：{error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args, settings)
    except BrokenPipeError:  # the reader stopped early (`… | head`): quietly stop writing, as the Python docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
