"""School material: exam papers, lesson designs, courseware and a book for teachers."""

from __future__ import annotations

from wenku.demo.model import Block, Deck, Generated, Heading, Items, Para, Slide, Table, TextDoc
from wenku.demo.phrases import Pick, cn_number

GRADES = ("一", "二", "三", "四", "五", "六")
TERMS = ("上册", "下册")
BLANK = "______"


# --- mathematics exam (the arithmetic is real, so answers exist)


def _fill_in(p: Pick, grade: int) -> list[str]:
    a, b = p.num(10, 99), p.num(2, 9)
    big = p.num(1000, 9999)
    out = [
        f"{a}×{b}的积是{BLANK}，{a * b}÷{b}的商是{BLANK}。",
        f"一个数由{big // 1000}个千、{big // 100 % 10}个百和{big % 100}个一组成，这个数是{BLANK}。",
        f"1时={BLANK}分，{p.num(2, 5)}分={BLANK}秒，{p.num(2, 9)}千米={BLANK}米。",
        f"在括号里填上合适的单位：一张课桌高约75{BLANK}，一头大象重约4{BLANK}。",
        f"一个长方形长{p.num(6, 15)}厘米，宽{p.num(2, 5)}厘米，它的周长是{BLANK}厘米。",
        f"□÷{b}={p.num(5, 30)}……{p.num(1, b - 1)}，□里最大填{BLANK}。",
    ]
    if grade >= 4:
        out.append(f"把{p.num(2, 9)}.{p.num(1, 9)}扩大到原来的100倍是{BLANK}。")
        out.append(
            f"一个三角形的两个内角分别是{p.num(30, 70)}°和{p.num(30, 70)}°，第三个角是{BLANK}°。"
        )
    return out


def _choices(p: Pick) -> list[str]:
    n = p.num(3, 9)
    return [
        "下面各数中，一个零也不读的是（  ）。A. 3050  B. 3500  C. 3005  D. 30050",
        f"{n}个{n}相加的和是（  ）。A. {n + n}  B. {n * n}  C. {n * 10}  D. {n + 10}",
        "明明面向北方站立，他的右手边是（  ）方。A. 东  B. 南  C. 西  D. 北",
        "用20厘米长的铁丝围成一个正方形，正方形的边长是（  ）厘米。A. 4  B. 5  C. 10  D. 80",
        "下列图形中，对称轴最多的是（  ）。A. 长方形  B. 正方形  C. 等边三角形  D. 圆",
        "估算398×5的结果，最接近的是（  ）。A. 1500  B. 2000  C. 2500  D. 4000",
    ]


def _judgements() -> list[str]:
    return [
        "0除以任何不是0的数都得0。（  ）",
        "边长是4厘米的正方形，周长和面积相等。（  ）",
        "一年中有7个大月，4个小月。（  ）",
        "两位数乘两位数，积一定是四位数。（  ）",
        "平行四边形容易变形，三角形具有稳定性。（  ）",
    ]


def _word_problems(p: Pick) -> list[str]:
    a, b, c = p.num(120, 480), p.num(3, 9), p.num(12, 48)
    return [
        f"学校买来{a}本图书，平均分给{b}个班，每个班分得多少本？还剩多少本？",
        f"一辆汽车每小时行驶{p.num(45, 85)}千米，照这样的速度，{b}小时能行驶多少千米？",
        f"一块长方形菜地长{c}米，宽{p.num(6, 20)}米，在它的四周围上篱笆，篱笆长多少米？",
        f"妈妈带了{p.num(100, 300)}元去超市，买了{b}袋大米，每袋{p.num(18, 35)}元，还剩多少元？",
        f"三年级有男生{p.num(60, 90)}人，女生比男生少{p.num(5, 15)}人，三年级一共有多少人？",
        f"植树节，同学们种了{p.num(8, 15)}行树，每行{p.num(12, 25)}棵，一共种了多少棵树？",
    ]


def math_exam(p: Pick, pages: int) -> Generated:
    grade = p.num(3, 6)
    term = p.one(TERMS)
    edition = p.one(("人教版", "北师大版", "苏教版"))
    title = f"{edition}{GRADES[grade - 1]}年级数学{term}期末试卷"
    blocks: list[Block] = [
        Para("（考试时间：90分钟  满分：100分）", align="center"),
        Para(f"学校：{BLANK}  班级：{BLANK}  姓名：{BLANK}  考号：{BLANK}"),
        Table((("题号", "一", "二", "三", "四", "五", "总分"), ("得分", "", "", "", "", "", ""))),
    ]
    rounds = max(1, pages // 2)
    for r in range(rounds):
        prefix = f"第{cn_number(r + 1)}套  " if rounds > 1 else ""
        blocks.append(Heading(f"{prefix}一、填一填（每空1分，共20分）", 1))
        blocks.append(Items(tuple(_fill_in(p, grade)), ordered=True))
        blocks.append(Heading(f"{prefix}二、判一判（对的打“√”，错的打“×”）（5分）", 1))
        blocks.append(Items(tuple(p.shuffle(_judgements())), ordered=True))
        blocks.append(Heading(f"{prefix}三、选一选（将正确答案的序号填在括号里）（10分）", 1))
        blocks.append(Items(tuple(p.some(_choices(p), 5)), ordered=True))
        blocks.append(Heading(f"{prefix}四、算一算（共30分）", 1))
        blocks.append(Para("1. 直接写出得数。（8分）"))
        cells = []
        for _ in range(8):
            x, y = p.num(11, 99), p.num(2, 9)
            cells.append(p.one((f"{x}+{y * 7}=", f"{x * y}÷{y}=", f"{x}×{y}=", f"{x + 100}-{x}=")))
        blocks.append(Table((tuple(cells[:4]), tuple(cells[4:]))))
        blocks.append(Para("2. 用竖式计算，带★的要验算。（12分）"))
        vertical = [
            f"{p.num(100, 999)}×{p.num(2, 9)}=",
            f"★{p.num(500, 999)}÷{p.num(3, 9)}=",
            f"{p.num(1000, 4999)}-{p.num(100, 999)}=",
        ]
        blocks.append(Para("        ".join(vertical)))
        blocks.append(Para("3. 脱式计算。（10分）"))
        blocks.append(
            Para(
                f"{p.num(100, 500)}-{p.num(10, 99)}×{p.num(2, 9)}        "
                f"（{p.num(100, 300)}+{p.num(10, 99)}）÷{p.num(2, 6)}"
            )
        )
        blocks.append(Heading(f"{prefix}五、解决问题（共35分）", 1))
        blocks.append(Items(tuple(p.some(_word_problems(p), 5)), ordered=True))
    return Generated(
        title=title,
        description=f"{edition}{GRADES[grade - 1]}年级数学{term}期末测试卷，题型包括填空、判断、"
        "选择、计算和解决问题，适合期末复习检测使用。",
        tags=("期末试卷", "数学", f"{GRADES[grade - 1]}年级", edition, "小学"),
        content=TextDoc(title, tuple(blocks)),
    )


# --- Chinese (语文) exam

PASSAGE = (
    "清晨，薄雾像一层轻纱笼罩着小镇。",
    "外婆总是第一个起床，她轻手轻脚地生火、烧水，灶膛里的火苗映红了她的脸。",
    "我最喜欢跟在外婆身后，看她把一把把青菜洗得干干净净。",
    "那年夏天，门前的石榴树开满了火红的花，像一盏盏小灯笼。",
    "外婆说，做人就像种树，根扎得深，才能经得起风雨。",
    "后来我到城里读书，每次回家，外婆都站在巷口等我，远远地朝我招手。",
    "如今，石榴树依旧年年开花，可巷口再也没有那个熟悉的身影。",
    "每当我遇到困难想要放弃时，耳边总会响起外婆那句朴素的话。",
)


def chinese_exam(p: Pick, pages: int) -> Generated:
    stage = p.one(("七年级", "八年级", "九年级"))
    term = p.one(TERMS)
    title = f"部编版{stage}语文{term}期末检测试题（含答案）"
    words = p.some(
        ("憧憬", "静谧", "斟酌", "恪守", "翩然", "蜿蜒", "踌躇", "凛冽", "缥缈", "熠熠"), 5
    )
    blocks: list[Block] = [
        Para("（满分120分，考试时间120分钟）", align="center"),
        Heading("一、积累与运用（30分）", 1),
        Items(
            (
                "下列加点字的注音完全正确的一项是（  ）" + "  ".join(words),
                "下列词语中没有错别字的一项是（  ）",
                "下列句子中加点成语使用不恰当的一项是（  ）",
                "古诗文默写：（1）海日生残夜，______。（2）______，赢得生前身后名。",
                "名著阅读：请结合《朝花夕拾》中的具体篇目，谈谈你对“长妈妈”这一人物的认识。",
            ),
            ordered=True,
        ),
        Heading("二、阅读理解（40分）", 1),
        Heading("（一）阅读下面的文章，完成后面的题目。", 2),
        Para("石榴花开", align="center", bold=True),
    ]
    for _ in range(max(3, pages * 2)):
        blocks.append(Para(p.sentences(PASSAGE, 3)))
    blocks.append(
        Items(
            (
                "文章围绕外婆写了哪几件事？请简要概括。（6分）",
                "文中多次写到“石榴树”，有什么作用？（6分）",
                "品析文中画线句子的表达效果。（4分）",
                "结合全文，谈谈你对外婆那句话的理解。（6分）",
            ),
            ordered=True,
        )
    )
    blocks.append(Heading("三、写作（50分）", 1))
    blocks.append(
        Para(
            f"题目：{p.one(ESSAY_TITLES)}。"
            "要求：①选择你最擅长的文体；②不少于600字；③文中不得出现真实的人名、校名。"
        )
    )
    blocks.append(Heading("参考答案", 1))
    blocks.append(
        Para("一、1. 略  2. 略  3. 略  4.（1）江春入旧年（2）了却君王天下事  5. 言之有理即可。")
    )
    return Generated(
        title=title,
        description=f"{stage}语文{term}期末检测试题，含积累运用、现代文阅读、作文及参考答案。",
        tags=("期末试卷", "语文", stage, "初中", "部编版"),
        content=TextDoc(title, tuple(blocks)),
    )


ESSAY_TITLES = ("那一刻，我长大了", "我心中的那盏灯", "原来，我也很了不起", "藏在____里的温暖")


# --- lesson designs

LESSONS = (
    (
        "语文",
        "人教版",
        ("《荷花》", "《秋天的雨》", "《卖火柴的小女孩》", "《桂林山水》", "《春》"),
    ),
    ("数学", "人教版", ("《长方形和正方形的周长》", "《分数的初步认识》", "《两位数乘两位数》")),
    ("英语", "人教PEP", ("Unit 3 My friends", "Unit 5 Dinner's ready", "Unit 2 My week")),
)
TEACHING_STEPS = (
    "师：同学们，今天老师给大家带来了一位新朋友，你们想认识它吗？（出示课件）",
    "生：想！",
    "师：请大家自由朗读课文，遇到不认识的字借助拼音读准字音，难读的句子多读几遍。",
    "学生自读课文，同桌互相检查生字的读音。",
    "师：谁愿意来读一读这些词语？注意读准后鼻音。",
    "指名读、开火车读、齐读，教师相机正音。",
    "小组合作：找出描写景物的句子，说说你从中体会到了什么。",
    "师：你们找得真准！让我们带着这种感受再来读一读这段话。",
    "教师出示思考题，学生带着问题默读课文，用横线画出相关语句。",
    "全班交流，教师板书关键词，引导学生梳理课文结构。",
    "师：学了这篇课文，你有什么收获？",
    "学生自由发言，教师总结提升。",
)


def lesson_plan(p: Pick, pages: int) -> Generated:
    subject, edition, lessons = p.one(LESSONS)
    lesson = p.one(lessons)
    grade = p.one(GRADES[1:])
    title = f"{edition}{grade}年级{subject}{lesson}教学设计"
    blocks: list[Block] = [
        Heading("一、教材分析", 1),
        Para(
            f"{lesson}是{edition}{grade}年级{subject}教材中的一课。本课内容贴近学生生活，"
            "既是对前面所学知识的巩固，也为后续学习打下基础。"
        ),
        Heading("二、学情分析", 1),
        Para(
            f"{grade}年级学生好奇心强，乐于表达，已经具备了一定的自主学习能力，"
            "但抽象思维能力还比较弱，需要借助直观的情境和操作活动帮助理解。"
        ),
        Heading("三、教学目标", 1),
        Items(
            (
                "知识与技能：掌握本课的基础知识，能正确、流利地表达。",
                "过程与方法：通过观察、讨论、合作探究，经历知识的形成过程。",
                f"情感态度与价值观：激发学习{subject}的兴趣，养成良好的学习习惯。",
            ),
            ordered=True,
        ),
        Heading("四、教学重难点", 1),
        Para("重点：理解并掌握本课的核心内容。难点：能够灵活运用所学知识解决实际问题。"),
        Heading("五、教学准备", 1),
        Para("多媒体课件、单词卡片（生字卡片）、学习单。"),
        Heading("六、教学过程", 1),
    ]
    stages = (
        "（一）创设情境，导入新课",
        "（二）初读感知，整体把握",
        "（三）合作探究，突破重难点",
        "（四）巩固练习，拓展延伸",
        "（五）课堂小结，布置作业",
    )
    for stage in stages:
        blocks.append(Heading(stage, 2))
        for _ in range(max(2, pages)):
            blocks.append(Para(p.sentences(TEACHING_STEPS, 1)))
        blocks.append(
            Para(
                "【设计意图】"
                + p.one(
                    (
                        "创设情境，激发学生的学习兴趣和探究欲望。",
                        "以学定教，让学生在自主学习中发现问题、解决问题。",
                        "通过多种形式的朗读和练习，落实基础，发展能力。",
                    )
                )
            )
        )
    blocks.append(Heading("七、板书设计", 1))
    blocks.append(Table(((lesson,), ("观察 → 发现 → 归纳 → 运用",))))
    blocks.append(Heading("八、教学反思", 1))
    blocks.append(
        Para(
            "本节课我注重创设情境，以学生为主体，学生参与的积极性较高。不足之处是小组合作"
            "的时间安排略显仓促，个别学生的发言机会不够，今后需进一步改进。"
        )
    )
    return Generated(
        title=title,
        description=f"{title}，含教材分析、学情分析、教学目标、重难点、完整教学过程（师生对话）、"
        "板书设计和教学反思。",
        tags=("教学设计", "教案", subject, edition, f"{grade}年级"),
        content=TextDoc(title, tuple(blocks)),
    )


# --- courseware (slides)

TOPICS = (
    ("物理", "牛顿第一定律", ("伽利略的理想斜面实验", "惯性及其应用", "生活中的惯性现象")),
    ("化学", "质量守恒定律", ("实验探究：红磷燃烧", "微观解释", "化学方程式的书写")),
    ("地理", "中国的气候", ("气温分布特点", "降水的空间分布", "季风气候的影响")),
    ("生物", "细胞的基本结构", ("细胞膜", "细胞质与细胞核", "动植物细胞的比较")),
    ("历史", "辛亥革命", ("革命的背景", "武昌起义", "中华民国的成立与意义")),
)


def courseware(p: Pick, pages: int) -> Generated:
    subject, topic, parts = p.one(TOPICS)
    grade = p.one(("八年级", "九年级", "高一"))
    title = f"{grade}{subject}《{topic}》优质课件"
    slides = [
        Slide(
            "学习目标",
            (
                f"理解{topic}，掌握本节的核心概念",
                "能运用所学知识解释生活现象",
                "培养观察、分析和归纳的能力",
            ),
        ),
        Slide(
            "新课导入", ("观察图片，思考：这些现象说明了什么？", "你在生活中还见过类似的情况吗？")
        ),
    ]
    for part in parts:
        slides.append(
            Slide(
                part,
                tuple(
                    p.some(
                        (
                            "阅读教材，找出关键概念",
                            "小组讨论：比较两种情况有何不同",
                            "教师演示实验，学生记录现象",
                            "归纳结论，完成学习单",
                            "注意：结论成立的条件",
                            "联系实际，举出生活中的例子",
                        ),
                        4,
                    )
                ),
            )
        )
        for k in range(max(0, pages // 3 - 1)):
            slides.append(
                Slide(
                    f"{part}（{k + 2}）",
                    tuple(
                        p.some(
                            (
                                "例题分析：读题、找已知条件、明确所求",
                                "思路点拨：抓住关键信息",
                                "规范作答，注意书写格式",
                                "变式训练：改变条件，结论还成立吗？",
                            ),
                            3,
                        )
                    ),
                )
            )
    slides.append(
        Slide(
            "课堂练习",
            tuple(
                f"{i + 1}. "
                + p.one(
                    (
                        "判断下列说法是否正确，并说明理由。",
                        "选择题：下列现象中，属于本节知识应用的是哪一项？",
                        "填空：本节课的核心结论是______。",
                        "简答：用本节课的知识解释一个生活现象。",
                    )
                )
                for i in range(4)
            ),
        )
    )
    slides.append(
        Slide(
            "知识梳理",
            table=(("知识点", "要点"), (topic, "概念、条件、应用"), ("易错点", "忽略适用条件")),
        )
    )
    slides.append(Slide("课堂小结", ("本节课我们学习了什么？", "你还有哪些疑问？")))
    slides.append(Slide("布置作业", ("完成课后练习第1—3题", "查阅资料，写一篇300字左右的小短文")))
    return Generated(
        title=title,
        description=f"{grade}{subject}《{topic}》公开课课件，共{len(slides) + 1}页，"
        "含学习目标、情境导入、新知探究、例题、课堂练习和小结。",
        tags=("课件", subject, grade, topic),
        content=Deck(title, f"{grade}{subject}  主讲：{p.person()}", tuple(slides)),
    )


# --- a book for teachers (chapters)

ESSAY = (
    "教育是一门慢的艺术，需要我们用耐心去等待每一朵花开。",
    "刚接手这个班时，我发现学生们的行为习惯参差不齐，课堂纪律也不理想。",
    "我没有急于批评，而是先花了一周时间观察每一个孩子，记录他们的特点。",
    "小宇是班上最让人头疼的学生，上课时常走神，作业也经常不交。",
    "一次偶然的机会，我发现他特别喜欢画画，于是请他负责班级的黑板报。",
    "从那以后，他像变了一个人，不仅认真完成任务，上课也开始主动举手发言。",
    "我渐渐明白，每个孩子都有自己的闪光点，教师要做的是发现它、点亮它。",
    "家校沟通是班主任工作的重要一环，真诚是沟通最好的桥梁。",
    "我坚持每周给家长写一封短信，分享孩子在学校的点滴进步。",
    "班级管理不能只靠班主任一个人，要让每个学生都成为班级的主人。",
    "我们设立了“班级小岗位”，人人有事做，事事有人管。",
    "批评要讲究方法，要对事不对人，更要给孩子留足面子。",
    "多年以后，当学生们回忆起这段时光，希望他们记住的不只是分数，还有温暖。",
)
CHAPTERS = (
    "接班第一周",
    "发现闪光点",
    "和家长做朋友",
    "让每个人都有岗位",
    "批评的艺术",
    "考试之后",
    "毕业季",
    "写给年轻班主任的信",
    "班会课怎么上",
    "面对特殊学生",
)


def teacher_book(p: Pick, pages: int) -> Generated:
    title = p.one(("班主任工作手记", "做一个温暖的班主任", "静待花开：我的教育故事"))
    chapters = CHAPTERS[: max(3, min(len(CHAPTERS), pages // 2 + 2))]
    blocks: list[Block] = []
    per = max(3, pages * 8 // len(chapters))
    for i, chapter in enumerate(chapters):
        blocks.append(Heading(f"第{cn_number(i + 1)}章  {chapter}", 1))
        for _ in range(per):
            blocks.append(Para(p.sentences(ESSAY, 4)))
    author = p.person()
    return Generated(
        title=f"《{title}》电子书",
        description=f"一位一线班主任的教育随笔集，共{len(chapters)}章，记录班级管理、家校沟通"
        "和学生成长中的真实故事与思考。",
        tags=("班主任", "教育随笔", "电子书", "班级管理"),
        content=TextDoc(title, tuple(blocks), author=author, subtitle=f"{author} 著"),
    )


GENERATORS = {
    "math_exam": math_exam,
    "chinese_exam": chinese_exam,
    "lesson_plan": lesson_plan,
    "courseware": courseware,
    "teacher_book": teacher_book,
}
