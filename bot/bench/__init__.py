"""`python -m bot bench`: the speed figures quoted in BENCHMARKS.md, measured in one run.

Benchmarks live here, never as timed assertions in tests. Each prints a Markdown row, so
the output can be pasted into BENCHMARKS.md as it is.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# The requests at the heart of what buyers paste, in several languages…
PAYMENT_REQUESTS: tuple[str, ...] = (
    "亲，这个订单麻烦直接转到我个人账户，工行 6222 0212 3456 7890 128，户名张伟，可以便宜5个点",
    "您好，请在1688上拍下，我这边改价后您再付款，走平台担保交易。",
    "Dear friend, our company account is under annual audit, please pay to my personal "
    "Alipay 138 1234 5678 this time.",
    "For this order you can use Trade Assurance on Alibaba.com, we ship within 7 days.",
    "系统维护中，平台暂时付不了款，加我微信 vx: abc123 先转账，发货后补单",
    "We accept USDT TRC20 only for samples, wallet TXyz123abc456def789ghi012jkl345mno",
    "公对公转账到我们公司对公账户也可以，开13%专票，户名：义乌市某某贸易有限公司",
    "Hello, is the blue version in stock? MOQ 500 pcs?",
    "老闆說今天必須付款，不然明天漲價，轉到我老婆的卡上就行",
    "pls pay 30% deposit to our boss wechat, rest on 1688 when goods ready",
    "不开票的话便宜8%，走私账就行，支付宝扫这个收款码",
    "可以用跨境宝付款，国际信用卡在1688页面直接支付就可以",
    "Western Union to my name Li Na is fastest, bank takes too long",
    "拍一个0.01元的链接，剩下的货款微信转我，这样不用等平台审核",
    "Our bank details changed, new account is at HSBC Hong Kong, beneficiary Wang Fang",
    "Please check the attached invoice link https://1688-pay.secure-check.top/order/881",
    "我们从来不接受私人账户付款，请在平台下单",
    "ok thanks, I'll think about it and come back tomorrow",
    "Payment via PayPal friends and family please, no fees for both of us",
    "定金付到财务个人卡，尾款平台拍",
)
# …wrapped the way suppliers write: a greeting, the request, a closing line.
_GREETINGS = (
    "亲，您好！订单已经确认了。",
    "Hello dear friend, thank you for your order.",
    "老板好，",
)
_CLOSINGS = (
    "有问题随时联系我，谢谢！今天下午就可以安排发货。",
    "Looking forward to your reply. Best regards, Sales Manager Lily",
    "麻烦尽快确认一下，我们这边好安排生产。",
)
PAYMENT_MESSAGES: tuple[str, ...] = tuple(
    f"{_GREETINGS[n % 3]} {request} {_CLOSINGS[(n // 3) % 3]}"
    for n, request in enumerate(PAYMENT_REQUESTS)
)


@dataclass(frozen=True)
class Result:
    name: str
    figure: str
    detail: str

    def row(self) -> str:
        return f"| {self.name} | {self.figure} | {self.detail} |"


def rate(run_once: Callable[[], int], seconds: float) -> float:
    """Items per second over at least `seconds`, after one warm-up call."""
    run_once()
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        done += run_once()
    return done / elapsed


def bench_classifier(seconds: float) -> Result:
    from bot.domain.payments.checker import classify_payment

    def one_pass() -> int:
        for message in PAYMENT_MESSAGES:
            classify_payment(message)
        return len(PAYMENT_MESSAGES)

    per_second = rate(one_pass, seconds)
    mean_length = statistics.mean(len(m) for m in PAYMENT_MESSAGES)
    return Result(
        "payment classifier, one core",
        f"{per_second:,.0f} messages/s",
        f"{len(PAYMENT_MESSAGES)} mixed zh/en requests, mean {mean_length:.0f} characters",
    )


def bench_ocr(rounds: int) -> list[Result]:
    from bot.adapters.ocr import ImageReader
    from bot.adapters.ocr import bench_ocr as measure
    from bot.sandbox.pictures import render_chat_screenshot

    screenshots = [
        render_chat_screenshot(["老板说走私人账户可以便宜5%", "请转到支付宝 138 1234 5678"]),
        render_chat_screenshot(
            ["Please pay to my personal account", "扫码付款更快"], qr_payload="wxp://f2f0abc"
        ),
    ]
    phone_size = [render_chat_screenshot(list(PAYMENT_MESSAGES[:8]), width=1080)]
    reader = ImageReader()
    small = measure(reader, screenshots, rounds=rounds)
    large = measure(reader, phone_size, rounds=rounds)
    return [
        Result("OCR engine load", f"{small['engine_load_seconds']:.2f} s", "once per process"),
        _ocr_result("screenshot OCR + QR, short chat", small, "720 px wide, 2 bubbles"),
        _ocr_result("screenshot OCR + QR, long chat", large, "1080 px wide, 8 long bubbles"),
    ]


# What a fresh bot process does for the first photo: import the reader, load the engine,
# read the picture. Timed from inside the child, and the child as a whole from outside.
_FIRST_OCR_CHILD = """
import json, sys, time
started = time.perf_counter()
from bot.adapters.ocr import ImageReader
imported = time.perf_counter()
reader = ImageReader()
with open(sys.argv[1], "rb") as picture:
    reading = reader.read(picture.read())
done = time.perf_counter()
print(json.dumps({
    "import": imported - started,
    "load": reader.engine_load_seconds or 0.0,
    "first": done - started,
    "text": reading.text,
}))
"""


def bench_first_ocr(processes: int) -> list[Result]:
    """The first OCR in a fresh process, model load included: what the first photo after a
    restart costs (unless the bot warmed the engine up at start)."""
    import json
    import subprocess
    import tempfile
    from pathlib import Path

    from bot.sandbox.pictures import render_chat_screenshot

    screenshot = render_chat_screenshot(
        ["老板说走私人账户可以便宜5%", "请转到支付宝 138 1234 5678"]
    )
    firsts: list[float] = []
    loads: list[float] = []
    walls: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chat.png"
        path.write_bytes(screenshot)
        for _process in range(processes):
            started = time.perf_counter()
            child = subprocess.run(
                [sys.executable, "-c", _FIRST_OCR_CHILD, str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            walls.append(time.perf_counter() - started)
            figures = json.loads(child.stdout.splitlines()[-1])
            if "支付宝" not in figures["text"]:
                raise RuntimeError(f"first OCR misread the screenshot: {figures['text']!r}")
            firsts.append(figures["first"])
            loads.append(figures["load"])
    return [
        Result(
            "first OCR in a fresh process",
            f"{statistics.median(firsts):.2f} s median",
            f"import + engine load ({statistics.median(loads):.2f} s) + OCR and QR of a"
            f" 720 px 2-bubble chat; {processes} processes; whole process"
            f" {statistics.median(walls):.2f} s with interpreter start-up",
        )
    ]


def _ocr_result(name: str, figures: dict[str, float], conditions: str) -> Result:
    median, mean = figures["median_seconds"], figures["mean_seconds"]
    return Result(name, f"{median:.2f} s median", f"mean {mean:.2f} s; {conditions}")


def bench_reminders(seconds: float) -> list[Result]:
    from bot.bench.reminders import bench_reminders as measure

    return [Result(*row) for row in measure(seconds)]


def bench_e2e(seconds: float) -> list[Result]:
    from bot.bench.e2e import bench_e2e as measure

    return [Result(*row) for row in measure(seconds)]


def bench_fairness(seconds: float) -> list[Result]:
    from bot.bench.fairness import bench_fairness as measure

    return [Result(*row) for row in measure(seconds)]


def bench_order_page(seconds: float) -> list[Result]:
    from bot.bench.order_page import bench_order_page as measure

    return [Result(*row) for row in measure(seconds)]


def bench_links(seconds: float) -> list[Result]:
    from bot.bench.links import bench_links as measure

    return [Result(*row) for row in measure(seconds)]


BENCHMARKS: dict[str, Callable[[float], list[Result]]] = {
    "classifier": lambda seconds: [bench_classifier(seconds)],
    "ocr": lambda seconds: bench_ocr(rounds=max(1, int(seconds))),
    "first-ocr": lambda seconds: bench_first_ocr(processes=max(1, int(seconds))),
    "reminders": bench_reminders,
    "e2e": bench_e2e,
    "fairness": bench_fairness,
    "order-page": bench_order_page,
    "links": bench_links,
}


def run(names: Sequence[str], seconds: float) -> int:
    print(f"Python {platform.python_version()} on {platform.machine()}, {_cpu()}")
    print()
    print("| benchmark | result | conditions |")
    print("|---|---|---|")
    for name in names:
        for result in BENCHMARKS[name](seconds):
            print(result.row(), flush=True)
    return 0


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or sys.platform
