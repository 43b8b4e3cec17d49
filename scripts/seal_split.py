"""Split a question set written apart from the code into a tuning part and a sealed part (about a third).

The split is random with a fixed seed and stratified by a field, so it can be checked and is never redone by
hand: python scripts/seal_split.py SOURCE.jsonl eval/NAME --by type
python scripts/seal_split.py SOURCE.jsonl eval/NAME --by class   (dialogues)
python scripts/seal_split.py SOURCE.jsonl eval/NAME --by oos_kind,type   (answerability)
writes eval/NAME.jsonl (tune on it) and eval/NAME.sealed.jsonl (run at the end only; see ../shared/EVAL-SETS.md).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 20261127
SEALED_SHARE = 1 / 3


def stratum(item: dict, fields: str) -> str:
    """The value the split is stratified by: the first of the comma-separated fields the item has a value for;
    for a dialogue, the class of its second turn."""
    for field in fields.split(","):
        if item.get(field):
            return str(item[field])
    turns = item.get("turns", [])
    return str(turns[1].get("class")) if len(turns) > 1 else ""


def split(items: list[dict], field: str) -> tuple[list[dict], list[dict]]:
    rng = random.Random(SEED)
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(stratum(item, field), []).append(item)
    # Every third item of the strata laid end to end, each shuffled: a third of each stratum, small ones included.
    ordered = []
    for key in sorted(groups):
        rng.shuffle(groups[key])
        ordered += groups[key]
    step = round(1 / SEALED_SHARE)
    sealed_ids = {item["id"] for position, item in enumerate(ordered) if position % step == 1}
    return [i for i in items if i["id"] not in sealed_ids], [i for i in items if i["id"] in sealed_ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("target", help="eval/NAME (without .jsonl)")
    parser.add_argument("--by", default="type", help="fields to stratify by, the first with a value counts "
                        "(oos_kind,type); a dialogue: its second turn's class")
    args = parser.parse_args()
    items = [json.loads(line) for line in Path(args.source).read_text(encoding="utf-8").splitlines() if line.strip()]
    tuning, sealed = split(items, args.by)
    for path, part in ((Path(f"{args.target}.jsonl"), tuning), (Path(f"{args.target}.sealed.jsonl"), sealed)):
        path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in part), encoding="utf-8")
        print(f"{path}: {len(part)}")


if __name__ == "__main__":
    main()
