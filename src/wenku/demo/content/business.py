"""Business documents: contracts, technical plans, API docs, manuals and spreadsheets."""

from __future__ import annotations

from typing import Any

from wenku.demo.model import (
    Block,
    Generated,
    Heading,
    Items,
    Para,
    Sheet,
    Table,
    TextDoc,
    Workbook,
)
from wenku.demo.phrases import CITIES, DEPARTMENTS, Pick, cn_number

BLANK = "__________"

# --- contracts

LABOR_ARTICLES = (
    ("合同期限", "本合同为{kind}劳动合同，自{start}起至{end}止，其中试用期{probation}个月。"),
    (
        "工作内容和工作地点",
        "乙方同意根据甲方工作需要，担任{post}岗位工作，工作地点为{city}。"
        "甲方可根据生产经营需要和乙方的工作能力、表现，依法合理调整乙方的工作岗位。",
    ),
    (
        "工作时间和休息休假",
        "甲方实行标准工时制度，乙方每日工作不超过8小时，每周工作不超过40小时。"
        "乙方依法享有法定节假日、年休假、婚假、产假等假期。",
    ),
    (
        "劳动报酬",
        "乙方月工资为人民币{salary}元（税前），试用期工资为{trial}元。"
        "甲方于每月{payday}日前以货币形式足额支付乙方上月工资，不得克扣或者无故拖欠。",
    ),
    (
        "社会保险和福利待遇",
        "甲乙双方依法参加社会保险，按时足额缴纳养老、医疗、失业、工伤、生育保险"
        "和住房公积金，个人缴纳部分由甲方从乙方工资中代扣代缴。",
    ),
    (
        "劳动保护和劳动条件",
        "甲方为乙方提供符合国家规定的劳动安全卫生条件和必要的劳动防护用品，"
        "对从事有职业危害作业的乙方定期进行健康检查。",
    ),
    ("规章制度", "甲方依法制定的规章制度应当向乙方公示，乙方应当遵守甲方依法制定的规章制度。"),
    (
        "保密义务",
        "乙方应当保守甲方的商业秘密和与知识产权相关的保密事项，"
        "保密义务在本合同解除或终止后继续有效。",
    ),
    ("合同的变更", "经甲乙双方协商一致，可以变更本合同约定的内容。变更劳动合同应当采用书面形式。"),
    (
        "合同的解除和终止",
        "本合同的解除和终止，按照《中华人民共和国劳动合同法》的有关规定执行。"
        "甲方解除或终止本合同的，应当依法向乙方支付经济补偿。",
    ),
    (
        "争议处理",
        "因履行本合同发生争议的，双方可以协商解决；协商不成的，可以向劳动争议仲裁委员会"
        "申请仲裁；对仲裁裁决不服的，可以依法向人民法院提起诉讼。",
    ),
    (
        "其他",
        "本合同未尽事宜，按国家有关法律法规执行。本合同一式两份，甲乙双方各执一份，"
        "自双方签字（盖章）之日起生效。",
    ),
)
LEASE_ARTICLES = (
    (
        "房屋基本情况",
        "甲方将位于{city}市{district}区{road}路{no}号{room}室的房屋出租给乙方，"
        "建筑面积{area}平方米，用途为{use}。",
    ),
    ("租赁期限", "租赁期自{start}起至{end}止。租赁期满，乙方如需续租，应提前一个月书面通知甲方。"),
    ("租金及支付方式", "月租金为人民币{rent}元，按{cycle}支付，乙方应于每期开始前5日内付清租金。"),
    (
        "押金",
        "乙方应于签订本合同时向甲方支付押金{deposit}元。租赁期满，乙方结清各项费用并交还房屋后，"
        "甲方无息退还押金。",
    ),
    ("相关费用", "租赁期间，水费、电费、燃气费、物业管理费、网络费由乙方承担。"),
    (
        "房屋维修",
        "租赁期间，房屋及附属设施的自然损坏由甲方负责维修；因乙方使用不当造成损坏的，由乙方负责。",
    ),
    ("转租", "未经甲方书面同意，乙方不得将房屋全部或部分转租他人。"),
    ("违约责任", "任何一方未按本合同约定履行义务的，应向对方支付相当于一个月租金的违约金。"),
    (
        "合同解除",
        "租赁期间，任何一方需提前解除合同的，应提前30日书面通知对方，并按本合同承担违约责任。",
    ),
    ("其他约定", "本合同未尽事宜，双方可另行协商签订补充协议，补充协议与本合同具有同等法律效力。"),
)


def _articles(
    p: Pick, articles: tuple[tuple[str, str], ...], slots: dict[str, object]
) -> list[Block]:
    blocks: list[Block] = []
    for i, (name, text) in enumerate(articles):
        blocks.append(Heading(f"第{cn_number(i + 1)}条  {name}", 2))
        blocks.append(Para(text.format(**slots)))
    return blocks


def _signatures(first: str, second: str) -> Table:
    return Table(
        (
            (f"甲方（{first}）：", f"乙方（{second}）："),
            ("法定代表人或委托代理人：", "签字："),
            ("日期：    年   月   日", "日期：    年   月   日"),
        )
    )


def labor_contract(p: Pick, pages: int) -> Generated:
    year = p.one((2024, 2025))
    city = p.one(CITIES)
    salary = p.num(45, 180) * 100
    slots = {
        "kind": "固定期限",
        "start": f"{year}年{p.num(1, 12)}月1日",
        "end": f"{year + 3}年{p.num(1, 12)}月30日",
        "probation": p.one((1, 2, 3)),
        "post": p.one(("行政专员", "软件工程师", "会计", "销售代表", "技术员")),
        "city": city,
        "salary": salary,
        "trial": int(salary * 0.8),
        "payday": p.one((10, 15, 20)),
    }
    title = f"劳动合同范本（{year}年版）"
    blocks: list[Block] = [
        Para(f"合同编号：{BLANK}", align="right"),
        Table(
            (
                ("甲方（用人单位）", p.company(city)),
                ("统一社会信用代码", BLANK),
                ("住所", f"{city}市{BLANK}"),
                ("乙方（劳动者）", BLANK),
                ("居民身份证号码", BLANK),
                ("联系电话", BLANK),
            )
        ),
        Para(
            "根据《中华人民共和国劳动法》《中华人民共和国劳动合同法》等法律法规的规定，"
            "甲乙双方遵循合法、公平、平等自愿、协商一致、诚实信用的原则，签订本合同。"
        ),
        *_articles(p, LABOR_ARTICLES, slots),
        _signatures("盖章", "签字"),
    ]
    return Generated(
        title=title,
        description="依据劳动合同法编写的通用劳动合同范本，条款完整，含合同期限、工作内容、"
        "劳动报酬、社会保险、保密义务、解除终止和争议处理等，可直接填写使用。",
        tags=("劳动合同", "合同范本", "人力资源", "劳动法"),
        content=TextDoc(title, tuple(blocks)),
    )


FURNITURE = ("空调", "热水器", "洗衣机", "冰箱", "床", "衣柜")


def lease_contract(p: Pick, pages: int) -> Generated:
    year = p.one((2024, 2025))
    city = p.one(CITIES)
    rent = p.num(12, 80) * 100
    slots = {
        "city": city,
        "district": p.one(("高新", "锦江", "天河", "西湖", "鼓楼", "江汉")),
        "road": p.one(("人民", "建设", "滨江", "光华", "中山", "长江")),
        "no": p.num(1, 399),
        "room": f"{p.num(1, 30)}0{p.num(1, 6)}",
        "area": p.num(45, 160),
        "use": p.one(("居住", "办公")),
        "start": f"{year}年{p.num(1, 12)}月{p.num(1, 28)}日",
        "end": f"{year + 1}年{p.num(1, 12)}月{p.num(1, 28)}日",
        "rent": rent,
        "cycle": p.one(("月", "季度", "半年")),
        "deposit": rent * p.one((1, 2)),
    }
    title = f"{city}市房屋租赁合同（通用版）"
    blocks: list[Block] = [
        Para(f"出租方（甲方）：{BLANK}    身份证号：{BLANK}"),
        Para(f"承租方（乙方）：{BLANK}    身份证号：{BLANK}"),
        Para(
            "根据《中华人民共和国民法典》及有关规定，甲乙双方在平等、自愿、协商一致的基础上，"
            "就房屋租赁事宜达成如下协议："
        ),
        *_articles(p, LEASE_ARTICLES, slots),
        Para("附：房屋附属设施清单", bold=True),
        Table(
            (
                ("名称", "数量", "状况"),
                *((name, str(p.num(1, 3)), "完好") for name in FURNITURE),
            )
        ),
        _signatures("出租方", "承租方"),
    ]
    return Generated(
        title=title,
        description="房屋租赁合同通用范本，含租期、租金押金、费用承担、维修、转租、违约责任及"
        "附属设施清单。",
        tags=("租赁合同", "合同范本", "房屋租赁"),
        content=TextDoc(title, tuple(blocks)),
    )


# --- technical plans and manuals

SYSTEM_NAMES = (
    "智慧校园综合管理平台",
    "企业数据中台",
    "智慧园区物联网平台",
    "医院信息集成平台",
    "政务服务一网通办平台",
)
MODULE_NAMES = (
    "统一身份认证",
    "用户与权限管理",
    "组织机构管理",
    "流程引擎",
    "消息中心",
    "数据采集",
    "数据治理",
    "指标管理",
    "报表中心",
    "可视化大屏",
    "设备接入",
    "告警管理",
    "工单管理",
    "日志审计",
    "文件服务",
    "开放接口网关",
    "移动端应用",
    "运维监控",
    "配置中心",
    "任务调度",
)
TECH_LINES = (
    "系统采用前后端分离架构，前端基于Vue 3构建，后端采用微服务架构，服务之间通过REST接口通信。",
    "数据库选用PostgreSQL 15，读写分离，主库负责写入，两个只读副本承担查询压力。",
    "缓存层采用Redis集群，热点数据的平均响应时间控制在10毫秒以内。",
    "所有接口均通过API网关统一接入，网关负责鉴权、限流、熔断和访问日志记录。",
    "系统支持水平扩展，单个服务可根据负载自动伸缩，满足业务高峰期的并发需求。",
    "敏感数据在存储时采用国密SM4算法加密，传输过程全程使用TLS 1.3。",
    "日志统一采集到日志平台，保留180天，支持按时间、用户、操作类型检索。",
    "模块设计遵循高内聚、低耦合的原则，对外只暴露必要的接口，便于后续维护和升级。",
    "系统按照网络安全等级保护2.0第三级的要求进行设计和建设。",
    "数据每日凌晨全量备份，每小时增量备份，备份数据异地存放，恢复时间目标不超过4小时。",
    "通过消息队列实现异步解耦，峰值情况下可削峰填谷，保证核心业务的稳定性。",
    "提供完善的监控告警能力，对CPU、内存、磁盘、接口耗时等指标进行实时监控。",
)
MODULE_ASPECTS = (
    "功能描述",
    "业务流程",
    "数据设计",
    "接口设计",
    "权限控制",
    "性能要求",
    "异常处理",
)
MODULE_LINES = (
    "{module}模块提供{fn}操作，操作结果实时写入审计日志，便于事后追溯。",
    "用户在{module}页面发起{fn}请求后，系统先校验权限和数据完整性，再提交至后台处理。",
    "{module}的核心数据表包括主表、明细表和变更记录表，主键统一采用雪花算法生成。",
    "对外提供的{module}接口遵循RESTful风格，单次请求最多返回{n}条记录，支持分页和排序。",
    "{fn}操作涉及多张数据表时，放在同一事务中执行，任何一步失败都整体回滚。",
    "普通用户只能查看本部门的{module}数据，管理员可按组织机构授权查看范围。",
    "{module}列表查询的平均响应时间不超过200毫秒，{fn}操作不超过1秒。",
    "批量{fn}时采用异步任务处理，任务进度在页面上实时展示，完成后通过消息中心通知用户。",
    "当{module}服务不可用时，前端给出明确提示，并自动重试{n}次，避免重复提交。",
    "{module}数据变更后，通过消息队列通知相关模块，保证各模块之间的数据一致性。",
    "为防止误操作，{fn}前系统会弹出二次确认，重要数据的删除采用逻辑删除。",
    "{module}的配置项集中存放在配置中心，修改后无需重启服务即可生效。",
)
FUNCTIONS = ("新增", "修改", "删除", "查询", "导入", "导出", "审核", "统计", "配置", "同步")


def tech_plan(p: Pick, pages: int) -> Generated:
    system = p.one(SYSTEM_NAMES)
    org = p.company()
    title = f"{system}建设技术方案"
    modules = p.some(MODULE_NAMES, max(4, min(len(MODULE_NAMES), pages // 3 + 3)))
    blocks: list[Block] = [
        Para(f"{org}", align="center"),
        Para(
            f"版本：V{p.num(1, 3)}.{p.num(0, 9)}    日期：{p.date(p.one((2024, 2025)))}",
            align="center",
        ),
        Heading("1 项目概述", 1),
        Heading("1.1 项目背景", 2),
        Para(p.sentences(TECH_LINES, 2) + f"为进一步提升管理和服务水平，{org}计划建设{system}。"),
        Heading("1.2 建设目标", 2),
        Items(
            (
                "建成统一、开放、安全的信息化平台；",
                "实现业务数据的互联互通和共享复用；",
                "提升业务办理效率，降低运维成本。",
            ),
            ordered=True,
        ),
        Heading("1.3 建设原则", 2),
        Items(("统一规划、分步实施", "先进实用、安全可靠", "开放兼容、易于扩展"), ordered=True),
        Heading("2 需求分析", 1),
        Table(
            (
                ("编号", "需求类别", "需求描述", "优先级"),
                *(
                    (
                        f"R{i + 1:02d}",
                        p.one(("功能", "性能", "安全", "接口")),
                        f"{m}相关功能需求",
                        p.one(("高", "中", "低")),
                    )
                    for i, m in enumerate(modules)
                ),
            )
        ),
        Heading("3 总体设计", 1),
        Heading("3.1 总体架构", 2),
        Para(p.sentences(TECH_LINES, 4)),
        Heading("3.2 技术路线", 2),
        Para(p.sentences(TECH_LINES, 3)),
        Heading("4 详细设计", 1),
    ]
    per_module = max(1, (pages - 3) // max(1, len(modules)))
    for i, module in enumerate(modules):
        blocks.append(Heading(f"4.{i + 1} {module}模块", 2))
        blocks.append(
            Para(f"{module}模块负责平台中与{module}相关的全部业务。" + p.sentences(TECH_LINES, 2))
        )
        blocks.append(
            Table(
                (
                    ("功能编号", "功能名称", "功能说明"),
                    *(
                        (
                            f"F{i + 1:02d}{j + 1:02d}",
                            f"{module}{fn}",
                            f"支持{fn}{module}数据，记录操作日志",
                        )
                        for j, fn in enumerate(p.some(FUNCTIONS, 4 + per_module * 3))
                    ),
                )
            )
        )
        for number, aspect in enumerate(p.some(MODULE_ASPECTS, min(6, per_module + 1)), 1):
            blocks.append(Heading(f"4.{i + 1}.{number} {aspect}", 3))
            for _ in range(per_module):
                slots: dict[str, Any] = {
                    "module": module,
                    "fn": p.one(FUNCTIONS),
                    "n": p.num(3, 50),
                }
                blocks.append(Para(p.sentences(MODULE_LINES, 3, **slots)))
            blocks.append(Para(p.sentences(TECH_LINES, 2)))
    blocks += [
        Heading("5 安全设计", 1),
        Para(p.sentences(TECH_LINES, 3)),
        Heading("6 实施计划", 1),
        Table(
            (
                ("阶段", "主要工作", "工期"),
                ("需求调研", "访谈、需求确认", "4周"),
                ("系统设计", "概要设计、详细设计", "6周"),
                ("开发测试", "编码、单元测试、集成测试", "16周"),
                ("上线试运行", "部署、数据迁移、培训", "4周"),
                ("验收", "文档交付、项目验收", "2周"),
            )
        ),
        Heading("7 运维保障", 1),
        Para(p.sentences(TECH_LINES, 3)),
    ]
    return Generated(
        title=title,
        description=f"{system}的完整技术方案，含项目概述、需求分析、总体架构、{len(modules)}个功能模块的"
        "详细设计、安全设计、实施计划和运维保障。",
        tags=("技术方案", "系统设计", "信息化建设", system[:6]),
        content=TextDoc(title, tuple(blocks)),
    )


OPS_STEPS = (
    "登录运维服务器，切换到部署用户：sudo -iu deploy。",
    "检查服务状态：systemctl status app.service，确认状态为 active (running)。",
    '查看最近的应用日志：journalctl -u app.service --since "1 hour ago"。',
    "检查磁盘使用率，超过80%时清理过期日志和临时文件。",
    "备份数据库：pg_dump -Fc appdb > /backup/appdb-$(date +%F).dump。",
    "确认备份文件大小正常，并同步到异地备份服务器。",
    "更新前先在预发布环境验证，确认无误后再在生产环境执行。",
    "变更完成后观察监控指标30分钟，确认接口错误率和响应时间无异常。",
)


def ops_manual(p: Pick, pages: int) -> Generated:
    system = p.one(SYSTEM_NAMES)
    title = f"{system}运维手册"
    chapters = (
        "系统概述",
        "部署架构",
        "日常巡检",
        "备份与恢复",
        "版本发布",
        "故障处理",
        "应急预案",
    )
    blocks: list[Block] = []
    for i, chapter in enumerate(chapters):
        blocks.append(Heading(f"第{cn_number(i + 1)}章 {chapter}", 1))
        blocks.append(Para(p.sentences(TECH_LINES, 2)))
        blocks.append(Items(tuple(p.some(OPS_STEPS, 3 + pages // 3)), ordered=True))
        if chapter == "故障处理":
            blocks.append(
                Table(
                    (
                        ("故障现象", "可能原因", "处理方法"),
                        ("页面无法访问", "服务未启动或端口被占用", "检查服务状态并重启"),
                        ("接口响应慢", "数据库慢查询", "分析执行计划，补充索引"),
                        ("登录失败", "认证服务异常", "查看认证服务日志"),
                    )
                )
            )
    return Generated(
        title=title,
        description=f"{system}运维手册，包括部署架构、日常巡检、备份恢复、版本发布、故障处理和应急预案。",
        tags=("运维手册", "运维", "技术文档"),
        content=TextDoc(title, tuple(blocks)),
    )


def api_doc(p: Pick, pages: int) -> Generated:
    system = p.one(SYSTEM_NAMES)
    title = f"{system}开放接口文档"
    resources = p.some(
        ("users", "orders", "devices", "tickets", "reports", "files"), 3 + pages // 2
    )
    blocks: list[Block] = [
        Heading("概述", 1),
        Para(
            "本文档描述平台对外提供的 REST 接口。所有接口均使用 HTTPS，"
            "请求和响应的数据格式为 JSON，"
            "字符编码为 UTF-8。"
        ),
        Heading("认证方式", 2),
        Para("调用方在请求头中携带访问令牌：Authorization: Bearer <token>。令牌有效期为2小时。"),
        Heading("通用返回码", 2),
        Table(
            (
                ("code", "含义"),
                ("0", "成功"),
                ("40001", "参数错误"),
                ("40101", "未认证"),
                ("40301", "无权限"),
                ("50000", "服务器内部错误"),
            )
        ),
    ]
    for resource in resources:
        blocks.append(Heading(f"{resource} 接口", 1))
        for method, verb in (
            ("GET", "查询列表"),
            ("POST", "新建"),
            ("GET", "查询详情"),
            ("PUT", "更新"),
            ("DELETE", "删除"),
        ):
            path = f"/api/v1/{resource}" + ("/{id}" if verb in ("查询详情", "更新", "删除") else "")
            blocks.append(Heading(f"{verb}：{method} {path}", 2))
            blocks.append(
                Table(
                    (
                        ("参数", "类型", "必填", "说明"),
                        ("page", "int", "否", "页码，默认1"),
                        ("size", "int", "否", "每页条数，默认20，最大100"),
                        ("keyword", "string", "否", "关键字模糊搜索"),
                    )
                )
            )
            blocks.append(
                Para(
                    f'返回示例：{{"code": 0, "message": "ok", "data": {{"id": {p.num(1, 9999)}}}}}'
                )
            )
    return Generated(
        title=title,
        description=f"{system}对外 REST 接口说明，含认证方式、通用返回码"
        "以及各资源的增删改查接口和参数表。",
        tags=("接口文档", "API", "开发文档", "Markdown"),
        content=TextDoc(title, tuple(blocks)),
    )


# --- spreadsheets

SUBJECTS = ("语文", "数学", "英语", "物理", "化学")


def grade_sheet(p: Pick, pages: int) -> Generated:
    grade = p.one(("七年级", "八年级", "九年级"))
    classes = max(1, pages)
    sheets = []
    for c in range(classes):
        students: list[tuple[str, list[int]]] = []
        for name in p.people(p.num(38, 48)):
            scores = [p.num(52, 100) if p.chance(0.9) else p.num(30, 59) for _ in SUBJECTS]
            students.append((name, [*scores, sum(scores)]))
        students.sort(key=lambda s: -s[1][-1])
        numbered: tuple[tuple[str | int, ...], ...] = tuple(
            (i + 1, name, *marks, i + 1) for i, (name, marks) in enumerate(students)
        )
        columns = [marks for _, marks in students]
        averages = [round(sum(m[k] for m in columns) / len(columns), 1) for k in range(6)]
        sheets.append(
            Sheet(
                name=f"{c + 1}班",
                title=f"{grade}（{c + 1}）班期中考试成绩统计表",
                header=("序号", "姓名", *SUBJECTS, "总分", "名次"),
                rows=numbered,
                widths=(6, 10, 8, 8, 8, 8, 8, 8, 6),
                footer=("", "平均分", *averages, ""),
            )
        )
    title = f"{grade}期中考试成绩统计表"
    return Generated(
        title=title,
        description=f"{grade}{classes}个班的期中考试成绩表，含各科成绩、总分、名次和平均分，可直接套用。",
        tags=("成绩统计", "Excel表格", grade, "班主任"),
        content=Workbook(title, tuple(sheets)),
    )


def budget_sheet(p: Pick, pages: int) -> Generated:
    year = p.one((2025, 2026))
    items = (
        "办公费",
        "差旅费",
        "会议费",
        "培训费",
        "业务招待费",
        "车辆使用费",
        "设备购置费",
        "软件服务费",
        "维修费",
        "水电费",
        "物业费",
        "宣传费",
    )
    sheets = []
    for dept in p.some(DEPARTMENTS, max(1, pages)):
        rows: list[tuple[str | int, ...]] = []
        amounts: list[list[int]] = []
        for i, item in enumerate(items):
            months = [p.num(0, 40) * 100 for _ in range(12)]
            amounts.append([*months, sum(months)])
            rows.append((i + 1, item, *amounts[-1]))
        total: tuple[str | int, ...] = (
            "",
            "合计",
            *(sum(a[m] for a in amounts) for m in range(13)),
        )
        sheets.append(
            Sheet(
                name=dept[:10],
                title=f"{dept}{year}年度费用预算表（单位：元）",
                header=("序号", "预算科目", *(f"{m}月" for m in range(1, 13)), "全年合计"),
                rows=tuple(rows),
                widths=(6, 14, *([9] * 12), 11),
                footer=total,
            )
        )
    title = f"{year}年度部门费用预算表"
    return Generated(
        title=title,
        description=f"{year}年度各部门按月编制的费用预算表，含12个预算科目和月度、全年合计。",
        tags=("预算表", "财务", "Excel表格", f"{year}年"),
        content=Workbook(title, tuple(sheets)),
    )


def salary_sheet(p: Pick, pages: int) -> Generated:
    month = p.num(1, 12)
    year = p.one((2024, 2025))
    rows = []
    for i, name in enumerate(p.people(max(20, pages * 35))):
        base = p.num(40, 150) * 100
        bonus = p.num(0, 30) * 100
        social = round(base * 0.105, 2)
        fund = round(base * 0.07, 2)
        taxable = base + bonus - social - fund - 5000
        tax = round(max(0.0, taxable) * 0.03, 2)
        net = round(base + bonus - social - fund - tax, 2)
        rows.append((i + 1, name, p.one(DEPARTMENTS), base, bonus, social, fund, tax, net))
    sheet = Sheet(
        name="工资表",
        title=f"{year}年{month}月员工工资表",
        header=(
            "序号",
            "姓名",
            "部门",
            "基本工资",
            "绩效奖金",
            "社保个人",
            "公积金个人",
            "个税",
            "实发工资",
        ),
        rows=tuple(rows),
        widths=(6, 10, 14, 10, 10, 10, 10, 9, 11),
    )
    title = f"{year}年{month}月员工工资表（含社保公积金个税）"
    return Generated(
        title=title,
        description="员工月度工资表模板，含基本工资、绩效、社保和公积金个人部分、个税及实发工资。",
        tags=("工资表", "人事", "Excel表格", "模板"),
        content=Workbook(title, (sheet,)),
    )


def inventory_sheet(p: Pick, pages: int) -> Generated:
    goods = (
        "A4复印纸",
        "中性笔",
        "文件夹",
        "订书机",
        "硒鼓",
        "U盘",
        "鼠标",
        "键盘",
        "电池",
        "胶带",
        "笔记本",
        "档案盒",
        "计算器",
        "插线板",
        "白板笔",
    )
    rows = []
    for i in range(max(15, pages * 30)):
        item = goods[i % len(goods)]
        opening, incoming, outgoing = p.num(0, 200), p.num(0, 150), p.num(0, 120)
        outgoing = min(outgoing, opening + incoming)
        price = p.num(2, 300)
        stock = opening + incoming - outgoing
        rows.append(
            (
                i + 1,
                f"BG{i + 1:04d}",
                item,
                "件",
                opening,
                incoming,
                outgoing,
                stock,
                price,
                stock * price,
            )
        )
    sheet = Sheet(
        name="库存台账",
        title="办公用品出入库台账",
        header=("序号", "编码", "名称", "单位", "期初", "入库", "出库", "结存", "单价", "金额"),
        rows=tuple(rows),
        widths=(6, 9, 12, 6, 7, 7, 7, 7, 7, 9),
    )
    return Generated(
        title="办公用品出入库台账（自动结存）",
        description="办公用品库存管理台账，记录期初、入库、出库、结存数量和金额。",
        tags=("库存台账", "行政", "Excel表格"),
        content=Workbook("办公用品出入库台账", (sheet,)),
    )


GENERATORS = {
    "labor_contract": labor_contract,
    "lease_contract": lease_contract,
    "tech_plan": tech_plan,
    "ops_manual": ops_manual,
    "api_doc": api_doc,
    "grade_sheet": grade_sheet,
    "budget_sheet": budget_sheet,
    "salary_sheet": salary_sheet,
    "inventory_sheet": inventory_sheet,
}
