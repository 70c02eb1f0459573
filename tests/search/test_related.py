"""Near-duplicate fingerprints and related documents."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from wenku.search import fingerprint
from wenku.search.related import related_documents, title_stem

# Sentences of four unrelated subjects, for documents that are really about something.
SUBJECTS = {
    "rice": "水稻 插秧 施肥 灌溉 病虫害 防治 产量 品种 稻田 育秧 收割 农技 站 农户 亩产",
    "cars": "发动机 变速箱 刹车 轮胎 保养 机油 底盘 故障 维修 检测 火花塞 排放 车主 里程",
    "tax": "个人所得税 专项 附加 扣除 申报 纳税人 税率 应纳税 所得额 汇算 清缴 税务 发票",
    "poem": "唐诗 宋词 李白 杜甫 意象 韵律 平仄 鉴赏 诗人 山水 送别 边塞 抒情 典故",
}
GLUE = "的 了 和 在 是 对 与 进行 工作 我们 要 有关 情况".split()


def text(subject: str, seed: int, words: int = 400) -> str:
    rng = random.Random(seed)
    vocab = SUBJECTS[subject].split()
    out = []
    for i in range(words):
        out.append(rng.choice(vocab) if rng.random() < 0.6 else rng.choice(GLUE))
        if i % 12 == 11:
            out.append("。")
    return "".join(out)


def fingerprinted(make_doc, title: str, body: str, **fields):
    doc = make_doc(title, [body], **fields)
    fingerprint.store(doc.conversion, fingerprint.fingerprint_text(body))
    return doc


def edit(body: str, share: float, seed: int) -> str:
    """Replace ``share`` of the sentences with sentences of another subject."""
    rng = random.Random(seed)
    sentences = body.split("。")
    for i in rng.sample(range(len(sentences)), int(len(sentences) * share)):
        sentences[i] = text("poem", seed + i, 12).rstrip("。")
    return "。".join(sentences)


def test_minhash_estimates_jaccard():
    a = fingerprint.fingerprint_text(text("rice", 1))
    assert fingerprint.similarity(a.signature, a.signature) == 1.0
    b = fingerprint.fingerprint_text(text("rice", 2))
    assert fingerprint.similarity(a.signature, b.signature) < 0.3
    assert fingerprint.fingerprint_text("").signature == b""
    assert len(fingerprint.band_keys(a.signature)) == 25


@pytest.mark.django_db
def test_near_duplicates_found_unrelated_not(make_doc):
    """Given an original, a re-upload with another title, a 20 %-edited copy and unrelated
    documents, when asking for near-duplicates, then exactly the copies come back."""
    body = text("tax", 7, 600)
    original = fingerprinted(make_doc, "个税政策解读", body)
    retitled = fingerprinted(make_doc, "2024最新个税解读（转载）", body)
    edited = fingerprinted(make_doc, "个税解读修订版", edit(body, 0.2, 3))
    same_subject = fingerprinted(make_doc, "个税问答", text("tax", 8, 600))
    other = fingerprinted(make_doc, "汽车保养", text("cars", 9, 600))
    found = dict(fingerprint.near_duplicates(original))
    assert set(found) == {retitled, edited}
    assert found[retitled] == 1.0 and 0.5 <= found[edited] < 1.0
    assert same_subject not in found and other not in found


@pytest.mark.django_db
def test_same_file_uploads_are_duplicates(make_doc):
    doc = fingerprinted(make_doc, "原件", text("rice", 1))
    from wenku.library.models import Document

    copy = Document.objects.create(
        title="另一份", owner=doc.owner, conversion=doc.conversion, original_name="x", size=1
    )
    assert fingerprint.near_duplicates(doc) == [(copy, 1.0)]


def test_title_stems():
    assert title_stem("2023年工作总结（一）") == title_stem("2024年工作总结")
    assert title_stem("人教版三年级语文上册第3课") == title_stem("人教版五年级语文下册第12课")
    assert title_stem("水稻种植") != title_stem("汽车维修")


@pytest.fixture
def library(make_doc, backend):
    """Five documents on each of four subjects, plus copies of one rice document."""
    from wenku.accounts.models import User
    from wenku.search.indexing import index_documents

    owners = [User.objects.create_user(f"u{i}", f"u{i}@example.com", "x") for i in range(5)]
    titles = {
        "rice": [
            "水稻育秧技术",
            "稻田病虫害防治",
            "水稻高产栽培",
            "杂交稻品种介绍",
            "农户插秧指南",
        ],
        "cars": ["汽车保养手册", "发动机故障排查", "刹车系统维修", "轮胎更换指南", "机油选择"],
        "tax": ["个税专项扣除", "年度汇算清缴", "纳税申报流程", "税率表解读", "发票管理办法"],
        "poem": ["李白诗歌鉴赏", "杜甫边塞诗", "宋词意象分析", "山水诗赏析", "送别诗典故"],
    }
    docs = {
        subject: [
            fingerprinted(make_doc, title, text(subject, 100 * n + i), owner=owners[i])
            for i, title in enumerate(names)
        ]
        for n, (subject, names) in enumerate(titles.items())
    }
    source = docs["rice"][0]
    copies = [
        fingerprinted(make_doc, "水稻育秧技术（转）", text("rice", 100 * 0 + 0), owner=owners[1]),
        fingerprinted(make_doc, "育秧技术", edit(text("rice", 0), 0.1, 5), owner=owners[2]),
    ]
    all_docs = [d for group in docs.values() for d in group] + copies
    index_documents([d.pk for d in all_docs], backend)
    return docs, source, copies


def test_related_are_on_the_subject_without_copies(library):
    docs, source, copies = library
    related = related_documents(source, limit=4)
    assert source not in related
    assert not set(copies) & set(related)
    assert set(related) == set(docs["rice"][1:])


def test_related_api_and_takedown(client, library):
    from wenku.library.models import Document

    docs, source, _ = library
    url = reverse("api:document_related", args=[source.pk])
    ids = [d["id"] for d in client.get(url, {"limit": 4}).json()]
    assert set(ids) == {d.pk for d in docs["rice"][1:]}
    Document.objects.filter(pk=ids[0]).update(status="failed")  # cached list, live status
    assert ids[0] not in [d["id"] for d in client.get(url, {"limit": 4}).json()]


def test_related_is_diverse(make_doc, backend, user):
    """Given one uploader's many near-identical uploads on a subject, when asking for
    related documents, then they do not fill the list."""
    from wenku.search.indexing import index_documents

    source = fingerprinted(make_doc, "水稻种植总结", text("rice", 1))
    spam = [
        fingerprinted(make_doc, f"水稻资料{i}", text("rice", 50 + i), owner=user) for i in range(6)
    ]
    index_documents([source.pk, *[d.pk for d in spam]], backend)
    related = related_documents(source)
    assert len(related) == 1  # one title stem ("水稻资料"), one per stem


def test_the_page_reads_the_stored_list(client, library):
    """Given a stored list, when the document page or the API shows related documents,
    then they are the stored ones (nothing is computed per view), live status applied."""
    from wenku.library.models import Document
    from wenku.search import related
    from wenku.search.models import RelatedList

    docs, source, _ = library
    assert related.refresh([source.pk]) == 1
    assert RelatedList.objects.get(pk=source.pk).ids == related.compute_related(source)
    car, tax = docs["cars"][0], docs["tax"][0]
    RelatedList.objects.filter(pk=source.pk).update(ids=[car.pk, tax.pk])
    assert related_documents(source) == [car, tax]
    html = client.get(f"/d/{source.pk}/").content.decode()
    assert car.title in html and tax.title in html
    assert docs["rice"][1].title not in html
    Document.objects.filter(pk=car.pk).update(status="failed")
    assert related_documents(source) == [tax]


def test_the_idle_worker_fills_missing_then_stale_lists(library, settings):
    """Given documents without lists, when the worker is idle, then it stores theirs;
    a list older than WENKU_RELATED_REFRESH_SECONDS is due again, a younger one not."""
    from datetime import timedelta

    from django.utils import timezone

    from wenku.library.models import Document
    from wenku.search import related
    from wenku.search.models import RelatedList

    _, source, _ = library
    public = Document.objects.public().count()
    assert len(related.due_ids(1000)) == public
    assert related.refresh_due(limit=5) == 5
    assert related.refresh_due(limit=1000) == public - 5
    assert related.due_ids(1000) == [] and related.refresh_due() == 0
    two_days_ago = timezone.now() - timedelta(days=2)
    RelatedList.objects.filter(pk=source.pk).update(computed_at=two_days_ago)
    assert related.due_ids(1000) == [source.pk]
    settings.WENKU = settings.WENKU.replace(related_refresh_seconds=3 * 86400)
    assert related.due_ids(1000) == []
    settings.WENKU = settings.WENKU.replace(related_refresh_seconds=86400)
    taken_down = Document.objects.public().exclude(pk=source.pk).first()
    RelatedList.objects.filter(pk=taken_down.pk).update(computed_at=two_days_ago)
    Document.objects.filter(pk=taken_down.pk).update(status="failed")
    assert related.due_ids(1000) == [source.pk]  # not the taken-down one, ever
    assert related.refresh([source.pk, taken_down.pk]) == 1
    assert not RelatedList.objects.filter(pk=taken_down.pk).exists()


def test_co_downloads_join_the_related_documents(library):
    """Given a tax document that three readers of a rice document also downloaded, when
    computing the rice document's related documents, then it rises above where content
    alone puts it; a poem two readers share changes nothing."""
    from wenku.accounts.models import User
    from wenku.economy.models import Download
    from wenku.economy.queries import co_downloads
    from wenku.search.related import compute_related

    docs, source, _ = library
    tax, poem = docs["tax"][-1], docs["poem"][-1]

    def rank(doc, ids):
        return ids.index(doc.pk) if doc.pk in ids else len(ids)

    before = compute_related(source, 20)
    readers = [User.objects.create_user(f"r{i}", f"r{i}@example.com", "x") for i in range(5)]
    for reader in readers[:3]:
        for doc in (source, tax):
            Download.objects.create(user=reader, document=doc, basis="free")
    for reader in readers[3:]:  # two readers in common: not yet a pattern
        for doc in (source, poem):
            Download.objects.create(user=reader, document=doc, basis="free")
    assert co_downloads(source.pk, 10) == [(tax.pk, 3.0)]
    after = compute_related(source, 20)
    assert rank(tax, after) < rank(tax, before) and rank(tax, after) <= 2
    assert rank(poem, after) >= rank(poem, before)  # not lifted


@pytest.mark.django_db
def test_text_less_files_are_not_copies_of_each_other(make_doc):
    """Given two different scans (no text), when asking for near-duplicates, then neither
    is a copy of the other: an empty text is not a shared one."""
    first = fingerprinted(make_doc, "扫描件一", "")
    second = fingerprinted(make_doc, "扫描件二", "")
    assert fingerprint.near_duplicates(first) == []
    assert fingerprint.near_duplicates(second) == []


def test_the_category_relation_is_symmetric(make_doc):
    """Given a document filed under a top-level category and one under its child, When
    each one's category candidates are asked for, Then each finds the other (a top-level
    category's documents once found nothing of its own subtree)."""
    from wenku.library.models import Category
    from wenku.search.related import category_candidates

    school = Category.objects.create(name="教育", slug="edu")
    exams = Category.objects.create(name="试卷", slug="exams", parent=school)
    other = Category.objects.create(name="工作", slug="work")
    general = make_doc("教育概论", category=school)
    paper = make_doc("三年级试卷", category=exams)
    elsewhere = make_doc("工作总结", category=other)
    assert category_candidates(general, 10, frozenset({general.pk})) == [(paper.pk, 0.5)]
    assert category_candidates(paper, 10, frozenset({paper.pk})) == [(general.pk, 0.5)]
    assert category_candidates(elsewhere, 10, frozenset({elsewhere.pk})) == []
