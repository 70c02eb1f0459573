"""The uploader's province, from the real ip2region data and from small files made here.

The real data file is installed by `make test` (`wenku geo update`); CI always has
it. Without it the tests that need it fail and say how to get it, rather than skip.
"""

from __future__ import annotations

import base64
import hashlib
import io
import ipaddress
import struct
import tarfile
import time
from pathlib import Path

import pytest

from wenku.core import geo
from wenku.demo.people import UPLOADERS, upload_ip
from wenku.demo.phrases import Pick


@pytest.fixture(scope="module")
def real() -> geo.Geo:
    path = geo.default_path()
    found = geo.Geo([path])
    if not found.readers:
        pytest.fail(
            f"ip2region data missing at {path} ({found.status[0].detail}): "
            "run `make test`, or `.venv/bin/wenku geo update`, to install it"
        )
    return found


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    geo.reset()
    yield
    geo.reset()


@pytest.mark.parametrize(
    ("ip", "place"),
    [
        ("61.139.2.69", "四川"),
        ("125.70.1.2", "四川"),
        ("113.108.3.4", "广东"),
        ("183.232.231.172", "广东"),
        ("123.112.5.6", "北京"),
        ("202.106.0.20", "北京"),
        ("116.224.1.1", "上海"),
        ("115.192.1.1", "浙江"),
        ("114.216.1.1", "江苏"),
        ("202.114.64.1", "湖北"),
        ("60.208.1.1", "山东"),
        ("171.8.1.1", "河南"),
        ("222.90.1.1", "陕西"),
        ("203.198.7.7", "香港"),
        ("73.1.2.3", "美国"),
        ("::ffff:125.70.1.2", "四川"),  # IPv4-mapped IPv6, as dual-stack servers report it
        ("114.114.114.114", "中国"),  # the data places it in China, no province: not guessed
    ],
)
def test_public_addresses_with_the_real_data(real, ip, place):
    assert real.province(ip) == place


@pytest.mark.parametrize(
    ("ip", "place"),
    [
        ("127.0.0.1", "本地"),
        ("127.8.9.10", "本地"),
        ("::1", "本地"),
        ("10.1.2.3", "局域网"),
        ("172.16.0.1", "局域网"),
        ("172.31.255.254", "局域网"),
        ("192.168.1.100", "局域网"),
        ("169.254.10.20", "局域网"),
        ("fd12:3456::1", "局域网"),
        ("fe80::1", "局域网"),
        ("fe80::1%eth0", "局域网"),
        ("::ffff:192.168.1.1", "局域网"),
        ("0.0.0.0", ""),
        ("100.64.0.1", ""),  # carrier-grade NAT: neither LAN nor placeable
        ("2001:db8::1", ""),  # documentation range
        ("", ""),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_special_and_invalid_addresses(real, ip, place):
    assert real.province(ip) == place


def test_just_outside_a_private_range_is_public(real):
    assert real.province("172.32.0.1") not in ("局域网", "")


def test_demo_uploaders_come_from_their_province(real):
    """Every address the demo gives an uploader shows that uploader's place."""
    for uploader in UPLOADERS:
        for n in range(40):
            ip = upload_ip(uploader, Pick(f"test:{uploader.username}:{n}"))
            assert real.province(ip) == uploader.place, (uploader.username, ip)


def test_province_reads_the_configured_file(real, settings):
    settings.WENKU = settings.WENKU.replace(ip2region_db=[])
    assert geo.province("125.70.1.2") == "四川"  # the default file
    settings.WENKU = settings.WENKU.replace(ip2region_db=[str(real.readers[0].path)])
    geo.reset()
    assert geo.province("125.70.1.2") == "四川"


def test_no_data_shows_nothing_but_still_knows_local_addresses(settings, tmp_path):
    settings.WENKU = settings.WENKU.replace(ip2region_db=[str(tmp_path / "missing.db")])
    assert geo.province("125.70.1.2") == ""
    assert geo.province("127.0.0.1") == "本地"
    assert geo.province("192.168.0.9") == "局域网"
    assert geo.get_geo().status[0].detail == "missing"


def test_a_damaged_file_shows_nothing(settings, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00\x01" * 100)
    settings.WENKU = settings.WENKU.replace(ip2region_db=[str(bad)])
    assert geo.province("125.70.1.2") == ""
    assert not geo.get_geo().status[0].ok


def test_lookups_are_fast(real):
    """Measured per lookup over distinct addresses (cache defeated), printed for the docs."""
    addresses = [
        f"{a}.{b}.{c}.7"
        for a in (1, 36, 61, 113, 125, 202)
        for b in range(40)
        for c in range(0, 250, 25)
    ]
    fresh = geo.Geo([real.readers[0].path])
    started = time.perf_counter()
    for ip in addresses:
        fresh.province(ip)
    per_lookup = (time.perf_counter() - started) / len(addresses) * 1e6
    print(f"ip2region lookup: {per_lookup:.1f} µs per address ({len(addresses)} addresses)")
    assert per_lookup < 100


# --- formats, with small files made here


def test_region_string_layouts():
    assert geo.short_name("中国|0|四川省|成都市|电信") == "四川"  # ip2region before 2025
    assert geo.short_name("中国|0|广西壮族自治区|南宁市|联通") == "广西"
    assert geo.short_name("中国|0|黑龙江省|哈尔滨市|移动") == "黑龙江"
    assert geo.short_name("中国|0|香港特别行政区|0|0") == "香港"
    assert geo.short_name("中国|0|0|0|0") == "中国"
    assert geo.short_name("美国|0|华盛顿|0|谷歌") == "美国"
    assert geo.short_name("中国|亚洲|内蒙古|呼和浩特|电信") == "内蒙古"  # dy-node-ip2region
    assert geo.short_name("GoogleDNS||||GoogleDNS") == ""
    assert geo.short_name("保留||||") == ""
    assert geo.short_name("0|0|0|内网IP|内网IP") == ""
    assert geo.short_name("中国|江苏省|南京市|0|CN") == "江苏"  # ip2region from 2025
    assert geo.short_name("中国|香港|0|0|HK") == "香港"
    assert geo.short_name("United States|California|0|Google LLC|US") == "美国"
    assert geo.short_name("Iceland|0|0|0|IS") == "Iceland"
    assert geo.short_name("") == ""


def make_db(ranges: list[tuple[str, str, str]], path: Path) -> Path:
    """An ip2region .db (v1) with these (first, last, region) IPv4 ranges, in order."""
    data = bytearray(8)
    pointers = []
    for _, _, region in ranges:
        encoded = struct.pack("<I", 0) + region.encode()
        pointers.append((len(encoded) << 24) | len(data))
        data += encoded
    first = len(data)
    for (start, end, _), pointer in zip(ranges, pointers, strict=True):
        first_ip, last_ip = ipaddress.IPv4Address(start), ipaddress.IPv4Address(end)
        data += struct.pack("<III", int(first_ip), int(last_ip), pointer)
    struct.pack_into("<II", data, 0, first, len(data) - 12)
    path.write_bytes(bytes(data))
    return path


def make_xdb(ranges: list[tuple[str, str, str]], path: Path, *, version: int) -> Path:
    """An .xdb with these ranges, each within one /16 (IPv4) or first-two-bytes block (IPv6)."""
    v6 = ":" in ranges[0][0]
    header = bytearray(256)
    vector = bytearray(256 * 256 * 8)
    data = bytearray()
    base = len(header) + len(vector)
    offsets = []
    for _, _, region in ranges:
        offsets.append(base + len(data))
        data += region.encode()
    segments = bytearray()
    start_of_segments = base + len(data)
    for (first, last, region), offset in zip(ranges, offsets, strict=True):
        at = start_of_segments + len(segments)
        a, b = ipaddress.ip_address(first), ipaddress.ip_address(last)
        if v6:
            segments += a.packed + b.packed
        else:
            segments += struct.pack("<II", int(a), int(b))
        segments += struct.pack("<HI", len(region.encode()), offset)
        key = (a.packed[0] * 256 + a.packed[1]) * 8
        old_start = struct.unpack_from("<I", vector, key)[0]
        struct.pack_into("<II", vector, key, old_start or at, at + (38 if v6 else 14))
    end = start_of_segments + len(segments) - (38 if v6 else 14)
    struct.pack_into("<HHIII", header, 0, version, 1, 1700000000, start_of_segments, end)
    if version == 3:
        struct.pack_into("<HH", header, 16, 6 if v6 else 4, 4)
    path.write_bytes(bytes(header + vector + data + segments))
    return path


def test_db_format(tmp_path):
    path = make_db(
        [
            ("1.0.0.0", "1.0.0.255", "澳大利亚|0|0|0|0"),
            ("1.0.1.0", "1.0.3.255", "中国|0|福建省|福州市|电信"),
            ("1.0.8.0", "1.0.15.255", "中国|0|广东省|广州市|电信"),
        ],
        tmp_path / "small.db",
    )
    small = geo.Geo([path])
    assert small.status[0].detail == "ip2region .db, IPv4, 3 ranges"
    addresses = ("1.0.0.9", "1.0.2.1", "1.0.9.9", "1.0.5.5", "0.9.9.9")
    assert [small.province(ip) for ip in addresses] == ["澳大利亚", "福建", "广东", "", ""]


def test_xdb_ipv4_and_ipv6_files_together(tmp_path):
    v4 = make_xdb(
        [
            ("36.0.0.0", "36.0.255.255", "中国|0|安徽省|合肥市|电信"),
            ("58.16.0.0", "58.16.127.255", "中国|0|贵州省|贵阳市|联通"),
            ("58.16.128.0", "58.16.255.255", "中国|0|贵州省|遵义市|联通"),
        ],
        tmp_path / "v4.xdb",
        version=2,
    )
    v6 = make_xdb(
        [
            ("240e:300::", "240e:3ff:ffff:ffff:ffff:ffff:ffff:ffff", "中国|四川省|成都市|电信|CN"),
            ("2408:8000::", "2408:80ff:ffff:ffff:ffff:ffff:ffff:ffff", "中国|北京|北京市|联通|CN"),
            ("2a03:2880::", "2a03:2880:ffff:ffff:ffff:ffff:ffff:ffff", "United States|0|0|Meta|US"),
        ],
        tmp_path / "v6.xdb",
        version=3,
    )
    both = geo.Geo([v4, v6])
    assert [s.detail for s in both.status] == [
        "ip2region .xdb, IPv4, 3 ranges",
        "ip2region .xdb, IPv6, 3 ranges",
    ]
    assert both.province("36.0.100.1") == "安徽"
    assert both.province("58.16.200.1") == "贵州"
    assert both.province("58.17.0.1") == ""  # no segment starts with these two bytes
    assert both.province("240e:388:1::5") == "四川"
    assert both.province("2408:8100::1") == ""  # same first two bytes, no segment
    assert both.province("2408:80aa::1") == "北京"
    assert both.province("2a03:2880:f003::1") == "美国"
    assert both.province("2001:4860::1") == ""


def test_configured_paths():
    assert geo.configured_paths("") == (geo.default_path(),)
    assert geo.configured_paths([]) == (geo.default_path(),)
    assert geo.configured_paths("a.xdb, b.xdb") == (Path("a.xdb"), Path("b.xdb"))


# --- installing the data (no network: the tarball is made here)


def fake_package(tmp_path: Path, data: bytes) -> Path:
    tarball = tmp_path / "pkg.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name, payload in (("package/package.json", b"{}"), ("package/data/ip2region.db", data)):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return tarball


def integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def test_install_checks_the_tarball_and_installs_its_data(tmp_path, monkeypatch):
    from wenku.cli import geo as geo_cli

    db = make_db([("1.0.1.0", "1.0.3.255", "中国|0|福建省|福州市|电信")], tmp_path / "src.db")
    tarball = fake_package(tmp_path, db.read_bytes())
    target = tmp_path / "share" / "ip2region.db"
    with pytest.raises(geo_cli.InstallError, match=r"is not dy-node-ip2region@1\.0\.1"):
        geo_cli.install(target, tarball)  # not the published package
    assert not target.exists()
    monkeypatch.setattr(geo_cli, "INTEGRITY", integrity(tarball))
    assert geo_cli.install(target, tarball) == "ip2region .db, IPv4, 1 ranges"
    assert geo.Geo([target]).province("1.0.2.3") == "福建"
    assert [p.name for p in target.parent.iterdir()] == ["ip2region.db"]  # no leftovers


def test_install_refuses_a_package_whose_data_is_not_ip2region(tmp_path, monkeypatch):
    from wenku.cli import geo as geo_cli

    tarball = fake_package(tmp_path, b"not ip data at all")
    monkeypatch.setattr(geo_cli, "INTEGRITY", integrity(tarball))
    target = tmp_path / "ip2region.db"
    with pytest.raises(geo_cli.InstallError, match="not usable"):
        geo_cli.install(target, tarball)
    assert not any(tmp_path.glob("*ip2region.db*"))


def test_geo_update_does_nothing_when_present(real, capsys):
    from wenku.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["geo", "update"])
    assert exit_info.value.code == 0
    assert "ip2region data present" in capsys.readouterr().out


def test_doctor_reports_the_ip_data(real, settings, tmp_path):
    from wenku.cli.doctor import check_geo

    [present] = check_geo()
    assert present.ok and "ranges" in present.detail
    settings.WENKU = settings.WENKU.replace(ip2region_db=[str(tmp_path / "none.db")])
    geo.reset()
    [missing] = check_geo()
    assert not missing.ok and missing.optional and "wenku geo update" in missing.fix
