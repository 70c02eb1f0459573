"""The default category tree: a real tree, seeded once, never fighting the site's own edits."""

from __future__ import annotations

import pytest

from wenku.demo.categories import DEFAULT_TREE, seed_categories
from wenku.library.models import Category

pytestmark = pytest.mark.django_db


def test_seeding_makes_a_tree():
    result = seed_categories()
    top = Category.objects.filter(parent=None)
    assert result.created == Category.objects.count() and not result.skipped
    assert [c.name for c in top.order_by("position")] == [name for name, *_ in DEFAULT_TREE]
    for parent in top:
        children = list(parent.children.all())
        assert children, f"{parent} has no children"
        assert all(child.children.count() == 0 for child in children)  # two levels
    names = set(Category.objects.values_list("name", flat=True))
    assert {"工作总结/汇报", "年终总结", "述职报告", "教育/试卷", "期末试卷", "English"} <= names


def test_seeding_twice_changes_nothing():
    seed_categories()
    before = list(Category.objects.values_list("pk", "name", "slug", "parent_id", "position"))
    again = seed_categories()
    assert again.skipped and again.created == 0
    assert list(Category.objects.values_list("pk", "name", "slug", "parent_id", "position")) == (
        before
    )


def test_a_site_with_its_own_tree_keeps_it():
    """Given a site whose admin made (or trimmed) its own tree, seeding leaves it alone."""
    Category.objects.create(name="我们的分类", slug="ours")
    assert seed_categories().skipped
    assert list(Category.objects.values_list("slug", flat=True)) == ["ours"]
