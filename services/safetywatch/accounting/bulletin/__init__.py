"""The bulletin a city reads out, in the official form (contract §7), in paragraphs:

1. "2026年1—11月，全市共发生各类生产安全事故7起、死亡8人、受伤2人，同比减少1起、2人，
   分别下降12.5%、20.0%；其中，工矿商贸事故1起、死亡3人；较大事故1起、死亡3人；煤矿事故
   1起、死亡3人，道路运输事故5起、死亡5人。另有非生产经营性道路交通事故1起、死亡1人。"
   — work-safety accidents with injuries, the change on the same period last year
   (同比) and, for a month or a quarter, on the period before (环比), in numbers and in
   percent; the 工矿商贸 subtotal, 较大 and above (or "未发生较大及以上生产安全事故"),
   one clause per category with incidents (official order); non-business road and fire
   accidents apart;
2. the rate indicators with last year's beside them, and the control targets against
   the time progress ("死亡人数为年度控制指标80人的10.0%，低于时间进度81.7个百分点");
3. natural disasters: geological disasters (灾情) and threats (险情) apart, fires by
   grade with the damaged area;
4. 分地区: a line for each region one level down.

``fatalities`` are the deaths, with the missing named (下落不明) when there are any.
Every figure is the summary's: the bulletin is written from the same numbers as
``/v1/summary`` and the register. Chinese and English.
"""

from safetywatch.accounting.bulletin.facts import (
    BulletinFacts,
    Language,
    bulletin_facts,
    period_en,
    period_zh,
)
from safetywatch.accounting.bulletin.text import bulletin_paragraphs, bulletin_text

__all__ = [
    "BulletinFacts",
    "Language",
    "bulletin_facts",
    "bulletin_paragraphs",
    "bulletin_text",
    "period_en",
    "period_zh",
]
