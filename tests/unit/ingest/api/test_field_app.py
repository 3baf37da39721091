"""The field app's files as the gateway serves them: the service worker knows the whole
shell and a version made from it, every reference between the files resolves, the
schema the form is built from is the committed one, and a unit sees its own regions."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from safetywatch.config.area import load_area
from safetywatch.ingest.api.field_app import APP_HEADERS, AppFile, load_app
from safetywatch.ingest.api.units import SCHEMAS, unit_document
from safetywatch.regions.levels import Level
from safetywatch.units.tokens import Unit
from tests.paths import ROOT

APP_DIR = ROOT / "services" / "safetywatch" / "ingest" / "field_app"
AREA = load_area()


def _shell(files: dict[str, AppFile]) -> tuple[str, list[str]]:
    worker = files["sw.js"].body.decode()
    found = [re.search(rf"const {name} = (.+);", worker) for name in ("VERSION", "SHELL")]
    version, shell = (json.loads(match.group(1)) for match in found if match is not None)
    return version, shell


def test_the_service_worker_caches_every_file_the_app_uses_and_nothing_else():
    files = load_app(APP_DIR)
    version, shell = _shell(files)
    assert len(version) == 16
    on_disk = {str(p.relative_to(APP_DIR)) for p in APP_DIR.rglob("*") if p.is_file()}
    notes = {"vendor/README.md", "vendor/jsQR.LICENSE"}  # beside the code, not served
    assert set(shell) == {"./"} | (on_disk - {"sw.js", "index.html"} - notes)
    assert notes <= on_disk
    assert not notes & set(files)
    assert all(not name.startswith("/") and "v1" not in name for name in shell)


def test_a_changed_file_is_a_new_version(tmp_path: Path):
    copy = tmp_path / "field_app"
    shutil.copytree(APP_DIR, copy)
    before, _ = _shell(load_app(copy))
    (copy / "app.css").write_text((copy / "app.css").read_text() + "\n/* changed */\n")
    after, _ = _shell(load_app(copy))
    assert before != after


def test_every_import_and_reference_between_the_files_resolves():
    for script in APP_DIR.rglob("*.js"):
        text = script.read_text("utf-8")
        for target in re.findall(r'(?:from |import\()"(\.[^"]+)"', text):
            assert (script.parent / target).resolve().is_file(), f"{script.name} imports {target}"
    page = (APP_DIR / "index.html").read_text("utf-8")
    for target in re.findall(r'(?:href|src)="([^"#]+)"', page):
        assert (APP_DIR / target).is_file(), f"index.html refers to {target}"
    manifest = json.loads((APP_DIR / "manifest.webmanifest").read_text("utf-8"))
    for icon in manifest["icons"]:
        assert (APP_DIR / icon["src"]).is_file(), icon


def test_no_inline_script_or_style_that_the_policy_would_refuse():
    page = (APP_DIR / "index.html").read_text("utf-8")
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert "style=" not in page
    assert "<style" not in page
    assert "script-src 'self'" in APP_HEADERS["Content-Security-Policy"]
    for script in APP_DIR.rglob("*.js"):
        assert ".innerHTML =" not in script.read_text("utf-8"), script.name


def test_the_served_report_schema_is_the_committed_file():
    name = "incident-report.v1.schema.json"
    assert SCHEMAS[name] == (ROOT / "schemas" / name).read_text("utf-8")


def test_a_unit_is_offered_the_regions_it_covers_and_no_other():
    county = unit_document(Unit("zhongshan", ("520201",), Level.COUNTY), AREA)
    assert [choice["code"] for choice in county["choices"]] == ["520201"]
    assert county["office"] == "钟山区应急管理局"
    assert county["area"]["time_zone"] == "Asia/Shanghai"
    city = unit_document(Unit("liupanshui", ("5202",), Level.CITY), AREA)
    assert {choice["code"] for choice in city["choices"]} == AREA.region_codes
    assert city["level_name"] == "市级"
    assert [c["value"] for c in city["categories"]][:2] == ["coal_mine", "metal_nonmetal_mine"]
