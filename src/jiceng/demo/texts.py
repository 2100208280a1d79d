"""Natural-Chinese templates for demo cases, by top-level category."""

from __future__ import annotations

import random

from . import names

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "minsheng": [
        ("{road}路灯不亮", "{place}{road}一段约{n}盏路灯坏了{d}天，晚上出行不安全，老人小孩走夜路容易摔跤，请尽快维修。"),
        ("自来水停水", "{place}从{d}天前开始经常停水，每天只有早上有水，家里老人做饭洗衣都困难，希望查明原因。"),
        ("垃圾清运不及时", "{place}{road}旁的垃圾点已经{d}天没有清运，气味很大，蚊蝇多，附近住户意见很大。"),
        ("低保申请咨询", "家住{place}，丈夫去年因病去世，家里两个孩子读书，想了解低保怎么申请、需要准备哪些材料。"),
        ("医保报销问题", "母亲在区人民医院住院{d}天，出院结算时大病保险没有报销，想问问是什么原因，应该找哪里。"),
        ("孩子入学问题", "我们是随迁子女，孩子今年要上一年级，{place}附近学校说学位满了，请帮忙协调就近入学。"),
        ("道路坑洼积水", "{road}{place}路段路面坑洼，一下雨就积水，电动车经过容易摔倒，已有{n}人摔伤。"),
        ("灵活就业社保缴费", "在外务工回乡，想以灵活就业身份续缴养老保险，不知道在哪里办理，能否网上办。"),
        ("频繁停电", "{place}近{d}天经常停电，每次停好几个小时，冰箱里的东西都坏了，请供电部门检查线路。"),
        ("污水直排", "{place}{road}旁有污水直接排进水沟，气味刺鼻，附近{n}户居民意见很大，希望环保部门查处。"),
        ("残疾人补贴申请", "家住{place}，儿子二级肢体残疾，想申请残疾人两项补贴，不清楚办理流程。"),
        ("门诊慢特病认定", "父亲患高血压和糖尿病多年，想办理门诊慢特病认定以便报销药费，请问到哪里申请。"),
        ("校车接送问题", "{place}到镇中心小学有{n}公里，没有校车，孩子每天走山路上学，家长很担心安全。"),
        ("失业金领取", "原来在{enterprise}上班，企业裁员后失业，想问失业保险金怎么申领、能领几个月。"),
    ],
    "xinfang": [
        ("征地补偿款未到位", "{place}{n}户村民反映，修路征地的补偿款还有一部分没有发放，多次到村里询问没有答复。"),
        ("拆迁安置问题", "{place}拆迁安置房交房时间一再推迟，{n}户群众租房过渡，过渡费也停发了，请求领导过问。"),
        ("工程欠薪", "在{place}工地做工{d}天，包工头拖欠工资{money}元，多次讨要未果，请求帮助追讨。"),
        ("宅基地审批", "申请建房的宅基地审批已经递交半年，一直没有结果，希望说明卡在哪个环节。"),
    ],
    "jiufen": [
        ("邻里排水纠纷", "{place}{name1}家新修房屋，排水沟改道后雨水流进{name2}家院子，双方多次争吵。"),
        ("宅基地界址纠纷", "{name1}与{name2}两家因宅基地界址争执，{name2}砌围墙占了约{n}平方米，请求调解。"),
        ("赡养老人纠纷", "{place}{name1}老人年过八十，几个子女对赡养费分摊有分歧，老人生活无着落。"),
        ("山林权属纠纷", "{place}两个村民小组对一片山林的权属有争议，砍伐时发生冲突，需要尽快调处。"),
        ("劳务费纠纷", "{name1}在{name2}的养殖场务工{d}天，结算工钱时双方对天数有争议，相差{money}元。"),
    ],
    "yinhuan": [
        ("电动车楼道充电", "{place}{road}旁居民楼楼道内有{n}辆电动车飞线充电，存在火灾隐患。"),
        ("危房有人居住", "{place}一处土坯房墙体开裂，屋顶漏雨，仍有老人居住，雨季有倒塌危险。"),
        ("山体滑坡隐患", "{place}后山连续降雨后出现裂缝，坡下有{n}户人家，需要排查并设置警示。"),
        ("河堤渗水", "{place}段河堤出现渗水点，汛期临近，请水利部门查看加固。"),
        ("企业消防通道堵塞", "{enterprise}厂区消防通道堆放货物，灭火器过期，存在安全隐患。"),
        ("急弯路段无护栏", "{road}{place}急弯处没有护栏和警示标志，近期发生{n}起车辆侧翻。"),
    ],
    "yujing": [
        ("{alert}预警", "{device}于{time}触发“{alert}”预警，监测点位于{place}，请及时核查处置。"),
    ],
    "gengdi": [
        ("耕地被堆放建材", "网格田长巡田发现{place}约{mu}亩基本农田被堆放砂石建材，疑似违法占用。"),
        ("耕地撂荒", "巡田发现{place}约{mu}亩水田连续两季未耕种，已撂荒长草，需要督促复耕。"),
        ("耕地上建房", "{place}有村民在耕地上打地基准备建房，面积约{mu}亩，尚未取得审批。"),
    ],
    "qiye": [
        ("项目审批进度慢", "{enterprise}的扩建项目环评和规划审批已提交{d}天，希望加快办理。"),
        ("企业融资难", "{enterprise}因订单增加需要流动资金约{money}元，申请贷款被要求抵押，希望对接现金流信用贷款产品。"),
        ("企业招工难", "{enterprise}急需普工{n}名、技术工人若干，希望人社部门协助对接劳务输出。"),
    ],
    "fanpin": [
        ("因病返贫风险", "{place}{name1}家户主患重病住院，年度自付医疗费用较高，家庭收入骤减，存在返贫风险。"),
        ("因灾返贫风险", "{place}{name1}家房屋在暴雨中受损，养殖的{n}头猪被冲走，生活困难。"),
    ],
    "xuncha": [
        ("村务公开不及时", "巡察发现{place}村务公开栏内容停留在{d}天前，财务收支未按月公开。"),
        ("惠民资金发放台账不全", "巡察发现{place}惠民惠农资金发放台账缺少签领记录，需要整改。"),
    ],
}

# Which subcategory each template belongs to, so the demo history teaches subcategories
# too (the routing model learns from it). Templates without an entry serve every
# subcategory of their top-level category (信访 subcategories differ by channel, not text).
LEAF_OF: dict[str, str] = {
    "{road}路灯不亮": "minsheng-road", "道路坑洼积水": "minsheng-road", "自来水停水": "minsheng-utilities", "频繁停电": "minsheng-utilities",
    "垃圾清运不及时": "minsheng-environment", "污水直排": "minsheng-environment", "低保申请咨询": "minsheng-assistance",
    "残疾人补贴申请": "minsheng-assistance", "医保报销问题": "minsheng-medical", "门诊慢特病认定": "minsheng-medical",
    "孩子入学问题": "minsheng-education", "校车接送问题": "minsheng-education", "灵活就业社保缴费": "minsheng-employment",
    "失业金领取": "minsheng-employment",
    "邻里排水纠纷": "jiufen-neighbour", "宅基地界址纠纷": "jiufen-land", "山林权属纠纷": "jiufen-land", "赡养老人纠纷": "jiufen-family",
    "劳务费纠纷": "jiufen-wages",
    "电动车楼道充电": "yinhuan-fire", "危房有人居住": "yinhuan-building", "山体滑坡隐患": "yinhuan-geology", "河堤渗水": "yinhuan-flood",
    "企业消防通道堵塞": "yinhuan-production", "急弯路段无护栏": "yinhuan-traffic",
    "耕地被堆放建材": "gengdi-occupation", "耕地上建房": "gengdi-occupation", "耕地撂荒": "gengdi-abandoned",
    "项目审批进度慢": "qiye-approval", "企业融资难": "qiye-finance", "企业招工难": "qiye-labour",
    "因病返贫风险": "fanpin-illness", "因灾返贫风险": "fanpin-disaster",
}


# How callers actually say it: colloquial variants per subcategory, used for about
# half of the demo cases (chosen without touching the generator's random stream, so
# every other generated value stays as it was). They keep demo-trained routing figures
# from flattering: a model that only ever saw the templates above fails on real speech
# (docs/triage.md). Written for the demo; the evaluation set in tests/triage/data is separate.
SPOKEN: dict[str, list[str]] = {
    "minsheng-road": ["{place}那段路烂了{d}天了，到处是坑，骑车的都摔过。", "{road}那边天一黑就看不见路，灯全不亮，谁来管管。",
                      "我们{place}的路一下雨就成了泥塘，娃娃上学鞋子全湿。"],
    "minsheng-utilities": ["{place}又没水了，都{d}天了，只能去挑井水吃。", "这几天三天两头断电，{place}好多户的电器都烧了。",
                           "{place}水龙头放出来浑浊得很，烧开了都有沉淀。"],
    "minsheng-environment": ["{place}那个垃圾堆好多天没人来收了，夏天热，臭得人头晕。", "{road}边上有家店天天半夜放音乐，吵得一条街睡不好。",
                             "有个厂子往{place}的沟里放黑水，鱼都死了。"],
    "minsheng-assistance": ["我家就我一个劳力，{name1}他瘫在床上，日子过不下去了，能不能帮着办个低保。",
                            "{place}有个独居老人，没儿没女，冬天连棉被都没有。", "我们是残疾人家庭，补助一直没拿到，问了好几回了。"],
    "minsheng-medical": ["住了{d}天院，报销下来还要自己掏一大半，这个合作医疗怎么算的。", "{place}卫生院就一个医生，看个感冒要排半天。",
                         "老人的慢性病药每个月都要跑县里开，报销手续太烦。"],
    "minsheng-education": ["孩子要读一年级了，学校说名额满了，让我们去隔壁镇读。", "{place}离学校{n}公里，小孩天天走山路，也没个车接。",
                           "学校收的资料费太多了，一学期好几百。"],
    "minsheng-employment": ["以前厂里交的养老保险断了，现在回来了想接着交，不晓得去哪办。", "我到年纪了，退休金办了{d}天还没批下来。",
                            "失业了想领点补助，跑了两趟都说材料不对。"],
    "jiufen-neighbour": ["{name1}家把水沟改了，一下雨水全往我家院坝里灌，说他还不听。", "楼上{name1}家天天半夜拖凳子跺脚，上去说了还骂人。",
                         "隔壁把杂物全堆到我家门口，出门都要侧着身子。"],
    "jiufen-family": ["{name1}老人几个儿女都不管，推来推去，老人饭都吃不上。", "我男人喝了酒就动手，这日子实在过不下去了。",
                      "我爸留的老房子，几个兄弟为这个吵翻了天。"],
    "jiufen-land": ["{name1}家砌墙砌到我家屋场上来了，占了好大一块。", "我们两个组为后山那片林子扯了好多年，前几天又差点打起来。",
                    "我家的责任田被{name1}家挖了田坎，年年往我这边挪。"],
    "jiufen-wages": ["在{place}工地做了{d}天，工头说没钱，{money}块工钱一直拖着。", "老板跑了，我们{n}个人的工资都没拿到，过年回不了家。",
                     "帮{name1}家做了一个月的活，说好的钱到现在不认账。"],
    "yinhuan-fire": ["楼道里堆满了电瓶车，还有人从窗户吊线下来充电，看着都怕。", "{place}那个出租屋住了好多人，电线乱拉，一点消防设施都没有。",
                     "小区消防通道天天停满了车，消防车根本进不去。"],
    "yinhuan-building": ["{place}那栋老房子墙都裂开了口子，下雨还漏，里面还住着老人。", "我家房子地基往下沉，门窗都关不拢了。",
                         "那户人家在老楼顶上又加了一层，楼都有点歪了。"],
    "yinhuan-geology": ["{place}后山这几天老往下掉土和石头，下面就是几户人家。", "下了几天雨，屋后的坡裂了条缝，越来越宽。",
                        "路边的山坡垮了一块，把半边路都埋了。"],
    "yinhuan-flood": ["河边那段堤坝在冒水，再下雨怕是要垮。", "{place}的山塘坝子有个洞一直漏水，下游几户人家心里发慌。",
                      "村里的排水渠全堵了，一下暴雨就淹到屋里。"],
    "yinhuan-production": ["{place}那个小厂子工人干活连个防护都没有，机器也没罩子。", "有人在民房里偷偷做鞭炮，万一炸了不得了。",
                           "采石场天天放炮，石头都飞到路上来了。"],
    "yinhuan-traffic": ["{road}那个弯道又翻车了，一个护栏都没有。", "学校门口的车开得飞快，娃娃过马路太危险，装个减速带吧。",
                        "拉土的大车超载跑得飞快，村里的路都压烂了，吓人得很。"],
    "gengdi-occupation": ["有人在{place}的田里倒砂石，好好的水田没法种了。", "{name1}在自家责任田里打地基准备起房子。",
                          "晚上有挖机在田里挖土拉走卖，挖了好几个大坑。"],
    "gengdi-abandoned": ["{place}有好几块田荒了两年了，草比人还高。", "年轻人都出去了，田都没人种，可惜得很。"],
    "qiye-approval": ["我们厂扩建的手续跑了{d}天还没批下来，每次都说差材料。", "办个证要跑好几个窗口，来回折腾了一个多月。"],
    "qiye-finance": ["厂里订单多了，资金转不过来，银行要抵押我们拿不出来。", "说好的贷款贴息到现在还没兑现。"],
    "qiye-labour": ["厂里缺{n}个普工，招了一个月都没招到人。", "我们急需会电焊的师傅，哪里能帮着找找。"],
    "fanpin-illness": ["{name1}查出来是重病，治病花光了家里的钱，还欠了一屁股债。", "家里顶梁柱病倒了，孩子还在读书，日子一下就难了。"],
    "fanpin-disaster": ["大水把{name1}家的房子冲垮了半边，猪也冲走了。", "一场冰雹把地里的庄稼全打没了，今年没收成。"],
    "xuncha": ["村里的账从来不贴出来，钱花哪去了谁也不知道。", "村干部把好处都给了自家亲戚，老百姓意见很大。"],
}


RESULTS = {
    "minsheng": ["已安排人员上门处理，问题已解决，群众表示认可。", "经协调相关部门，已于近日完成维修，并回访确认。"],
    "xinfang": ["经调查核实，已依政策答复信访人并落实相关事项。", "领导包案督办，相关款项已全部发放到位。"],
    "jiufen": ["经村调委会调解，双方达成一致并签订调解协议。", "经司法所组织调解，双方各让一步，矛盾化解。"],
    "yinhuan": ["隐患已整改到位，经复查销号。", "已督促责任人完成整改，并建立长效巡查机制。"],
    "yujing": ["现场核查属实，已处置并通报学校加强管理。", "经核查为误报，已调整设备参数。"],
    "gengdi": ["已责令恢复耕种条件，建材全部清运。", "已督促农户复耕复种，纳入网格田长每周巡查。"],
    "qiye": ["已协调审批部门并联办理，相关手续已完成。", "已对接金融机构，企业获得信用贷款。"],
    "fanpin": ["已纳入防返贫监测，落实医疗救助和结对帮扶。", "已发放临时救助并安排公益岗位。"],
    "xuncha": ["已按要求整改并补齐台账，整改情况已反馈。", "立行立改，已完成公开并建立制度。"],
}


def person_name(rng: random.Random) -> str:
    given = rng.choice(names.GIVEN) + (rng.choice(names.GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(names.SURNAMES) + given


def phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "151", "177", "186", "187", "199"]) + f"{rng.randrange(10**8):08d}"


def render(top: str, rng: random.Random, place: str, extra: dict | None = None, leaf: str | None = None) -> tuple[str, str]:
    """A (title, description) pair for a case of top-level category ``top`` (and subcategory ``leaf``)."""
    pool = [t for t in TEMPLATES[top] if leaf and LEAF_OF.get(t[0]) == leaf] or TEMPLATES[top]
    title, body = rng.choice(pool)
    values = {
        "place": place, "road": rng.choice(names.ROADS), "n": rng.randint(2, 12), "d": rng.randint(2, 20),
        "money": rng.choice([3000, 5800, 12000, 26000, 80000, 200000]), "name1": person_name(rng), "name2": person_name(rng),
        "enterprise": rng.choice(names.ENTERPRISES), "mu": rng.choice([0.8, 1.5, 2, 3.5, 5, 8]),
        "alert": "异常", "device": "监测点", "time": "",
    }
    values.update(extra or {})
    title, body = title.format(**values), body.format(**values)
    variants = SPOKEN.get(leaf or "", [])
    # A separate generator seeded by the case's own text: the main stream is not consumed.
    local = random.Random(f"{title}|{body}")
    if variants and local.random() < 0.5:
        body = local.choice(variants).format(**values)
    return title, body
