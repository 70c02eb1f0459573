"""The uploader's province ("2024-03-10 发布于四川"), looked up offline in ip2region data.

``province(ip)`` answers with a short Chinese name: a province or region of China
(四川, 广东, 北京, 内蒙古, 香港 …), a country name for addresses abroad (美国), 本地 for
loopback, 局域网 for private and link-local addresses, and "" when it does not know —
no data file, an address the data does not place, or not an address at all. It
never guesses.

Data files (``WENKU_IP2REGION_DB``, else the one ``wenku geo update`` installs):
- ip2region's original ``.db`` format (IPv4), as shipped in the npm package
  ``dy-node-ip2region`` and older ip2region releases;
- ip2region's ``.xdb`` format, structure 2.0 (IPv4) and 3.0 (IPv4 or IPv6 files).
Several files may be given (say an IPv4 and an IPv6 ``.xdb``); each address is
looked up in the files of its family, first answer wins.

A file is memory-mapped once per process, on first use; a lookup is a binary
search over the mapped index and allocates almost nothing (see docs/operations.md
for the measured time). Files are read-only after loading, so lookups are
thread-safe.
"""

from __future__ import annotations

import bisect
import ipaddress
import logging
import mmap
import re
import struct
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

from django.utils.translation import gettext

from wenku.config import conf

log = logging.getLogger(__name__)


def gettext_noop(message: str) -> str:
    """Marks a name for translation (makemessages finds it by this name) without touching
    Django: `wenku geo update` imports this module before settings exist."""
    return message


LOCAL = "本地"
LAN = "局域网"
DEFAULT_FILE_NAME = "ip2region.db"

_LAN_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",  # link-local
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
    )
)
# Values the data sets use for "no data" in a field.
_UNKNOWN = frozenset({"", "0", "保留", "未知", "内网IP", "局域网", "本机地址", "本地"})
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ISO_CODE = re.compile(r"[A-Z]{2}")
# Longest first: 广西壮族自治区 → 广西, 黑龙江省 → 黑龙江, 北京市 → 北京, 香港特别行政区 → 香港.
_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)
_SPECIAL_REGIONS = {"HK": "香港", "MO": "澳门", "TW": "台湾"}
# ip2region's newer data names countries abroad in English with an ISO code; these are
# the names a Chinese reader expects for the countries uploads mostly come from.
_COUNTRIES = {
    "US": "美国", "JP": "日本", "KR": "韩国", "SG": "新加坡", "GB": "英国", "DE": "德国",
    "FR": "法国", "CA": "加拿大", "AU": "澳大利亚", "NZ": "新西兰", "RU": "俄罗斯",
    "IN": "印度", "MY": "马来西亚", "TH": "泰国", "VN": "越南", "PH": "菲律宾",
    "ID": "印度尼西亚", "NL": "荷兰", "IT": "意大利", "ES": "西班牙", "CH": "瑞士",
    "SE": "瑞典", "NO": "挪威", "FI": "芬兰", "DK": "丹麦", "IE": "爱尔兰", "BE": "比利时",
    "AT": "奥地利", "PL": "波兰", "PT": "葡萄牙", "BR": "巴西", "MX": "墨西哥",
    "AR": "阿根廷", "ZA": "南非", "EG": "埃及", "AE": "阿联酋", "SA": "沙特阿拉伯",
    "TR": "土耳其", "IL": "以色列", "UA": "乌克兰", "KZ": "哈萨克斯坦", "MN": "蒙古",
    "KH": "柬埔寨", "LA": "老挝", "MM": "缅甸", "PK": "巴基斯坦", "BD": "孟加拉国",
    "NP": "尼泊尔", "LK": "斯里兰卡",
}  # fmt: skip


# Every name ``province`` can return, in English (the catalogue turns them back into
# Chinese): the page shows the place in the reader's language.
_ENGLISH = {
    "北京": gettext_noop("Beijing"),
    "天津": gettext_noop("Tianjin"),
    "河北": gettext_noop("Hebei"),
    "山西": gettext_noop("Shanxi"),
    "内蒙古": gettext_noop("Inner Mongolia"),
    "辽宁": gettext_noop("Liaoning"),
    "吉林": gettext_noop("Jilin"),
    "黑龙江": gettext_noop("Heilongjiang"),
    "上海": gettext_noop("Shanghai"),
    "江苏": gettext_noop("Jiangsu"),
    "浙江": gettext_noop("Zhejiang"),
    "安徽": gettext_noop("Anhui"),
    "福建": gettext_noop("Fujian"),
    "江西": gettext_noop("Jiangxi"),
    "山东": gettext_noop("Shandong"),
    "河南": gettext_noop("Henan"),
    "湖北": gettext_noop("Hubei"),
    "湖南": gettext_noop("Hunan"),
    "广东": gettext_noop("Guangdong"),
    "广西": gettext_noop("Guangxi"),
    "海南": gettext_noop("Hainan"),
    "重庆": gettext_noop("Chongqing"),
    "四川": gettext_noop("Sichuan"),
    "贵州": gettext_noop("Guizhou"),
    "云南": gettext_noop("Yunnan"),
    "西藏": gettext_noop("Tibet"),
    "陕西": gettext_noop("Shaanxi"),
    "甘肃": gettext_noop("Gansu"),
    "青海": gettext_noop("Qinghai"),
    "宁夏": gettext_noop("Ningxia"),
    "新疆": gettext_noop("Xinjiang"),
    "香港": gettext_noop("Hong Kong"),
    "澳门": gettext_noop("Macao"),
    "台湾": gettext_noop("Taiwan"),
    "中国": gettext_noop("China"),
    LOCAL: gettext_noop("this computer"),
    LAN: gettext_noop("a local network"),
    "美国": gettext_noop("the United States"),
    "日本": gettext_noop("Japan"),
    "韩国": gettext_noop("South Korea"),
    "新加坡": gettext_noop("Singapore"),
    "英国": gettext_noop("the United Kingdom"),
    "德国": gettext_noop("Germany"),
    "法国": gettext_noop("France"),
    "加拿大": gettext_noop("Canada"),
    "澳大利亚": gettext_noop("Australia"),
    "新西兰": gettext_noop("New Zealand"),
    "俄罗斯": gettext_noop("Russia"),
    "印度": gettext_noop("India"),
    "马来西亚": gettext_noop("Malaysia"),
    "泰国": gettext_noop("Thailand"),
    "越南": gettext_noop("Vietnam"),
    "菲律宾": gettext_noop("the Philippines"),
    "印度尼西亚": gettext_noop("Indonesia"),
    "荷兰": gettext_noop("the Netherlands"),
    "意大利": gettext_noop("Italy"),
    "西班牙": gettext_noop("Spain"),
    "瑞士": gettext_noop("Switzerland"),
    "瑞典": gettext_noop("Sweden"),
    "挪威": gettext_noop("Norway"),
    "芬兰": gettext_noop("Finland"),
    "丹麦": gettext_noop("Denmark"),
    "爱尔兰": gettext_noop("Ireland"),
    "比利时": gettext_noop("Belgium"),
    "奥地利": gettext_noop("Austria"),
    "波兰": gettext_noop("Poland"),
    "葡萄牙": gettext_noop("Portugal"),
    "巴西": gettext_noop("Brazil"),
    "墨西哥": gettext_noop("Mexico"),
    "阿根廷": gettext_noop("Argentina"),
    "南非": gettext_noop("South Africa"),
    "埃及": gettext_noop("Egypt"),
    "阿联酋": gettext_noop("the United Arab Emirates"),
    "沙特阿拉伯": gettext_noop("Saudi Arabia"),
    "土耳其": gettext_noop("Turkey"),
    "以色列": gettext_noop("Israel"),
    "乌克兰": gettext_noop("Ukraine"),
    "哈萨克斯坦": gettext_noop("Kazakhstan"),
    "蒙古": gettext_noop("Mongolia"),
    "柬埔寨": gettext_noop("Cambodia"),
    "老挝": gettext_noop("Laos"),
    "缅甸": gettext_noop("Myanmar"),
    "巴基斯坦": gettext_noop("Pakistan"),
    "孟加拉国": gettext_noop("Bangladesh"),
    "尼泊尔": gettext_noop("Nepal"),
    "斯里兰卡": gettext_noop("Sri Lanka"),
}


def place_name(name: str) -> str:
    """A place ``province`` returned, in the active language (四川 → Sichuan in English);
    a name it does not know stays as it is."""
    english = _ENGLISH.get(name)
    return gettext(english) if english else name


class GeoDataError(ValueError):
    """A file is not ip2region data Wenku can read."""


def default_path() -> Path:
    """Where ``wenku geo update`` installs the data: beside the installation, not the site.

    One file serves every data folder of this installation (tests use a fresh data
    folder each), and it is install-time data that a backup need not carry.
    """
    return Path(sys.prefix) / "share" / "wenku" / DEFAULT_FILE_NAME


def configured_paths(value: Sequence[str] | str | None) -> tuple[Path, ...]:
    """The data files a ``WENKU_IP2REGION_DB`` value names (empty: the default file)."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    paths = tuple(Path(v).expanduser() for v in (value or ()) if v)
    return paths or (default_path(),)


# --- readers


class Reader(Protocol):
    path: Path
    family: int  # 4 or 6
    records: int
    kind: str

    def search(self, packed: bytes) -> str:
        """The raw region string of a packed address ("" when the file does not place it)."""


def _map(path: Path) -> mmap.mmap:
    with open(path, "rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


class DbReader:
    """ip2region's original ``.db`` (IPv4 only).

    Layout: two little-endian u32 (first and last index block offsets), then data;
    index blocks are 12 bytes: start IP, end IP, and a pointer whose low 24 bits are
    the data offset and high 8 bits its length; data is a u32 city id + the region.
    The start addresses are copied once into an array so that ``bisect`` (in C) finds
    the block.
    """

    family = 4
    kind = "ip2region .db"

    def __init__(self, path: Path, buf: mmap.mmap) -> None:
        self.path = path
        self._buf = buf
        if len(buf) < 8:
            raise GeoDataError(f"{path}: too short for ip2region data")
        first, last = struct.unpack_from("<II", buf, 0)
        if not (8 <= first <= last and last + 12 <= len(buf) and (last - first) % 12 == 0):
            raise GeoDataError(f"{path}: not an ip2region .db file")
        self._first = first
        self.records = (last - first) // 12 + 1
        index = array("I")
        index.frombytes(buf[first : last + 12])
        if sys.byteorder == "big":
            index.byteswap()
        self._starts = index[0::3]

    def search(self, packed: bytes) -> str:
        if len(packed) != 4:
            return ""
        (ip,) = struct.unpack(">I", packed)
        i = bisect.bisect_right(self._starts, ip) - 1
        if i < 0:
            return ""
        _, end, ptr = struct.unpack_from("<III", self._buf, self._first + i * 12)
        if ip > end:
            return ""
        offset, length = ptr & 0xFFFFFF, ptr >> 24
        if length <= 4:
            return ""
        return self._buf[offset + 4 : offset + length].decode("utf-8", "replace")


class XdbReader:
    """ip2region's ``.xdb`` (structure 2.0: IPv4; 3.0: IPv4 or IPv6).

    Layout: a 256-byte header (u16 structure version, u16 index policy, u32 created,
    u32 first and last segment offsets, and for 3.0 a u16 IP version), a vector index
    of 256×256 (start, end) u32 pairs keyed by the address's first two bytes, then
    segments: start IP, end IP (IPv4: little-endian u32; IPv6: 16 big-endian bytes),
    u16 data length, u32 data offset.
    """

    kind = "ip2region .xdb"
    _HEADER = 256
    _VECTOR = 256 * 256 * 8

    def __init__(self, path: Path, buf: mmap.mmap) -> None:
        self.path = path
        self._buf = buf
        if len(buf) < self._HEADER + self._VECTOR:
            raise GeoDataError(f"{path}: too short for an .xdb file")
        version, _, _, first, last = struct.unpack_from("<HHIII", buf, 0)
        if version == 2:
            self.family = 4
        elif version == 3:
            ip_version = struct.unpack_from("<H", buf, 16)[0]
            if ip_version not in (4, 6):
                raise GeoDataError(f"{path}: unknown IP version {ip_version}")
            self.family = ip_version
        else:
            raise GeoDataError(f"{path}: unsupported .xdb structure version {version}")
        self._width = 4 if self.family == 4 else 16
        self._size = 2 * self._width + 6
        if not (first <= last and last + self._size <= len(buf)):
            raise GeoDataError(f"{path}: damaged .xdb index")
        self.records = (last - first) // self._size + 1
        self._last = last

    def search(self, packed: bytes) -> str:
        if len(packed) != self._width:
            return ""
        vector = self._HEADER + (packed[0] * 256 + packed[1]) * 8
        start, end = struct.unpack_from("<II", self._buf, vector)
        if start == 0:  # no segment starts with these two bytes
            return ""
        found = (
            self._find4(packed, start, end) if self.family == 4 else self._find6(packed, start, end)
        )
        if found < 0:
            return ""
        length, offset = struct.unpack_from("<HI", self._buf, found + 2 * self._width)
        return self._buf[offset : offset + length].decode("utf-8", "replace")

    def _find4(self, packed: bytes, start: int, end: int) -> int:
        (ip,) = struct.unpack(">I", packed)
        # The vector's end may point one segment past its block: never read past the last.
        low, high = 0, (min(end, self._last) - start) // self._size
        while low <= high:
            middle = (low + high) // 2
            at = start + middle * self._size
            first, last = struct.unpack_from("<II", self._buf, at)
            if ip < first:
                high = middle - 1
            elif ip > last:
                low = middle + 1
            else:
                return at
        return -1

    def _find6(self, packed: bytes, start: int, end: int) -> int:
        # The vector's end may point one segment past its block: never read past the last.
        low, high = 0, (min(end, self._last) - start) // self._size
        while low <= high:
            middle = (low + high) // 2
            at = start + middle * self._size
            if packed < self._buf[at : at + 16]:
                high = middle - 1
            elif packed > self._buf[at + 16 : at + 32]:
                low = middle + 1
            else:
                return at
        return -1


def open_reader(path: Path) -> Reader:
    """Open one data file, recognising its format from its bytes."""
    buf = _map(path)
    version, policy = struct.unpack_from("<HH", buf, 0) if len(buf) >= 4 else (0, 0)
    if version in (2, 3) and policy in (1, 2):
        return XdbReader(path, buf)
    return DbReader(path, buf)


# --- region strings → short names


def short_name(region: str) -> str:
    """The name to show for one ip2region region string ("" when it places nothing).

    Three layouts exist: ``国家|区域|省份|城市|ISP`` (ip2region before 2025, "0" for
    unknown), the same with a continent in the second field and empty unknowns
    (dy-node-ip2region), and ``国家|省份|城市|ISP|ISO代码`` (ip2region from 2025, with
    countries abroad named in English).
    """
    fields = [f.strip() for f in region.split("|")]
    if len(fields) == 5 and _ISO_CODE.fullmatch(fields[4]):
        return _from_coded(fields[0], fields[1], fields[4])
    if len(fields) < 3:
        return ""
    country, place = fields[0], fields[2]
    if country in _UNKNOWN or not _CJK.search(country):
        return ""  # "GoogleDNS", "保留": not a place
    if country == "中国":
        return _short_province(place) or country
    return country


def _from_coded(country: str, place: str, code: str) -> str:
    if code in _SPECIAL_REGIONS:
        return _SPECIAL_REGIONS[code]
    if code == "CN":
        return _short_province(place) or "中国"
    if code in _COUNTRIES:
        return _COUNTRIES[code]
    return "" if country in _UNKNOWN else country


def _short_province(name: str) -> str:
    if name in _UNKNOWN:
        return ""
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# --- lookups


@dataclass(frozen=True)
class FileStatus:
    path: Path
    ok: bool
    detail: str


class Geo:
    """The data files of one configuration, opened; files that fail to open are skipped."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.readers: list[Reader] = []
        self.status: list[FileStatus] = []
        for path in paths:
            try:
                reader = open_reader(path)
            except FileNotFoundError:
                self.status.append(FileStatus(path, False, "missing"))
                continue
            except (OSError, ValueError, struct.error) as exc:
                log.warning("ip2region data %s not usable: %s", path, exc)
                self.status.append(FileStatus(path, False, str(exc)))
                continue
            self.readers.append(reader)
            detail = f"{reader.kind}, IPv{reader.family}, {reader.records:,} ranges"
            self.status.append(FileStatus(path, True, detail))
        # Pages show the same few uploaders' addresses again and again.
        self.province = lru_cache(maxsize=65536)(self._province)  # type: ignore[method-assign]

    def province(self, ip: str | None) -> str:
        """Short place name for an IP address ("" when unknown)."""
        return self._province(ip)

    def _province(self, ip: str | None) -> str:
        try:
            addr = ipaddress.ip_address((ip or "").strip())
        except ValueError:
            return ""
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        if addr.is_loopback:
            return LOCAL
        if any(addr in network for network in _LAN_NETWORKS):
            return LAN
        if not addr.is_global:
            return ""
        packed = addr.packed
        for reader in self.readers:
            if reader.family == addr.version:
                region = reader.search(packed)
                if region:
                    return short_name(region)
        return ""


@cache
def _geo(paths: tuple[Path, ...]) -> Geo:
    return Geo(paths)


def get_geo() -> Geo:
    """The data files the settings name, opened once per process."""

    return _geo(configured_paths(conf().ip2region_db))


def province(ip: str | None) -> str:
    """Short place name for an IP address: 四川, 香港, 美国, 本地, 局域网, or "" if unknown."""
    return get_geo().province(ip)


def reset() -> None:
    """Forget opened files (after ``wenku geo update``, or in tests that change the setting)."""
    _geo.cache_clear()
