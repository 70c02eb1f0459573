"""Which documents the demo makes: kind, format, category, rough length and uploader.

The first fourteen cover every supported format once (but ``NOT_MADE``), so a small run (``--count
15``) still exercises them all; the rest vary lengths (1 to about 100 pages),
categories and uploaders. Past the end the list repeats, with new content each
time (the content depends on the seed and the position).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    kind: str  # a generator of wenku.demo.content
    format: str  # the file format uploaded
    category: str  # slug in the default tree
    pages: int  # rough length
    uploader: str  # username in wenku.demo.people
    encoding: str = "utf-8"  # for txt


SPECS: tuple[Spec, ...] = (
    # every format once
    Spec("year_end_summary", "docx", "year-end-summaries", 4, "chen_laoshi"),
    Spec("math_exam", "pdf", "exams-primary", 3, "zhou_jiaoyan"),
    Spec("courseware", "pptx", "courseware", 6, "chen_laoshi"),
    Spec("grade_sheet", "xlsx", "school-sheets", 2, "zhou_jiaoyan"),
    Spec("labor_contract", "doc", "labor-contracts", 4, "zhao_hr"),
    Spec("kickoff_deck", "ppt", "english-business", 3, "dan_reed"),
    Spec("budget_sheet", "xls", "finance-sheets", 2, "sun_wenshu"),
    Spec("lesson_plan", "odt", "lesson-plans", 3, "chen_laoshi"),
    Spec("courseware", "odp", "courseware", 3, "zhou_jiaoyan"),
    Spec("inventory_sheet", "ods", "admin-sheets", 1, "sun_wenshu"),
    Spec("notice", "rtf", "notices", 2, "sun_wenshu"),
    Spec("reflections", "txt", "reflections", 2, "wang_jianguo", encoding="gbk"),
    Spec("api_doc", "md", "dev-docs", 3, "liu_tech"),
    Spec("teacher_book", "epub", "teaching-essays", 6, "chen_laoshi"),
    # then a library's usual mix
    Spec("annual_report", "docx", "english-business", 3, "emma_w"),
    Spec("tech_plan", "pdf", "tech-plans", 100, "liu_tech"),
    Spec("duty_report", "docx", "duty-reports", 4, "wang_jianguo"),
    Spec("chinese_exam", "pdf", "exams-junior", 3, "zhou_jiaoyan"),
    Spec("work_plan", "docx", "work-plans", 5, "lin_xiaoyu"),
    Spec("party_plan", "doc", "party-work", 3, "sun_wenshu"),
    Spec("speech", "docx", "flag-speeches", 2, "chen_laoshi"),
    Spec("lease_contract", "docx", "lease-contracts", 3, "lin_xiaoyu"),
    Spec("salary_sheet", "xlsx", "hr-sheets", 3, "zhao_hr"),
    Spec("ops_manual", "odt", "ops-manuals", 6, "liu_tech"),
    Spec("english_lesson", "md", "english-education", 2, "emma_w"),
    Spec("handbook", "epub", "english-business", 5, "dan_reed"),
    Spec("minutes", "txt", "english-business", 2, "emma_w"),
    Spec("proposal", "odt", "english-education", 3, "dan_reed"),
    Spec("speech", "doc", "job-speeches", 2, "wang_jianguo"),
    Spec("year_end_summary", "pdf", "year-end-summaries", 8, "lin_xiaoyu"),
    Spec("math_exam", "docx", "final-exams", 6, "zhou_jiaoyan"),
    Spec("lesson_plan", "docx", "lesson-plans", 4, "chen_laoshi"),
    Spec("tech_plan", "docx", "tech-plans", 30, "liu_tech"),
    Spec("notice", "docx", "notices", 1, "wang_jianguo"),
    Spec("courseware", "pptx", "courseware", 10, "lin_xiaoyu"),
    Spec("reflections", "txt", "reflections", 1, "lin_xiaoyu"),
    Spec("work_plan", "rtf", "work-plans", 3, "zhao_hr"),
    Spec("budget_sheet", "xlsx", "finance-sheets", 4, "sun_wenshu"),
    Spec("chinese_exam", "docx", "exams-junior", 3, "zhou_jiaoyan"),
    Spec("duty_report", "odt", "duty-reports", 3, "zhao_hr"),
    Spec("api_doc", "md", "dev-docs", 10, "liu_tech"),
    Spec("teacher_book", "epub", "teaching-essays", 20, "zhou_jiaoyan"),
    Spec("grade_sheet", "xls", "school-sheets", 3, "chen_laoshi"),
    Spec("party_plan", "pdf", "party-work", 4, "wang_jianguo"),
    Spec("labor_contract", "pdf", "labor-contracts", 4, "zhao_hr"),
    Spec("speech", "rtf", "theme-speeches", 1, "lin_xiaoyu"),
    Spec("ops_manual", "docx", "ops-manuals", 12, "liu_tech"),
    Spec("courseware", "ppt", "courseware", 8, "chen_laoshi"),
)
DEFAULT_COUNT = len(SPECS)
# Formats the site reads but the demo cannot make: WordPerfect, from old files only (no
# tool here writes it). "Every format" above means every other one.
NOT_MADE = frozenset({"wpd"})


def plan(count: int) -> list[Spec]:
    """The specs of a run of ``count`` documents, in order."""
    return [SPECS[i % len(SPECS)] for i in range(count)]
