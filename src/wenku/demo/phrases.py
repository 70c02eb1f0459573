"""Phrase banks and a seeded chooser shared by the content generators.

Everything here was written for Wenku's demo; templates use ``{slot}`` fields that
``Pick.fill`` completes from the generator's context.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 晓东 子涵 浩然 "
    "欣怡 梓轩 雨桐 宇航 思远 佳怡 俊杰 文博 雅婷 志强 海燕 红梅 建国 玉兰 晨曦 一诺 嘉怡 "
    "子墨 梦琪 天宇 雨萱 博文 诗涵 明轩 若曦"
).split()
CITIES = (
    "成都 绵阳 广州 深圳 佛山 东莞 杭州 宁波 温州 南京 苏州 无锡 武汉 宜昌 郑州 洛阳 济南 青岛 "
    "西安 宝鸡 长沙 合肥 南昌 福州 厦门 昆明 贵阳 南宁 石家庄 太原"
).split()
DEPARTMENTS = (
    "综合办公室 人力资源部 财务部 市场营销部 销售部 技术研发部 生产运营部 质量管理部 采购部 "
    "客户服务部 信息中心 安全环保部 行政后勤部 审计部"
).split()
ORG_KINDS = ("有限公司", "科技有限公司", "股份有限公司", "集团有限公司", "信息技术有限公司")
ORG_WORDS = (
    "华信 宏达 恒通 东方 新锐 启航 博远 瑞丰 中科 天成 金桥 长城 蓝海 卓越 融创 拓普".split()
)
SCHOOL_KINDS = ("实验小学", "第二小学", "第一中学", "外国语学校", "实验中学", "育才学校")
NUMERALS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, up to 99."""
    if n <= 10:
        return "零一二三四五六七八九十"[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else NUMERALS[tens - 1] + "十"
    return head + ("" if ones == 0 else NUMERALS[ones - 1])


class Pick:
    """A seeded chooser: the same seed always yields the same document."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self._decks: dict[int, list[str]] = {}

    def one(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def some(self, options: Sequence[T], k: int) -> list[T]:
        return self.rng.sample(list(options), min(k, len(options)))

    def num(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def pct(self, low: float = 3.0, high: float = 35.0) -> str:
        return f"{self.rng.uniform(low, high):.1f}%"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def shuffle(self, items: list[T]) -> list[T]:
        self.rng.shuffle(items)
        return items

    def person(self) -> str:
        return self.one(SURNAMES) + self.one(GIVEN)

    def people(self, n: int) -> list[str]:
        seen: list[str] = []
        while len(seen) < n:
            name = self.person()
            if name not in seen:
                seen.append(name)
        return seen

    def company(self, city: str = "") -> str:
        return (city or self.one(CITIES)) + self.one(ORG_WORDS) + self.one(ORG_KINDS)

    def school(self, city: str = "") -> str:
        return (city or self.one(CITIES)) + "市" + self.one(SCHOOL_KINDS)

    def date(self, year: int) -> str:
        return f"{year}年{self.num(1, 12)}月{self.num(1, 28)}日"

    def fill(self, template: str, **slots: object) -> str:
        return template.format(**slots)

    def sentences(self, bank: Sequence[str], k: int, sep: str = "", **slots: object) -> str:
        """A paragraph of ``k`` sentences from ``bank``, slots filled.

        Sentences are dealt from a shuffled deck per bank, so a long document uses
        the whole bank before repeating a sentence.
        """
        deck = self._decks.setdefault(id(bank), [])
        chosen: list[str] = []
        while len(chosen) < min(k, len(bank)):
            if not deck:
                deck.extend(self.shuffle([s for s in bank if s not in chosen]))
            chosen.append(deck.pop())
        return sep.join(s.format(**slots) for s in chosen)
