"""The default category tree a new site starts with (editable afterwards in the admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from wenku.library.models import Category

# (name, slug, description, children); children are (name, slug).
DEFAULT_TREE: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "工作总结/汇报",
        "work-reports",
        "年终总结、述职报告、工作计划与心得体会",
        (
            ("年终总结", "year-end-summaries"),
            ("述职报告", "duty-reports"),
            ("工作计划", "work-plans"),
            ("心得体会", "reflections"),
        ),
    ),
    (
        "教育/试卷",
        "exams",
        "中小学各科试卷、练习与答案",
        (
            ("小学", "exams-primary"),
            ("初中", "exams-junior"),
            ("高中", "exams-senior"),
            ("期末试卷", "final-exams"),
        ),
    ),
    (
        "教案/课件",
        "teaching",
        "教学设计、教案、课件与教育随笔",
        (("教学设计", "lesson-plans"), ("课件", "courseware"), ("教育随笔", "teaching-essays")),
    ),
    (
        "公文/党建",
        "official",
        "通知、请示、方案与党建材料",
        (("通知公告", "notices"), ("党建材料", "party-work")),
    ),
    (
        "演讲稿",
        "speeches",
        "国旗下讲话、竞聘演讲、主题演讲与发言稿",
        (
            ("国旗下讲话", "flag-speeches"),
            ("竞聘演讲", "job-speeches"),
            ("主题演讲", "theme-speeches"),
        ),
    ),
    (
        "合同/范本",
        "contracts",
        "常用合同与协议范本",
        (("劳动合同", "labor-contracts"), ("租赁合同", "lease-contracts")),
    ),
    (
        "技术资料",
        "tech",
        "技术方案、开发文档与运维手册",
        (("技术方案", "tech-plans"), ("开发文档", "dev-docs"), ("运维手册", "ops-manuals")),
    ),
    (
        "表格/模板",
        "spreadsheets",
        "财务、人事、行政与教学常用表格",
        (
            ("财务表格", "finance-sheets"),
            ("人事表格", "hr-sheets"),
            ("行政表格", "admin-sheets"),
            ("教学表格", "school-sheets"),
        ),
    ),
    (
        "English",
        "english",
        "Documents in English",
        (("Business", "english-business"), ("Education", "english-education")),
    ),
)


@dataclass(frozen=True)
class Seeded:
    created: int
    skipped: bool  # the site already had categories: nothing was touched


def seed_categories() -> Seeded:
    """Give a site without categories the default tree; leave any existing tree alone.

    Idempotent: once a site has categories (these or its own, as edited in the
    admin) nothing is created, renamed or restored.
    """
    with transaction.atomic():
        if Category.objects.exists():
            return Seeded(created=0, skipped=True)
        created = 0
        for position, (name, slug, description, children) in enumerate(DEFAULT_TREE):
            parent = Category.objects.create(
                name=name, slug=slug, description=description, position=position
            )
            created += 1
            for child_position, (child_name, child_slug) in enumerate(children):
                Category.objects.create(
                    name=child_name, slug=child_slug, parent=parent, position=child_position
                )
                created += 1
    return Seeded(created=created, skipped=False)


def find_category(slug: str) -> Category | None:
    """A category of the default tree by slug, if the site still has it."""
    return Category.objects.filter(slug=slug).first()
