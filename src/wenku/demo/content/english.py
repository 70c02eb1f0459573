"""English documents: reports, lesson plans, a handbook, slides, minutes, a proposal."""

from __future__ import annotations

from wenku.demo.model import Block, Deck, Generated, Heading, Items, Para, Slide, Table, TextDoc
from wenku.demo.phrases import Pick

COMPANIES = ("Northwind Trading", "Bluebridge Analytics", "Harbor Lane Foods", "Cedar Peak Labs")
FIRST = ("Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Grace", "Daniel")
LAST = ("Walker", "Chen", "Patel", "Nguyen", "Brooks", "Lee", "Turner", "Wang", "Garcia", "Reed")

BUSINESS = (
    "Revenue grew {pct} year over year, driven mainly by repeat customers in the eastern region.",
    "We completed the migration of our order system to the cloud two weeks ahead of schedule.",
    "Operating costs rose slightly because of higher logistics prices in the second half.",
    "Customer satisfaction reached {score} out of 100, the best figure since we began measuring.",
    "The team shipped {n} product updates, each one reviewed with customers before release.",
    "Staff turnover fell to {small}%, helped by the new mentoring programme and flexible hours.",
    "We opened a second warehouse, which cut average delivery times from four days to two.",
    "Cash flow remained healthy, and we ended the year with no short-term borrowing.",
    "Our priority for next year is to grow online sales while keeping service quality high.",
    "Training hours per employee doubled, with most courses delivered on site by our own experts.",
)


def _person(p: Pick) -> str:
    return f"{p.one(FIRST)} {p.one(LAST)}"


def _fill(p: Pick, k: int) -> str:
    return p.sentences(
        BUSINESS,
        k,
        sep=" ",
        pct=p.pct(4, 22),
        score=p.num(82, 95),
        n=p.num(8, 40),
        small=p.num(4, 11),
    )


def annual_report(p: Pick, pages: int) -> Generated:
    company = p.one(COMPANIES)
    year = p.one((2023, 2024, 2025))
    title = f"{company} Annual Report {year}"
    blocks: list[Block] = [
        Heading("Letter from the Managing Director", 1),
        Para(_fill(p, 4)),
        Heading("Highlights", 1),
        Items(tuple(_fill(p, 1) for _ in range(4))),
        Heading("Financial Summary", 1),
        Table(
            (
                ("Item", f"{year - 1}", f"{year}", "Change"),
                *tuple(
                    (item, f"{a:,}", f"{b:,}", f"{(b - a) / a:+.1%}")
                    for item, a, b in (
                        (name, base, base * p.num(90, 125) // 100)
                        for name, base in (
                            ("Revenue", p.num(8000, 9000) * 1000),
                            ("Gross profit", p.num(3000, 4000) * 1000),
                            ("Operating costs", p.num(2000, 2900) * 1000),
                            ("Net income", p.num(500, 1000) * 1000),
                        )
                    )
                ),
            )
        ),
    ]
    for section in ("Operations", "Customers", "People", "Sustainability", "Outlook")[
        : max(3, pages)
    ]:
        blocks.append(Heading(section, 1))
        for _ in range(max(2, pages)):
            blocks.append(Para(_fill(p, 4)))
    return Generated(
        title=title,
        description=f"The {year} annual report of {company}: highlights, a financial summary "
        "table, operations, customers, people and the outlook for next year.",
        tags=("English", "annual report", "business"),
        content=TextDoc(title, tuple(blocks), author=_person(p), lang="en"),
    )


LESSON_STEPS = (
    "Warm-up (5 min): students look at a picture and say what they can see.",
    "Presentation (10 min): the teacher introduces the new words with flashcards.",
    "Practice (10 min): pairs ask and answer questions using the target structure.",
    "Production (10 min): groups write a short dialogue and act it out.",
    "Review (5 min): a quick quiz on the new words; students correct each other.",
    "Homework: write five sentences about your own daily routine.",
)


def english_lesson(p: Pick, pages: int) -> Generated:
    unit = p.one(("My School Day", "Healthy Eating", "Travelling Abroad", "Weather and Seasons"))
    level = p.one(("Grade 7", "Grade 8", "Year 5"))
    title = f"Lesson Plan: {unit} ({level})"
    blocks: list[Block] = [
        Table((("Level", level), ("Time", "40 minutes"), ("Teacher", _person(p)))),
        Heading("Objectives", 1),
        Items(
            (
                f"Students can use at least ten new words about {unit.lower()}.",
                "Students can ask and answer simple questions in the present simple tense.",
                "Students work together politely in pairs and groups.",
            ),
            ordered=True,
        ),
        Heading("Materials", 1),
        Para("Flashcards, a short audio recording, worksheets, a projector."),
        Heading("Procedure", 1),
        Items(LESSON_STEPS, ordered=True),
    ]
    for n in range(max(0, pages - 1)):
        blocks.append(Heading(f"Worksheet {n + 1}", 1))
        blocks.append(
            Items(tuple(f"Question {i + 1}: complete the sentence. ____" for i in range(8)))
        )
    blocks.append(Heading("Reflection", 1))
    blocks.append(Para("Most students took part actively; the production stage needed more time."))
    return Generated(
        title=title,
        description=f"An English lesson plan on '{unit}' for {level}, with objectives, "
        "materials, a step-by-step procedure and worksheets.",
        tags=("English", "lesson plan", "teaching"),
        content=TextDoc(title, tuple(blocks), lang="en"),
    )


HANDBOOK = (
    "Our working hours are flexible, but everyone should be available between ten and four.",
    "Please tell your manager as early as possible if you are ill and cannot come to work.",
    "We encourage everyone to take their full annual leave; rest is part of doing good work.",
    "Company laptops must be locked when unattended and kept up to date.",
    "Expenses are reimbursed within two weeks when submitted with a receipt.",
    "We treat every colleague with respect; harassment of any kind is never tolerated.",
    "New employees are paired with a mentor for their first three months.",
    "Feedback is given often and informally, with a written review twice a year.",
    "Customer data is confidential and may only be used for the purpose it was given for.",
    "If something feels wrong, speak up: you can always talk to HR in confidence.",
)


def handbook(p: Pick, pages: int) -> Generated:
    company = p.one(COMPANIES)
    title = f"{company} Employee Handbook"
    chapters = (
        "Welcome",
        "How We Work",
        "Time Off",
        "Pay and Benefits",
        "Equipment and Security",
        "Conduct",
        "Growing With Us",
        "Leaving the Company",
    )
    blocks: list[Block] = []
    for chapter in chapters[: max(4, pages)]:
        blocks.append(Heading(chapter, 1))
        for _ in range(max(3, pages * 2)):
            blocks.append(Para(p.sentences(HANDBOOK, 3, sep=" ")))
    return Generated(
        title=title,
        description=f"The employee handbook of {company}: working hours, leave, pay, "
        "security, conduct and development, as an e-book.",
        tags=("English", "handbook", "HR", "e-book"),
        content=TextDoc(title, tuple(blocks), author=f"{company} HR", lang="en"),
    )


def kickoff_deck(p: Pick, pages: int) -> Generated:
    project = p.one(("Customer Portal Redesign", "Warehouse Automation", "Data Platform 2.0"))
    title = f"{project}: Project Kick-off"
    slides = [
        Slide(
            "Why this project",
            (
                "Customers wait too long for answers",
                "Manual steps cause errors",
                "Competitors moved faster",
            ),
        ),
        Slide(
            "Goals",
            (
                "Cut response time by half",
                "Automate the top five tasks",
                "Launch before the end of Q3",
            ),
        ),
        Slide("Scope", ("In: web portal, mobile view, reporting", "Out: billing system changes")),
        Slide(
            "Timeline",
            table=(
                ("Phase", "When"),
                ("Discovery", "Weeks 1-3"),
                ("Build", "Weeks 4-12"),
                ("Pilot", "Weeks 13-15"),
                ("Launch", "Week 16"),
            ),
        ),
        Slide(
            "Team",
            tuple(
                f"{role}: {_person(p)}"
                for role in ("Sponsor", "Project lead", "Tech lead", "Design", "QA")
            ),
        ),
        Slide(
            "Risks",
            (
                "Data migration takes longer than planned",
                "Key people unavailable",
                "Unclear requirements from pilot users",
            ),
        ),
        Slide(
            "Next steps",
            ("Confirm the team this week", "Book discovery workshops", "Share the project charter"),
        ),
    ]
    return Generated(
        title=title,
        description=f"Kick-off slides for the {project} project: goals, scope, timeline, "
        "team, risks and next steps.",
        tags=("English", "slides", "project management"),
        content=Deck(
            title, f"Kick-off meeting, presented by {_person(p)}", tuple(slides), lang="en"
        ),
    )


def minutes(p: Pick, pages: int) -> Generated:
    company = p.one(COMPANIES)
    title = f"{company} Team Meeting Minutes"
    people = [_person(p) for _ in range(5)]
    blocks: list[Block] = [
        Para(f"Attendees: {', '.join(people)}"),
        Para(f"Chair: {people[0]}    Notes: {people[1]}"),
    ]
    for meeting in range(max(1, pages)):
        blocks.append(Heading(f"Meeting {meeting + 1}", 1))
        blocks.append(Heading("Updates", 2))
        blocks.append(Items(tuple(_fill(p, 1) for _ in range(3))))
        blocks.append(Heading("Decisions", 2))
        blocks.append(Items(("Move the release to next Thursday.", "Hire one more support agent.")))
        blocks.append(Heading("Action items", 2))
        blocks.append(
            Items(
                tuple(
                    f"{_person(p)} to prepare the {x} by Friday."
                    for x in ("budget draft", "test plan", "customer survey")
                )
            )
        )
    return Generated(
        title=title,
        description=f"Minutes of {company}'s weekly team meetings: updates, decisions and "
        "action items.",
        tags=("English", "meeting minutes", "business"),
        content=TextDoc(title, tuple(blocks), lang="en"),
    )


RESEARCH = (
    "Earlier studies looked at this question mostly in large cities, leaving rural schools aside.",
    "We will combine a survey of about 600 students with interviews of 30 teachers.",
    "The survey will be piloted in two schools and revised before the main study.",
    "Data will be analysed with mixed-effects models to account for differences between schools.",
    "All participants will give informed consent, and their answers will be anonymised.",
    "We expect the findings to help schools plan reading programmes more effectively.",
    "The project will run for eighteen months and produce two journal articles.",
    "A summary for teachers and parents will be published in plain language.",
)


def proposal(p: Pick, pages: int) -> Generated:
    topic = p.one(("Reading Habits of Rural Secondary Students", "Homework and Sleep in Teenagers"))
    title = f"Research Proposal: {topic}"
    blocks: list[Block] = [Para(f"Principal investigator: Dr {_person(p)}")]
    for section in (
        "Background",
        "Research Questions",
        "Methods",
        "Ethics",
        "Timeline",
        "Expected Outcomes",
        "Budget",
    ):
        blocks.append(Heading(section, 1))
        for _ in range(max(1, pages)):
            blocks.append(Para(p.sentences(RESEARCH, 3, sep=" ")))
    return Generated(
        title=title,
        description=f"A research proposal on {topic.lower()}: background, questions, methods, "
        "ethics, timeline and budget.",
        tags=("English", "research proposal", "education"),
        content=TextDoc(title, tuple(blocks), lang="en"),
    )


GENERATORS = {
    "annual_report": annual_report,
    "english_lesson": english_lesson,
    "handbook": handbook,
    "kickoff_deck": kickoff_deck,
    "minutes": minutes,
    "proposal": proposal,
}
