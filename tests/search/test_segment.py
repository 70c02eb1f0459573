"""Segmentation: normalisation, codes kept whole, search-mode sub-words, the dictionaries."""

from __future__ import annotations

import pytest

from wenku.search import segment


@pytest.fixture(autouse=True)
def _fresh_dictionary():
    segment.reset_segmenter()
    yield
    segment.reset_segmenter()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("公司2023年营业收入21.05亿元，同比增长12.5%。", ["21.05", "亿元", "12.5%", "2023"]),
        ("GB/T 7714-2015 参考文献著录规则", ["gb/t", "7714-2015", "参考文献"]),
        ("COVID-19疫情防控", ["covid-19"]),
        ("ＡＢＣ１２３全角字母", ["abc123"]),  # full-width → half-width, lowercase
        ("Machine Learning, 机器学习!", ["machine", "learning", "机器", "学习"]),
        ("新冠肺炎疫情常态化防控", ["常态化"]),  # a domain word of the built-in dictionary
        ("2022年度述职报告", ["述职报告"]),
        ("人教版小学语文教学设计", ["人教版", "教学设计"]),
    ],
)
def test_precise_words(text, words):
    got = segment.words(text)
    for word in words:
        assert word in got, (word, got)


def test_punctuation_and_spaces_are_dropped():
    assert segment.words("“你好”，世界！！ ... ——  （测试）") == ["你好", "世界", "测试"]


@pytest.mark.parametrize(
    ("text", "precise", "sub"),
    [
        ("中华人民共和国个人所得税法", "个人所得税法", "所得税"),
        ("小学三年级数学期末试卷", "期末试卷", "期末"),
        ("COVID-19疫情", "covid-19", "covid"),
        ("GB/T 7714-2015", "7714-2015", "2015"),
    ],
)
def test_sub_words_reach_inside_long_words(text, precise, sub):
    """Given a long dictionary word, when segmented, then its parts are sub-words only."""
    seg = segment.segment(text)
    assert precise in seg.words and sub not in seg.words
    assert sub in seg.subwords


def test_site_dictionary_extends_the_builtin_one(tmp_path, settings):
    assert "智慧校园平台" not in segment.words("建设智慧校园平台")
    path = tmp_path / "site.txt"
    path.write_text("# our words\n智慧校园平台 50\n", encoding="utf-8")
    settings.WENKU = settings.WENKU.replace(search_user_dict=str(path))
    segment.reset_segmenter()
    assert "智慧校园平台" in segment.words("建设智慧校园平台")


def test_overlong_tokens_are_not_indexed():
    assert segment.words("x" * 200 + " 正常") == ["正常"]
