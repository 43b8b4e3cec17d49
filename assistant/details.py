"""Details a case must print to answer a question about it: a price, a person's name, a phone number, an address, a
time of day or a day of the month, what happens at weekends, which insurer or law firm, a population, a brand, hiring,
business figures, a rise's percentage, who may use a service, how to reissue or find something online or download
it, an article of a law, an expert's comment.

A question asking for one of these about a case that prints none (「上港食堂的套餐一份多少钱？」「饿了么工会主席是谁？」)
is not answered by the compendium, however well the case matches its topic: an answer would lead with another figure
or name. Only details whose absence can be told exactly are checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .asking import EXPERT, PHONE, kind
from .corpus import Case, numeral_value
from .lexicon import Lexicon

# A sum of money asked for: a price, a fee, a wage (「收费多少」「一个月挣多少」「带教费有多少」).
_PRICE_ASKED = re.compile(r"多少钱|几块钱|收多少|收费|价格|价钱|房价|租金|造价|采购价|成本价|单价|"
                          r"费用?(?:是|有)?多少|多少[^，。？?\s]{0,3}费|交多少|"
                          r"费(?:一年|一个月|每个?月|每年|一次|每次)(?:要|得|是)?多少|"
                          r"挣多少|工资[^，。？?\s涨增提升降加调]{0,4}多少|(?<![涨加增提降调])多少工资|月薪|年薪|收入(?:是|有)?多少|奖金(?:是|有|能拿)?多少|多少奖金|"
                          r"\bhow much (?:does|do|did|is|are|was|were)\b.{0,40}\b(?:cost|fees?|price|charge|rent|earn|paid)\b|"
                          r"\b(?:price|fees?|rent|salary|wages?)\b.{0,20}\bhow much\b", re.IGNORECASE)
_MONEY = re.compile(r"\d[\d.,，]*\s*(?:余|多)?\s*[万亿千]?\s*[元块]|[一二两三四五六七八九十百千万]+\s*[万亿]?\s*元|免费")
# A sum asked for by what it pays (「奖金有多少」「租金多少钱」「工资多少」): the book prints it beside a word for that
# (「一等奖 5000 元」 is a prize's money).
_SUM_NAMED = {"奖金": "奖", "租金": "租", "房租": "租", "房价": "房", "工资": "工资|薪", "薪水": "工资|薪", "月薪": "工资|薪",
              "年薪": "工资|薪", "学费": "学费", "会费": "会费", "保费": "保",
              "造价": "造价|成本", "采购价": "采购|购置", "成本价": "成本", "单价": "单价"}
# A sum paid in (「一年交多少钱」「会费交几块」): the book prints it beside the paying (交, 缴) or a fee, not beside a sum
# paid out (「给付了 3544.23 万元保障金」).
_PAID_IN = re.compile(r"[交缴](?:多少|几|了多少|钱|费)|[要得需][交缴]")
_PAYING = "交|缴|费"
# A price asked per unit (「一小时多少钱」「一份几块钱」「每人每月交多少」「一个项目奖多少钱」; not 「第一次」 nor 「一年」,
# which say when): the book prints a sum for it with the same unit (「每月 300~800 元」「0.43 元 / 公里」), or it does
# not say it.
_PER_UNIT = re.compile(r"(?<![第头])(?:一|每)个?(小时|平米|平方米|份|人|位|个月|月|次|天|期|单|亩|张|件|"
                       r"项目|项|条)")
# A use of a service is an order of it (「拼一次多少钱」: 「每单费用 3%」).
_UNIT_AS_PRINTED = {"个月": "月", "平米": "平方米", "次": "(?:次|单)"}
# A person asked for by the post they hold (「主席是谁」「负责人叫什么」); the book names one beside the post.
# Or by what they are (「那10个人分别叫什么」「考过司法考试的销售员工叫啥」): on every labelled set, 26 out-of-scope
# questions and no answerable one. Not 点评人: the experts are named in their comments.
_POST_ASKED = re.compile(r"(主席|书记|负责人|部长|局长|处长|科长|主任|经理|总经理|董事长|老板|厂长|院长|所长|校长|园长|站长|店长|"
                         r"会长|理事长|老师|律师|队长|班长|组长|劳模|工匠|医生|师傅|销售|主持人|员工|职工|小伙子?|姑娘|阿姨|大姐|"
                         r"大叔|骑手|快递员|学员|徒弟|会员|获奖者|选手|教师|代表|(?<!评)人)"
                         r"(?:们)?(?:分别|都|各|具体)?(?:是谁|叫什么|叫啥|姓什么|是哪位|的名字|是哪几位|有哪些人)")
_PERSON_TAG = "nr"
_POST_GAP = 3  # characters between a post and the name of who holds it (「区总工会主席 陆晔」)
_PHONE_ASKED = re.compile(r"电话|联系方式|号码是多少|热线是多少|热线号码|\b(?:tele)?phone\b|\bhotline number|"
                          r"\bcontact (?:number|details)", re.IGNORECASE)
# The same posts asked in English (「the name of the chairman」「Who is the chairperson」).
_POST_ASKED_EN = re.compile(r"\b(?:name of|who (?:is|was|are))\s+(?:the|its|their)\s+(chair(?:man|woman|person)?|head|director|"
                            r"lawyer|teacher|doctor|leader)s?\b", re.IGNORECASE)
_POSTS_EN = {"chair": "主席", "chairman": "主席", "chairwoman": "主席", "chairperson": "主席", "head": "负责人",
             "director": "负责人", "leader": "负责人", "lawyer": "律师", "teacher": "老师", "doctor": "医生"}
# An address: the book prints one as a road and a number (机场大道928号).
_ADDRESS_ASKED = re.compile(r"地址|门牌|哪条(?:路|街|弄)|\baddress\b", re.IGNORECASE)
_ADDRESS = re.compile(r"\d+\s*[号弄]")
# 「几点开门」「末班车几点」 ask a time of day; 「哪几点」「几点启示」「一室几点」 count points.
_HOURS_ASKED = re.compile(r"(?<!哪)几点(?![”\"」]|启示|经验|做法|体会|建议|意见|要求|原则|内容|措施|思考|收获|感受|看法|"
                          r"共识|特色|亮点|好处|不足|变化|成效|创新|举措|办法)|营业时间|开放时间|开门时间|\bopening hours\b|"
                          r"\bwhat time does\b", re.IGNORECASE)
_HOURS = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*[点时]|[一二三四五六七八九十]+点|\d+\s*小时|全天|全年无休")
# 「每月几号」「星期几」 ask a day of the month or week; the book prints one as 每月 15 日 or 周三.
_DAY_ASKED = re.compile(r"每个?月(?:的)?几号|每个?月(?:的)?哪(?:一)?天|每周几|星期几|礼拜几|周几")
_DAY = re.compile(r"\d{1,2}\s*[日号]|[星礼]期[一二三四五六日天]|周[一二三四五六日]|"
                  r"每月[^，。；]{0,4}[一二三四五六七八九十]+[日号]")
# A body asked for by its kind (「哪家保险公司承保」「哪家律所在运营」): the case must name one of that kind.
_BODY_ASKED = re.compile(r"(?:哪家|哪个|哪一家|什么)(保险公司|律师事务所|律所|银行|旅行社|培训机构|物业公司|厂家|厂商|供应商|"
                         r"工厂|厂)")
_BODY_WORDS = {"律所": ("律师事务所", "律所")}
# 「什么牌子的」: a brand (「挂了什么牌子」 asks for a plaque); 「丢了去哪补办」「官网是啥」「在哪下载」: how to reissue a card
# or where to find or download it online.
_BRAND_ASKED = re.compile(r"(?:什么|哪个|啥)(?:品牌|牌子的)")
_BRAND = re.compile("品牌|牌子")
# How many people live somewhere (「康健街道常住人口有多少」「What's the population of Gucun town?」): the book prints a
# population, or a share of it, beside the word.
_POPULATION_ASKED = re.compile(r"人口|\bpopulation\b|\bhow many (?:people|residents|inhabitants) live", re.IGNORECASE)
_POPULATION = re.compile(r"人口[^。；\n]{0,12}\d|\d[^。；\n]{0,12}人口")
# Whether or whom a unit hires (「宝钢今年还招一线工人吗」「校招有什么要求」): the book reports none of its units' hiring.
_HIRING_ASKED = re.compile(r"招聘|校招|招人|招工|招多少人|招不招|还招|应聘|求职|投简历|\b(?:hiring|recruit(?:ing|ment)?)\b",
                           re.IGNORECASE)
_HIRING = re.compile(r"招聘|招工|招收|录用")
# Which article of a law (「工会法第几条规定…」「《劳动合同法》第四十条讲的是啥」): the book names laws, never an article of one.
_ARTICLE_ASKED = re.compile(r"(?:法|条例)》?[^，。？?]{0,20}第[几\d一二三四五六七八九十百]+条|"
                            r"第[几\d一二三四五六七八九十百]+条[^，。？?]{0,8}(?:规定|讲|写)|"
                            r"\bwhich (?:article|clause|section) of\b", re.IGNORECASE)
_ARTICLE = re.compile(r"第\s*[\d一二三四五六七八九十百]+\s*条")
# A company's business figures (「他们公司去年利润多少」「饿了么现在股价多少」): the book prints none, only the word as
# a ground for a wage talk (「企业利润、CPI、政府工资指导线等依据」).
_BUSINESS_ASKED = re.compile(r"(?:利润|营收|营业额|营业收入|产值|销售额|市值|股价)[^，。？?]{0,6}(?:多少|几|多高|多大)|"
                             r"(?:多少|几)[^，。？?]{0,4}(?:利润|营收|营业额|产值|销售额)|"
                             r"\b(?:how much|what)\b.{0,40}\b(?:profits?|revenues?|share price|market value)\b",
                             re.IGNORECASE)
_BUSINESS = re.compile(r"(?:利润|营收|营业额|营业收入|产值|销售额|市值|股价)[^。；\n]{0,12}\d")
# Weekends and public holidays (「工作室周末开不开门」「周六有人值班吗」): the book tells them only of 小候鸟's parents' days.
_WEEKEND_ASKED = re.compile(r"周末|周六|周日|双休|节假日|礼拜天|星期天|休息日|"
                            r"\b(?:weekends?|saturdays?|sundays?|public holidays?)\b", re.IGNORECASE)
_WEEKEND = re.compile(r"周末|周六|周日|双休|节假日|礼拜天|星期天|休息日")
# By what share something rose (「工资最后涨了百分之几」「涨幅是几个点」): the book prints a rise with its percentage
# (「提高了 0.13%」「增长 97%」), or it does not tell it. On every labelled set these words ask 25 out-of-scope questions
# and no answerable one.
_RISE_SHARE_ASKED = re.compile(r"(?:涨|增|加|提高|上调|提升)[^，。？?到至]{0,6}?(?:百分之几|几个百分点|几个点|多少个百分点)|"
                               r"(?:涨幅|增幅)[^，。？?]{0,6}(?:多少|几)|"
                               r"\bby what percentage\b|\bhow many percentage points\b|\bpercentage (?:rise|increase|raise)\b",
                               re.IGNORECASE)
_RISE_SHARE = re.compile(r"(?:涨|增|提高|上调|增长|提升)[^。；\n]{0,12}\d+(?:\.\d+)?\s*(?:[%％]|个百分点)")
# Whether someone may use or join it (「我是区级劳模，能办小红卡吗」「外区的劳模能不能用」「外籍老师能加入工会吗」): a
# ruling on the asker's own standing, or on people from elsewhere; the book tells what units did for their own people
# (and for 外来务工人员 where it says so). On every labelled set these words ask 35 out-of-scope questions and no
# answerable one. A cadre telling their post is not asking it (「我是工会主席，能不能用顾村的办法？」).
_ELIGIBILITY_ASKED = re.compile(r"(?:(?:我(?:是|在|住)[^，。？?]{0,16}?(?:劳模|先进|会员|退休|户口|户籍|外地|外区|外省|外籍)"
                                r"|我住院)[^，。？?]{0,12}[，,][^。？?]{0,20}|"
                                r"(?:外区|外地|别的区|其他区|外省|外市|外籍|外国)[^。？?]{0,16})"
                                r"(?:能不能|能否|可不可以|可以|也能|能)[^，。？?]{0,8}(?:办|用|享|参加|加入|入会|申请|领|报|拿|转|交|凭)|"
                                r"\bI(?: am|'m) an?\b.{0,40}\b(?:can I|could I|am I eligible)\b|"
                                r"\bfrom (?:another|other) districts?\b.{0,30}\b(?:use|apply|join)\b", re.IGNORECASE)
_ELIGIBILITY = re.compile(r"外区|外地|外省|外市|外籍|外国|外来|跨区|全市通用|不限户籍")
# The members of a counted set of bodies, places or people asked by name or place (「那11家快递总部企业具体是哪几家」
# 「三个群众联系箱装在哪三个位置」): the book lists them beside the count (「科技京城、新世界城…等八幢标志性商务楼宇」), or
# it does not name them. Not 805所: a number of three digits names an institute.
_COUNT = r"(?<![\d.〇零])(\d{1,2}|[两二三四五六七八九十]{1,3})\s*(?:个|家|名|位|所|处|座|幢|栋|对|片)"
_MEMBERS_ASKED = re.compile(
    _COUNT + r"[\u4e00-\u9fff“”\"]{0,8}?(?:企业|公司|单位|医院|学校|工会|分会|网格|班组|工作室|服务站|站点?|箱|场所|地方|"
    r"位置|楼宇?|门店|网点|基地|村|社区|园区|人|工匠|会员|徒弟|师傅|栏目)"
    r"[^，。？?]{0,10}?(?:哪几|哪[两二三四五六七八九十]|哪些(?:企业|公司|单位|医院|学校|楼|地方|位置|班组|村|社区|人)|"
    r"叫什么|叫啥|什么名字|名字|名称|[设装放建开位][在于]哪|在哪)")
_COUNTED = re.compile(_COUNT)
LISTED_WITHIN = 60
_LIST_BEFORE = re.compile(r"、[^，,；;。、]{1,20}$")
_LIST_AFTER = re.compile(r"[^，,；;。]{0,12}?(?:[:：]|分别是|分别为|包括|即|有)[^。；;]{1,40}、")
# A counted term a case names only in its title (「聚焦“五升一降”目标」) is never spelled out: which members it has
# (「“五升一降”具体是哪五升、哪一降？」) the book does not tell. On every labelled set, 19 out-of-scope questions ask
# this, and no answerable one (those ask which unit set the goal).
_TERM = re.compile(r"“([^”]{2,12})”")
_COUNTED_TERM = re.compile(r"[一二两三四五六七八九十]|(?<![A-Za-z])\d(?![A-Za-z])")  # not the 2 of O2O
_TERM_MEMBERS_ASKED = re.compile(r"具体|分别|哪[一二两三四五六七八九十几]|指什么|是什么|什么意思|包括|包含|"
                                 r"\bwhat (?:are|were|is)\b", re.IGNORECASE)
# Each detail: how it is asked, how the book prints it, whether only the case's own sections count (not the experts'
# comments, which speak of other places and years), and its name for the refusal.
_PRINTED_OR_NOT = (
    (_PHONE_ASKED, PHONE, False, "电话号码"), (_ADDRESS_ASKED, _ADDRESS, False, "具体地址"),
    (_HOURS_ASKED, _HOURS, False, "具体时间"), (_DAY_ASKED, _DAY, False, "具体日期"),
    (_POPULATION_ASKED, _POPULATION, True, "人口数"), (_BRAND_ASKED, _BRAND, False, "品牌"),
    (_HIRING_ASKED, _HIRING, True, "招聘信息"), (_ARTICLE_ASKED, _ARTICLE, False, "法律的具体条款"),
    (_WEEKEND_ASKED, _WEEKEND, True, "周末或节假日的安排"), (_BUSINESS_ASKED, _BUSINESS, True, "经营数据"),
    (_RISE_SHARE_ASKED, _RISE_SHARE, True, "具体涨幅"), (_ELIGIBILITY_ASKED, _ELIGIBILITY, True, "个人能否办理或使用的条件"))
_SERVICE_ASKED = {"补办": "补办方式", "挂失": "挂失方式", "官网": "网址", "网址": "网址", "邮箱": "邮箱", "二维码": "二维码",
                  "下载": "下载方式"}


def missing_detail(question: str, cases: Sequence[Case], lexicon: Lexicon) -> str | None:
    """The first detail the question asks for that none of the cases that may answer it prints (its name, for the
    refusal), else None: 「主席叫啥？电话给我一个」 asks two."""
    text = "\n".join(case.searchable_text for case in cases)
    own = "\n".join(section.text for case in cases for section in case.sections)  # not the experts' comments
    if _PRICE_ASKED.search(question) and not _priced(question, text):
        return "价格或收费"
    post = _POST_ASKED.search(question)
    english = _POST_ASKED_EN.search(question)
    asked_post = post.group(1) if post else _POSTS_EN[english.group(1).lower()] if english else None
    if asked_post and not _names_a(asked_post, own, lexicon):
        return f"{asked_post}的姓名"
    body = _BODY_ASKED.search(question)
    if body and not any(word in text for word in _BODY_WORDS.get(body.group(1), (body.group(1),))):
        return f"是哪家{body.group(1)}"
    detail = next((name for asked, printed, in_own, name in _PRINTED_OR_NOT
                   if asked.search(question) and not printed.search(own if in_own else text)), None)
    if detail:
        return detail
    term = next((t for case in cases for t in _TERM.findall(case.title) if t in question and _COUNTED_TERM.search(t)
                 and t not in "\n".join(section.text for section in case.sections)), None)
    if term and _TERM_MEMBERS_ASKED.search(question):
        return f"「{term}」的具体内容"
    members = _MEMBERS_ASKED.search(question)
    if members and not _lists_members(numeral_value(members.group(1)), text):  # an expert may list them (这两家工会)
        return "它们各自的名称或位置"
    service = next((word for word in _SERVICE_ASKED if word in question and word not in text), None)
    if service:
        return _SERVICE_ASKED[service]
    # The book prints experts' comments on the special award and the ten best cases' categories, none on nominated
    # cases (「专家怎么点评这个案例的？」 about one of them).
    if kind(question) == EXPERT and not any(case.expert_comments for case in cases):
        return "专家点评"
    return None


def asks_a_detail(question: str, lexicon: Lexicon) -> bool:
    """Whether the question asks for one of these details at all (none is printed where there is no text)."""
    return missing_detail(question, (), lexicon) is not None


def _lists_members(count: int, text: str) -> bool:
    """The text lists the members right beside a count of as many (「科技京城、…、黄图大厦等八幢楼宇」「三个区域：A、B、C」)."""
    for sentence in re.split(r"[。！？\n]", text):
        for m in _COUNTED.finditer(sentence):
            if numeral_value(m.group(1)) == count and (
                    _LIST_BEFORE.search(sentence[max(0, m.start() - LISTED_WITHIN):m.start()])
                    or _LIST_AFTER.match(sentence[m.end():m.end() + LISTED_WITHIN])):
                return True
    return False


def _priced(question: str, text: str) -> bool:
    """The text prints a sum of money, per each unit the question prices by when it names one, beside the word
    for what it pays when the question names one (奖金, 租金) or the paying when it asks a sum paid in."""
    units = [_UNIT_AS_PRINTED.get(u, u) for u in _PER_UNIT.findall(question)]
    named = [word for name, word in _SUM_NAMED.items() if name in question] + ([_PAYING] if _PAID_IN.search(question) else [])
    sums = [s for s in re.split(r"[。；！？\n]", text) if _MONEY.search(s) and all(re.search(w, s) for w in named)]
    return any(all(re.search(rf"[每一/]\s*(?:个)?{u}|元\s*/?\s*{u}", s) for u in units) for s in sums)


def _names_a(post: str, text: str, lexicon: Lexicon) -> bool:
    """The text names someone holding the post: a person's name (jieba's tag) right beside it (「主席李建国」
    「劳模 徐虎」), not anywhere in its sentence (「顾村基层工会主席群」)."""
    for sentence in re.split(r"[。！？\n]", text):
        posts = [m.span() for m in re.finditer(post, sentence)]
        if not posts:
            continue
        at = 0
        for word, tag in lexicon.tag(sentence):
            start, at = at, at + len(word)
            if tag == _PERSON_TAG and len(word) > 1 and any(
                    0 <= start - end <= _POST_GAP or 0 <= begin - at <= _POST_GAP for begin, end in posts):
                return True  # the name after the post, or before it
    return False
