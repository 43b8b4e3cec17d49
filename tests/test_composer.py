"""The extractive composer as a cadre reads it: the answer first, verbatim quotes with one [n] per case, the shape
of each kind of question, and short answers. On the real corpus and the session index."""

from __future__ import annotations

import re
import statistics

import pytest

from assistant import answer_quality, asking, sentences
from assistant.answer_quality import body, compact, opening
from assistant.answering import QUOTE_GAP, WHICH_SUPPORTS, intent
from assistant.corpus import Case
from assistant.pipeline import Turn
from assistant.types import REFERENCES_HEADING

# Words the composer writes itself around the quotes (everything else in an answer is quoted or a name).
FRAMES = ("的做法：", "可向", "学习。", "点评：", "是", "案例集中有", "个相关案例", "点评了案例集中的", "个案例",
          "（案例较多，按相关程度排列）", "（按案例集中的顺序，列出前 8 个）", "（按案例集中的顺序）",
          "From the case", "This is", "commented:", "成效：")
ONE_OF_EACH_KIND = {
    "howto": "外卖小哥整天在路上跑，怎么把他们拉进工会？",
    "outcome": "宝钢职工岗位创新取得了哪些成效？",
    "fact": "饿了么送餐平台的总部公司工会是哪天成立的？",
    "which": "哪个单位在工地上建了工友村？",
    "multi": "哪些案例讲农民专业合作社建工会？",
    "why": "为什么快递员、家政服务员这些新型就业群体很难加入工会？",
    "expert": "专家怎么点评上港集团的放心食堂？",
}


def _source(case: Case) -> str:
    """Everything the book says that an answer about the case may quote."""
    return compact(case.searchable_text)


def _quoted_pieces(answer) -> list[str]:
    return [piece for c in answer.citations for piece in c.quote.split(QUOTE_GAP)]


def _own_words(answer, assistant) -> str:
    """What is left of the answer once its quotes, case names, expert names, numbering and markers are removed."""
    text = compact(body(answer.answer))
    for piece in sorted(_quoted_pieces(answer), key=len, reverse=True):
        text = text.replace(compact(piece).rstrip("，,：:、"), "")
    for c in answer.citations:
        case = assistant.compendium.get(c.case_id)
        names = [case.title, case.unit, case.award,
                 *(n for e in case.expert_comments for n in (e.affiliation, e.expert))]
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(compact(name), "")
    for frame in FRAMES:
        text = text.replace(compact(frame), "")
    return re.sub(r"\[\d+\]|\d+\.|[…《》（）()—：:。，,、\-]", "", text)


@pytest.fixture(scope="module")
def answers(assistant):
    return {kind: assistant.ask(question) for kind, question in ONE_OF_EACH_KIND.items()}


class TestVerbatim:
    @pytest.mark.parametrize("kind", list(ONE_OF_EACH_KIND))
    def test_every_quoted_piece_is_in_the_cited_case(self, answers, assistant, kind):
        answer = answers[kind]
        assert not answer.refused and answer.citations
        for citation in answer.citations:
            source = _source(assistant.compendium.get(citation.case_id))
            for piece in citation.quote.split(QUOTE_GAP):
                assert len(piece) >= 4 and compact(piece) in source, (kind, piece)

    @pytest.mark.parametrize("kind", list(ONE_OF_EACH_KIND))
    def test_the_answer_is_its_quotes_and_names_with_a_few_words_around_them(self, answers, assistant, kind):
        answer = answers[kind]
        for piece in _quoted_pieces(answer):
            assert compact(piece).rstrip("，,：:、") in compact(answer.answer), (kind, piece)
        assert len(_own_words(answer, assistant)) <= 12, (kind, _own_words(answer, assistant))

    def test_a_cut_sentence_is_marked_where_words_were_left_out(self, answers, assistant):
        cuts = 0
        for answer in answers.values():
            for citation in answer.citations:
                case = assistant.compendium.get(citation.case_id)
                whole = {s.text for s in sentences.of_case(case)} | {
                    s for c in case.expert_comments for s in sentences.split(c.text)} | set(
                    sentences.split(case.background))
                for piece in citation.quote.split(QUOTE_GAP):
                    if piece in whole:
                        continue
                    cuts += 1
                    shown = piece.rstrip("，,：:、")
                    assert "…" + shown in answer.answer or shown + "…" in answer.answer, piece
        assert cuts, "some quoted sentence is long enough to be cut"


class TestCitations:
    def test_one_marker_per_run_of_lines_from_one_case(self, answers):
        answer = answers["howto"]
        lines = body(answer.answer).splitlines()
        assert body(answer.answer).count("[1]") == 1 < len(lines) - 1, "the steps share one [1], not one per line"

    def test_reference_list_has_one_line_per_case_and_stays_at_the_end(self, answers):
        for answer in answers.values():
            references = answer.answer.split(REFERENCES_HEADING)[1].strip().splitlines()
            assert len(references) == len(answer.citations) == len({c.case_id for c in answer.citations})
            markers = {int(n) for n in re.findall(r"\[(\d+)\]", body(answer.answer))}
            assert markers == {c.n for c in answer.citations}


class TestShapeByKind:
    def test_howto_gives_at_most_five_moves_then_whom_to_learn_from(self, answers):
        answer = answers["howto"]
        case = answer.citations[0]
        assert case.case_id == "2017-A3-2"
        lines = body(answer.answer).splitlines()
        assert lines[0] == f"{case.unit}的做法："
        assert 2 <= len(lines[1:-1]) <= 5
        assert all(re.match(r"\d+\.|- ", line) for line in lines[1:-1])
        assert lines[-1] == f"可向《{case.title}》（{case.unit}）学习。"
        assert "饿了么" in answer.answer

    @pytest.mark.parametrize(("question", "figure"), [
        ("饿了么送餐平台的总部公司工会是哪天成立的？", "2017年6月12日"),
        ("上汽的88拼车每公里收多少钱？", "0.43元/公里"),
        ("上汽工会搞的那个拼车app，拼一次多少钱啊", "0.43元/公里"),  # a use is priced per order and per kilometre
        ("家政服务员遇到法律问题，24小时热线电话是多少？", "021-23529626"),
        ("宝钢工会每年拿出多少钱奖励创新团队？", "100万元"),
        ("百事通维权热线多少？", "4009202251"),  # 百事通's, though another case's hotline carries more figures
        ("805所的项目在创新创业大赛拿了啥名次？", "第1名"),  # a place in a ranking is a fact too
        ("全市的爱心接力站建了几座？", "5700余座"),  # counted by a counting word of its own
        ("浦东的工会社工用钉钉办公以后少用了多少纸", "810包"),  # the thing counted, then its figure
        ("电装每年啥时候谈奖金、啥时候谈工资？", "6月、10月"),  # a schedule told by months
        ("电装哪个月谈工资？", "10月"),  # a month asked: not a sentence of years
        # A day asked: the sentence with the day (「2017年12月7日…选举成立」), not one with only a month (「2016年11月…」).
        ("枫泾那家国际学校的工会是哪天成立的？", "2017年12月7日"),
        ("百事通给员工家属开的维权专线是几号？", "4009202251"),  # 几号 asks a number, not how it was done
    ])
    def test_fact_question_has_the_figure_in_the_first_line(self, assistant, question, figure):
        answer = assistant.ask(question)
        assert compact(figure) in compact(opening(answer.answer)), answer.answer

    @pytest.mark.parametrize(("question", "items"), [
        # A list the book opens with a colon (「依据三个原则：」), and one it counts (「分为四大阶段」).
        ("欧阳路街道划分工会网格依据的是哪几条原则？", ["地域相邻", "不完全重合", "数量均衡"]),
        ("长白新村按季度推进非公企业建会，分哪几个阶段？", ["调研策划阶段", "指标建立阶段", "自查自改阶段", "评估考核阶段"]),
        # Numbered moves a sentence announces (「探索“四联系双发展”机制」 then 一是…四是), or the question names the
        # counted thing (「三个基础分别是什么」) and the best sentence is one of the moves.
        ("康健街道的四联系是哪四个？", ["情感联系机制", "治理联系机制", "项目联系机制", "共享联系机制"]),
        ("新河镇的四个清单、四项基础分别是什么？", ["四个清单", "四项基础", "四项服务"]),
        # The headings each name the kind of member asked for (机制, 思维), or start with a member the question lists.
        ("电装上海分公司工会开展集体谈判依靠哪几项机制？",
         ["工会联席会机制", "职代会授权机制", "定期化谈判机制", "流程化谈判机制"]),
        ("卫星装备研究所工会运用了哪几种思维？", ["整合思维", "甲方思维", "粉丝思维"]),
        ("航天设备制造总厂的“学思悟行”，学、思、悟、行分别指啥？", ["学：", "思：", "悟：", "行："]),
        ("航天设备制造总厂的“学思悟行”里，学、思、悟、行各抓什么？", ["三性", "四信", "五感", "六大"]),
        # Each term the question asks of has its own move, told by its heading, and by the sentence after a short one.
        ("新河镇合作社工会的“四个清单”“四项基础”“四项服务”分别指什么？", ["保障四个清单", "制度四项基础", "合作四项服务"]),
        ("天平街道的“三张清单”“三维阵地”“三个同时”分别是啥？", ["三张服务清单", "社区—企业—商户", "集体协商"]),
        # A sentence naming the members in a row (「服务包括员工拼车、共享班车、分时租赁租车。」).
        ("上汽那个88共享出行APP具体有哪几种出行方式？", ["员工拼车", "共享班车", "分时租赁租车"]),
        # The sentence that lists what a thing the question names consists of, right after naming it, whatever
        # the kind of question (a how-to word 举措, a fact, a list word 哪几类 about one case).
        ("宝钢股份的创新工作室主要任务有哪些？", ["现场攻关", "指导服务", "示范引领", "孵化培养"]),
        ("石门二路的“三访三查”具体查些什么？", ["查制度", "看现场", "听反映", "暗访职工个体"]),
        ("南翔的小候鸟活动有哪几类？", ["亲子活动系列", "手工制作系列", "讲座培训系列", "趣味活动系列"]),
        # Where the case says what the thing is (“6+2”指的是…), then the moves it counts, as many as asked.
        ("温馨6+2是啥意思", ["6项", "2项", "纪念照", "纪念品"]),
        ("复兴船务的“6+2”里那6项举措是什么？", ["纪念照", "《关爱指南》", "住院保险", "座谈会", "欢送会", "纪念品"]),
        ("杨浦区劳模就医的三级“绿色通道”分别是什么？", ["社区卫生服务中心", "区属各二级医院", "区域三级医院"]),
        # Counted by a heading of the case (「2.立足三大平台」) that the question's opening sentence is not.
        ("中国移动上海公司工会在“互联网+”平台层建了哪三个平台？", ["和工社", "幸福 1+1", "工会之窗"]),
        # A move whose heading counts its own members (「一是创新五种建会模式…。主要做法是…；…；…。」), not the moves.
        ("马桥镇总工会那五种建会模式都是啥", ["属地管理", "园区工会联合会", "二次覆盖", "四个商业区", "100人以上企业"]),
        # 「分别」 asks of every member: the whole list the answering sentence ends (「…9大…;…10大…;…23项…」).
        ("天平街道三张清单分别有多少项服务", ["9大服务内容", "10大服务内容", "23项服务内容"]),
    ])
    def test_a_question_for_the_items_of_a_list_gets_all_of_them(self, assistant, question, items):
        answer = assistant.ask(question)
        assert all(item in body(answer.answer) for item in items), answer.answer

    @pytest.mark.parametrize(("case_id", "moves"), [
        ("2017-N5-2", ["学：", "思：", "悟：", "行："]),  # moves named by a one-character label
        ("2017-N2-3", ["一季度", "二季度", "三季度", "四季度"]),  # a series the case counts in its own words
        ("2017-N15-1", ["三级“绿色通道”包括:第一级", "第二级", "第三级"]),  # the first one after the colon announcing them
    ])
    def test_moves_a_case_counts_in_its_own_words_are_its_steps(self, compendium, case_id, moves):
        heads = [s for s in sentences.of_case(compendium.get(case_id)) if s.head]
        assert [next((m for m in moves if s.text.startswith(m)), None) for s in heads] == moves
        # The paragraph after the moves (one to a paragraph, or all in one) tells what came of them: it is none of them.
        after = {"2017-N2-3": "98.5%", "2017-N15-1": "成效明显", "2017-N5-2": None}[case_id]
        if after:
            results = next(s for s in sentences.of_case(compendium.get(case_id)) if after in s.text)
            assert results.step == -1 and not results.head

    @pytest.mark.parametrize(("question", "moves"), [
        ("航天设备制造总厂的“学思悟行”工作法怎么做？", ["- 学：", "- 思：", "- 悟：", "- 行："]),
        ("劳模看病挂号难，杨浦的三级绿色通道是怎么分的？", ["第一级绿色通道", "- 第二级绿色通道", "- 第三级绿色通道"]),
    ])
    def test_howto_of_a_case_told_in_prose_gives_the_moves_it_counts(self, assistant, question, moves):
        answer = body(assistant.ask(question).answer)
        assert all(move in answer for move in moves), answer

    def test_an_opening_that_points_back_comes_with_the_sentence_it_points_to(self, assistant):
        answer = assistant.ask("枫泾镇那所国际学校的工会是怎么建起来的？")  # 「…为该教师办理入会手续后…」
        assert answer.citations[0].case_id == "2017-N2-1"
        assert opening(answer.answer).index("申工社") < opening(answer.answer).index("为该教师"), answer.answer

    def test_a_sentence_ending_in_a_semicolon_is_quoted_with_the_rest_of_its_list(self, assistant, compendium):
        case = compendium.get("2017-A4-3")
        first = next(s for s in sentences.of_case(case) if s.text.startswith("“三访三查”通过"))
        listed = sentences.continued(first, sentences.of_case(case), 200)
        assert [s.text[:4] for s in listed] == ["“三访三", "暗访职工", "走访楼宇"]
        assert sentences.continued(listed[-1], sentences.of_case(case), 200) == [listed[-1]]  # it ends with 。

    @pytest.mark.parametrize(("question", "figures"), [
        ("欧阳路的网格工会建起来以后，建会率和经费收缴有啥变化？", ["93.3%", "106 万元"]),
        ("长白新村的建会率和经费收缴后来咋样了？", ["98.5%", "53 万元"]),
    ])
    def test_an_outcome_question_joining_two_things_has_both_figures_in_the_first_line(self, assistant, question,
                                                                                        figures):
        answer = assistant.ask(question)
        assert all(compact(f) in compact(opening(answer.answer)) for f in figures), answer.answer

    def test_each_asking_phrase_gets_its_answer_in_the_first_line(self, assistant):
        # The second phrase asks how something went (满意度咋样), not a figure by its words: it is asked all the same.
        answer = assistant.ask("闵行的民办学校搞校务公开的占多少？会员对工会满意度咋样？")
        assert all(compact(f) in compact(opening(answer.answer)) for f in ["78%", "97.51%"]), answer.answer
        # Two things joined in English, each found by the book's words for it (meetings: 会议).
        answer = assistant.ask("How many meetings and working days has the Pudong Gonghui centre saved with DingTalk?")
        assert all(compact(f) in compact(opening(answer.answer)) for f in ["会议810次", "75个工作日"]), answer.answer
        # A name asked by its own phrase: the sentence that names it joins the opening.
        answer = assistant.ask("龙华街道的建设者之家哪年建的？建设者们自己管事的团队叫什么？")
        assert all(compact(f) in compact(opening(answer.answer)) for f in ["2016年7月", "西岸龙之队"]), answer.answer

    @pytest.mark.parametrize(("question", "phrases"), [
        ("电装的职工收入涨了多少？跳槽的少了没？", 2), ("会员对工会满意度咋样", 1),
        ("How many unions had Maqiao set up by 2017 and how many members joined?", 2),
        ("How many unions and members did Maqiao have?", 1),  # one asking phrase for two things
        ("龙华街道的建设者之家哪年建的？建设者们自己管事的团队叫什么？", 2),  # a name asked is a fact asked
    ])
    def test_a_question_asks_one_fact_per_asking_phrase(self, question, phrases):
        assert len(asking.ask_phrases(question)) == phrases

    def test_outcome_question_leads_with_a_result_in_figures(self, answers):
        answer = answers["outcome"]
        assert answer.citations[0].case_id == "2017-A7-1" and "成效" in answer.citations[0].section
        assert re.search(r"\d", opening(answer.answer))

    def test_which_question_names_unit_and_title_first_then_why(self, answers, assistant):
        answer = answers["which"]
        case = assistant.compendium.get(answer.citations[0].case_id)
        first, *rest = body(answer.answer).splitlines()
        assert case.id == "2017-N12-1" and case.unit in first and f"《{case.title}》" in first
        assert 1 <= len(rest) <= 1 + WHICH_SUPPORTS and "工友村" in rest[0]

    def test_which_question_supports_the_unit_with_what_the_first_sentence_does_not_say(self, assistant):
        # The best sentence says what the app does; the one after names it (「88共享出行」), as a reader needs to ask for it.
        answer = assistant.ask("哪家工会开发了员工拼车、共享班车的app")
        first, *rest = body(answer.answer).splitlines()
        assert answer.citations[0].case_id == "2017-A1-3" and len(rest) == 2
        assert "88共享出行" in compact(rest[1]) and "88共享出行" not in compact(rest[0])

    def test_list_question_names_several_cases_one_line_each(self, answers):
        answer = answers["multi"]
        cited = [c.case_id for c in answer.citations]
        assert {"2017-A3-5", "2017-A3-6"} <= set(cited)
        lines = body(answer.answer).splitlines()
        assert lines[0].startswith(f"案例集中有 {len(cited)} 个相关案例")
        for n, citation in enumerate(answer.citations, start=1):
            line = lines[n]
            assert line.startswith(f"{n}. 《{citation.title}》— {citation.unit}：") and line.count("《") == 1

    def test_a_case_whose_title_names_the_lists_topic_is_listed(self, assistant):
        # 新河镇's title says 农业合作社, its sentences 农民专业合作社: its title counts as much as a sentence would.
        cited = [c.case_id for c in assistant.ask("书里给农业合作社建工会的案例有哪几个？").citations]
        assert {"2017-A3-5", "2017-A3-6"} <= set(cited)

    def test_list_of_a_whole_category_names_all_its_cases(self, assistant):
        answer = assistant.ask("提名奖里搞劳动竞赛的那一类，四个案例各有什么特色？")
        assert {c.case_id for c in answer.citations} == {"2017-N6-1", "2017-N6-2", "2017-N6-3", "2017-N6-4"}

    @pytest.mark.parametrize(("question", "cases"), [
        # By the unit: the district, town or organisation the question names, in the book's order.
        ("宝山区有哪些案例？", ["2017-T1-1", "2017-N18-1"]),  # 宝山区, not 宝山 of 宝山钢铁
        ("杨浦区的工会有哪些案例入选？", ["2017-A3-1", "2017-N2-3", "2017-N15-1"]),
        ("崇明区报送的案例有哪几个？", ["2017-A3-5", "2017-N4-2"]),  # 报送 says how it came into the book, no topic
        ("杨浦区有哪些工会的案例上榜了？", ["2017-A3-1", "2017-N2-3", "2017-N15-1"]),  # so does 上榜
        ("中国移动上海的工会入选了哪两个案例？", ["2017-A1-7", "2017-N1-1"]),
        # By the expert who commented on them.
        ("石云教授点评了哪些案例？", ["2017-A2-1", "2017-A2-2", "2017-A2-3", "2017-A8-1"]),
        # By a category named in the question's own words.
        ("集体协商方面书里有哪几个案例？", ["2017-A4-1", "2017-A4-2", "2017-A4-3"]),
        ("国企工会帮带非公企业工会改革的例子有哪些？", ["2017-A5-1", "2017-A5-2", "2017-A5-3"]),  # 国企: 国有企业
        # By how the book is arranged: units with two cases, categories of one (of the award named).
        ("有没有同一个申报单位拿了两个案例的？都是谁？",
         ["2017-A1-7", "2017-A2-3", "2017-A6-1", "2017-N1-1", "2017-N1-2", "2017-N1-3"]),
        ("十大创新案例里单独成一类的是哪几个？", ["2017-A6-1", "2017-A7-1", "2017-A8-1", "2017-A9-1", "2017-A10-1"]),
    ])
    def test_a_list_picked_by_what_the_book_says_of_the_cases(self, assistant, question, cases):
        assert [c.case_id for c in assistant.ask(question).citations] == cases

    def test_a_long_list_by_expert_names_all_of_them_in_the_books_order(self, assistant):
        answer = assistant.ask("顾晓鸣点评了哪些案例？")
        lines = body(answer.answer).splitlines()
        assert lines[0] == ("顾晓鸣（原浦东新区人大常委会副主任、区总工会主席、上海市工运研究会理事）"
                            "点评了案例集中的 12 个案例（按案例集中的顺序）：")
        assert len(answer.citations) == 12 and answer.citations[0].case_id == "2017-A1-1"
        assert max(len(line) for line in lines[1:]) < 120  # many cases: a shorter quote each

    def test_a_list_of_a_places_cases_on_a_topic_is_not_every_case_of_the_place(self, assistant):
        cited = [c.case_id for c in assistant.ask("徐汇区有哪些给环卫工人歇脚的地方？").citations]
        assert cited and set(cited) != {"2017-A10-1", "2017-N4-4", "2017-N14-1"}

    def test_why_question_quotes_the_category_background_first(self, answers, assistant):
        answer = answers["why"]
        case = assistant.compendium.get(answer.citations[0].case_id)
        assert case.category.startswith("创新行业工会组织模式")
        assert answer_quality.quotes(opening(answer.answer), case.background)
        lines = body(answer.answer).splitlines()
        assert case.unit in lines[-2] and lines[-1] == f"可向《{case.title}》（{case.unit}）学习。"

    def test_why_question_about_a_case_without_category_background_quotes_its_own(self, assistant):
        answer = assistant.ask("月浦镇为什么要特别抓安全生产？")
        case = assistant.compendium.get(answer.citations[0].case_id)
        assert case.id == "2017-N18-1" and not case.background
        assert answer_quality.quotes(opening(answer.answer), answer_quality.background_text(case))

    def test_why_question_is_answered_from_the_background_that_explains_it_best(self, assistant):
        # The search ranks a case about 非公企业工会改革 first; the best passage found is the background of the
        # category 「发挥国有企业工会优势 促进非公企业工会改革」.
        answer = assistant.ask("为啥要让国企工会去带动非公企业工会改革？")
        case = assistant.compendium.get(answer.citations[0].case_id)
        assert case.category.startswith("发挥国有企业工会优势"), answer.answer
        assert "约占企业总数的90%" in compact(opening(answer.answer))

    def test_why_question_about_one_case_adds_the_problem_it_states_to_its_categorys_background(self, assistant):
        answer = assistant.ask("为什么邮政系统的工会要给快递员建行业工会？")
        case = assistant.compendium.get(answer.citations[0].case_id)
        assert case.id == "2017-A3-4" and case.background
        assert answer_quality.quotes(opening(answer.answer), case.background)  # the category's background first
        assert "加盟" in body(answer.answer)  # then the case's own statement of its problem

    def test_why_question_skips_a_category_background_about_the_other_cases(self, assistant):
        # 小候鸟's category background is about housing and meals: the case's own statement of its problem, whole.
        answer = assistant.ask("为什么南翔镇总工会要搞“小候鸟”暑期活动？")
        case = assistant.compendium.get(answer.citations[0].case_id)
        assert case.id == "2017-A2-3" and not answer_quality.quotes(body(answer.answer), case.background)
        assert all(fact in body(answer.answer) for fact in ["留守儿童再次留守", "安全隐患"]), answer.answer

    def test_expert_question_names_the_expert_and_affiliation(self, answers):
        first = opening(answers["expert"].answer)
        assert "石云" in first and "华东师范大学" in first

    def test_the_points_an_expert_numbers_are_quoted(self, assistant):
        answer = assistant.ask("全总的高洁副部长说顾村经验有哪几点可以借鉴？")
        assert all(point in answer.answer for point in ("法治方向、职工主体", "系统思维、创新措施", "问题导向、务实作风"))

    def test_the_members_of_what_an_expert_names_are_quoted_whole(self, assistant):
        answer = assistant.ask("专家说欧阳路的网格工会联合会做到了“五到位”，是哪五个？")
        assert "合理布局、人员配备、工作经费、硬件配置、考核管理“五到位”" in answer.answer, answer.answer

    def test_a_long_point_gets_the_room_the_short_ones_leave(self, assistant):
        answer = assistant.ask("俞莉红怎么看欧阳路把工会建在网格上？")  # one long sentence, then short ones
        assert "强基层、强基础、强队伍" in body(answer.answer) and "五到位" in body(answer.answer), answer.answer

    def test_expert_question_pointing_to_one_of_two_experts_quotes_that_one(self, assistant):
        answer = assistant.ask("复旦那位社工教授怎么点评顾村？")
        assert "顾东辉" in answer.answer and "高洁" not in answer.answer

    def test_english_question_gets_an_english_lead_with_the_case(self, assistant):
        # Composed from the search directly: whether an English question passes the refusal gate is another test's.
        question = "How did the union of the delivery platform Ele.me organise its riders?"
        result = assistant.searcher.search(question, k=5)
        text, citations = assistant.composer.compose(question, result.query, list(result.hits))
        first = opening(text)
        assert first.startswith("From the case 《") and citations[0].unit in first

    @pytest.mark.parametrize(("question", "figures"), [
        # What an English question counts (workers, model workers) is the measure the figure carries: 名, 位.
        ("Roughly how many sanitation workers are there on Shanghai's front line?", ["5.3万余名"]),
        ("How many model workers signed a contract with family doctors in Yangpu?", ["154位"]),
    ])
    def test_english_count_of_people_leads_with_a_figure_of_people(self, assistant, question, figures):
        result = assistant.searcher.search(question, k=5)
        text, _ = assistant.composer.compose(question, result.query, list(result.hits), assistant.compendium.cases)
        assert all(f in compact(opening(text)) for f in figures), text


    @pytest.mark.parametrize(("question", "fact"), [
        # How often: a period (每季度…), not a length of time.
        ("复兴船务关爱临近退休职工的“6+2”活动多久搞一次？", "每季度第三个月的第20日"),
        # Whether many took part: a count of participants.
        ("国客中心搞的网上互动答题，参与的人多吗？", "7646人次"),
        # Satisfaction: a share.
        ("闵行教育工会搞了沟通协商，老师们对工会满意不？", "97.51%"),
        # A ratio answers a question for a proportion.
        ("长兴镇外来人口跟本地人口啥比例？", "1:1"),
        # An outcome of a thing the case's results never name is told where the case names it.
        ("宝钢的芝麻奖一年给公司省了多少？", "近1个亿"),
        # Everyday English words count in the book's words for them (satisfaction → 满意度).
        ("What was the satisfaction rate of union members at China Mobile's Shanghai union in 2017?", "99.34%"),
        # 「有起色没」 asks how much it changed: a figure; what members 「享受」 is what came of it.
        ("欧阳路街道的工会经费收缴有起色没？", "106万元"), ("杨浦医养照护行业工会的会员入会能享受点啥？", "47.2万元"),
        # How big in English asks an area; a ratio asked in English is a share.
        ("How big is the Pudong airport union federation's service station in square metres?", "50平方米"),
        ("What is the ratio of migrant to local residents in Changxing town?", "1:1"),
    ])
    def test_the_opening_line_carries_the_fact_asked_in_everyday_words(self, assistant, question, fact):
        answer = assistant.ask(question)
        assert fact in compact(opening(answer.answer)), answer.answer

    def test_members_told_one_per_sentence_under_a_counting_heading_are_all_quoted(self, assistant):
        # 「2.立足三大平台」: each platform is named, quoted, in its own sentence of the move.
        answer = assistant.ask("中国移动上海公司工会的“互联网+”平台层由哪三大平台构成？")
        assert all(name in compact(answer.answer) for name in ("和工社", "幸福1+1", "工会之窗")), answer.answer

    def test_moves_announced_by_a_count_the_question_repeats_are_listed(self, assistant):
        # 「6项举措为:」 stands four sentences after the sentence that answers first.
        first = "复兴船务工会给快退休的职工搞的“6+2”是啥？"
        answer = assistant.ask("那6项具体是啥？", [Turn(first, assistant.ask(first))])
        assert all(move in answer.answer for move in ("纪念照", "关爱指南", "住院保险", "座谈会", "欢送会", "纪念品"))

    def test_what_a_place_is_set_up_with_is_quoted_as_its_members(self, assistant):
        answer = assistant.ask("浦东机场工会联合会的职工综合服务站里都有啥？")
        assert "服务站设置乐享汇、加油站、健康角、舒心阁等功能布局" in answer.answer, answer.answer

    def test_a_kind_of_member_asked_in_quotes_finds_the_moves_named_by_it(self, assistant):
        # 「哪几种“思维”」: the moves are 「1. “整合思维”…」「2. “甲方思维”…」「3. “粉丝思维”…」.
        answer = assistant.ask("卫星装备所工会做职工服务讲的是哪几种“思维”？")
        assert all(name in answer.answer for name in ("整合思维", "甲方思维", "粉丝思维")), answer.answer

    def test_what_a_case_told_without_moves_consists_of_is_quoted_when_asked_after_the_asking_words(self, assistant):
        # 「都搞些啥活动」 names what it asks about after asking: 「具体开展的活动有亲子活动系列、…」.
        first = "南翔小候鸟活动的钱谁出"
        answer = assistant.ask("都搞些啥活动呢", [Turn(first, assistant.ask(first))])
        assert "亲子活动系列、手工制作系列" in answer.answer, answer.answer


class TestCaseAskedAsAWhole:
    def test_a_case_picked_from_a_list_is_told_with_its_moves_and_one_result(self, assistant):
        first = "发挥国企工会优势、带动非公企业工会改革的案例有哪几个？"
        answer = assistant.ask("第二个呢", [Turn(first, assistant.ask(first))])
        assert answer.cited_cases[0] == "2017-A5-2" and "成效：" in answer.answer and "1110 人" in answer.answer, \
            answer.answer

    def test_the_result_told_is_the_one_about_what_the_conversation_asks(self, assistant):
        # Another case on housing: its result on housing (「华亭茗苑」 flats), not its one with the most figures.
        first = "红星美凯龙工会帮员工申请公租房，是怎么操作的？"
        answer = assistant.ask("还有别的工会帮职工解决住房问题的案例吗？", [Turn(first, assistant.ask(first))])
        assert "成效：" in answer.answer and "华亭茗苑" in answer.answer, answer.answer

    def test_a_case_told_in_one_section_gets_the_result_it_tells_after_its_moves(self, assistant):
        # 枫泾's nominated case has no 成效 section: what came of it is the paragraph after its four moves.
        answer = assistant.ask("国际学校建工会有例子没")
        assert answer.cited_cases[0] == "2017-N2-1" and "成效：" in answer.answer and "114名" in answer.answer, \
            answer.answer

    def test_a_how_question_gets_no_result_line(self, assistant):
        answer = assistant.ask("尚街Loft联合工会是怎么给园区职工服务的？")
        assert "成效：" not in answer.answer, answer.answer


def test_a_count_asked_in_hui_is_a_count_of_times(assistant):
    # 「一年评几回」 asks how often, as 「一年评几次」 does: 「每年的 4 月底、9 月底组织两次申报评审」.
    first = "电信信网部微创新一等奖奖多少钱"
    answer = assistant.ask("一年评几回", [Turn(first, assistant.ask(first))])
    assert "两次" in opening(answer.answer), answer.answer


class TestHowToBudget:
    def test_the_sentence_of_a_prose_case_most_about_the_question_keeps_room_for_what_it_lists(self, assistant):
        # 移动's case is told in prose: its sentence on the six goals is quoted up to 「…规范化、透明化」.
        answer = body(assistant.ask("中国移动上海公司工会的嵌入式风险防控管理体系为各防控环节设置了哪“六个目标”？").answer)
        assert all(goal in answer for goal in ("提前化", "精准化", "规范化", "透明化")), answer

    def test_the_move_a_how_to_question_is_about_gets_more_of_the_answer(self, assistant):
        # 「还有哪些组建方式」 is told under the first of four moves, in its third and fourth sentences.
        answer = assistant.ask("顾村镇总工会是怎么扩大工会组织覆盖的？除了单独建会，还有哪些组建方式？")
        assert all(way in answer.answer for way in ("联谊工会", "沿街商户工会", "租住地工会")), answer.answer

    def test_every_move_keeps_room_for_its_key_term(self, assistant):
        # The first move says 公租房 most often; the fourth still shows how the union keeps in touch.
        answer = assistant.ask("红星美凯龙工会怎么帮新来的年轻员工申请公租房？")
        assert "定期上门访问" in answer.answer and "企业担保人" in answer.answer, answer.answer

    def test_a_question_about_two_moves_gets_both_within_the_usual_length(self, assistant):
        answer = assistant.ask("南京东路街道在商务楼里建的工会工作室，人怎么配、平时怎么运转？")
        assert "一口受理" in answer.answer and "“1+1”" in answer.answer, answer.answer
        assert len(compact(body(answer.answer))) <= 650


class TestLength:
    def test_answers_are_short(self, answers):
        lengths = {kind: len(compact(body(a.answer))) for kind, a in answers.items()}
        assert statistics.median(lengths.values()) <= 300, lengths
        assert max(lengths.values()) <= 600, lengths

    def test_a_fact_answer_is_a_sentence_or_two(self, answers):
        answer = answers["fact"]
        assert len(body(answer.answer).splitlines()) <= 2
        assert len(compact(body(answer.answer))) <= 200


class TestKindOfQuestion:
    @pytest.mark.parametrize(("question", "kind"), [
        ("为什么劳模看病也要专门开绿色通道？", "why"), ("欧阳路原来的工会体系有什么毛病？", "why"),
        ("书里有哪几个镇给农民建了工会？", "multi"), ("带着员工一起健步走的有哪些单位？", "multi"),
        ("提名奖里财务管理那一类，三个案例各管了经费的哪一块？", "multi"),
        ("新河镇夯实了哪些基础、做了哪些服务？", "howto"), ("顾村镇当时基层工会卡在哪些地方？", "why"),
        ("工会社工散在三十几个街镇，有啥办法用手机统一管起来？", "howto"),
        ("花旗金融的兴趣小组搞下来效果如何？", "outcome"), ("移动的线上法律咨询情况如何？", "outcome"),
        ("护工入了工会能得到啥实惠？", "outcome"), ("谁家2017年首创了网上职代会？", "which"),
        ("有家单位在三个地方放了意见箱，每星期专人去开，是哪家？", "which"), ("哪所学校的工会是一个老师带出来的？", "fact"),
        ("杨浦劳模就医这件事最早是谁交给区医务工会的？", "fact"), ("律师徐郭飞怎么看行业工会？", "howto"),
        # No asking word, a measure named: the figure is asked for; with a how-word, the way to raise it.
        ("职工满意率呢？", "fact"), ("参加的人数？", "fact"), ("怎么提高入会率？", "howto"),
        # The parts of one thing are not a list of cases; cases asked for by number are.
        ("长白新村按季度推进非公企业建会，分哪几个阶段？", "fact"), ("康健街道的四联系是哪四个？", "fact"),
        ("电装公司每年哪两个月是谈判月？", "fact"), ("南京东路有几幢商务楼？", "fact"),
        ("卫星装备所工会说的“三种思维”分别是怎么做的？", "howto"), ("杨浦区报送的案例有哪几个？", "multi"),
        # The name of a thing the case made; what a thing is, told by how it was done.
        ("宣传上搞了个啥专栏？", "fact"), ("“爱心集享格”是个啥东西？", "howto"),
        # A person inside a case with a professor's title is asked for, not the book's expert.
        ("同济大学工会的法治宣传请了哪位副教授讲解？", "fact"),
        ("帮年轻职工解决公租房问题的有哪几家？", "multi"),
        # Cases asked for as cases (「案例都有哪些」「有啥…的案例」「列一下」); a case's own moves and results are not a list.
        ("给家政员建工会的案例都有哪些？", "multi"), ("有没有给菜农建工会的案例？都有哪些", "multi"),
        ("有什么好点子的案例？", "multi"), ("帮职工看病的做法，列一下", "multi"),
        ("他们的做法都有哪些？", "howto"), ("这个案例的成效都有哪些？", "outcome"), ("顾村的工会都有哪些做法？", "howto"),
        # Cases asked for by how they are counted or grouped; what one thing includes is not a list of cases.
        ("互联网那一类案例包括哪些？", "multi"), ("讲职工服务的那几个十大案例是哪些？", "multi"),
        ("跟护工有关的案例有几个？", "multi"), ("劳动竞赛那一组都有谁？", "multi"), ("集体协商方面有哪些创新案例", "multi"),
        ("互联网+那一类，获奖的都有谁？", "multi"), ("青浦快递物流工会有哪几个“先……后……”的创新？", "fact"),
        ("社区资源分成了哪几类？", "fact"), ("南翔的小候鸟活动有哪几类？", "fact"),
        ("加强法律宣传那一类里，工会都办了哪几件事？", "multi"),  # a category pointed to: its cases
        ("这个平台包括哪些内容？", "howto"), ("顾晓鸣对那几个工会案例是怎么评价的？", "expert"),
        # In English, how it went is an outcome; how it was done is a how-to.
        ("How did Gucun's unions do at settling labour disputes?", "outcome"),
        ("What has that done for workers' pay?", "outcome"), ("What honours did the programme bring?", "outcome"),
        ("How did they do it?", "howto"), ("How did the Putuo union organise delivery riders?", "howto"),
        ("How did their union fund collection change?", "outcome"), ("How has membership grown?", "outcome"),
        ("How did they develop the platform?", "howto"),
        ("What share of private schools adopted open school affairs?", "fact"),
        ("What is the union-founding rate for firms with more than 25 staff?", "fact"),
        ("How can we raise the membership rate?", "howto"),
        # A figure compared with a year is how it went; two cases compared are a list.
        ("How did Denso's average pay in 2017 compare with 2007?", "outcome"),
        ("Compare the two township unions that organised cooperative members.", "multi"),
        # What a purpose clause names is not what is asked; 「给谁」 asks for whom, not a person's name.
        ("长宁区为了让家政阿姨入会、得到实惠，做了哪些事？", "howto"), ("上港为改善码头职工就餐，提出了哪些管理要求？", "howto"),
    ])
    def test_kind(self, question, kind):
        assert intent(question) == kind

    @pytest.mark.parametrize("question", ["是哪几？", "哪几", "分哪几类"])
    def test_which_ones_with_or_without_what_is_counted(self, question):
        assert asking.asked(question).items == (("类",) if question.endswith("类") else ())

    def test_for_whom_is_no_person_asked(self):
        assert not asking.asked("天平街道的“三张清单”分别是给谁列的？").person and asking.asked("主席是谁？").person

    @pytest.mark.parametrize(("question", "one_case", "kind"), [
        ("长白新村街道给新建会企业做评估，一年四个季度各干啥？", True, "howto"),  # its own stages
        ("新河镇的“四个清单”是哪四个？", True, "fact"),
        ("南京东路街道总工会有几个案例入选？", True, "multi"),  # cases asked for, whatever unit is named
        ("长白新村街道给新建会企业做评估，一年四个季度各干啥？", False, "multi"),
    ])
    def test_a_list_inside_the_one_case_a_question_names_is_no_list_of_cases(self, question, one_case, kind):
        assert asking.kind(question, one_case=one_case) == kind

    def test_a_list_of_cases_by_a_noun_one_unit_holds_stays_a_list(self, assistant):
        answer = assistant.ask("给建筑工地工人提供生活服务的案例有哪几个？")  # 建筑 of 「中国建筑…」 is a noun
        assert len(answer.citations) >= 2 and "2017-N12-1" in {c.case_id for c in answer.citations}

    def test_a_question_naming_one_unit_is_answered_from_its_case_alone(self, assistant):
        answer = assistant.ask("长白新村街道给新建会企业做评估，一年四个季度各干啥？")
        assert [c.case_id for c in answer.citations] == ["2017-N2-3"] and "调研策划" in answer.answer

    def test_a_question_naming_an_expert_of_the_book_asks_for_the_comment(self):
        assert asking.kind("律师徐郭飞怎么看行业工会？", experts=("徐郭飞",)) == "expert"

    @pytest.mark.parametrize(("question", "measure"), [
        ("区总工会投了多少钱？", "元"), ("职工入会率到了多少？", "%"), ("一共办了多少场？", "场"),
        ("有多少人次参与？", "人次"), ("覆盖了多少家企业？", "家"),
        ("What share of private schools adopted open school affairs?", "%"),
    ])
    def test_the_unit_of_measure_asked_for(self, question, measure):
        assert measure in asking.asked(question).measures

    @pytest.mark.parametrize(("sentence", "quantity"), [
        ("分公司已近有86%的员工进入平台", True), ("两名企业高管获评上海市领军人才", True), ("按工资总额的百分之二", True),
        # How a thing is built, or a word that holds a numeral, is no result in figures.
        ("二分“微生活”借助企业微信平台", False), ("形成三张服务清单", False), ("实现了工会组织的二次覆盖", False),
        ("问题十分突出", False),
    ])
    def test_a_quantity_is_a_figure_not_a_numeral_inside_a_name(self, sentence, quantity):
        assert asking.has_quantity(sentence) == quantity

    def test_a_count_in_chinese_numerals_answers_a_question_in_its_unit(self):
        want = asking.asked("微创新一年评几次？")
        assert asking.fact_marks("每年的 4 月底、9 月底组织两次申报评审", want) > 0
        assert asking.fact_marks("形成三张服务清单", want) == 0

    @pytest.mark.parametrize(("question", "number"), [
        ("跟家政服务员有关的案例有几个？", False), ("中国移动上海的工会有几个案例入选？", False),
        ("十大创新案例里哪几个是自己单独成一类的？", False), ("两个家政工会各有多少会员？", True),
    ])
    def test_a_list_counting_its_cases_asks_for_no_figure(self, question, number):
        assert asking.asked(question).number == number


class TestAnswerQualityMetrics:
    """The eval's answer-quality numbers (no index needed)."""

    ANSWER = ("宝山区顾村镇总工会：职工入会率 86%。 [1]\n其余内容 [1]\n\n"
              "参考案例：\n[1] 《创新跨越“最后一公里”》— 宝山区顾村镇总工会")

    def test_opening_line_and_length_leave_out_the_reference_list(self):
        assert opening(self.ANSWER) == "宝山区顾村镇总工会：职工入会率 86%。 [1]"
        row = answer_quality.score("outcome", ["2017-T1-1"], ["86%"], self.ANSWER, False)
        assert row["lead_in_opening"] is True
        assert row["answer_chars"] == len(compact(body(self.ANSWER)))
        assert answer_quality.score("outcome", ["2017-T1-1"], ["90%"], self.ANSWER, False)["lead_in_opening"] is False

    def test_a_why_answer_is_from_the_background_the_composer_quotes(self, compendium):
        # Case and category background alike: 南翔's 「小候鸟」 states its problem in the first paragraph of its 做法.
        case = compendium.get("2017-A2-3")
        own = "工作时间父母在工厂工作，子女处于无人监护的状况，形成了留守儿童再次留守问题。"
        assert case.background and own in answer_quality.background_text(case)
        assert answer_quality.score("why", [case.id], [], f"南翔：{own} [1]", False)["from_background"] is True

    def test_list_completeness_counts_gold_cases_named(self, compendium):
        first, second = compendium.get("2017-A3-5"), compendium.get("2017-A3-6")
        text = f"1. 《{first.title}》— {first.unit}：…"
        row = answer_quality.score("multi", [first.id, second.id], [], text, False)
        assert row["list_share"] == 0.5

    def test_a_unit_with_two_cases_names_neither_without_its_title(self, compendium):
        case = compendium.get("2017-N1-2")  # 南京东路街道总工会 also wrote 2017-A6-1
        row = answer_quality.score("multi", [case.id], [], f"{case.unit}催缴经费", False)
        assert row["list_share"] == 0.0

    def test_why_is_answered_from_the_background_only_when_it_quotes_it(self, compendium):
        case = compendium.get("2017-A3-2")
        quoted = answer_quality.score("why", [case.id], [], case.background[:40], False)
        other = answer_quality.score("why", [case.id], [], case.sections[0].text[:40], False)
        assert quoted["from_background"] is True and other["from_background"] is False

    def test_summary_is_a_median_and_shares(self):
        rows = [{"lead_in_opening": True, "answer_chars": 100, "list_share": None, "from_background": None},
                {"lead_in_opening": False, "answer_chars": 300, "list_share": 0.5, "from_background": True},
                {"lead_in_opening": None, "answer_chars": 200, "list_share": 1.0, "from_background": None}]
        assert answer_quality.summarize(rows) == {"lead_in_opening": 0.5, "answer_chars_median": 200,
                                                   "list_completeness": 0.75, "why_from_background": 1.0}
