"""The 案例库 tab's events: cases found by the words a cadre types (as the chat understands them), narrowed by award
and category, listed best first; a case shown in full; asking about it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import gradio as gr

from ..corpus import Case
from ..lexicon import Lexicon
from .chat import ALL
from .rendering import case_question, case_texts

# Where a word is found says how much a case is about it: its title, its unit's name, its own text, or the text its
# category shares with other cases (the category's background and expert comments).
FIELD_WEIGHTS = {"title": 3.0, "unit": 2.0, "text": 1.0, "shared": 0.5}
# The compendium's word for what was typed (网约送餐员 for 外卖, from the lexicon the chat uses) counts a little less
# than the typed word itself, so a case that says 外卖 literally stays ahead of one that only says 送餐 ...
SYNONYM_WEIGHT = 0.8
# ... and a typed phrase found only word by word (骑手 … 入会 for 「骑手入会」) counts less than found as typed.
SPLIT_WEIGHT = 0.9
# Characters shown either side of a word found in a case's text only (not in its title or unit): why it is listed.
HINT_CHARS = 16
# 类别 of a case that is its own category (its title) or the award's (特等奖): nothing to add, shown as a dash.
NO_CATEGORY = "—"
_CJK = re.compile(r"[\u4e00-\u9fff]")
EXAMPLE_WORDS = "「送餐」「家政」「环卫」「普陀区」"

# The results (a gr.HTML value {"query", "summary", "expanded", "cases"}): a table on a computer, cards on a phone
# (the CSS in rendering.py, 案例库 block); Handlebars escapes every field.
RESULTS_TEMPLATE = """
<div class="case-summary" role="status" data-query="{{value.query}}">{{value.summary}}\
{{#if value.expanded}}<span class="case-expanded">（同时按{{value.expanded}}查找）</span>{{/if}}</div>
{{#if value.cases.length}}
<div class="case-list">
<div class="case-head" aria-hidden="true"><span>标题</span><span>单位</span><span>奖项</span><span>类别</span>\
<span>编号</span></div>
{{#each value.cases}}
<button type="button" class="case-item" data-case="{{id}}">
<span class="case-title">{{title}}</span>
<span class="case-unit">{{unit}}</span>
<span class="case-award">{{award}}</span>
<span class="case-category">{{category}}</span>
<span class="case-id">{{id}}</span>
{{#if hint}}<span class="case-hint">{{hint.before}}<mark>{{hint.word}}</mark>{{hint.after}}</span>{{/if}}
</button>
{{/each}}
</div>
{{/if}}
"""
# A click (or Enter) on a result marks it and sends its case id to the `select` event.
RESULTS_JS = """
element.addEventListener('click', (event) => {
  const item = event.target.closest('.case-item');
  if (!item) return;
  element.querySelectorAll('.case-item.selected').forEach((other) => other.classList.remove('selected'));
  item.classList.add('selected');
  trigger('select', {case_id: item.dataset.case});
});
"""
# After a case is opened: on a phone the case is below the list, so bring 就这个案例提问 and the case into view.
SHOW_CASE_JS = """
() => {
  const button = document.querySelector('#ask-case');
  const box = button && button.getBoundingClientRect();
  if (box && (box.top < 0 || box.bottom > window.innerHeight)) window.scrollTo({top: window.scrollY + box.top - 8});
}
"""


@dataclass(frozen=True)
class Found:
    """A case found, with the text around the first typed word when the case's title and unit do not hold it."""

    case: Case
    hint: dict[str, str] | None = None


@dataclass(frozen=True)
class _Fields:
    """A case's searchable text by place, lower-cased."""

    title: str
    unit: str
    text: str
    shared: str

    def best(self, spellings: dict[str, float]) -> tuple[float, str, str]:
        """(weight, field, word) of the best place any of the spellings is found; weight 0 when none is."""
        best = (0.0, "", "")
        for word, weight in spellings.items():
            for field, field_weight in FIELD_WEIGHTS.items():
                if weight * field_weight > best[0] and word in getattr(self, field):
                    best = (weight * field_weight, field, word)
        return best


def _texts(case: Case) -> dict[str, str]:
    comments = "\n".join(f"{c.affiliation} {c.expert} {c.text}" for c in case.expert_comments)
    return {"title": f"{case.id} {case.title}", "unit": " ".join((case.unit, *case.aliases)),
            "text": f"{case.category}\n{case.body}", "shared": f"{case.background}\n{comments}"}


class CaseFinder:
    """Finds cases by the words typed (space-separated, every one must be found), each found as typed or, for a
    Chinese phrase, word by word: the lexicon's everyday words (外卖, 保姆) and jieba's words for the rest, each as
    typed or as the compendium says it (the synonyms the chat expands a question with). Cases holding the words in
    their title or unit come first."""

    def __init__(self, cases: Sequence[Case], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._texts = {case.id: _texts(case) for case in cases}
        self._fields = {case_id: _Fields(**{k: v.lower() for k, v in texts.items()})
                        for case_id, texts in self._texts.items()}
        self._everyday = sorted({w for rule in lexicon.synonyms for w in rule.everyday}, key=lambda w: (-len(w), w))

    def _spellings(self, word: str) -> dict[str, float]:
        """The word as typed and the compendium's words for it, with how much each counts."""
        synonyms = {w.lower(): SYNONYM_WEIGHT for w in self.lexicon.expansion(word)}
        return {**synonyms, word.lower(): 1.0}

    def _parts(self, phrase: str) -> list[dict[str, float]]:
        """The words of a Chinese phrase, each with its spellings: the lexicon's everyday words in it (whole: 扫马路
        is not 扫 + 马路), then jieba's words for the rest, without single characters (人, 不) and without Chinese
        words no case holds (喝水 in 「环卫工人喝水」)."""
        parts, rest = [], phrase
        for word in self._everyday:
            if word in rest:
                parts.append(self._spellings(word))
                rest = rest.replace(word, " ")
        tokens = list(dict.fromkeys(self.lexicon.tokenize(rest)))
        # lcut_for_search yields jieba's words and the smaller words inside them (微信公众号, 公众号, 公众): the words.
        words = [t for t in tokens if len(t) > 1 and not any(other != t and t in other for other in tokens)]
        parts += [self._spellings(w) for w in words if self._somewhere(w) or not _CJK.search(w)]
        return parts

    def _somewhere(self, word: str) -> bool:
        return any(word in getattr(fields, place) for fields in self._fields.values() for place in FIELD_WEIGHTS)

    def _ways(self, term: str) -> list[tuple[float, list[dict[str, float]]]]:
        """How one typed word may be found, with how much that way counts: as typed; or, when Chinese, by its
        parts (an everyday word alone is its one part, counted in full)."""
        ways = [(1.0, [{term.lower(): 1.0}])]
        if _CJK.search(term):
            parts = self._parts(term)
            whole = len(parts) == 1 and term.lower() in parts[0] and parts[0][term.lower()] == 1.0
            if parts:
                ways.append((1.0 if whole else SPLIT_WEIGHT, parts))
        return ways

    def expansion(self, query: str) -> list[str]:
        """The compendium's words searched besides those typed."""
        return list(dict.fromkeys(w for term in query.split() for w in self.lexicon.expansion(term)))

    def find(self, query: str, cases: Sequence[Case]) -> list[Found]:
        """The cases holding every typed word, best first (ties: more mentions first, then the book's order)."""
        terms = [self._ways(term) for term in query.split()]
        found = []
        for position, case in enumerate(cases):
            fields = self._fields[case.id]
            score, words, first = 0.0, set(), None
            for ways in terms:
                best = max((self._way_score(fields, weight, parts) for weight, parts in ways), key=lambda b: b[0])
                if best[0] == 0:
                    break
                score += best[0]
                words |= best[1]
                first = first or best[2]
            else:
                mentions = sum(fields.text.count(word) for word in words)
                found.append((-score, -mentions, position, Found(case, self._hint(case, first))))
        return [entry[-1] for entry in sorted(found, key=lambda entry: entry[:3])]

    @staticmethod
    def _way_score(fields: _Fields, weight: float, parts: list[dict[str, float]]) -> tuple[float, set[str], tuple]:
        """(score, words found, (field, word) of the first part) of one way; score 0 unless every part is found."""
        places = [fields.best(spellings) for spellings in parts]
        if any(place[0] == 0 for place in places):
            return 0.0, set(), ()
        score = weight * sum(place[0] for place in places) / len(places)
        return score, {place[2] for place in places}, places[0][1:]

    def _hint(self, case: Case, first: tuple | None) -> dict[str, str] | None:
        """The text around the first typed word's match, when that match is not in the case's title or unit."""
        if not first or first[0] not in ("text", "shared"):
            return None
        text, word = self._texts[case.id][first[0]], first[1]
        lowered = text.lower()
        at = lowered.find(word)
        if at < 0 or len(lowered) != len(text):
            return None
        end = at + len(word)
        before, after = text[max(0, at - HINT_CHARS):at], text[end:end + HINT_CHARS]
        # Within the paragraph; an ellipsis where the paragraph goes on.
        line_before, line_after = before.split("\n")[-1], after.split("\n")[0]
        return {"before": ("…" if line_before == before and at > HINT_CHARS else "") + line_before,
                "word": text[at:end],
                "after": line_after + ("…" if line_after == after and end + HINT_CHARS < len(text) else "")}


def _category(case: Case) -> str:
    """The case's category as the table shows it: a dash when it only repeats the title or the award."""
    return NO_CATEGORY if case.category in (case.title, case.award) else case.category


def _row(found: Found) -> dict:
    case = found.case
    return {"id": case.id, "title": case.title, "unit": case.unit, "award": case.award, "category": _category(case),
            "hint": found.hint}


class CaseLibrary:
    """The 60 cases, searched and filtered, each shown in full when clicked and asked about from there."""

    def __init__(self, cases: Sequence[Case], lexicon: Lexicon, texts: dict[str, str] | None = None) -> None:
        self.cases = list(cases)
        self.case_texts = texts if texts is not None else case_texts(self.cases)
        self.finder = CaseFinder(self.cases, lexicon)
        self._by_id = {case.id: case for case in self.cases}
        self.categories = [ALL, *sorted({case.category for case in self.cases})]
        # The library's 类别 filter: categories of several cases, not the 17 that repeat a title or the award.
        self.groups = [ALL, *sorted({case.category for case in self.cases if _category(case) != NO_CATEGORY})]

    def search(self, query: str = "", award: str = ALL, category: str = ALL) -> dict:
        """The search box or a filter changed: the cases found, best first, with a line saying how many."""
        query = (query or "").strip()
        scope = [case for case in self.cases
                 if award in (ALL, "", None) or case.award == award
                 if category in (ALL, "", None) or case.category == category]
        found = self.finder.find(query, scope) if query else [Found(case) for case in scope]
        filtered = len(scope) < len(self.cases)
        if found:
            summary = f"找到 {len(found)} 个案例" if query or filtered else f"共 {len(found)} 个案例"
            summary += "，点击一个查看全文。"
        elif query:
            summary = (f"{'在所选奖项、类别中' if filtered else ''}没有找到与「{query}」相关的案例。"
                       f"可以换个说法或少输几个词（如{EXAMPLE_WORDS}），也可以到「对话」页直接提问。")
        else:
            summary = "所选奖项、类别中没有案例。"
        expanded = "、".join(f"「{word}」" for word in self.finder.expansion(query)) if found else ""
        return {"query": query, "summary": summary, "expanded": expanded, "cases": [_row(f) for f in found]}

    def show_case(self, event: gr.EventData) -> tuple:
        """A result clicked: (selected case id, the case in full, the 就这个案例提问 button enabled)."""
        case = self._by_id.get(getattr(event, "case_id", None))
        if case is None:
            return None, "请点击一个案例。", gr.update(interactive=False)
        return case.id, self.case_texts[case.id], gr.update(interactive=True)

    def ask_about(self, case_id: str | None) -> tuple:
        """就这个案例提问: back to the chat tab with a question about the case and the unit filter set to its unit
        (award and category filters cleared)."""
        case = self._by_id.get(case_id)
        if case is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return gr.Tabs(selected="chat"), case_question(case), case.unit, ALL, ALL
