"""`python -m bot bench links`: how fast the link classifier reads a link, and how many links
of the blind batch (tests/data/links, when run from the repository) get the right primary
label."""

from __future__ import annotations

import json
import time
from pathlib import Path

BATCH = Path("tests/data/links/blind_batch.jsonl")
# Used when the batch is not at hand (an installed package).
SAMPLE_LINKS: tuple[str, ...] = (
    "https://detail.1688.com/offer/876240928352.html?spm=a262gg.8864560",
    "https://cnfans.com/product/?shop_type=ali_1688&id=669590387983",
    "https://www.superbuy.com/en/page/buy/?url=https%3A%2F%2Fdetail.1688.com%2Foffer%2F1.html",
    "https://detail.1688.com.check.top/offer/1.html",
    "https://www.amazon.com/dp/B08N5WRWNW",
)


def _load() -> list[dict[str, object]]:
    if not BATCH.is_file():
        return []
    return [json.loads(line) for line in BATCH.read_text(encoding="utf-8").splitlines() if line]


def bench_links(seconds: float) -> list[tuple[str, str, str]]:
    from bot.domain.links.classify import classify_link

    cases = _load()
    texts = [str(case["text"]) for case in cases] or list(SAMPLE_LINKS)
    classify_link(texts[0])
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text in texts:
            classify_link(text)
        done += len(texts)
    rows = [
        (
            "link classifier, one core",
            f"{elapsed / done * 1e6:,.0f} µs/link",
            f"{done / elapsed:,.0f} links/s over {len(texts)} links",
        )
    ]
    for split in ("tune", "held_out"):
        chosen = [case for case in cases if case["split"] == split]
        if chosen:
            right = 0
            for case in chosen:
                expected = case["expected"]
                assert isinstance(expected, dict)
                right += classify_link(str(case["text"])).kind.value == expected["kind"]
            rows.append(
                (
                    f"link blind batch, {split}",
                    f"{right}/{len(chosen)} ({right / len(chosen):.0%})",
                    "primary label (`kind`) right",
                )
            )
    return rows
