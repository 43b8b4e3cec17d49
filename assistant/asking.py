"""What a question asks for: its kind (how-to, outcome, fact, which, list, why, expert) and the fact it wants
(a quantity in some unit of measure, a date, a place, a phone number, a name)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .corpus import numeral_value

HOWTO, OUTCOME, FACT, WHICH, LIST, WHY, EXPERT = "howto", "outcome", "fact", "which", "multi", "why", "expert"
KINDS = (HOWTO, OUTCOME, FACT, WHICH, LIST, WHY, EXPERT)

# A list asks for several cases: 「哪些单位」「有哪几个」「各有什么」「比较」, or 「…的有哪些？」 at the end.
_ORGS = r"(?:单位|案例|地方|工会|镇|街道|企业|公司|园区|行业|例子|学校|集团|区)"
_LIST = re.compile(
    rf"哪些{_ORGS}|哪几[个家所种类]|几个案例|有哪几|哪几{_ORGS}|书里有哪些|[的还]有哪些[？?。\s]*$|有哪些{_ORGS}|"
    rf"{_ORGS}有哪些|(?:案例|例子|单位|地方|企业|公司)[？?，,\s]*(?:都|还|一共)有哪些|有没有(?:别的|其他){_ORGS}|有没有(?:单位|地方|镇|街道)|{_ORGS}[^“”\"]{{0,12}}(?:各[管做搞干有是]|分别是怎么)|"
    r"比较一下|相比|对比|区别|异同|有什么不同|有何不同|有什么不一样|有啥不一样|列举|"
    # 「入选了哪两个案例」「两个家政工会」「有几个例子」「有啥案例」: several cases asked for by their number or as examples.
    rf"哪[两二三四五六七八九]个|[两二三四五六七八九][个家]{_ORGS}|(?:几个|啥|什么)(?:例子|案例)|有(?:啥|什么)?案例[吗？?]*$|"
    # 「有哪些创新案例」「哪些好的例子」: the cases asked for, whatever word qualifies them.
    r"哪些[^，。？?的]{0,4}(?:例子|案例)|"
    # 「有啥创新办法的案例？列一下」「有什么新点子的案例」: cases asked for by what they did, or a list asked for outright.
    r"有(?:啥|什么|哪些)[^，。？?]{1,12}的(?:案例|例子)|列(?:一下|出来|个清单|个单子)|"
    # 「…那一类都有谁」「那类案例有几个」: the members of a category.
    r"[类组][^。？?]{0,6}(?:都|还)?(?:有|是)(?:哪些|谁|哪几|几个)|[这那此该同]一?类[^。？?]{0,12}(?:哪些|哪几|几个|都有谁)|"
    # 「那一类十大案例包括哪些」「那几个提名案例」「跟家政有关的案例有几个」: the cases themselves, however they are counted.
    r"(?:案例|类|组)[^，。？?]{0,8}(?:包括|包含)哪些|几个[^，。？?]{1,4}案例(?:是|有)?(?:哪些|哪几|都有谁)|"
    r"(?:案例|例子)[^，。？?]{0,2}(?:有|是)几个|案例[^？?]{0,8}分别是(?:啥|什么|哪些)|"
    # 「Compare the two township unions…」, not 「How did income in 2017 compare with 2007?」.
    r"\bwhich (?:units|cases|unions|companies|organi[sz]ations|townships|places)\b|(?:^|[.?!]\s*)compare\b|"
    r"\bcompare (?:the )?(?:two|both|these|those)\b|\blist the\b", re.I)
# The words that ask for a list, and the kinds of thing listed: none of them is what the list is about.
_LIST_WORDS = re.compile(rf"(?:书里|书中|案例集)?(?:还|都)?有?(?:哪些|哪几[个家所种类]?|几个|没有(?:别的|其他)?){_ORGS}?|"
                         rf"书里|书中|{_ORGS}有哪些|各有什么|各是|各[管做搞干]|分别|比较一下|相比|对比|区别|异同|有什么不同|有何不同|"
                         r"有什么不一样|列举|例子|一共|总共|包括|都?列(?:出来|一下)")
# A list of cases, not of points: 「点评了哪些案例」「点评的两个街道案例」 ask which cases; 「专家有哪些观点」
# 「怎么点评…这三个案例」「这几个案例的点评里…」 ask for the comment.
_CASES_ASKED = re.compile(r"(?:哪些|哪几个|哪[两二三四五六七八九]个|(?<!这)几个)(?:案例|单位|工会|街道|镇|区|企业|公司)|"
                          r"(?<!这)[两二三四五六七八九]个[^，。？?]{0,4}案例")
# How a list question counts the cases themselves (「有几个案例」「案例有几个」「一共几个」).
_CASES_COUNTED = re.compile(rf"(?:几|多少)个?(?:{_ORGS}|例子)?(?:入选)?(?=[？?。！!\s]*$)|(?:几|多少)个(?:{_ORGS}|例子)")
# 「哪些地方」 inside one case (「卡在哪些地方」) is not a list; neither is 「哪些方面」. Nor are the parts of one thing
# when no case, unit or example is asked for: 「分哪几个阶段」「分成哪几类」「有哪几条经验」「四联系是哪几个」「会员数各是多少」.
_COUNTER_WORDS = "个种类条点项大位"
_NOT_LIST = re.compile(
    rf"卡在哪些|哪些方面|哪些环节|哪些栏目|哪些内容|是哪(?:一)?(?:家|个单位)[？?。\s]*$|"
    rf"^(?!.*(?:案例|单位|例子|做法|[这那此该同]一?类)).*(?:分(?:成|为)?了?哪几|"
    rf"(?:哪些|哪几|哪[两二三四五六七八九十])[{_COUNTER_WORDS}]?(?![{_COUNTER_WORDS}]|{_ORGS}|家|所|[？?，,。]|$)[\u4e00-\u9fff“\"「]|"
    rf"是哪[几两二三四五六七八九十]+[{_COUNTER_WORDS}]?[？?。\s]*$|有?哪几[类种项条点][？?。\s]*$|各是多少|各有多少)")
_EXPERT = re.compile(r"专家(?!的本事)|点评|评价|评述|(?<!副)(?<!哪位)教授|\bexperts?\b|\bcomment", re.I)
_WHY = re.compile(r"为什么|为啥|为何|何以|原因|背景|起因|出于什么|怎么会|毛病|卡在|难在|痛点|势在必行|"
                  r"\bwhy\b|what was wrong|reason|background|problem", re.I)
_WHICH = re.compile(r"哪个|哪一个|哪家|哪一家|谁家|哪所|哪里搞|哪里的事|是哪里|出自|什么单位|"
                    r"\bwhich (?:unit|union|company|organi|subdistrict|township|town|district|case|enterprise|institute|"
                    r"school|park|street|one)", re.I)
# 「哪所学校」「哪个镇」「哪家单位」: the noun after the which-word says whether a unit or a fact inside a case is asked.
_WHICH_TARGET = re.compile(r"哪(?:一)?(?:个|家|所|座)([\u4e00-\u9fff]{0,2})")
_ORG_WORDS = ("单位", "公司", "企业", "工会", "镇", "街道", "区", "园区", "行业", "集团", "案例", "局", "税务", "设计",
              "大学", "外企", "国企", "研究", "医院", "供电", "机关", "组织")
# 「谁家」 asks which unit; 「给谁」「为谁」 whom something is for, not a person's name.
_PERSON_ASKED = re.compile(r"哪位|是谁|(?<![给为对向])谁(?!家)|\bwho\b", re.I)
# 「为了让家政阿姨得到实惠，做了哪些事」「为改善职工就餐，提出了哪些要求」: what a purpose clause names is not what is asked.
_PURPOSE = re.compile(r"(?:为了|(?<![因作成认以称])为(?![什啥何]))[^，,。；;？?]+[，,]")
# 「主席叫什么名字」: a person asked for by the post they hold.
_POST_NAMED = re.compile(r"(?:主席|书记|负责人|部长|局长|经理|校长|站长|会长|老师|律师|队长|劳模|工匠|医生|师傅)"
                         r"[^，。？?]{0,2}(?:叫什么|名字|姓什么)")
_OUTCOME = re.compile(r"成效|效果|结果|成果|成绩|收获|好处|带来|取得|有什么变化|有何变化|意义|怎么样(?!才)|好转|改善|"
                      r"提高了|提升了|增加了|涨了|省了|少了|见效|管用|什么程度|咋样|长进|[多少高低大]不[多少高低大]|荣誉|满意(?![率度])|享受|起色|变化大|"
                      # 「情况如何」: a closing 如何 asks how it went (怎么样), not how to; 「得到啥实惠」 asks what came of it.
                      r"如何[？?。！!\s]*$|实惠|受益|result|outcome|achieve|effect|\bhonou?rs?\b|\bimpact\b|"
                      # 「How did … do at …」「what has that done for …」: how it went, not how it was done.
                      r"\bhow (?:did|does|has|have) [^?]{0,60}?\bdo(?:ing)? (?:at|in|on|with|so)\b|\bhow (?:well|successful)\b|"
                      r"\bwhat (?:has|have|did) [^?]{0,40}?\b(?:done|brought|changed)\b|"
                      # 「How did their fund collection change?」「how did income in 2017 compare with 2007」: what changed,
                      # not how it was done.
                      r"\bhow (?:did|has|have|does|do) [^?]{0,60}?\b(?:changed?|grow|grown|compare)\b", re.I)
# Counting words: 「几座」「多少包」 ask a count by its own unit.
_COUNTING = "个名家位人次项场期种样套份条批对座处所天幢栋包台辆户间张本件"
_FACT = re.compile(rf"多少|几[{_COUNTING}年月大号]|多[大高长久]|哪天|哪一天|什么时[候间]?|何时|哪年|几月|日期|日子|"
                   r"电话|热线|号码|叫什么|什么名字|名称|比例|金额|在哪|哪儿|地址|什么车|什么报告|哪本|哪次|什么荣誉|名次|第几名|排名|"
                   r"哪[一二两三四五六七八九十几]+[类个种项条大]|指什么|分别是什么|"
                   # 「搞了个啥专栏」: the name of a thing the case made (「是个啥东西」 asks what it is).
                   r"个什么(?!东西)[\u4e00-\u9fff]{1,3}[？?。！!\s]*$|"
                   r"how many|how much|how big|how large|\bwhen\b|\bwhere\b|what (?:date|year|name)|"
                   r"\bwhat (?:share|proportion|percentage|fraction|part|rate)\b", re.I)
# What a thing is or is for (「…是什么？」「…什么意思」「干什么用的」).
_DEFINITION = re.compile(r"是什么[？?。！!\s]*$|什么意思|指的?是?什么|(?:干|做)什么用|有什么用")
# A question with no asking word that names a measure (「职工满意率呢？」「参加的人数？」) asks for that figure.
_MEASURE_NOUN = re.compile(r"率|满意度|比例|人数|数量|数字|规模|金额|费用|日期|地址|名字|名称|电话|"
                           r"\b(?:rate|ratio|percentage|proportion|number|amount)\b", re.I)
_HOWTO = re.compile(r"怎么|如何|怎样|做法|办法|措施|步骤|经验|方法|举措|流程|咋办|咋弄|照着学|"
                    r"\bhow\b(?! many| much| big| large)", re.I)

# 「How many Baishitong employees…」「how many KFC outlets」: what an English question counts, a few words after how many.
_EN_FEW_WORDS = r"(?:[\w'-]+ ){0,3}?"
_EN_PEOPLE = r"(?:people|persons|members|workers|employees|staff|couriers|riders|teachers|apprentices|participants)\b"
_EN_FIRMS = r"(?:companies|enterprises|firms|businesses|shops|stores|outlets|merchants)\b"
# 「用的人多吗」「参加的人多不多」: how many took part, told by a figure (人次, a share of the staff).
_POPULAR = re.compile(r"(?:人|人数)(?:还)?多(?:不多|吗|么|不|啊|呀)|人气(?:高|旺)|受欢迎(?:吗|不)")
# 「多久开一次」「一年搞几次」: how often, told by a period (每星期, 每季度, 一年两次).
_OFTEN_ASKED = re.compile(r"多[久长].{0,4}一次|隔多[久长]|几天一次|(?:一|每)[年月周季][^，。？?]{0,4}几次|频率|how often")
_OFTEN = re.compile(r"每(?:个)?(?:年|季度?|月|周|星期|天|日|[一二两三四五六\d]+\s*(?:个月|周|年|天))|定期|"
                    r"[一每][年月周季]\S{0,4}[一二两三四五六七八九十\d]\s*次")
# 「外来人口与本地人口啥比例」: a ratio (「1:1 比例」) answers a question for a share.
_RATIO = re.compile(r"\d+\s*[:：]\s*\d+")
# The unit of measure a 「多少…」/「几…」 question asks for → the marks a figure in the book carries for it.
_MEASURES = (
    (re.compile(r"多少钱|多少经费|经费.{0,6}多少|多少资金|金额|花.{0,4}多少|拿出多少|投了多少|扶持了多少|奖励.{0,6}多少|"
                r"多少(?:万|元)|保障金|how much money", re.I), ("元", "美元", "万", "亿")),
    (re.compile(r"比例|[多少]高|率|百分|满意|percent|rate|ratio|satisf|\bwhat (?:share|proportion|fraction|part)\b", re.I),
     ("%", "％", "成")),
    (re.compile(r"人次"), ("人次",)),
    (re.compile(rf"多少(?:人|名|位|会员|职工|员工|建设者|徒弟|劳模)|几(?:个人|名|位)|how many {_EN_FEW_WORDS}{_EN_PEOPLE}|"
                rf"{_POPULAR.pattern}", re.I), ("人", "名", "位", "人次", "%")),
    (re.compile(rf"多少家|几家|多少(?:企业|商户|单位|公司)|how many {_EN_FEW_WORDS}{_EN_FIRMS}", re.I), ("家",)),
    (re.compile(rf"多少(?:个|座|处|所)|几个|how many(?! {_EN_FEW_WORDS}(?:{_EN_PEOPLE}|{_EN_FIRMS}))", re.I),
     ("个", "座", "处", "所")),
    (re.compile(r"多少(?:场|次|期|项|样|套|份|条|批|种|对)|几(?:场|次|期|项|样|套|份|条|批|种|对)"), ()),
    (re.compile(rf"(?:多少|几)[幢栋]|how many {_EN_FEW_WORDS}buildings", re.I), ("幢", "栋")),
    (re.compile(r"多大|面积|how (?:big|large)|square met", re.I), ("平方米", "平米", "亩")),
    (re.compile(r"多少天|几天|多少工作日|多少小时|多久|多长时间|多少时间"), ("天", "工作日", "小时", "年", "月")),
    (re.compile(r"多少钱.{0,3}公里|每公里"), ("元/公里",)),
)
# The counting word right after 「多少」/「几」 is itself the measure the answer's figure carries (「多少场」→「场」), not
# the first character of a noun (项目, 人员, 家庭).
_COUNTER = re.compile(rf"(?:多少|几)([{_COUNTING}])(?!目|员|庭)")
# The thing counted: two characters after 「多少」/「几」 and an optional counting word (「多少个家庭农场」→「家庭」), or
# the one that ends the question (「省了多少纸」→「纸」).
_NUMBER = re.compile(r"\d")
_COUNTED = re.compile(rf"(?:多少|几)([\u4e00-\u9fff]{{2}}|(?![{_COUNTING}年月岁钱了的呢吗啊呀吧么])[\u4e00-\u9fff]"
                      r"(?=[？?。！!\s]*$))")
_COUNTED_AFTER_COUNTER = re.compile(r"(?:多少|几)[个名家位项场次人]([\u4e00-\u9fff]{2})")
# Each asking phrase of a question: two of them ask for two facts, whether a figure or how something went
# (「覆盖率是多少？会员满意度如何？」「收入涨了多少？跳槽的人少了没？」).
_ASKS = re.compile(r"多少|几[^乎]|多[大高长久]|哪天|哪一天|什么时候|何时|哪年|在哪|哪儿|地址|电话|热线|谁|哪位|什么荣誉|"
                   r"叫什么|叫啥|什么名字|名称|"
                   r"哪[个家所两一二三四五六七八九十几]|如何|怎么样|咋样|满不满意|满意吗|了没|了吗|没有?[？?]?$|"
                   r"how many|how much|\bwhen\b|\bwhere\b|\bwho\b|\bwhat\b|\bwhich\b")
# Where one asking phrase ends: 「哪天成立的？首批有多少会员？」, 「how many unions … and how many members」.
_PHRASE_END = re.compile(r"[、，,？?；;。]|\band\b", re.IGNORECASE)
_WHICH_COUNT = re.compile(r"哪([一二三四五六七八九十两][类个种项条大方点])")
# 「分哪几个阶段」「依据哪几条原则」: the items of a list, which the book opens by counting them (「分为四大阶段」
# 「依据三个原则：」). 「分几个网格」 asks how many.
_WHICH_ITEMS = re.compile(r"哪几([类个种项条大方点位])?[“\"「]?([\u4e00-\u9fff]{2})?")
_COUNTED_LIST = r"[一二三四五六七八九十两\d]\s*[类个种项条大方点位]?"
# 「学、思、悟、行分别指啥」: the members a question lists itself.
_MEMBERS_LISTED = re.compile(r"[\u4e00-\u9fff]{1,6}(?:、[\u4e00-\u9fff]{1,6}?)+(?=分别|各|都|是|指|[？?，,]|$)")
# 「运用了哪几种工作思维」「由哪三大平台构成」: the words after the asking ones, one of which each listed member is
# called by (思维, 平台); which one, the case's headings tell.
_MEMBERS_NAMED = re.compile(r"哪(?:几|[一二三四五六七八九十两])[类个种项条大方点位步]?[“\"「]?([\u4e00-\u9fff]{2,6})")
_EACH = re.compile(r"分别|各(?:是|有|涨|增|为|列|包含|管|抓|干|做|搞|指|讲|负责|针对|对应|代表)")
_HONOUR = re.compile(r"奖|荣获|称号|先进|示范")
# Units of measure a figure carries (年, 月, 日 are left out: "2017 年" is a date, not a quantity).
_UNIT = (r"%|％|元|美元|人次|人|名|位|家|个|次|项|天|所|座|套|期|场|张|份|户|台|条|件|倍|公里|平方米|小时|对|支|处|包|批|"
         r"幢|栋|辆|间|样|工作日|亩|分")
# A figure in digits, or in Chinese numerals when it counts people, units or money (「两名企业高管」「千万余元」); a lone
# 「一」 (一个, 一次) is an article more often than a count, and 「三张清单」「四个方面」「二次覆盖」 name how a thing is
# built, not what it achieved.
_DIGITS = r"\d[\d.,，]*"
_CHINESE = r"[二两三四五六七八九十百千][一二两三四五六七八九十百千]*|一[十百千万][一二三四五六七八九十百千]*"
_MULTIPLIED = rf"(?:个\s*)?(?:万|亿|千)\s*(?:余|多)?\s*(?:{_UNIT})?"
# 「近1个亿」 is 1亿; points (「2 分」) are counted in digits: 「二分公司」「十分突出」 count nothing, 「百分之二」 does.
_QUANTITY = re.compile(rf"(?:{_DIGITS})\s*(?:余|多)?\s*(?:{_MULTIPLIED}|(?:{_UNIT}))|"
                       rf"(?:{_CHINESE})\s*(?:余|多)?\s*(?:{_MULTIPLIED}|人次|人|名|家|户|元|位(?!一体)|分之)")
# A count in Chinese numerals in the unit a question asks for answers it (「几次」: 「两次申报评审」).
_COUNT = re.compile(rf"(?:{_CHINESE})\s*(?:{_UNIT})")
# A schedule is told by months and weekdays too (「每年 6 月、10 月」「每周周一上午」).
_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|第.{1,3}个月的第|"
                   r"(?<![\d.])\d{1,2}\s*月(?!份?\s*\d)|[周星]期?[一二三四五六日天](?![\u4e00-\u9fff]{0,1}次)")
_MONTH_ASKED = re.compile(r"几月|月份|哪个月|哪一个月|\bwhich month\b|\bwhat month\b")
_MONTH = re.compile(r"(?<![\d.])\d{1,2}\s*月|[一二三四五六七八九十]+月|季度")
_WHICH_DAY = re.compile(r"哪天|哪一天|几号|几月几[日号]|哪一日|\bwhat date\b|\bwhich day\b|\bon what day\b")
_DAY_OF_MONTH = re.compile(r"月\s*\d{1,2}\s*[日号]|第.{1,3}个月的第")
_PLACE = re.compile(r"\d+\s*号|路|大道|街|大厦|广场|楼|室")
PHONE = re.compile(r"\d{3,4}\s*-\s*\d{6,8}|\d{5,}")
_NAME = re.compile(r"“[^”]{2,20}”|《[^》]{2,30}》|[A-Za-z]{2,}")
_PERSON = re.compile(r"[\u4e00-\u9fff]{1,3}(?:主席|律师|教授|书记|部长|老师|师傅)|律师[\u4e00-\u9fff]{2,3}")


@dataclass(frozen=True)
class Asked:
    """What the question wants in the answer's first line."""

    kind: str
    number: bool = False  # a quantity
    measures: tuple[str, ...] = ()  # marks the figure carries (「人」「%」「元」…); empty: any quantity
    date: bool = False
    place: bool = False
    phone: bool = False
    name: bool = False  # a programme, a platform, a report: something the book quotes or titles
    person: bool = False
    honour: bool = False  # an award or title (「拿到了什么荣誉」)
    nouns: tuple[str, ...] = ()  # what is counted (「多少家庭农场」→「家庭」): a figure right before it is the answer
    counted: tuple[str, ...] = ()  # 「哪四项服务」→「四项」: the book says how many when it lists them
    items: tuple[str, ...] = ()  # 「分哪几个阶段」→「阶段」: a list of them, counted or opened with a colon
    month: bool = False  # 「几月份谈工资」: a date with its month, not a year alone
    day: bool = False  # 「哪天成立的」: a date with its day (「2017年12月7日」), rather than the month of another event
    members: int = 0  # 「那6项举措是什么」: how many members the question says the thing has
    often: bool = False  # how often (「多久开一次」): a period (每星期, 每季度)
    english: bool = False
    definition: bool = False  # what a thing is (「街面工会是什么？」): told where the case first names it

    asks: int = 0  # how many facts the question asks for (「哪天成立的？有多少人入会？」: 2)

    @property
    def wants_fact(self) -> bool:
        return (self.number or self.date or self.place or self.phone or self.name or self.person or self.honour
                or self.often or bool(self.counted) or bool(self.items))


def which_target(question: str) -> str | None:
    """What a which-question asks to be named (「哪所学校」→「学校」, 「哪家」→「」), None when it asks no which."""
    found = _WHICH_TARGET.search(question)
    if found:
        return found.group(1)
    return "" if _WHICH.search(question) else None


# 「一年评几回」「头一回」: times counted by 回 as spoken, not 回家, 回复, 回合 or 「怎么一回事」.
_TIMES_SPOKEN = re.compile(r"(几|多少|一|两)回(?![家来去到复答应合事])")
# 「效果如何」: an outcome word at most this many characters before the how-word makes it an outcome question.
OUTCOME_BEFORE_HOW = 4


def _last(pattern: re.Pattern, question: str) -> int:
    """Where the pattern last matches (-1: nowhere): the asking words of a question come last."""
    return max((m.start() for m in pattern.finditer(question)), default=-1)


def plain(question: str) -> str:
    """The question in standard words: 啥 is spoken 什么, 咋 spoken 怎么, a count of 回 one of 次 (「饿了么工会啥时成立」
    「街面工会是啥」「一年评几回」)."""
    return _TIMES_SPOKEN.sub(r"\1次", question.replace("啥", "什么").replace("咋", "怎么"))


def _asks_definition(question: str) -> bool:
    """What a thing is (「…是什么？」), not what was done or came of it (「他们的做法是什么」「效果是什么」)."""
    return bool(_DEFINITION.search(question)) and _last(_HOWTO, question) < 0 and _last(_OUTCOME, question) < 0


def kind(question: str, experts: tuple[str, ...] = (), one_case: bool = False) -> str:
    """The kind of answer the question wants; the order settles questions that fit two kinds. `experts` are the
    names of the book's commenting experts: a question naming one asks for the comment, unless it asks which cases
    (「石云教授点评了哪些案例？」). `one_case`: the question names one case's unit, so what it lists is that case's
    own (「长白新村街道…一年四个季度各干啥」), unless it asks for cases or units."""
    question = plain(question)
    listed = bool(_LIST.search(question)) and not _NOT_LIST.search(question) \
        and not (one_case and not _CASES_ASKED.search(question))
    if _EXPERT.search(question) or any(name and name in question for name in experts):
        return LIST if listed and _CASES_ASKED.search(question) else EXPERT
    if listed:
        return LIST
    if _WHY.search(question):
        return WHY
    target = which_target(question)
    if target is not None and not _PERSON_ASKED.search(question):
        # A unit is named by the case itself; a school, a lawyer, a report is a fact inside it.
        if not target or target.startswith(_ORG_WORDS):
            return WHICH
        return FACT
    asking = _PURPOSE.sub("", question)
    fact, howto, outcome = _last(_FACT, asking), _last(_HOWTO, asking), _last(_OUTCOME, asking)
    if _asks_definition(question.lower()):
        return FACT  # 「街面工会是什么？」 asks what it is, not how it was done
    if _PERSON_ASKED.search(question) or (fact >= 0 and fact > howto):
        return OUTCOME if outcome >= 0 and not _PERSON_ASKED.search(question) else FACT
    # 「效果如何」「情况怎么样」: the how-word asks about the outcome named just before it.
    if (outcome >= 0 and outcome >= howto - OUTCOME_BEFORE_HOW) or (howto < 0 and _POPULAR.search(question)):
        return OUTCOME  # 「用的人多吗」: how many took part is how it went
    return FACT if howto < 0 and _MEASURE_NOUN.search(question) else HOWTO


def asked(question: str, experts: tuple[str, ...] = (), one_case: bool = False) -> Asked:
    """The question's kind (`kind`) and the fact it wants."""
    q = plain(question).lower()
    measures: list[str] = []
    for pattern, marks in _MEASURES:
        if pattern.search(q):
            measures += [m for m in marks if m not in measures]
    measures += [m for m in _COUNTER.findall(q) if m not in measures]
    asked_kind = kind(question, experts, one_case)
    often = bool(_OFTEN_ASKED.search(q))
    if often:
        measures = []  # 「多久开一次」 asks a period, not a length of time
    # 「分成哪几类」 without a noun: the book counts them by the same word (「四类」).
    items = tuple(item for m in _WHICH_ITEMS.finditer(q) if asked_kind != LIST
                  for item in [m.group(2) or (m.group(1) if m.group(1) and m.group(1) in "类种项条点" else None)]
                  if item and not re.match(_ORGS, item))
    # 「哪几个阶段」 asks for the stages, not for how many; 「讲家政的案例有几个」 counts the cases a list names.
    counted_by = re.sub("哪几", "", q) if items or asked_kind == LIST else q
    counted_by = _CASES_COUNTED.sub("", counted_by) if asked_kind == LIST else counted_by
    number = bool(re.search(r"多少|几[^乎]|多[大高长久]|比例|率|金额|涨了|人数|数量|数字|规模|满意|起色|变化大|大不大|"
                            r"how many|how much|how big|how large|ratio|"
                            r"what share|\b(?:rate|percentage|proportion)\b|satisf",
                            counted_by) or _POPULAR.search(counted_by)) and not often
    return Asked(
        asked_kind, number, tuple(measures),
        date=bool(re.search(r"哪天|哪一天|什么时[候间]?|何时|哪年|几月|哪一?个月|日期|日子|哪一年|when|what date|what year", q)),
        often=often,
        place=bool(re.search(r"在哪|哪儿|哪里|地址|地点|where", q)),
        phone=bool(re.search(r"电话|热线|专线|号码|phone|hotline", q)),
        name=bool(re.search(r"叫什么|什么名字|名称|什么车|车型|什么报告|哪本|哪次|什么荣誉|荣誉|哪[一二三四五六七八九十几]+[类个种项条大]|"
                            r"分成|几大|什么特色|"
                            r"what (?:is|was) the name|called", q)),
        person=bool(_PERSON_ASKED.search(q) or _POST_NAMED.search(q)),
        honour=bool(re.search(r"荣誉|奖项|称号|获奖|名次|第几名|排名|honou?r|award|\b(?:first|second|third) place\b|"
                              r"\branked\b", q)),
        nouns=tuple(dict.fromkeys(m.group(1) for pattern in (_COUNTED, _COUNTED_AFTER_COUNTER)
                                  for m in pattern.finditer(q))),
        english=is_english(question),
        definition=_asks_definition(q),
        asks=_count_asks(q),
        counted=tuple(m.group(1) for m in _WHICH_COUNT.finditer(q)),
        items=items,
        month=bool(_MONTH_ASKED.search(q)),
        day=bool(_WHICH_DAY.search(q)),
        members=members_counted(q),
    )


def member_terms(question: str) -> list[str]:
    """Two-character pieces of the words after 「哪几…」「哪三大…」, one of which may name each listed member (思维 of
    「哪几种工作思维」)."""
    terms = []
    for m in _MEMBERS_NAMED.finditer(plain(question)):
        words = m.group(1)
        terms += [words[i:i + 2] for i in range(len(words) - 1)]
    return list(dict.fromkeys(terms))


def members_listed(question: str) -> list[str]:
    """The members a question lists itself to ask what each is (「学、思、悟、行分别指啥」 → 学, 思, 悟, 行)."""
    found = _MEMBERS_LISTED.search(question)
    return found.group(0).split("、") if found and asks_each(question) else []


MEMBERS_NAMED_CHARS, MEMBERS_AFTER_CHARS = 10, 4
_MEMBERS_COUNT = re.compile(r"(\d{1,2}|[一二两三四五六七八九十])\s*[项个条种类样大点步方]")
# 「“三访三查”查些啥、访谁」「创新工作室主要干哪几件事」「具体包括什么」: what a named thing consists of.
_MEMBERS_WANTED = re.compile(r"哪些|哪几|分别|具体(?:是|指|有|包括|都)|是啥|是什么|指什么|指啥|都有|有啥|有什么|包括|包含|"
                             r"[干做查访搞]些?(?:啥|什么)|哪[一二三四五六七八九十两\d]|\bwhat (?:are|were)\b|\bwhich\b",
                             re.IGNORECASE)


def asks_members(question: str, want: Asked) -> bool:
    """The question (asking `want`) asks what a thing it names consists of, not how many."""
    return bool(_MEMBERS_WANTED.search(question)) and not want.number


def asks_each(question: str) -> bool:
    """The question asks something of each member (「三张清单分别针对谁、各列了多少」)."""
    return bool(_EACH.search(question))


def members_counted(question: str) -> int:
    """How many members the question says the thing has (「那6项举措」「三个方面」; 0: it does not say)."""
    found = _MEMBERS_COUNT.search(question)
    if not found:
        return 0
    return numeral_value(found.group(1))


def members_named(question: str) -> str:
    """What the question names right before asking its members (「宝钢的职工创新工作室主要干哪几件事」 → 职工创新工作室主要干),
    with the words right after the asking ones (「都搞些啥活动呢」 → 活动呢)."""
    found = _MEMBERS_WANTED.search(question)
    if not found:
        return ""
    after = re.split(r"[，,。？?；;！!\s]", question[found.end():], maxsplit=1)[0][:MEMBERS_AFTER_CHARS]
    return f"{question[max(0, found.start() - MEMBERS_NAMED_CHARS):found.start()]} {after}"


def strip_list_words(question: str) -> str:
    """The question without the words that ask for a list (「书里有哪些单位」): what remains is its topic."""
    return _LIST_WORDS.sub(" ", question)


def _count_asks(question: str) -> int:
    """How many facts the question asks for: one per phrase that asks (「在哪儿、有多大」: two; 「热线号码是多少」:
    one)."""
    count = len(ask_phrases(question))
    # 「会员和经费分别增加了多少」: one asking phrase, two things asked.
    return max(count, 2) if count and asks_each(question) else count


def asks_how(question: str) -> bool:
    """The question asks how something was done (「咋搞的」「有啥办法」), not only about a case (「第二个呢」「说说第一个」)."""
    return bool(_HOWTO.search(plain(question)))


def is_english(question: str) -> bool:
    letters = sum(ch.isascii() and ch.isalpha() for ch in question)
    return letters > 2 * sum("\u4e00" <= ch <= "\u9fff" for ch in question)


def fact_marks(sentence: str, want: Asked) -> int:
    """How much of the wanted fact the sentence carries (0: none): a figure counts once, a figure in the asked unit
    of measure or right before the counted thing twice more (once more shortly after it), as do a date, a period, a
    ratio, a place or a phone number when asked."""
    found = 0
    if want.number:
        quantities = [q.group(0).replace(" ", "") for q in _QUANTITY.finditer(sentence)]
        if quantities:
            found += 1
        # 「225 万」 is money, 「2000 万次」 is not: 万 and 亿 count as a unit only at the end of the figure.
        counts = quantities + [c.group(0) for c in _COUNT.finditer(sentence)]
        if want.measures and any(q.endswith(m) if m in ("万", "亿") else m in q
                                 for q in counts for m in want.measures):
            found += 2
    # Each kind of fact asked, by the pattern that finds it in a sentence.
    marked = ((want.date, _MONTH if want.month else _DATE), (want.often, _OFTEN), ("%" in want.measures, _RATIO),
              (want.phone, PHONE), (want.person, _PERSON), (want.honour, _HONOUR), (want.day, _DAY_OF_MONTH))
    found += 2 * sum(1 for asked_for, pattern in marked if asked_for and pattern.search(sentence))
    if want.place and _PLACE.search(sentence) and _NUMBER.search(sentence):
        found += 2
    if want.name and _NAME.search(sentence):
        found += 1
    if want.counted and any(c in sentence for c in want.counted):
        found += 2
    if want.items and (any(re.search(rf"{_COUNTED_LIST}{re.escape(item)}|{re.escape(item)}[^。；]{{0,6}}[:：]\s*$",
                                     sentence) for item in want.items) or _ENUMERATION.search(sentence)):
        found += 2
    if want.nouns and any(re.search(rf"\d[\d.,，]*\s*(?:余|多)?\s*[万亿千]?\s*[^\d\s]?\s*的?{re.escape(noun)}", sentence)
                          for noun in want.nouns):
        found += 2
    elif want.nouns and any(re.search(rf"{re.escape(noun)}[^，。；\d]{{0,6}}\d", sentence) for noun in want.nouns):
        found += 1  # the thing counted, then its figure (「粉丝数达到 8700 余人」「纸 810 包」): less sure
    return found


# The members of a list named in one sentence (「服务包括员工拼车、共享班车、分时租赁租车。」): three or more.
_ENUMERATION = re.compile(r"(?:包括|包含|分为|分成|分别[是为]|主要有|[:：])[^。；:：]{1,40}?、[^。；]{1,40}?、")


# 「建会率和经费收缴有啥变化」: two things joined by 和 an outcome question asks about, each told by its own figure.
_JOINED = re.compile(r"([\u4e00-\u9fff]{2,6})(?:和|与|以及|及)([\u4e00-\u9fff]{2,6})")
# 「how many meetings and working days did they save」: the same in English, the two things before the verb.
_JOINED_EN = re.compile(r"\bhow (?:many|much) ([a-z][a-z' -]{2,30}?) and ([a-z][a-z' -]{2,30}?) "
                        r"(?=(?:did|do|does|has|have|had|were|was|is|are)\b)", re.IGNORECASE)


def lists_members(sentence: str) -> bool:
    """The sentence names three or more members of something in a row (「服务包括员工拼车、共享班车、分时租赁租车。」)."""
    return bool(_ENUMERATION.search(sentence))


def joined_measures(question: str) -> list[str]:
    """The two things an outcome question joins (「建会率和经费收缴咋样了」 → 建会率, 经费收缴咋样了), else none."""
    found = _JOINED.search(question) or _JOINED_EN.search(question)
    return list(found.groups()) if found else []


def ask_phrases(question: str) -> list[str]:
    """The phrases of a question that each ask for a fact, in the order asked (「哪天成立的？首批有多少会员？」)."""
    return [phrase for phrase in _PHRASE_END.split(question) if _ASKS.search(plain(phrase).lower())]


def has_quantity(sentence: str) -> bool:
    return bool(_QUANTITY.search(sentence))
