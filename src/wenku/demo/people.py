"""The demo's uploaders and the public addresses they upload from.

Each uploader lives somewhere: their uploads come from addresses of a large
carrier block in that province (checked against the ip2region data by the
tests), so document pages show 发布于四川, 发布于广东 … as on a real site.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from wenku.accounts.models import User
from wenku.demo.phrases import Pick


@dataclass(frozen=True)
class Uploader:
    username: str
    first_name: str
    place: str  # what the document page should show
    networks: tuple[str, ...]


UPLOADERS: tuple[Uploader, ...] = (
    Uploader("chen_laoshi", "陈老师", "四川", ("125.70.0.0/15",)),
    Uploader("lin_xiaoyu", "林晓雨", "广东", ("113.108.0.0/16", "183.232.0.0/16")),
    Uploader("wang_jianguo", "王建国", "北京", ("123.112.0.0/14",)),
    Uploader("zhao_hr", "赵敏", "上海", ("116.224.0.0/12",)),
    Uploader("liu_tech", "刘工", "浙江", ("115.192.0.0/13",)),
    Uploader("sun_wenshu", "孙文书", "湖北", ("59.172.0.0/15",)),
    Uploader("zhou_jiaoyan", "周教研", "山东", ("60.208.0.0/13",)),
    Uploader("emma_w", "Emma", "香港", ("203.198.0.0/16",)),
    Uploader("dan_reed", "Daniel", "美国", ("73.0.0.0/10",)),
)
BY_NAME = {u.username: u for u in UPLOADERS}


def upload_ip(uploader: Uploader, pick: Pick) -> str:
    """A host address inside one of the uploader's carrier blocks."""
    network = ipaddress.ip_network(pick.one(uploader.networks))
    offset = pick.num(256, network.num_addresses - 257)  # not the block's first or last /24
    return str(network.network_address + offset)


def ensure_uploaders() -> dict[str, User]:
    """The demo accounts, created when missing; they cannot log in (unusable passwords)."""
    users = {}
    for uploader in UPLOADERS:
        user, created = User.objects.get_or_create(
            username=uploader.username, defaults={"first_name": uploader.first_name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users[uploader.username] = user
    return users
