"""Workplace writing: year-end summaries, duty reports, plans, notices, Party work, speeches."""

from __future__ import annotations

from typing import Any

from wenku.demo.model import Block, Generated, Heading, Items, Para, Table, TextDoc
from wenku.demo.phrases import CITIES, DEPARTMENTS, ORG_KINDS, ORG_WORDS, Pick, cn_number

PAGE_CHARS = 650

ACHIEVEMENT = (
    "全年共完成{task}{n}项，较上年增长{pct}，各项指标均达到或超过年初确定的目标。",
    "围绕“{theme}”这一主线，我们细化任务分工，建立周调度、月通报机制，确保工作有序推进。",
    "在人员紧张、任务繁重的情况下，全体同事主动加班加点，按期完成了{task}的各项节点任务。",
    "通过梳理业务流程，我们精简审批环节{n2}个，平均办理时限由{d1}个工作日缩短至{d2}个工作日。",
    "我们坚持问题导向，对照年初计划逐项查漏补缺，对发现的{n2}个薄弱环节逐一制定了整改措施。",
    "积极推进信息化建设，{system}已于{month}月正式上线运行，日常业务基本实现线上办理。",
    "加强与兄弟部门的沟通协作，牵头组织专题协调会{n2}次，解决跨部门问题{n3}个。",
    "注重总结提炼，形成了一批可复制、可推广的做法，其中{n2}项经验在全{org_kind}范围内交流。",
    "严格落实安全生产责任制，全年未发生一般及以上安全责任事故。",
    "坚持以客户为中心，客户满意度调查得分为{score}分，比上年提高{small}个百分点。",
    "在成本控制方面，通过集中采购、优化库存等措施，全年节约费用约{money}万元。",
    "组织开展业务培训{n2}期，参训{n3}人次，队伍的专业能力和服务水平明显提升。",
)
PROBLEMS = (
    "一是工作的前瞻性还不够强，对新情况、新问题研究不深，有时处于被动应对状态。",
    "二是部门之间的协同配合还有提升空间，个别事项存在推诿扯皮、衔接不畅的现象。",
    "三是制度执行不够严格，部分流程在实际操作中仍有简化、走样的情况。",
    "四是人员结构不尽合理，年轻骨干储备不足，专业人才培养的系统性有待加强。",
    "五是信息化应用的深度不够，数据分析对管理决策的支撑作用尚未充分发挥。",
    "六是创新意识有待增强，对标先进找差距的主动性还不够。",
)
NEXT_STEPS = (
    "进一步加强学习，提高政策理论水平和业务能力，做到学以致用、知行合一。",
    "完善考核评价机制，把任务完成情况与绩效分配挂钩，充分调动大家的积极性。",
    "持续推进流程再造和数字化转型，力争明年实现主要业务全流程线上闭环。",
    "加强队伍建设，有计划地开展岗位练兵和轮岗交流，培养一批复合型骨干人才。",
    "强化风险意识，建立健全风险排查和预警机制，守住不发生重大风险的底线。",
    "坚持对标一流，学习借鉴同行先进经验，在服务质量和工作效率上实现新突破。",
    "抓好年度重点项目的落实，明确时间表、路线图和责任人，确保按期完成。",
)
THEMES = ("提质增效", "服务基层", "精细化管理", "数字化转型", "作风建设年", "安全生产")
TASKS = ("重点项目", "业务合同", "专项检查", "培训任务", "服务工单", "技术改造项目")
SYSTEMS = ("协同办公系统", "合同管理平台", "客户关系管理系统", "财务共享中心", "设备管理系统")
POSITIONS = ("办公室主任", "财务主管", "销售经理", "项目经理", "班主任", "车间主任", "护士长")


def _slots(p: Pick) -> dict[str, Any]:
    d1 = p.num(5, 12)
    return {
        "task": p.one(TASKS),
        "n": p.num(12, 260),
        "n2": p.num(3, 18),
        "n3": p.num(20, 300),
        "pct": p.pct(),
        "theme": p.one(THEMES),
        "system": p.one(SYSTEMS),
        "month": p.num(3, 11),
        "d1": d1,
        "d2": max(1, d1 - p.num(2, 4)),
        "org_kind": p.one(("公司", "集团", "系统", "行业")),
        "score": f"{p.num(88, 98)}.{p.num(0, 9)}",
        "small": f"{p.num(1, 4)}.{p.num(1, 9)}",
        "money": p.num(30, 900),
    }


def _body(p: Pick, budget: int, bank: tuple[str, ...], per: int = 3) -> list[Block]:
    """Paragraphs from ``bank`` until roughly ``budget`` characters are written."""
    blocks: list[Block] = []
    written = 0
    while written < budget:
        text = p.sentences(bank, per, **_slots(p))
        blocks.append(Para(text))
        written += len(text)
    return blocks


YEAR_END_TOPICS = (
    "狠抓重点任务落实",
    "持续提升服务质量",
    "加强内部规范管理",
    "推进信息化建设",
    "强化队伍建设",
    "抓好安全稳定工作",
)


def year_end_summary(p: Pick, pages: int) -> Generated:
    year = p.one((2023, 2024, 2025))
    dept = p.one(DEPARTMENTS)
    personal = p.chance(0.4)
    title = f"{dept}{year}年度{'个人' if personal else ''}工作总结"
    budget = pages * PAGE_CHARS
    blocks: list[Block] = [
        Para(
            f"{year}年，在{'公司' if not personal else '部门'}领导的正确带领下，"
            f"{'本人' if personal else dept}紧紧围绕年度目标任务，"
            "坚持稳中求进工作总基调，扎实推进各项工作，取得了较好成效。现将全年工作总结如下："
        ),
        Heading("一、主要工作完成情况", 1),
    ]
    topics = [t for t in YEAR_END_TOPICS if p.chance(0.2 + pages / 8)] or list(YEAR_END_TOPICS[:2])
    share = int(budget * 0.6) // len(topics)
    for number, topic in enumerate(topics, 1):
        blocks.append(Heading(f"（{cn_number(number)}）{topic}", 2))
        blocks.extend(_body(p, share, ACHIEVEMENT))
    blocks.append(Para(f"表1  {year}年主要指标完成情况", align="center", bold=True))
    rows = [("序号", "指标名称", "年度目标", "实际完成", "完成率")]
    for i, name in enumerate(
        p.some(
            (
                "营业收入（万元）",
                "服务工单（件）",
                "客户满意度（分）",
                "培训人次",
                "成本节约（万元）",
                "项目验收（个）",
            ),
            5,
        )
    ):
        goal = p.num(80, 5000)
        done = int(goal * p.num(92, 121) / 100)
        rows.append((str(i + 1), name, str(goal), str(done), f"{done / goal:.1%}"))
    blocks.append(Table(tuple(rows)))
    blocks.append(Heading("二、存在的问题和不足", 1))
    blocks.append(Para("在肯定成绩的同时，我们也清醒地认识到工作中还存在一些问题和不足："))
    blocks.extend(Para(s) for s in PROBLEMS[: p.num(3, 5)])
    blocks.append(Heading(f"三、{year + 1}年工作打算", 1))
    blocks.append(Items(tuple(p.some(NEXT_STEPS, 5)), ordered=True))
    blocks.append(
        Para(
            f"新的一年，{'我' if personal else '我们'}将以更加饱满的热情、更加务实的作风，"
            "攻坚克难、开拓进取，为全面完成各项目标任务作出新的更大贡献。"
        )
    )
    author = p.person()
    blocks.append(Para(f"{dept}  {author}" if personal else dept, align="right"))
    blocks.append(Para(f"{year}年12月{p.num(20, 31)}日", align="right"))
    return Generated(
        title=title,
        description=f"{title}，包括主要工作完成情况、指标完成表、存在问题及下一年工作打算，"
        "结构完整，可供撰写年终总结时参考。",
        tags=("年终总结", "工作总结", f"{year}年", dept),
        content=TextDoc(title, tuple(blocks), author=author),
    )


def duty_report(p: Pick, pages: int) -> Generated:
    year = p.one((2023, 2024, 2025))
    position = p.one(POSITIONS)
    title = f"{position}{year}年度述职报告"
    blocks: list[Block] = [
        Para("尊敬的各位领导、同事们：", bold=True),
        Para(
            f"大家好！{year}年，我担任{position}一职。一年来，我认真履行岗位职责，"
            "在领导的关心和同事们的支持下，较好地完成了各项工作任务。"
            "下面，我从履职情况、廉洁自律、存在不足和努力方向四个方面进行述职，请予评议。"
        ),
        Heading("一、加强学习，不断提高履职能力", 1),
        *_body(p, pages * PAGE_CHARS // 5, ACHIEVEMENT, 2),
        Heading("二、恪尽职守，扎实完成各项工作", 1),
        *_body(p, pages * PAGE_CHARS // 3, ACHIEVEMENT),
        Heading("三、严于律己，自觉做到廉洁从业", 1),
        Para(
            "我始终把廉洁自律作为立身之本，严格遵守中央八项规定精神和单位各项纪律要求，"
            "不该拿的坚决不拿，不该去的地方坚决不去，自觉接受组织和群众监督。"
        ),
        Heading("四、存在的不足", 1),
        *(Para(s) for s in PROBLEMS[:3]),
        Heading("五、今后的努力方向", 1),
        Items(tuple(p.some(NEXT_STEPS, 4)), ordered=True),
        Para("以上述职，不妥之处，恳请各位领导和同事批评指正。谢谢大家！"),
        Para(f"述职人：{p.person()}", align="right"),
    ]
    return Generated(
        title=title,
        description=f"{position}年度个人述职报告范文，从履职能力、工作完成、廉洁自律、"
        "不足与努力方向几方面展开。",
        tags=("述职报告", position, "个人述职"),
        content=TextDoc(title, tuple(blocks)),
    )


def work_plan(p: Pick, pages: int) -> Generated:
    year = p.one((2024, 2025, 2026))
    dept = p.one(DEPARTMENTS)
    title = f"{dept}{year}年工作计划"
    tasks = p.some(
        (
            "深化制度建设，完善内控管理体系",
            "聚焦主责主业，确保年度目标任务完成",
            "推进数字化转型，提升管理效能",
            "加强人才培养，优化队伍结构",
            "强化风险防控，守牢安全底线",
            "改进工作作风，提升服务水平",
            "加强党建引领，凝聚发展合力",
        ),
        max(3, min(7, pages + 2)),
    )
    blocks: list[Block] = [
        Heading("一、指导思想", 1),
        Para(
            f"{year}年，{dept}将坚持稳中求进工作总基调，以高质量发展为主题，"
            "以提质增效为主线，统筹抓好各项工作，为完成全年目标任务提供有力支撑。"
        ),
        Heading("二、工作目标", 1),
        Items(
            (
                f"主要业务指标同比增长{p.pct(5, 15)}以上；",
                f"重点项目按期完成率达到{p.num(95, 100)}%；",
                "全年不发生重大安全责任事故和重大投诉事件；",
                f"员工培训覆盖率达到100%，人均培训不少于{p.num(24, 60)}学时。",
            ),
            ordered=True,
        ),
        Heading("三、主要任务", 1),
    ]
    share = pages * PAGE_CHARS // (len(tasks) + 2)
    for i, task in enumerate(tasks):
        blocks.append(Heading(f"（{cn_number(i + 1)}）{task}", 2))
        blocks.extend(_body(p, share, ACHIEVEMENT + NEXT_STEPS, 2))
    blocks.append(Heading("四、进度安排", 1))
    rows = [("时间", "重点工作", "责任人")]
    for quarter in ("第一季度", "第二季度", "第三季度", "第四季度"):
        rows.append((quarter, p.one(tasks)[:12], p.person()))
    blocks.append(Table(tuple(rows)))
    blocks.append(Heading("五、保障措施", 1))
    blocks.append(Items(tuple(p.some(NEXT_STEPS, 3)), ordered=True))
    return Generated(
        title=title,
        description=f"{dept}{year}年度工作计划，含指导思想、工作目标、主要任务、"
        "季度进度安排和保障措施。",
        tags=("工作计划", f"{year}年", "计划方案"),
        content=TextDoc(title, tuple(blocks)),
    )


NOTICE_GOALS = (
    "通过本次工作，进一步压实各级{tag}责任，推动各项制度规定落地见效。",
    "全面摸清底数，查找薄弱环节，建立问题清单、责任清单和整改清单。",
    "做到认识到位、措施到位、责任到位，确保各项工作取得实效。",
    "以此为契机，总结经验做法，建立健全长效机制，提升规范化管理水平。",
    "确保按时保质完成{tag}各项任务，为全年目标的实现提供有力保障。",
)
NOTICE_SUBJECTS = (
    ("开展安全生产大检查", "安全生产"),
    ("做好元旦春节期间有关工作", "节假日安排"),
    ("开展学习贯彻党的二十届三中全会精神专题培训", "学习培训"),
    ("报送年度工作总结和下一年工作计划", "材料报送"),
    ("开展办公用房清理整改", "专项整治"),
    ("组织开展消防应急疏散演练", "应急演练"),
)


def notice(p: Pick, pages: int) -> Generated:
    subject, tag = p.one(NOTICE_SUBJECTS)
    year = p.one((2024, 2025))
    word = p.one(ORG_WORDS)
    org = p.one(CITIES) + word + p.one(ORG_KINDS)
    title = f"关于{subject}的通知"
    blocks: list[Block] = [
        Para(f"{word}办发〔{year}〕{p.num(3, 60)}号", align="center"),
        Para("各部门、各分支机构："),
        Para(
            f"为认真落实上级有关工作部署，切实做好{tag}相关工作，经研究决定，"
            f"在全{p.one(('公司', '系统', '单位'))}范围内{subject}。现将有关事项通知如下："
        ),
        Heading("一、工作目标", 1),
        Para(p.sentences(NOTICE_GOALS, 3, tag=tag)),
        Heading("二、主要内容", 1),
    ]
    for i in range(max(2, pages * 2)):
        blocks.append(Para(f"（{cn_number(i + 1)}）" + p.sentences(NEXT_STEPS, 2)))
    blocks += [
        Heading("三、时间安排", 1),
        Items(
            (
                f"动员部署阶段（{p.num(1, 3)}月{p.num(1, 10)}日前）：各部门制定具体实施方案。",
                f"组织实施阶段（{p.num(3, 6)}月底前）：全面开展自查自纠，建立问题台账。",
                f"总结提升阶段（{p.num(7, 9)}月底前）：形成总结报告，报综合办公室。",
            ),
            ordered=True,
        ),
        Heading("四、工作要求", 1),
        Para(
            "各部门要高度重视，主要负责同志要亲自抓、负总责，明确专人负责具体工作，"
            "确保各项措施落到实处。工作中遇到的问题，请及时与综合办公室联系。"
        ),
        Para(f"联系人：{p.person()}    联系电话：028-8{p.num(1000000, 9999999)}"),
        Para(org, align="right"),
        Para(p.date(year), align="right"),
    ]
    return Generated(
        title=title,
        description=f"规范公文格式的通知范文：{subject}，包含工作目标、主要内容、"
        "时间安排和工作要求。",
        tags=("通知", "公文", tag),
        content=TextDoc(title, tuple(blocks)),
    )


PARTY_ITEMS = (
    "坚持“三会一课”制度，每月召开支部委员会，每季度召开党员大会，按时上好党课。",
    "以主题党日为载体，组织党员开展志愿服务、红色教育、结对帮扶等活动。",
    "深入学习习近平新时代中国特色社会主义思想，原原本本学、及时跟进学。",
    "落实党风廉政建设责任制，定期开展警示教育，筑牢拒腐防变思想防线。",
    "严格党员发展程序，做好入党积极分子的培养、考察和教育工作。",
    "按时足额收缴党费，规范党费管理和使用，定期公示党费收缴情况。",
    "开展批评与自我批评，认真组织召开组织生活会和民主评议党员。",
    "推动党建与业务深度融合，设立党员先锋岗和党员责任区。",
)


def party_plan(p: Pick, pages: int) -> Generated:
    year = p.one((2024, 2025))
    branch = p.one(("机关第一党支部", "教工党支部", "研发中心党支部", "社区党支部"))
    title = f"{branch}{year}年党建工作计划"
    blocks: list[Block] = [
        Para(
            f"{year}年，{branch}将以党的政治建设为统领，全面加强思想建设、组织建设、"
            "作风建设和纪律建设，充分发挥支部战斗堡垒作用和党员先锋模范作用。具体计划如下："
        ),
    ]
    sections = (
        "一、加强政治理论学习",
        "二、规范组织生活",
        "三、加强党员队伍建设",
        "四、推进党风廉政建设",
        "五、促进党建与业务融合",
    )
    for section in sections:
        blocks.append(Heading(section, 1))
        blocks.append(Items(tuple(p.some(PARTY_ITEMS, 2 + pages // 2)), ordered=True))
    blocks.append(Heading("六、月度安排", 1))
    rows = [("月份", "学习内容及活动", "形式")]
    for month in range(1, 13):
        rows.append(
            (
                f"{month}月",
                p.one(PARTY_ITEMS)[:18] + "……",
                p.one(("集中学习", "主题党日", "专题党课", "研讨交流")),
            )
        )
    blocks.append(Table(tuple(rows)))
    return Generated(
        title=title,
        description=f"{branch}年度党建工作计划，含理论学习、三会一课、党员发展、"
        "党风廉政和全年月度学习安排表。",
        tags=("党建", "党支部", "工作计划", "三会一课"),
        content=TextDoc(title, tuple(blocks)),
    )


SPEECH_KINDS = (
    ("国旗下讲话：{topic}", "国旗下讲话", ("珍惜时间", "文明礼仪", "安全教育", "爱护环境")),
    ("竞聘{topic}演讲稿", "竞聘演讲", ("部门经理", "班组长", "办公室主任", "教研组长")),
    ("教师节优秀教师代表发言稿", "教师节", ("",)),
    ("{topic}主题演讲稿", "主题演讲", ("青春与奋斗", "我的中国梦", "爱岗敬业", "诚信")),
)
SPEECH_COMMON = (
    "古人云：“不积跬步，无以至千里；不积小流，无以成江海。”成功从来不是一蹴而就的。",
    "回首过去，我们有过汗水，也有过泪水；有过挫折，更有过收获。",
    "一份耕耘，一份收获。每一次进步的背后，都凝聚着无数个日夜的坚持。",
    "机会总是留给有准备的人，而准备，就藏在每一个平凡的日子里。",
    "困难并不可怕，可怕的是在困难面前失去信心、停下脚步。",
    "每个人都是一束光，汇聚在一起，就能照亮前行的路。",
)
SPEECH_LINES = {
    "国旗下讲话": (
        "同学们，让我们从现在做起，从身边的小事做起，用实际行动书写精彩的青春篇章。",
        "时间是最公平的，它给每个人的都是一天二十四小时；"
        "时间又是最不公平的，它给每个人的收获并不相同。",
        "走进校园，弯腰捡起一片纸屑，主动向老师问一声好，文明就在这些细节之中。",
        "上下楼梯靠右行，课间不追逐打闹，放学路上遵守交通规则，安全要时刻记在心上。",
        "一棵树、一盏灯、一滴水，都值得我们珍惜；爱护环境，就是爱护我们自己。",
        "少年强则国强。今天我们在国旗下立下的誓言，明天要用行动去兑现。",
    ),
    "竞聘演讲": (
        "我深知，这个岗位不仅意味着荣誉，更意味着责任和担当。",
        "参加工作以来，我先后在多个岗位锻炼，熟悉业务流程，积累了一定的管理经验。",
        "如果我有幸当选，我将从以下几个方面做好工作：一是加强学习，二是团结同事，三是创新方法。",
        "我将坚持以制度管人、以流程管事，让团队的每一位成员都能发挥所长。",
        "我会主动向领导汇报、与同事沟通，做到上情下达、下情上传。",
        "如果这次没能当选，我也绝不气馁，我会继续努力，在平凡的岗位上做出不平凡的成绩。",
    ),
    "教师节": (
        "作为一名教师，我常常问自己：我能给学生留下些什么？",
        "三尺讲台，承载着梦想；一支粉笔，书写着希望。",
        "还记得第一次走上讲台时的紧张，也记得学生第一次叫我“老师”时的感动。",
        "每一个孩子都是一粒种子，只是花期不同，我们要做的是耐心等待、用心浇灌。",
        "感谢学校给了我成长的舞台，感谢同事们的帮助，更感谢孩子们的信任。",
        "在今后的工作中，我将继续潜心教书、静心育人，不辜负这份光荣的称号。",
    ),
    "主题演讲": (
        "青春是用来奋斗的。没有奋斗，青春就会失去色彩。",
        "我的梦想很平凡：做好每一件小事，在自己的岗位上发光发热。",
        "诚信是立身之本，一个人失去了诚信，就失去了最宝贵的财富。",
        "爱岗敬业不是一句口号，而是日复一日的坚守和付出。",
        "无数平凡人的梦想汇聚在一起，就是国家和民族的梦想。",
        "让我们携起手来，心往一处想，劲往一处使，共同创造更加美好的明天！",
    ),
}


def speech(p: Pick, pages: int) -> Generated:
    template, tag, topics = p.one(SPEECH_KINDS)
    topic = p.one(topics)
    title = template.format(topic=topic)
    opening = (
        "尊敬的各位领导、老师们，亲爱的同学们："
        if tag != "竞聘演讲"
        else "尊敬的各位领导、各位评委："
    )
    blocks: list[Block] = [Para(opening, bold=True), Para("大家好！")]
    lines = SPEECH_LINES[tag]  # in the order a speech runs: opening first, closing last
    count = max(3, pages * 3)
    for i in range(count):
        own = lines[i * len(lines) // count]
        blocks.append(Para(own + p.sentences(SPEECH_COMMON, 1)))
    blocks.append(Para("我的演讲完毕，谢谢大家！"))
    return Generated(
        title=title,
        description=f"{title}，语言流畅、感情真挚，适合在相关场合演讲使用，可根据实际修改。",
        tags=("演讲稿", tag) + ((topic,) if topic else ()),
        content=TextDoc(title, tuple(blocks)),
        extra={"category": SPEECH_CATEGORIES.get(tag, "theme-speeches")},
    )


SPEECH_CATEGORIES = {"国旗下讲话": "flag-speeches", "竞聘演讲": "job-speeches"}
REFLECTIONS = (
    "通过这次学习，我深刻认识到，理论学习不能停留在表面，必须学深悟透、融会贯通。",
    "培训内容丰富，既有理论讲解，又有案例分析，使我开阔了视野、拓宽了思路。",
    "在今后的工作中，我将把学到的知识运用到实践中去，不断提高自身的业务水平。",
    "专家的讲座深入浅出、发人深省，让我对自己的工作有了新的认识。",
    "我认识到，只有不断学习，才能跟上时代的步伐，才能胜任本职工作。",
    "这次活动让我体会到团队协作的重要性，一个人的力量是有限的，团队的力量是无穷的。",
    "作为一名普通员工，我要立足岗位、爱岗敬业，在平凡的工作中体现自己的价值。",
    "学习的过程也是反思的过程，我对照先进找差距，发现自己还有许多需要改进的地方。",
    "书中的主人公面对困境从不低头，这种坚韧让我深受触动。",
    "回想自己过去的工作，有时满足于完成任务，缺少精益求精的精神。",
    "我把学习中的体会整理成笔记，时常翻看，提醒自己不忘初心。",
    "理论只有和实践结合起来，才能真正转化为推动工作的力量。",
    "我将以更高的标准要求自己，做到学有所思、思有所悟、悟有所行。",
    "同事们的发言让我受益匪浅，他们的做法值得我认真学习借鉴。",
)
REFLECTION_HEADINGS = ("提高思想认识", "收获与体会", "查找自身不足", "今后努力方向", "学以致用")


def reflections(p: Pick, pages: int) -> Generated:
    topic = p.one(
        (
            "新员工入职培训",
            "师德师风专题学习",
            "安全生产培训",
            "读《平凡的世界》",
            "暑期教师培训",
            "党纪学习教育",
        )
    )
    title = f"{topic}心得体会"
    blocks: list[Block] = []
    sections = max(2, min(len(REFLECTION_HEADINGS), pages * 2))
    for number, heading in enumerate(REFLECTION_HEADINGS[:sections], 1):
        blocks.append(Heading(f"{cn_number(number)}、{heading}", 1))
        for _ in range(2):
            blocks.append(Para(p.sentences(REFLECTIONS, 3)))
    return Generated(
        title=title,
        description=f"{topic}后的个人心得体会，真情实感，结构清晰。",
        tags=("心得体会", topic[:8], "学习心得"),
        content=TextDoc(title, tuple(blocks)),
    )


GENERATORS = {
    "year_end_summary": year_end_summary,
    "duty_report": duty_report,
    "work_plan": work_plan,
    "notice": notice,
    "party_plan": party_plan,
    "speech": speech,
    "reflections": reflections,
}
