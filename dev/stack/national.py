"""A national-scale area for the benchmark: the 31 province-level divisions with their
real GB/T 2260 codes and names, and under each ten generated prefecture-level cities of
nine counties (2,790 counties in all, about the country's 2,844). The cities' and
counties' codes follow the standard's shape (PPCC00, PPCCNN); their names are made up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PROVINCES = (
    ("110000", "北京市", "Beijing"),
    ("120000", "天津市", "Tianjin"),
    ("130000", "河北省", "Hebei"),
    ("140000", "山西省", "Shanxi"),
    ("150000", "内蒙古自治区", "Inner Mongolia"),
    ("210000", "辽宁省", "Liaoning"),
    ("220000", "吉林省", "Jilin"),
    ("230000", "黑龙江省", "Heilongjiang"),
    ("310000", "上海市", "Shanghai"),
    ("320000", "江苏省", "Jiangsu"),
    ("330000", "浙江省", "Zhejiang"),
    ("340000", "安徽省", "Anhui"),
    ("350000", "福建省", "Fujian"),
    ("360000", "江西省", "Jiangxi"),
    ("370000", "山东省", "Shandong"),
    ("410000", "河南省", "Henan"),
    ("420000", "湖北省", "Hubei"),
    ("430000", "湖南省", "Hunan"),
    ("440000", "广东省", "Guangdong"),
    ("450000", "广西壮族自治区", "Guangxi"),
    ("460000", "海南省", "Hainan"),
    ("500000", "重庆市", "Chongqing"),
    ("510000", "四川省", "Sichuan"),
    ("520000", "贵州省", "Guizhou"),
    ("530000", "云南省", "Yunnan"),
    ("540000", "西藏自治区", "Tibet"),
    ("610000", "陕西省", "Shaanxi"),
    ("620000", "甘肃省", "Gansu"),
    ("630000", "青海省", "Qinghai"),
    ("640000", "宁夏回族自治区", "Ningxia"),
    ("650000", "新疆维吾尔自治区", "Xinjiang"),
)
SERIOUS_INCIDENT = {
    "name": "serious_incident",
    "kind": "grade",
    "min_grade": "relatively_serious",
    "severity": "critical",
    "near_misses": True,
    "hold_hours": 24,
}
CITIES_PER_PROVINCE = 10
COUNTIES_PER_CITY = 9


def national_area() -> dict[str, Any]:
    """The area YAML as data: counts by province in the metrics (31 regions)."""
    regions: list[dict[str, str]] = [{"code": "000000", "name": "全国", "name_en": "China"}]
    for code, name, name_en in PROVINCES:
        regions.append({"code": code, "name": name, "name_en": name_en, "parent": "000000"})
        for city in range(1, CITIES_PER_PROVINCE + 1):
            city_code = f"{code[:2]}{city:02d}00"
            regions.append({"code": city_code, "name": f"{name}第{city}市", "parent": code})
            for county in range(1, COUNTIES_PER_CITY + 1):
                regions.append(
                    {
                        "code": f"{city_code[:4]}{county:02d}",
                        "name": f"{name}第{city}市第{county}县",
                        "parent": city_code,
                    }
                )
    return {
        "time_zone": "Asia/Shanghai",
        "metrics": {"region_level": "province"},
        "regions": regions,
        "rules": [SERIOUS_INCIDENT],
    }


def national_counties() -> list[str]:
    return [r["code"] for r in national_area()["regions"] if not r["code"].endswith("00")]


def write_national_area(path: Path) -> Path:
    path.write_text(yaml.safe_dump(national_area(), allow_unicode=True), encoding="utf-8")
    return path
