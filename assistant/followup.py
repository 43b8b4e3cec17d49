"""How a question relates to the conversation before it: continue on the case under discussion, its n-th case,
other cases than it, or a question of its own — decided from evidence, not from a pronoun list.

The evidence is the question's own search over the whole compendium: a question with a topic of its own that is
strong on another case switches to it; one whose own search still ranks the discussed case near the top, or whose
words the discussed case mostly contains, continues on it; a question with no topic of its own (only aspect words:
成效, 专家, 哪个单位, 多少人 …) continues. A refused turn leaves nothing under discussion, unless it was itself a
follow-up on the discussed case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .corpus import NUMERALS, Case, Compendium
from .lexicon import FUNCTION_TAGS, Lexicon
from .refusal import NAME_TAGS, RARE_WORD_CASES, is_english
from .retrieval import SearchResult
from .types import (
    FOLLOW_UP_CONTINUE,
    FOLLOW_UP_NEW,
    FOLLOW_UP_ORDINAL,
    FOLLOW_UP_OTHERS,
    MODE_LLM,
    REFUSAL_INJECTION,
    REFUSAL_LEGAL,
    REFUSAL_MISSING_DETAIL,
    REFUSAL_OPINION,
    REFUSAL_POLICY,
    REFUSAL_WRITING,
    REFUSAL_YEAR,
    Answer,
    FollowUp,
)

# Words that only name an aspect of a case (or carry the question): a question made of nothing else has no topic.
ASPECT_WORDS = re.compile(
    r"专家|点评|评价|评述|怎么看|成效|效果|成果|结果|成绩|收获|变化|单位|做法|办法|措施|经验|覆盖率?|多少|几[个名家人次年月天项]?|"
    r"会员|人数|时间|时候|哪年|哪天|成立|开始|获奖|奖项|荣誉|称号|表彰|获得|拿到|拿过|得过|评上|获过|电话|地址|在哪|哪里|背景|目的|意义|亮点|特色|具体|详细|数据|数字|"
    r"到了|达到|怎么|如何|怎样|步骤|联系|负责人|什么|啥|哪个|哪家|哪些|谁|咋样?|一共|总共|参加|参与|覆盖|受益|"
    r"他们|她们|它们|他|她|它|这个|那个|这些|那些|这|那|该|此|其|上面|刚才|前面|案例|工会|第[一二三四五六七八九十\d]个?|"
    r"回事|最后|后来|现在|目前|当时|一年|每年|每月|主要|大概|大约|情况|内容|名字|名称|叫|说|讲|看|评|"
    r"下来|起来|出来|怎么回事|其中|分别|各自|都|也|还是|就|又|一共|"
    r"是|的|了|呢|吗|吧|啊|呀|做|搞|有|还|再|又|都|讲讲|说说|展开|细说|介绍|一下|请问|能|可以|想|知道|问|"
    # How many took part and how well it went, asked yes or no (「用的人多不多」「参加的人多吗」「效果好不好」).
    r"人多|(?P<asked>[多好大高快])不(?P=asked)")
ENGLISH_ASPECT_WORDS = frozenset(
    "what were was is are the a an result results outcome outcomes effect effects achieve achieved who which unit "
    "organisation organization how many much when did do does they it this that these those their them expert "
    "experts say said comment comments think about of people members case more details detail tell me and in on "
    "to for with any there start started started begin began year years number numbers steps so far".split())
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# Besides function words, jieba tags of words that name no topic of their own: localisers (以后, 里面), time words
# (现在), adjectives (成功, 一般, 具体).
PLAIN_TAGS = ("f", "t", "a", "ad")
ORDINAL = re.compile(r"第\s*([一二三四五六七八九十1-9])\s*(个|条|家|项|种|案例|点)")
# 「头一个」: the first case of the previous list answer; 「最后那个」「后面那个」「the last one」: its last.
FIRST = re.compile(r"头一?[个家项]|最前面(?:那|一)[个家项]|\bthe first (?:one|case)\b", re.IGNORECASE)
LAST = re.compile(r"最后(?:一|那)?[个家项]|后面(?:那|一)[个家项]|倒数第一|\bthe last (?:one|case)\b", re.IGNORECASE)
OTHERS = re.compile(
    r"(还有|别的|其他|其它|另外|另一|其余)(的)?(哪些|什么|哪个|哪家|哪里)?.{0,6}(单位|案例|地方|区|街道|镇|企业|公司|"
    r"工会|行业|类似|这么|这样|一样|案子)|类似的?(做法|案例|经验)|"
    # 「还有别的给工地农民工建家的吗」: others, unless what is asked for is more of the case itself (还有别的做法吗).
    r"(还有|有没有)(别的|其他|其它)(?!的?(做法|措施|办法|举措|成效|效果|成果|活动|亮点|特色|经验|内容|服务|数据|情况|变化|收获))|"
    # 「像这种国企帮非公企业建会的还有吗」「国企带着非公企业一块搞工会的，还有哪些」: more like it.
    r"的[，,]?还有(吗|没有|没|不|哪些|哪几个|哪几家|哪个)[？?。！!\s]*$|"
    # 「还有哪家也在搞师傅带徒弟」: which other organisation or place.
    r"还有(哪家|哪儿|哪里)|\b(other|another|similar|elsewhere)\b", re.IGNORECASE)
# 「第二个」 picks from a list answered at most this many turns before.
LIST_LOOKBACK = 3
# Refusals that say nothing about what the conversation is about.
ASIDE_REFUSALS = (REFUSAL_INJECTION, REFUSAL_WRITING, REFUSAL_OPINION)
# Refusals of what the case itself does not tell: a later year of it, a detail it does not print.
OWN_CASE_REFUSALS = (REFUSAL_YEAR, REFUSAL_MISSING_DETAIL)
# 「回到刚才那个」: back to the case discussed before the turns since.
RETURN = re.compile(r"回到(?:刚才|前面|之前|上面|原来|上一个)|说回(?:刚才|前面|之前|原来)?|(?:刚才|前面|之前)(?:那个|说的)案例|"
                    r"\b(?:back to|return to)\b", re.IGNORECASE)
# The discussed case counts as the question's own answer when its own search ranks it this high …
CONTINUE_RANK = 3
# … or when the case's text holds this share of the question's words.
CONTINUE_COVERAGE = 0.6
# A question strong on another case switches when the discussed case scores below this share of the best.
SWITCH_SHARE = 0.7
# A question's own wording matches a passage strongly at this BM25 score (tuning dialogues: new topics phrased as
# follow-ups score 11–25, follow-ups with a word of their own 2–7).
STRONG_BM25 = 10.0
# 「同一类里还有哪些」「这家单位还有别的案例吗」: other cases of the discussed case's category, or of its unit.
SAME_CATEGORY = re.compile(r"同一?类|同类|这一类|一类里|这个类别|同一个类别")
# 「这位专家还点评了哪些案例」: the other cases the expert just quoted commented on.
SAME_EXPERT = re.compile(r"(?:这位|这个|该|那位|此)专家|(?:他|她)还点评|还点评了")
SAME_UNIT = re.compile(r"(这|该|那|同一?|他们的?|她们的?)(一)?(家|个)?(单位|镇|街道|区|公司|集团|总工会|工会|企业|医院|学校)")
# 「他们还有一个关于经费的案例」「他们镇还评上了哪个案例」: another case of the same unit, asked for by a pointer to it.
ANOTHER_CASE = re.compile(r"(?:还|另|别的|其他|其它)[^，。？?]{0,8}(?:案例|案子|获奖|入选|评上|上榜|选上)|"
                          r"也有一?个|也有[^，。？?]{0,2}案例")
UNIT_POINTER = re.compile(r"他们|她们|这家|那家|该单位")
# An English follow-up pointing back (「What was the satisfaction rate there?」) is about the discussed case: its
# cross-lingual search says little either way.
ENGLISH_POINTS_BACK = re.compile(r"\b(?:there|they|their|them|its|these|those|(?:this|that|the) (?:case|union|unit|town|"
                                 r"company|bureau|district|subdistrict|street|group|institute|factory|plant|hospital|"
                                 r"school|university|federation|committee|project|programme|program|platform|scheme))\b",
                                 re.IGNORECASE)
# The cadre says the topic changes (「换个话题，…」「再问个别的：…」; not 「换个角度说说」): on every labelled dialogue,
# 18 turns, all new topics.
CHANGES_TOPIC = re.compile(r"换个话题|换个问题|换一个话题|换个方向|^换个(?!角度|说法|方式|思路|问法)|"
                           r"说点别的|聊点别的|问个别的|另外问")
# Words that point back to what was said before (「那这种纠纷…」「他们多少人受益？」「里面提到的…」).
POINTS_BACK = re.compile(r"这种|这类|这个|这些|这样的|那个|那些|那种|他们|她们|它们|其中|里面|上面|刚才|前面|提到的|上述")
_UNIT_CORE = re.compile(r"(委员会|联合会|总工会|工会|有限公司|股份|集团|公司)$")
_DISTRICT = re.compile(r"^[\u4e00-\u9fff]{2}区")
SHORT_NAME_TAG = "j"  # jieba's tag for an abbreviation (上汽)
# A word more than this share of the cases use tells no case from another (上海, 职工, 工会).
COMMON_WORD_SHARE = 0.5


class FollowUpJudge:
    """Reads a question in its conversation; one instance per assistant."""

    def __init__(self, lexicon: Lexicon, compendium: Compendium) -> None:
        self.lexicon = lexicon
        self.compendium = compendium

    @classmethod
    def discussed(cls, history: Sequence) -> tuple[str, ...]:
        """The cases under discussion: those the last turn's answer cited (its best case first). A refused turn is
        part of the history too: after a question about the discussed case that the book cannot answer (its
        director's phone number, its wages a year later) the case is still under discussion; after an aside the book
        does not cover (a poem, the year of a law, a question whose own search does not find the case) it still is;
        after a refusal on the case's own topic elsewhere (「这些骑手出了车祸算工伤吗」「那宁波港的工会呢」) nothing is."""
        if not history:
            return ()
        answer: Answer = history[-1].answer
        if answer.refused:
            follow = answer.follow_up
            if follow is not None and follow.kind in (FOLLOW_UP_CONTINUE, FOLLOW_UP_ORDINAL):
                return tuple(follow.case_ids[:1])
            before = cls.discussed(history[:-1])
            return before if before and _aside(answer, before[0]) else ()
        if not answer.citations:
            return ()
        cited = list(answer.cited_cases)
        if answer.mode == MODE_LLM and answer.retrieved and answer.retrieved[0].case_id in cited:
            cited.remove(answer.retrieved[0].case_id)  # a model may cite a side passage first
            cited.insert(0, answer.retrieved[0].case_id)
        return tuple(cited)

    def leans_on_a_refusal(self, question: str, history: Sequence, alone: SearchResult) -> bool:
        """Whether the question points back to a question that was refused (what it points to is not in the book),
        rather than naming a case of its own (「那浦东机场这个联合会…」)."""
        if not history or not history[-1].answer.refused:
            return False
        verdict = history[-1].answer.verdict
        if verdict is not None and verdict.kind in ASIDE_REFUSALS:
            return False  # an instruction or a request to write names nothing to point back to
        # 「对了，市南供电那个七彩班组是怎么回事」: 那个 points within the question, to a term the case found names and the
        # refused question did not (「那这个机场…」 after 「虹桥机场有没有…」 points back to it).
        if not POINTS_BACK.search(question) or self.names_its_case(question, alone):
            return False
        return not (alone.hits and any(w not in history[-1].question
                                       for w in self._own_terms(question, alone.hits[0].case.id)))

    def names_its_case(self, question: str, alone: SearchResult) -> bool:
        """The question is about what it names, before any pointer, and the best case found says the name."""
        subject = self.lexicon.subject(question)
        if not subject or not alone.hits or POINTS_BACK.search(question[:question.find(subject[0][0])]):
            return False
        return any(tag in NAME_TAGS and len(word) > 1 and self.says(alone.hits[0].case.id, word)
                   for word, tag in subject)

    def names_another_unit(self, question: str, case_id: str) -> bool:
        """The question names another case's unit by a word only it has (「那临港松江科技城那个园区工会呢」)."""
        return bool(self.units_named(question, names_only=False) - {case_id})

    def units_named(self, question: str, names_only: bool = True) -> set[str]:
        """The cases whose units the question names by a word only they have (花旗, 马桥; `names_only`: a name or a word
        jieba's dictionary does not know, not a noun: 建筑 of 「中国建筑…」), or by a name or an abbreviation that
        shortens the unit (宝钢 of 宝山钢铁, 上汽 of 上海汽车集团)."""
        lexicon = self.lexicon
        held = {case.id for word in lexicon.tokenize(question)
                if not names_only or lexicon.dictionary_tag(word) in ("", *NAME_TAGS)
                if (case := self.compendium.unit_named(word))}
        shortened = {case.id for word, tag in lexicon.tag(question) if tag in (*NAME_TAGS, SHORT_NAME_TAG)
                     if (case := self.compendium.unit_named(word, shortened=True))}
        return held | shortened

    def topic(self, question: str) -> list[str]:
        """The question's own topic words: what is left without aspect words, words that name no topic by their
        part of speech (以后, 现在, 成功) and single characters (English: without question words)."""
        latin = [w.lower() for w in _LATIN_WORD.findall(question)]
        english = [w for w in latin if w not in ENGLISH_ASPECT_WORDS]
        tagged = self.lexicon.tag(_LATIN_WORD.sub(" ", question))
        plain = {w for w, tag in tagged if tag[:1] in FUNCTION_TAGS or tag in PLAIN_TAGS}
        # A name is a topic (饿了么 keeps its 了), unless it is an aspect word jieba took for a name (荣誉 nr).
        names = [w for w, tag in tagged if tag in NAME_TAGS and len(w) > 1 and not ASPECT_WORDS.fullmatch(w)]
        # A single character left over (钱, 出, 样) names no topic: too little to tell one case from another;
        # a number does (6+2, 809).
        chinese = [t for t in self.lexicon.tokenize(ASPECT_WORDS.sub(" ", _LATIN_WORD.sub(" ", question)))
                   if t.isdigit() or (len(t) > 1 and t not in plain)]
        return list(dict.fromkeys(names + chinese)) + english

    def common_topic(self, question: str) -> bool:
        """The question's topic words are all ones most cases use (上海, 职工): the case saying them shows nothing."""
        words = self.topic(question)
        return bool(words) and all(self.compendium.cases_using(w.lower()) > COMMON_WORD_SHARE * len(self.compendium.cases)
                                   for w in words)

    def case_coverage(self, question: str, case_id: str, own: bool = False) -> float:
        """Share of the question's topic words the case's text holds (`own`: its own words, without the background
        and the experts' comments it shares with its category, which name the other cases)."""
        tokens = list(dict.fromkeys(self.topic(question)))
        if not tokens:
            return 1.0
        case = self.compendium.get(case_id)
        text = ("\n".join((case.title, case.unit, *case.aliases, case.body)) if own else case.searchable_text).lower()
        return sum(t in text for t in tokens) / len(tokens)

    def subject_elsewhere(self, question: str, case_id: str) -> str | None:
        """The first word of what the question is about (`Lexicon.subject`, aspect words aside) that the case never
        says, in the question's words or the book's (「那杨浦给劳模看病开绿色通道的事呢？」 after a care-workers case);
        none when the subject is introduced as the case's own (他们的, 这个)."""
        subject = self.lexicon.subject(question)
        if not subject or POINTS_BACK.search(question[:question.find(subject[0][0])]):
            return None  # 「那他们的工会主席是谁？」: the discussed case's own
        for word, _ in subject:
            if len(word) > 1 and not ASPECT_WORDS.fullmatch(word) and not self.says(case_id, word):
                return word
        return None

    def term_elsewhere(self, question: str, case_id: str, found: str) -> str | None:
        """A word of the question's own topic that only a few cases of the book use, the case found for the question
        among them and the discussed case not: 「他们街道那个催缴经费的案例」 names another case by its own term."""
        return next((word for word in self._own_terms(question, found) if not self.says(case_id, word)), None)

    def _own_terms(self, question: str, found: str) -> list[str]:
        """The words of the question's own topic that only a few cases of the book use, the case found among them."""
        return [word for word in self.topic(question) if len(word) > 1 and self.says(found, word)
                and self.compendium.cases_using(word) <= RARE_WORD_CASES]

    def says(self, case_id: str, word: str) -> bool:
        """The case's text holds the word, in the question's words or the book's (快递小哥: 快递员)."""
        text = self.compendium.get(case_id).searchable_text.lower()
        return any(w.lower() in text for w in [word, *self.lexicon.expansion(word)])

    @staticmethod
    def asks_same_unit(question: str, case: Case) -> bool:
        """「这家单位还有别的案例吗」「他们还有一个关于经费的案例」「南翔镇总工会还有别的案例吗」: the unit under discussion,
        by a pointer or by its name (without its district), its other cases."""
        name = _DISTRICT.sub("", _UNIT_CORE.sub("", case.unit))
        return bool(SAME_UNIT.search(question)) or _another_of_its_cases(question) or (len(name) > 1 and name in question)

    def related(self, case_id: str, question: str, said: str = "") -> tuple[str, ...] | None:
        """The cases 「同一类」 (or a topic in the category's own words: 「集体协商这块」), 「这家单位」 or 「这位专家」 points
        to besides the discussed one (None: the question says none of them); the expert is the one the last answer
        (`said`) quoted, else any who commented on the case."""
        case = self.compendium.get(case_id)
        if _asks_same_expert(question) and case.expert_comments:
            experts = {c.expert for c in case.expert_comments if c.expert and c.expert in said} \
                or {c.expert for c in case.expert_comments}
            return tuple(c.id for c in self.compendium.cases if c.id != case_id
                         and any(e.expert in experts for e in c.expert_comments))
        if SAME_CATEGORY.search(question) or self._in_category_words(question, case):
            return tuple(c.id for c in self.compendium.cases if c.category == case.category and c.id != case_id)
        if self.asks_same_unit(question, case):
            core = _UNIT_CORE.sub("", case.unit)
            return tuple(c.id for c in self.compendium.cases if c.id != case_id
                         and (core in c.unit or _UNIT_CORE.sub("", c.unit) in case.unit))
        return None

    def _in_category_words(self, question: str, case: Case) -> bool:
        """The request names its topic only in words of the discussed case's category (「集体协商这块还有别的案例吗」 after
        a case of 「创新集体协商机制…」): that category's cases."""
        topic = self.topic(question)
        return bool(topic) and all(word in case.category for word in topic)

    @classmethod
    def before_refusals(cls, history: Sequence) -> tuple[str, ...]:
        """The cases discussed before the refused turns at the end of the history (within LIST_LOOKBACK turns)."""
        for back in range(1, min(LIST_LOOKBACK, len(history)) + 1):
            if not history[-back].answer.refused:
                return cls.discussed(history[:len(history) - back + 1])
        return ()

    @classmethod
    def last_list(cls, history: Sequence) -> tuple[str, ...]:
        """The cases of the latest answer that listed several, within the last LIST_LOOKBACK turns: 「第一个呢」 after
        a list, one of its cases and an aside still picks from the list."""
        for back in range(1, min(LIST_LOOKBACK, len(history)) + 1):
            answer: Answer = history[-back].answer
            cited = answer.cited_cases if not answer.refused else ()
            if len(cited) >= 2:
                return cited
        return ()

    @staticmethod
    def position(question: str, listed: int) -> int | None:
        """Which of the previous answer's `listed` cases 「第二个」 or 「最后那个」 points to (None: neither, or past
        the list's end)."""
        ordinal = ORDINAL.search(question)
        if ordinal:
            number = NUMERALS[ordinal.group(1)]
            return number - 1 if 0 < number <= listed else None
        if listed >= 2 and FIRST.search(question):
            return 0
        return listed - 1 if listed >= 2 and LAST.search(question) else None

    def decide(self, question: str, history: Sequence, alone: SearchResult, answerable_alone: bool) -> FollowUp:
        """How to read `question` after `history`, given its own search over the whole compendium (`alone`) and
        whether it would be answered on its own."""
        discussed = self.discussed(history) or (self.before_refusals(history) if RETURN.search(question) else ())
        if not discussed:
            return FollowUp(FOLLOW_UP_NEW, (), "没有正在讨论的案例")
        listed = self.last_list(history) or discussed
        position = self.position(question, len(listed))
        if position is not None:
            return FollowUp(FOLLOW_UP_ORDINAL, (listed[position],), "前面列出的第 n 个案例")
        current = discussed[0]
        if OTHERS.search(question) or SAME_CATEGORY.search(question) or _another_of_its_cases(question) \
                or _asks_same_expert(question):
            return FollowUp(FOLLOW_UP_OTHERS, discussed, "要找正在讨论之外的案例")
        if not self.topic(question):
            return FollowUp(FOLLOW_UP_CONTINUE, (current,), "问题没有自己的话题，只问案例的某一方面")
        if CHANGES_TOPIC.search(question):
            return FollowUp(FOLLOW_UP_NEW, (), "提问人说要换个话题")
        if is_english(question) and ENGLISH_POINTS_BACK.search(question):
            return FollowUp(FOLLOW_UP_CONTINUE, (current,), "用英文指回正在讨论的案例")
        named = self.units_named(question)
        if any(h.case.id in named for h in alone.hits[:CONTINUE_RANK]) \
                and current not in self.units_named(question, names_only=False):
            # 「宝钢那边的师徒结对是怎么搞的」 after 七一一所's: a word only another case says names its unit, the
            # question's own search finds that case, and the discussed case's unit is not named as well (「从静安寺到
            # 市北高新园区怎么坐地铁」 after 市北高新's).
            return FollowUp(FOLLOW_UP_NEW, (), "问题点名了另一个案例的单位")
        top = alone.hits[0] if alone.hits else None
        scores = {h.case.id: h.score for h in alone.hits}
        # Strong evidence of its own: answerable alone, with dense and BM25 agreeing on another case, and a word the
        # discussed case does not say itself (「职工入会率多少？」 after 顾村's case is still about 顾村, which says both)
        # or another case's unit named.
        strong_elsewhere = answerable_alone and alone.agreement and top is not None and top.case.id not in discussed \
            and scores.get(current, 0.0) < SWITCH_SHARE * top.score \
            and (self.case_coverage(question, current, own=True) < 1.0 or self.names_another_unit(question, current))
        if strong_elsewhere:
            return FollowUp(FOLLOW_UP_NEW, (), "问题本身明确指向另一个案例")
        # A term of another case counts only when dense and BM25 agree on that case: 「后来反响咋样」 is too bare to
        # leave the case for the one case that says 反响.
        away = self.subject_elsewhere(question, current) or (
            top is not None and alone.agreement and self.term_elsewhere(question, current, top.case.id))
        if away and top is not None and self.says(top.case.id, away):
            # Only when the question's own search finds it elsewhere: 「柜子里都放些啥」 asks about the discussed case
            # in words it does not use (its 爱心集享格), not about another case.
            return FollowUp(FOLLOW_UP_NEW, (), f"问题问的「{away}」不在正在讨论的案例里，在另一个案例里")
        if current in [h.case.id for h in alone.hits[:CONTINUE_RANK]]:
            return FollowUp(FOLLOW_UP_CONTINUE, (current,), "问题本身的检索仍把该案例排在前几名")
        if self.case_coverage(question, current) >= CONTINUE_COVERAGE:
            return FollowUp(FOLLOW_UP_CONTINUE, (current,), "该案例原文包含问题的大部分用词")
        if answerable_alone and alone.top_bm25 < STRONG_BM25:
            # Answerable, yet pointing nowhere in particular (「他们入会能享受点啥？」): about the case under discussion.
            return FollowUp(FOLLOW_UP_CONTINUE, (current,), "问题本身没有明确指向别的案例")
        return FollowUp(FOLLOW_UP_NEW, (), "问题本身指向别的案例或案例集以外")


def _aside(refused: Answer, case_id: str) -> bool:
    """A refused question that left the case under discussion aside or asked what it does not tell: an instruction,
    a request to write or for an opinion, social insurance, tax or a ruling of law (whatever it names), a later year
    or a detail not printed, or a question whose own search did not rank the case among its first few."""
    kind = refused.verdict.kind if refused.verdict is not None else ""
    return kind in ASIDE_REFUSALS or kind in OWN_CASE_REFUSALS or kind in (REFUSAL_POLICY, REFUSAL_LEGAL) \
        or case_id not in [r.case_id for r in refused.retrieved[:CONTINUE_RANK]]


def _asks_same_expert(question: str) -> bool:
    """「这位专家还点评了哪个案例」「她还点评了别的吗」: more cases of the expert under discussion."""
    return bool(SAME_EXPERT.search(question)) and bool(re.search(r"还|别的|其他|其它|另", question))


def _another_of_its_cases(question: str) -> bool:
    """「他们镇还评上了哪个案例」「这个街道总工会还有啥别的做法上榜」: another case, asked of the unit by a pointer to it."""
    return bool((UNIT_POINTER.search(question) or SAME_UNIT.search(question)) and ANOTHER_CASE.search(question))
