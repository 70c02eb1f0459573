"""The category tree as search needs it: subtrees for filters, roll-ups for counts."""

from __future__ import annotations

from collections import defaultdict

from wenku.library.models import Category


def parents() -> dict[int, int | None]:
    """{category id: parent id} for the whole tree (small: one query)."""
    return dict(Category.objects.values_list("id", "parent_id"))


def subtree(category_id: int, tree: dict[int, int | None] | None = None) -> frozenset[int]:
    """A category and all its descendants."""
    tree = parents() if tree is None else tree
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in tree.items():
        children[parent].append(child)
    found, todo = {category_id}, [category_id]
    while todo:
        for child in children[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def roll_up(direct: dict[int | None, int], tree: dict[int, int | None]) -> dict[int, int]:
    """Counts per category including every descendant's documents."""
    total: dict[int, int] = defaultdict(int)
    for category, count in direct.items():
        seen: set[int] = set()
        while category is not None and category not in seen:
            seen.add(category)
            total[category] += count
            category = tree.get(category)
    return dict(total)
