"""An answer being written: lines of template words and verbatim quotes, one [n] per case quoted, the reference
list at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import sentences as sent
from .corpus import Case
from .types import Citation, reference_list

# Between two quoted pieces that are not next to each other in the book.
QUOTE_GAP = "……"


def joiner(previous: str) -> str:
    """A heading line has no full stop of its own: a colon joins it to what is quoted after it."""
    return "" if previous[-1] in sent.SENTENCE_ENDS + sent.CLAUSE_ENDS else "："


@dataclass
class Group:
    """What an answer quotes from one case (its sections in order): one source, one [n]."""

    case: Case
    sections: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    n: int = 0


class Draft:
    """Lines of an answer with the case each quotes; a [n] closes each run of lines quoting one case, so a
    reference list of one line per case (参考案例) numbers every source."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, Group | None]] = []
        self.groups: list[Group] = []

    def group(self, case: Case, section: str) -> Group:
        found = next((g for g in self.groups if g.case.id == case.id), None)
        if found is None:
            found = Group(case, n=len(self.groups) + 1)
            self.groups.append(found)
        if section not in found.sections:
            found.sections.append(section)
        return found

    def quote(self, prefix: str, case: Case, section: str, sentence: str, part: str | None = None) -> None:
        """A line: template words, then a verbatim sentence (or the part of it that was kept)."""
        part = part if part is not None else sentence
        group = self.group(case, section)
        group.pieces.append(part)
        self.lines.append((prefix + sent.marked(part, sentence), group))

    def quote_joined(self, prefix: str, case: Case, quotes: Sequence[tuple[str, str, str]]) -> None:
        """One line of several quotes (section, sentence, part kept), each after the joiner the one before needs."""
        previous = ""
        for i, (section, sentence, part) in enumerate(quotes):
            if i == 0:
                self.quote(prefix, case, section, sentence, part)
            else:
                self.extend(joiner(previous), case, section, sentence, part)
            previous = part

    def extend(self, text: str, case: Case, section: str, sentence: str, part: str | None = None) -> None:
        """Add a quote to the end of the last line."""
        part = part if part is not None else sentence
        group = self.group(case, section)
        group.pieces.append(part)
        line, last = self.lines[-1]
        if last is not None and last is not group:
            line += f" [{last.n}]"
        self.lines[-1] = (line + text + sent.marked(part, sentence), group)

    def text(self, line: str) -> None:
        self.lines.append((line, None))

    def render(self) -> tuple[str, tuple[Citation, ...]]:
        out = []
        for i, (line, group) in enumerate(self.lines):
            following = self.lines[i + 1][1] if i + 1 < len(self.lines) else None
            out.append(f"{line} [{group.n}]" if group is not None and following is not group else line)
        citations = tuple(Citation(g.n, g.case.id, g.case.title, g.case.unit, g.case.award, "、".join(g.sections),
                                   QUOTE_GAP.join(g.pieces)) for g in self.groups)
        return "\n".join(out + ["", reference_list(citations)]), citations
