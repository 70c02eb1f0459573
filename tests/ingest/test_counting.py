import pytest

from wenku.ingest.counting import count_chars, format_chars


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("你好", 2),
        ("公司2023年营业收入21.05亿元，同比增长12.5%", 16),  # 21.05 and 12.5 are one each
        ("Hello, world!", 2),
        ("COVID-19 疫情", 3),
        ("GB/T 7714-2015", 3),
        ("１２３ＡＢＣ 你好", 3),  # full-width folds to one run
        ("• 项目\n• 计划", 4),  # bullets and line breaks count nothing
        ("12,345 人", 2),
        ("𠀀𠀁", 2),  # Extension B ideographs
        ("，。！？、；：「」『』（）", 0),
        ("ひらがなカタカナ", 8),  # kana count one each
        ("ｶﾀｶﾅ", 4),  # half-width katakana too
        ("コーヒー", 2),  # the prolonged-sound mark is no character
        ("한국어 문서", 5),  # Hangul syllables
        ("東京タワー", 4),
    ],
)
def test_count_chars(text, expected):
    assert count_chars(text) == expected


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "约0字"),
        (856, "约856字"),
        (5780, "约5.78千字"),
        (9999, "约10.00千字"),
        (63695, "约6.37万字"),
    ],
)
def test_format_chars(count, shown):
    from django.utils import translation

    # In Chinese whatever an earlier test left active (a request through the language
    # middleware leaves its language active in the thread).
    with translation.override("zh-hans"):
        assert format_chars(count) == shown


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (856, "about 856 characters"),
        (5850, "about 5.85k characters"),
        (5000, "about 5k characters"),
        (63695, "about 63.7k characters"),
        (1234567, "about 1,235k characters"),
    ],
)
def test_format_chars_in_english(count, shown):
    from django.utils import translation

    with translation.override("en"):
        assert format_chars(count) == shown
