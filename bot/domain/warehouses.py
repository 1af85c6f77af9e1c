"""The warehouse a buyer's goods should reach: a forwarder's or an agent's, usually in one
of a few hubs near the factories. A parcel signed anywhere else is the first sign of a fake
shipment (bot.domain.logistics checks a trace against it).

Only the phone's last 4 digits are kept: SF and ZTO answer a tracking query only with them,
and nothing more is needed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.domain.logistics import normalize_city

# The hubs most forwarders and agents receive at, offered as buttons: (city, district).
HUBS: tuple[tuple[str, str | None], ...] = (
    ("广州", "白云"),
    ("义乌", None),
    ("深圳", None),
    ("东莞", None),
    ("佛山", None),
    ("金华", None),
)
MAX_PLACE = 40
_DISTRICT_SUFFIX = re.compile(r"(?:区|县|镇|街道)$")
_SEPARATORS = re.compile(r"[\s,，/·、]+")
_PROVINCE = re.compile(r"^.{2,3}?(?:省|自治区)")


@dataclass(frozen=True)
class Warehouse:
    city: str
    district: str | None = None
    phone4: str | None = None

    @property
    def place(self) -> str:
        return f"{self.city} {self.district}" if self.district else self.city


def parse_place(text: str) -> tuple[str, str | None] | None:
    """`广州 白云区`, `广州市白云区`, `Yiwu`, `浙江省义乌市` → (city, district); None when no
    city can be read."""
    cleaned = unicodedata.normalize("NFKC", text).strip()[: MAX_PLACE * 2]
    cleaned = _PROVINCE.sub("", cleaned)
    parts = [part for part in _SEPARATORS.split(cleaned) if part]
    if len(parts) == 1 and "市" in parts[0] and not parts[0].endswith("市"):
        city, _, rest = parts[0].partition("市")
        parts = [city, rest]
    if not parts:
        return None
    city = normalize_city(parts[0])
    if not city or len(city) > MAX_PLACE or any(char.isdigit() for char in city):
        return None
    district = _DISTRICT_SUFFIX.sub("", " ".join(parts[1:]))[:MAX_PLACE] or None
    return city, district


def phone_last4(text: str) -> str | None:
    """The last 4 digits of a phone number typed in any form; None without 4 digits."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    return digits[-4:] if len(digits) >= 4 else None
