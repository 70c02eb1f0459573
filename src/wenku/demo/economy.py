"""The demo's economy: priced and VIP documents, VIP plans, and a reader with points, so
a new site shows the whole way to pay at once (not only free documents)."""

from __future__ import annotations

import secrets

from wenku.accounts.models import User
from wenku.economy import domain
from wenku.economy.models import VipPlan

READER = "demo_reader"
READER_POINTS = 100
PLANS = (("月度VIP", 30, 60), ("年度VIP", 365, 500))
PRICES = (2, 3, 5, 8, 10)


def pricing_for(index: int) -> tuple[str, int]:
    """How the ``index``-th demo document is sold: about half free, a quarter for points,
    the rest for VIP members only or free for them and priced for others."""
    slot = index % 8
    if slot in (1, 4):
        return "points", PRICES[index % len(PRICES)]
    if slot == 6:
        return "vip_only", 0
    if slot == 3:
        return "vip_free", PRICES[(index + 2) % len(PRICES)]
    return "free", 0


def ensure_plans() -> int:
    """The VIP plans, when the site has none yet; how many were created."""
    if VipPlan.objects.exists():
        return 0
    for position, (name, days, price) in enumerate(PLANS):
        VipPlan.objects.create(name=name, days=days, price=price, position=position)
    return len(PLANS)


def ensure_reader() -> tuple[User, str]:
    """A reader who can log in and has points to spend; the new password, or "" when
    the account existed already (its password is not changed)."""
    user, created = User.objects.get_or_create(
        username=READER, defaults={"first_name": "读者", "email": "reader@demo.invalid"}
    )
    if not created:
        return user, ""
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save(update_fields=["password"])
    domain.adjust(user, READER_POINTS, note="demo")
    return user, password
