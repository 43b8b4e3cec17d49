"""The compendium parsed into 60 clean cases: what every later feature stands on."""

import json
import re
import subprocess
import sys
from collections import Counter

import pytest

from assistant import corpus
from assistant.settings import ROOT, Settings

PINNED = [
    ("2017-T1-1", "创新跨越“最后一公里”", "宝山区顾村镇总工会"),
    ("2017-A1-1", "“指尖微办公”助力工会社工", "上海浦东公惠社会工作服务中心工会"),
    ("2017-A1-2", "分散职工网上聚 凝心聚智促和谐", "上海百事通信息技术股份有限公司工会"),
    ("2017-A1-3", "服务职工出行“共享化”", "上海汽车集团股份有限公司工会"),
    ("2017-A1-4", "建爱心集享格 解职工不时需", "中国电信集团客服运营支撑中心工会"),
    ("2017-A1-5", "“微地图”让职工触摸“看得见的幸福”", "上海卫星装备研究所工会"),
    ("2017-A1-6", "“O2O”模式让民主管理面对面", "上海港国际客运中心开发有限公司工会"),
    ("2017-A1-7", "“立体式”生态圈 打造 24 小时在线“职工之家”", "中国移动通信集团工会上海市委员会"),
    ("2017-A1-8", "让职工服务阵地建设“网上开花”", "花旗金融信息服务(中国)有限公司工会"),
    ("2017-A1-9", "打造指尖上的“关爱圈”", "上海城建市政工程(集团)有限公司第二分公司工会"),
    ("2017-A2-1", "全力破解“一号课题”持续打造“放心食堂”", "上海国际港务(集团)股份有限公司工会"),
    ("2017-A2-2", "紧贴职工住房需求 促进优惠政策落地", "红星美凯龙家居集团股份有限公司工会"),
    ("2017-A2-3", "“小候鸟”暑期多彩活动 服务外来职工子女", "嘉定区南翔镇总工会"),
    ("2017-A3-1", "建立医养照护行业工会 服务新型就业群体", "杨浦区医养照护行业工会联合会"),
    ("2017-A3-2", "聚焦网约送餐员 创新建会入会方法", "普陀区网约送餐员行业工会联合会"),
    ("2017-A3-3", "建立家政行业工会 服务家政服务人员", "长宁区家政行业工会联合会"),
    ("2017-A3-4", "依托总部集聚优势 创新行业工会建会入会方式", "青浦区快递物流行业工会联合会"),
    ("2017-A3-5", "组建农业合作社工会 落实普惠服务暖人心", "崇明区新河镇总工会"),
    ("2017-A3-6", "着眼农业大镇特点 吸纳农业从业者入会", "松江区叶榭镇总工会"),
    ("2017-A4-1", "坚持定期开展集体谈判 维护非公职工合法权益", "电装(中国)投资有限公司上海分公司工会"),
    ("2017-A4-2", "建立教职工沟通协商机制", "闵行区教育工会"),
    ("2017-A4-3", "“三访三查”确保职工权益落实", "静安区石门二路街道物业行业工会联合会"),
    ("2017-A5-1", "机场浦东优势互补 资源共享共促改革", "上海国际机场股份有限公司工会、浦东新区祝桥镇总工会"),
    ("2017-A5-2", "体制内外工会共建 互利共享实现共赢", "尚街 Loft 品牌园区(中区)联合工会"),
    ("2017-A5-3", "创建园区工联会 实现服务全覆盖", "上海临港松江科技城园区工会联合会"),
    ("2017-A6-1", "建立有形阵地 打造身边工会", "黄浦区南京东路街道总工会"),
    ("2017-A7-1", "钢铁行业领头羊 岗位创新是法宝", "宝山钢铁股份有限公司工会"),
    ("2017-A8-1", "关心关爱临近退休职工", "上海港复兴船务有限公司工会"),
    ("2017-A9-1", "工会建在网格上 精准发力见实效", "虹口区欧阳路街道总工会"),
    ("2017-A10-1", "推三张服务清单 建三维服务阵地", "徐汇区天平街道总工会"),
    ("2017-N1-1", "建立工会经费嵌入式风险防控管理体系", "中国移动通信集团工会上海市委员会"),
    ("2017-N1-2", "“依法催缴”规范工会经费管理", "黄浦区南京东路街道总工会"),
    ("2017-N1-3", "“上代下”工会财务集中核算管理", "嘉定区南翔镇总工会"),
    ("2017-N2-1", "把握企业外入会契机 助推国际学校建会", "金山区枫泾镇总工会"),
    ("2017-N2-2", "针对非公企业小散多特点 优化建会入会举措", "闵行区马桥镇总工会"),
    ("2017-N2-3", "创新非公企业工会评估模式 探索建会新动力", "杨浦区长白新村街道总工会"),
    ("2017-N3-1", "建立家政服务员维权体系 优化家政服务业营商环境", "徐家汇街道家政服务行业联合会"),
    ("2017-N3-2", "开展尊法守法宣传 携手农民工筑梦", "同济大学工会"),
    ("2017-N4-1", "组建街面工会 推进社区街面共治", "奉贤区奉城镇总工会"),
    ("2017-N4-2", "组建街区商户联合工会 融入社会治理创新格局", "崇明区长兴镇总工会"),
    ("2017-N4-3", "打造无门槛职工之家", "黄浦区打浦桥街道总工会"),
    ("2017-N4-4", "小区联合工会共商共建共治", "徐汇区康健新村街道总工会"),
    ("2017-N5-1", "“复星工匠”全球评选 推进企业文化融通", "上海复星高科技(集团)有限公司工会"),
    ("2017-N5-2", "“学思悟行”工作法 让工会成为培树工匠的摇篮", "上海航天设备制造总厂有限公司工会"),
    ("2017-N6-1", "创新劳动竞赛模式 促进职工成长成才", "上海市地方税务局嘉定区分局工会"),
    ("2017-N6-2", "引入社会力量参与 激发“星天地”创客活力", "上海航天局 805 所工会"),
    ("2017-N6-3", "聚焦“五升一降”目标 开展“微创新”岗位竞赛", "中国电信上海市信息网络部工会"),
    ("2017-N6-4", "搭建创新创业孵化平台 助力企业员工共同发展", "上海电力设计院有限公司工会"),
    ("2017-N7-1", "借力区域化党建 提升服务精准度", "长宁区虹桥街道总工会"),
    ("2017-N8-1", "“5+X”服务平台 提升女职工幸福感", "中国铁路上海局集团有限公司上海客运段工会"),
    ("2017-N9-1", "彰显“七彩”特色 打造卓越班组", "国网上海市南供电公司工会"),
    ("2017-N10-1", "“自动给付”保障金 精准对接服务需求", "上海市职工保障互助中心工会"),
    ("2017-N11-1", "5700 余座“爱心接力站”营造关爱环卫职工氛围", "上海市绿化市容行业工会"),
    ("2017-N12-1", "首创“工友村”打造“会站家”一体化服务平台", "中国建筑第八工程局有限公司广西分公司工会"),
    ("2017-N13-1", "师徒结对树典型 优良文化传帮带", "中国船舶重工集团公司第七一一研究所工会"),
    ("2017-N14-1", "多方合建“建设者之家”建设者他乡是故乡", "徐汇区龙华街道总工会"),
    ("2017-N15-1", "一张“小红卡”贯通劳模就医“绿色通道”", "杨浦区医务工会"),
    ("2017-N16-1", "微朗读 大视野", "上海城建市政工程(集团)有限公司工会"),
    ("2017-N17-1", "举办会员活动日 搭建职工“连心桥”", "上海市市北高新技术服务业园区总工会"),
    ("2017-N18-1", "营造重危企业安全生产环境", "宝山区月浦镇总工会")
]


@pytest.fixture(scope="module")
def compendium() -> corpus.Compendium:
    return corpus.load(Settings().corpus_path)


def _compact(text: str) -> str:
    return re.sub(r"[\s*]", "", re.sub(r"(?m)^\s*-\s+", "", text))


class TestCases:
    def test_all_sixty_titles_and_units_are_pinned(self, compendium):
        assert [(c.id, c.title, c.unit) for c in compendium.cases] == PINNED

    def test_award_counts_match_the_award_list(self, compendium):
        counts = Counter(c.award for c in compendium.cases)
        assert counts == {"特等奖": 1, "十大创新案例": 29, "提名奖": 30}
        top = {c.category for c in compendium.cases if c.award == "十大创新案例"}
        nominated = {c.category for c in compendium.cases if c.award == "提名奖"}
        assert (len(top), len(nominated)) == (10, 18)

    def test_award_list_and_case_headers_agree(self, compendium):
        text = Settings().corpus_path.read_text(encoding="utf-8")
        entries = corpus.parse_award_list(text)
        assert len(entries) == 60
        for entry, case in zip(entries, compendium.cases):
            assert entry.case_id == case.id
            assert entry.category == case.category
            assert entry.unit == case.unit or entry.unit in case.aliases
            similar = corpus._similar(entry.title, case.title)
            assert similar > 0.9, (entry.title, case.title)

    def test_ids_are_unique_and_stable(self, compendium):
        ids = [c.id for c in compendium.cases]
        assert len(set(ids)) == 60
        assert ids[0] == "2017-T1-1" and ids[-1] == "2017-N18-1"

    def test_every_case_has_body_text(self, compendium):
        for case in compendium.cases:
            assert case.sections and all(s.text.strip() for s in case.sections), case.id
            assert len(case.body) > 200, case.id

    def test_sections_keep_their_order_and_names(self, compendium):
        allowed = {"概述", "背景", "做法", "成效", "案例简介"}
        for case in compendium.cases:
            names = [s.name for s in case.sections]
            assert set(names) <= allowed, case.id
            if "做法" in names and "成效" in names:
                assert names.index("做法") < names.index("成效"), case.id
        assert [s.name for s in compendium.get("2017-A6-1").sections] == ["背景", "做法", "成效"]
        assert [s.name for s in compendium.get("2017-N3-1").sections] == ["案例简介"]

    def test_lost_headings_are_inferred_from_the_layout(self, compendium):
        # 爱心集享格 prints no 做法/成效 headings; its results start at a section break.
        case = compendium.get("2017-A1-4")
        assert [s.name for s in case.sections] == ["做法", "成效"]
        assert "截至2018年3月" in case.section("成效").text
        # 宝钢 has 做法 but lost its 成效 heading.
        assert "21.3 亿元" in compendium.get("2017-A7-1").section("成效").text


class TestCategories:
    def test_category_background_is_linked_to_its_cases(self, compendium):
        ride = compendium.get("2017-A3-2")
        assert ride.category == "创新行业工会组织模式 服务灵活分散流动就业群体"
        assert ride.background.startswith("近年来,物流快递员、护工护理员、家政服务员")
        assert compendium.get("2017-A3-5").background == ride.background

    def test_expert_comments_carry_name_title_and_text(self, compendium):
        special = compendium.get("2017-T1-1")
        assert [c.expert for c in special.expert_comments] == ["高洁", "顾东辉"]
        assert special.expert_comments[0].affiliation == "中华全国总工会基层工作部副部长"
        assert "顾村经验" in special.expert_comments[0].text
        for case_id in ("2017-A4-1", "2017-A4-2", "2017-A4-3"):
            (comment,) = compendium.get(case_id).expert_comments
            assert comment.expert == "陆敬波" and "三访三查" in comment.text

    def test_nominated_cases_have_no_expert_comment(self, compendium):
        assert all(not c.expert_comments for c in compendium.cases if c.award == "提名奖")


class TestCleaning:
    def test_page_break_splits_are_repaired(self, compendium):
        body = compendium.get("2017-A1-1").section("做法").text
        assert "已实施 9 个月。为确保该系统符合对工会社工的管理" in body
        assert "收集职工的意见和建议" in compendium.get("2017-A1-6").section("做法").text
        assert "每个网格配专职工会工作者1名" in compendium.get("2017-A9-1").section("做法").text
        assert "只有分公司自有员工" in compendium.get("2017-A1-9").body

    def test_headings_are_not_glued_to_paragraphs(self, compendium):
        text = compendium.get("2017-A9-1").section("做法").text
        assert "\n\n确保人员到位\n\n加强工会干部队伍力量" in text

    def test_stray_markup_is_removed(self, compendium):
        for case in compendium.cases:
            assert "**" not in case.body, case.id
            assert not re.search(r"(?m)^- ", case.body), case.id
        assert "1.就餐环境得到改善。就餐环境全面改善" in compendium.get("2017-A2-1").section("成效").text

    def test_unit_spellings_from_the_award_list_become_aliases(self, compendium):
        housekeeping = compendium.get("2017-N3-1")
        assert housekeeping.unit == "徐家汇街道家政服务行业联合会"
        assert housekeeping.aliases == ("徐家汇街道家政服务行业联合工会",)
        port = compendium.get("2017-A2-1")
        assert port.unit == "上海国际港务(集团)股份有限公司工会"
        assert port.aliases == ("上海国际港务(集团)有限公司工会",)

    def test_nothing_is_lost(self, compendium):
        """Case texts + backgrounds + expert comments cover >= 98% of the body's characters."""
        body = _compact(compendium.body_text)
        covered = bytearray(len(body))
        pieces = []
        for case in compendium.cases:
            pieces += [case.title, case.unit, case.background, *(s.text for s in case.sections)]
            pieces += [c.affiliation + c.expert for c in case.expert_comments]
            pieces += [c.text for c in case.expert_comments]
        for piece in pieces:
            for paragraph in piece.split("\n\n"):
                text = _compact(paragraph)
                if not text:
                    continue
                at = body.find(text)
                assert at >= 0, f"parsed text not in the source: {paragraph[:40]}"
                covered[at: at + len(text)] = b"\1" * len(text)
        assert sum(covered) / len(body) >= 0.98

    def test_numbers_and_dates_are_kept_exactly(self, compendium):
        text = compendium.get("2017-T1-1").body
        for fact in ("833.88万元", "523.91万元", "2017年5月26日", "成功率98%"):
            assert fact in text

    def test_preface_is_kept(self, compendium):
        assert "124 个基层工会创新案例进行了申报" in compendium.preface


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


class TestCli:
    def test_cases_json_round_trip(self, compendium):
        result = _cli("cases", "--json")
        assert result.returncode == 0
        data = json.loads(result.stdout)
        assert [d["id"] for d in data] == [c.id for c in compendium.cases]
        for item, case in zip(data, compendium.cases):
            assert set(item) >= {"id", "award", "category", "title", "unit", "aliases", "sections", "expert_comments"}
            assert item == json.loads(json.dumps(case.to_dict(), ensure_ascii=False))

    def test_cases_table_lists_every_case(self):
        result = _cli("cases")
        assert result.returncode == 0
        assert "共 60 个案例" in result.stdout
        assert "聚焦网约送餐员 创新建会入会方法" in result.stdout and "普陀区网约送餐员行业工会联合会" in result.stdout

    def test_output_piped_into_a_reader_that_stops_early_ends_quietly(self):
        result = subprocess.run(f"'{sys.executable}' -m assistant cases | head -n 1", shell=True, capture_output=True,
                                text=True, cwd=ROOT, timeout=120)
        assert result.stdout.startswith("编号") and result.stderr == ""

    def test_one_case_in_full(self):
        result = _cli("cases", "2017-A3-2")
        assert result.returncode == 0
        assert "【做法】" in result.stdout and "【成效】" in result.stdout and "2017年12月31日" in result.stdout

    def test_missing_case_is_a_clear_chinese_error(self):
        result = _cli("cases", "2099-X1-1")
        assert result.returncode == 2
        assert "没有编号为「2099-X1-1」的案例" in result.stderr

    @pytest.mark.parametrize("args", [(), ("cases",)])
    def test_help_is_in_chinese(self, args):
        result = _cli(*args, "--help")
        assert result.returncode == 0 and "案例" in result.stdout
