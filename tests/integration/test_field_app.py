"""The field app in a real browser: Debian's headless Chromium driven by Playwright,
against the real gateway, broker and aggregator.

A phone-sized window (360 × 780). Each test reads what a person sees and the counts
the aggregator then holds. With SAFETYWATCH_APP_SCREENSHOTS=DIR every screen is also
saved as a PNG there (docs/app/ holds the committed ones).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Geolocation,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from dev.stack import InfrastructureError, wait_until
from safetywatch.config import KafkaConnectionSettings
from safetywatch.config.area import load_area
from safetywatch.regions.levels import Level
from safetywatch.units.tokens import add_token
from tests.integration.checks import summary
from tests.integration.harness import Service, Services

pytestmark = pytest.mark.integration

AREA = load_area()
PHONE: ViewportSize = {"width": 360, "height": 780}
POSITION: Geolocation = {"latitude": 26.5947, "longitude": 104.8302}
SHOTS = os.environ.get("SAFETYWATCH_APP_SCREENSHOTS")


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise InfrastructureError(
        "Debian's chromium is not installed: dev/test installs it when it runs as "
        "root (apt-get install chromium); install it and run again"
    )


@dataclass
class Stack:
    gateway: Service
    aggregator: Service
    tokens: dict[str, str]
    browser: Browser
    tokens_file: Path


@pytest.fixture(scope="module")
def stack(services: Services) -> Iterator[Stack]:
    tokens = {
        "zhongshan": add_token(services.tokens_file, "zhongshan", ["520201"], Level.COUNTY),
        "liupanshui": add_token(services.tokens_file, "liupanshui", ["5202"], Level.CITY),
    }
    aggregator = services.start("aggregator")
    gateway = services.start("gateway", SAFETYWATCH_AGGREGATOR_URL=aggregator.url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=["--no-sandbox"]
        )
        yield Stack(gateway, aggregator, tokens, browser, services.tokens_file)
        browser.close()


@pytest.fixture(scope="module")
def services(
    kafka: KafkaConnectionSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    import asyncio
    import uuid

    from safetywatch.kafka.topic import TopicSpec, ensure_topic

    topic = f"test.app.{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topic(kafka, TopicSpec(topic)))
    started = Services(kafka, topic, tmp_path_factory.mktemp("app"))
    yield started
    started.close()


@pytest.fixture
def context(stack: Stack) -> Iterator[BrowserContext]:
    context = stack.browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation=POSITION,
        permissions=["geolocation"],
        base_url=stack.gateway.url,
    )
    context.set_default_timeout(20_000)
    yield context
    context.close()


def open_app(context: BrowserContext) -> Page:
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/app/")
    return page


def sign_in(context: BrowserContext, token: str) -> Page:
    page = open_app(context)
    page.get_by_label("单位令牌").fill(token)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="新报告")).to_be_visible()
    return page


def shot(page: Page, name: str, scroll_top: bool = True) -> None:
    if SHOTS:
        if scroll_top:
            page.evaluate("window.scrollTo(0, 0)")
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


BUSINESS = "是否生产经营性（营运车辆、单位生产经营活动）"


def file_report(page: Page, category: str, deaths: int, title: str, **extra: str) -> None:
    page.get_by_role("link", name="报告").click()
    expect(page.get_by_role("heading", name="新报告")).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value("")  # a fresh form, not the last one
    page.get_by_label("事故类别").select_option(category)
    if category in ("road_traffic", "fire"):
        page.get_by_label(BUSINESS).select_option(label="是")
    page.get_by_label("死亡人数").fill(str(deaths))
    page.get_by_label("标题").fill(title)
    for label, value in extra.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="保存并发送").click()


def queued_count_is(page: Page, count: int) -> bool:
    return len(outbox_keys(page, "queued")) == count


def road_summary(stack: Stack) -> dict[str, Any]:
    road: dict[str, Any] = summary(stack.aggregator, None, "520201")["by_category"]["road_traffic"]
    return road


def incident(stack: Stack, incident_id: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.aggregator.url}/v1/incidents/{incident_id}", timeout=10)
    return response.json() if response.status_code == 200 else {}


def outbox_keys(page: Page, status: str) -> list[str]:
    keys: list[str] = page.evaluate(
        """async (status) => {
            const db = await new Promise((ok) => { const r = indexedDB.open("safetywatch"); r.onsuccess = () => ok(r.result); });
            const all = await new Promise((ok) => { const r = db.transaction("outbox").objectStore("outbox").getAll(); r.onsuccess = () => ok(r.result); });
            return all.filter((e) => e.status === status).map((e) => e.key);
        }""",
        status,
    )
    return keys


def test_sign_in_file_a_road_accident_and_it_is_counted(stack: Stack, context: BrowserContext):
    page = open_app(context)
    shot(page, "1-sign-in")
    page.get_by_label("单位令牌").fill(stack.tokens["zhongshan"])
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="新报告")).to_be_visible()
    expect(page.locator("header .unit")).to_have_text("钟山区应急管理局 · 县级 · 520201")
    # A token for 520201 offers 520201 and nothing else.
    options = page.get_by_label("发生地区").locator("option").all_text_contents()
    assert options == ["钟山区 520201"]
    before = road_summary(stack)
    page.get_by_label("事故类别").select_option("road_traffic")
    page.get_by_label("死亡人数").fill("2")
    page.get_by_label("重伤人数").fill("1")
    page.get_by_label("标题").fill("G60 客车追尾")
    # A road accident must say whether it was of business: the app asks, and will not
    # send the report until it is answered.
    page.get_by_role("button", name="保存并发送").click()
    expect(page.locator("#e-business_related")).to_have_text("必填")
    page.get_by_label(BUSINESS).select_option(label="是")
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.get_by_label("纬度")).to_have_value("26.594700")
    expect(page.get_by_label("经度")).to_have_value("104.830200")
    shot(page, "2-report")
    page.get_by_role("button", name="保存并发送").click()
    expect(page.locator(".flash")).to_contain_text("已发送")
    wait_until(
        lambda: road_summary(stack)["deaths"] == before["deaths"] + 2, 30, "the 2 deaths counted"
    )
    assert road_summary(stack)["incidents"] == before["incidents"] + 1
    page.get_by_role("link", name="待发").click()
    expect(page.locator("li.entry.sent")).to_contain_text("分区")
    shot(page, "3-outbox")


def test_offline_reports_wait_on_the_phone_and_are_delivered_once(
    stack: Stack, context: BrowserContext
):
    page = sign_in(context, stack.tokens["zhongshan"])
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    before = road_summary(stack)
    context.set_offline(True)
    # The switch reaches the browser's network a moment later: wait until a request fails.
    page.wait_for_function(
        "fetch('/healthz', {cache: 'no-store'}).then(() => false, () => true)", polling=200
    )
    for number, title in enumerate(["离线报告一", "离线报告二"], start=1):
        file_report(page, "road_traffic", 1, title)
        wait_until(partial(queued_count_is, page, number), 10, f"{number} queued")
        expect(page.locator(".flash")).to_contain_text("已保存")
    queued = sorted(outbox_keys(page, "queued"))
    page.reload()  # offline: the service worker serves the app
    expect(page.get_by_role("heading", name="新报告")).to_be_visible()
    expect(page.locator("nav#tabs")).to_contain_text("待发 (2)")  # the badge counts them
    page.get_by_role("link", name=re.compile("^待发")).click()
    expect(page.locator("li.entry.queued")).to_have_count(2)
    expect(page.locator("header .net")).to_contain_text("离线")
    shot(page, "4-offline-outbox")
    assert road_summary(stack)["incidents"] == before["incidents"]
    context.set_offline(False)
    expect(page.locator("li.entry.sent")).to_have_count(2, timeout=60_000)
    wait_until(
        lambda: road_summary(stack)["incidents"] == before["incidents"] + 2, 30, "both counted"
    )
    assert road_summary(stack)["deaths"] == before["deaths"] + 2
    assert sorted(outbox_keys(page, "sent")) == queued


def test_a_supplementary_report_raises_the_toll_and_the_grade(
    stack: Stack, context: BrowserContext
):
    page = sign_in(context, stack.tokens["zhongshan"])
    page.get_by_role("link", name="我的事故").click()
    page.get_by_role("link", name="G60 客车追尾").click()
    expect(page.get_by_role("heading", name="G60 客车追尾")).to_be_visible()
    shot(page, "5-incident")
    incident_id = page.url.rsplit("/", 1)[-1]
    page.get_by_role("link", name="补报 / 续报").click()
    expect(page.get_by_role("heading", name="补报 / 续报")).to_be_visible()
    expect(page.get_by_label("死亡人数")).to_have_value("2")
    expect(page.get_by_label("事故编号")).to_have_value(incident_id)
    page.get_by_label("死亡人数").fill("3")
    page.get_by_role("button", name="保存并发送").click()
    wait_until(lambda: incident(stack, incident_id).get("deaths") == 3, 30, "3 deaths")
    assert incident(stack, incident_id)["grade"] == "relatively_serious"
    assert incident(stack, incident_id)["revision"] == 2
    expect(page.get_by_role("heading", name="G60 客车追尾")).to_be_visible()
    expect(page.locator("p.grade")).to_have_text("较大事故")


def test_a_retraction_from_the_incident_page_takes_it_out_of_the_count(
    stack: Stack, context: BrowserContext
):
    page = sign_in(context, stack.tokens["zhongshan"])
    before = road_summary(stack)
    file_report(page, "road_traffic", 1, "误报：演练")
    expect(page.locator(".flash")).to_contain_text("已发送")
    wait_until(lambda: road_summary(stack)["incidents"] == before["incidents"] + 1, 30, "counted")
    page.get_by_role("link", name="我的事故").click()
    page.get_by_role("link", name="误报：演练").click()
    incident_id = page.url.rsplit("/", 1)[-1]
    page.get_by_role("button", name="撤回").click()  # the confirm dialog is accepted
    expect(page.locator(".flash")).to_contain_text("撤回已保存")
    wait_until(lambda: road_summary(stack)["incidents"] == before["incidents"], 30, "withdrawn")
    assert incident(stack, incident_id)["retracted"] is True
    expect(page.locator("li.entry.sent").first).to_contain_text("撤回")


def test_a_refusal_shows_beside_the_field_it_names(stack: Stack, context: BrowserContext):
    page = sign_in(context, stack.tokens["zhongshan"])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(AREA.zone)
    file_report(
        page, "coal_mine", 0, "时间填错", **{"发生时间": tomorrow.strftime("%Y-%m-%dT%H:%M")}
    )
    note = page.locator("#e-occurred_at")
    expect(note).to_contain_text("网关拒绝")
    expect(page.get_by_label("发生时间")).to_have_attribute("aria-invalid", "true")
    shot(page, "6-refused")
    # A field the app checks itself never leaves the phone.
    page.get_by_label("死亡人数").fill("-1")
    page.get_by_role("button", name="保存并发送").click()
    expect(page.locator("#e-deaths")).to_have_text("不能小于 0")


def test_a_city_duty_officer_confirms_the_incident_on_its_chain(
    stack: Stack, context: BrowserContext
):
    page = sign_in(context, stack.tokens["liupanshui"])
    page.get_by_role("link", name="我的事故").click()
    page.get_by_role("link", name="G60 客车追尾").click()
    incident_id = page.url.rsplit("/", 1)[-1]
    page.get_by_role("button", name="签收并上报（市级）").click()
    expect(page.locator(".actions .status")).to_have_text("已签收。")

    def city_confirmed() -> bool:
        steps = {s["level"]: s for s in incident(stack, incident_id).get("chain", [])}
        return bool(steps.get("city", {}).get("unit_id") == "liupanshui")

    wait_until(city_confirmed, 30, "the city's confirmation in the chain")


def test_the_city_desk_sees_the_alerts_of_its_jurisdiction_and_a_county_unit_has_no_such_screen(
    stack: Stack, context: BrowserContext
):
    incident_id = "520201-ALERT-1"
    occurred = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    document = {
        "incident_id": incident_id,
        "revision": 1,
        "category": "coal_mine",
        "region_code": "520201",
        "occurred_at": occurred,
        "deaths": 3,
        "title": "冒顶",
    }
    county = {"Authorization": f"Bearer {stack.tokens['zhongshan']}"}
    posted = httpx.post(f"{stack.gateway.url}/v1/incidents", json=document, headers=county)
    assert posted.status_code == 202, posted.text

    def firing() -> bool:
        active = httpx.get(f"{stack.aggregator.url}/v1/alerts", timeout=10).json()["active"]
        return any(alert["incident_id"] == incident_id for alert in active)

    wait_until(firing, 30, "the 较大 accident's alert")
    page = sign_in(context, stack.tokens["liupanshui"])
    page.get_by_role("link", name="告警").click()
    expect(page.get_by_role("heading", name="辖区告警")).to_be_visible()
    alert = page.locator("li.alert.critical", has_text=incident_id)
    expect(alert).to_contain_text("严重 · 钟山区 · 煤矿")
    shot(page, "8-alerts")
    alert.get_by_role("link").click()
    expect(page.get_by_role("heading", name="冒顶")).to_be_visible()

    # Scoped like every read: another county's unit is not shown Zhongshan's alert.
    other = add_token(stack.tokens_file, "panzhou", ["520281"], Level.COUNTY)
    theirs = httpx.get(
        f"{stack.gateway.url}/v1/my/alerts", headers={"Authorization": f"Bearer {other}"}
    )
    assert theirs.status_code == 200
    assert all(alert["region"].startswith("520281") for alert in theirs.json()["active"])
    # And a county unit's app has no alerts tab: the screen is the duty desks'.
    county_context = stack.browser.new_context(viewport=PHONE, base_url=stack.gateway.url)
    try:
        county_page = sign_in(county_context, stack.tokens["zhongshan"])
        expect(county_page.get_by_role("link", name="我的事故")).to_be_visible()
        expect(county_page.get_by_role("link", name="告警")).to_have_count(0)
    finally:
        county_context.close()


def test_every_screen_passes_axe_and_the_english_switch_works(
    stack: Stack, context: BrowserContext
):
    page = open_app(context)
    screens = {"sign-in": page.url}
    problems = {"sign-in": serious_violations(page)}
    page.get_by_label("单位令牌").fill(stack.tokens["zhongshan"])
    page.get_by_role("button", name="登录").click()
    for name, link in (
        ("report", "报告"),
        ("outbox", "待发"),
        ("incidents", "我的事故"),
        ("unit", "单位"),
    ):
        page.get_by_role("link", name=link, exact=False).first.click()
        page.wait_for_load_state("networkidle")
        screens[name] = page.url
        problems[name] = serious_violations(page)
    page.get_by_role("link", name="我的事故").click()
    page.locator("li.incident a").first.click()
    expect(page.locator("dl.facts")).to_be_visible()
    problems["incident"] = serious_violations(page)
    assert not any(problems.values()), problems
    page.get_by_role("button", name="切换到英文").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Unit").click()
    expect(page.get_by_role("heading", name="Your unit")).to_be_visible()
    shot(page, "7-unit-en")


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_app_is_locked_down_and_sign_out_wipes_the_phone(stack: Stack, context: BrowserContext):
    response = httpx.get(f"{stack.gateway.url}/app/", timeout=10)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'none'" in policy
    page = sign_in(context, stack.tokens["zhongshan"])
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    # An inline script is refused by the policy, whoever slips one in.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.append(s); }"
    )
    assert page.evaluate("window.injected") is None
    cached = page.evaluate(
        """async () => {
            const urls = [];
            for (const key of await caches.keys()) {
                for (const request of await (await caches.open(key)).keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )
    assert cached, "the service worker caches the app shell"
    assert all("/app/" in url and "/v1/" not in url for url in cached), cached
    page.get_by_role("link", name="单位").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    session = page.evaluate(
        """async () => {
            const db = await new Promise((ok) => { const r = indexedDB.open("safetywatch"); r.onsuccess = () => ok(r.result); });
            const get = (store, key) => new Promise((ok) => { const r = db.transaction(store).objectStore(store).get(key); r.onsuccess = () => ok(r.result); });
            return [await get("session", "current"), (await new Promise((ok) => { const r = db.transaction("outbox").objectStore("outbox").count(); r.onsuccess = () => ok(r.result); }))];
        }"""
    )
    assert session == [None, 0]


def test_a_qr_link_signs_in_and_leaves_no_token_in_the_address(
    stack: Stack, context: BrowserContext
):
    page = context.new_page()
    page.goto(f"/app/#token={stack.tokens['zhongshan']}")
    expect(page.get_by_role("heading", name="新报告")).to_be_visible()
    assert "token" not in page.url


def camera_film(picture: Path, film: Path, size: tuple[int, int] = (640, 480)) -> None:
    """A Y4M film of ``picture`` held in front of the camera, for Chromium's fake camera."""
    width, height = size
    frame = Image.new("L", size, 255)
    shot_of_code = Image.open(picture).convert("L")
    shot_of_code.thumbnail((height - 40, height - 40))
    frame.paste(
        shot_of_code, ((width - shot_of_code.width) // 2, (height - shot_of_code.height) // 2)
    )
    grey = bytes([128]) * (width // 2 * height // 2)  # no colour: U and V at 128
    with film.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + grey + grey)


def test_a_qr_code_held_to_the_camera_signs_in(stack: Stack, services: Services, tmp_path: Path):
    """The QR code `safetywatch tokens add --qr-png` draws, filmed by a (fake) phone
    camera, signs the app in: read by jsQR, as in browsers without BarcodeDetector."""
    picture, film = tmp_path / "qr.png", tmp_path / "camera.y4m"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("safetywatch")),
            "tokens",
            "add",
            "liupanshui-duty",
            "--regions",
            "5202",
            "--level",
            "city",
            "--qr-png",
            str(picture),
        ],
        env={
            **os.environ,
            "SAFETYWATCH_TOKENS_FILE": str(services.tokens_file),
            "SAFETYWATCH_PUBLIC_URL": stack.gateway.url,
        },
        check=True,
        capture_output=True,
        timeout=60,
    )
    camera_film(picture, film)
    browser = stack.browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=[
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={film}",
        ],
    )
    try:
        context = browser.new_context(
            viewport=PHONE, locale="zh-CN", permissions=["camera"], base_url=stack.gateway.url
        )
        page = context.new_page()
        page.goto("/app/")
        assert page.evaluate("'BarcodeDetector' in window") is False, "this test is for jsQR"
        page.get_by_role("button", name="扫描二维码").click()
        expect(page.get_by_role("heading", name="新报告")).to_be_visible(timeout=20_000)
        expect(page.locator("header .unit")).to_have_text("六盘水市应急管理局 · 市级 · 5202")
    finally:
        browser.close()
