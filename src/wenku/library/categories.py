"""The category tree: one cached map of every category, and the walks over it.

The table is small and read on most pages, so the whole of it is kept in the cache
(``all_categories``) and every question about the tree — a subtree, an ancestry, counts
rolled up to the parents — is answered from that one map. Saving or deleting a
category clears it (``Category.save``/``delete``), so an edit shows at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count

from wenku.core import readscope
from wenku.library.models import CATEGORIES_CACHE_KEY, Category, Document

CACHE_SECONDS = 60


def all_categories() -> dict[int, Category]:
    """Every category by id, read at most once a minute (and after every edit), and once
    in a read-only page's scope (``core.readscope``: the document page asks twice)."""
    return readscope.once(CATEGORIES_CACHE_KEY, _read_categories)


def _read_categories() -> dict[int, Category]:
    found = cache.get(CATEGORIES_CACHE_KEY)
    if found is None:
        found = {c.pk: c for c in Category.objects.all()}
        cache.set(CATEGORIES_CACHE_KEY, found, CACHE_SECONDS)
    return found


def parents() -> dict[int, int | None]:
    """{category id: parent id} for the whole tree."""
    return {pk: c.parent_id for pk, c in all_categories().items()}


def subtree(category_id: int, tree: Mapping[int, int | None] | None = None) -> frozenset[int]:
    """A category and all its descendants (a cycle in bad data ends the walk)."""
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


def roll_up(direct: Mapping[int | None, int], tree: Mapping[int, int | None]) -> dict[int, int]:
    """Counts per category including every descendant's."""
    total: dict[int, int] = defaultdict(int)
    for category, count in direct.items():
        seen: set[int] = set()
        while category is not None and category not in seen:
            seen.add(category)
            total[category] += count
            category = tree.get(category)
    return dict(total)


def breadcrumbs(category: Category, known: Mapping[int, Category] | None = None) -> list[Category]:
    """The category's ancestors, root first, then the category."""
    known = all_categories() if known is None else known
    trail = [category]
    while trail[0].parent_id and trail[0].parent_id in known and len(trail) < 20:
        trail.insert(0, known[trail[0].parent_id])
    return trail


def path_name(category: Category, known: Mapping[int, Category] | None = None) -> str:
    """ "Parent / Child", as ``str(category)`` says it, from the tree instead of a query
    per ancestor."""
    return " / ".join(c.name for c in breadcrumbs(category, known))


@dataclass
class CategoryNode:
    category: Category
    count: int = 0  # ready documents here and below
    children: list[CategoryNode] = field(default_factory=list)


def counted_tree() -> list[CategoryNode]:
    """Every category with its ready documents counted including its descendants'."""
    direct: dict[int | None, int] = dict(
        Document.objects.public()
        .exclude(category=None)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    tree = parents()
    totals = roll_up(direct, tree)
    nodes = {pk: CategoryNode(c, totals.get(pk, 0)) for pk, c in all_categories().items()}
    roots: list[CategoryNode] = []
    for node in nodes.values():
        parent = nodes.get(node.category.parent_id) if node.category.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def find(nodes: list[CategoryNode], category_id: int) -> CategoryNode | None:
    """The node of ``category_id`` in a counted tree."""
    for node in nodes:
        if node.category.pk == category_id:
            return node
        found = find(node.children, category_id)
        if found is not None:
            return found
    return None
