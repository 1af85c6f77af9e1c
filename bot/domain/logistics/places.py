"""Cities in trace lines: `【深圳市】`, `【浙江省金华市义乌市公司】`, `义乌转运中心`.

A trace names the place of an event in many ways: a bracketed city with 市, a province
and city, a facility named after its city (`广州白云集散中心`), or a province without 省
(`浙江义乌公司`). We take the first city the line names before any `发往`/`下一站` (the
next stop is not where the event happened), preferring a county-level city over the
prefecture it lies in (`【金华市】…【义乌福田】` is 义乌), because forwarders' warehouses
sit in such cities and carriers label them by prefecture.
"""

from __future__ import annotations

import re
import unicodedata

# Prefecture-level and larger cities that appear in parcel traces. Not exhaustive: a
# bracketed `【X市】` is read even when X is not listed here. 吉林 (also a province) and
# 中山 (also a street name everywhere) are left to the `X市` form.
_CITIES = """
北京 上海 天津 重庆 广州 深圳 东莞 佛山 珠海 惠州 江门 汕头 揭阳 潮州 湛江 茂名 肇庆
清远 韶关 河源 梅州 汕尾 阳江 云浮 杭州 宁波 温州 金华 绍兴 嘉兴 湖州 台州 丽水 衢州 舟山
南京 苏州 无锡 常州 南通 扬州 镇江 泰州 徐州 盐城 淮安 连云港 宿迁 合肥 芜湖 蚌埠 阜阳 安庆
马鞍山 滁州 六安 宿州 亳州 福州 厦门 泉州 漳州 莆田 龙岩 三明 南平 宁德 济南 青岛 烟台 潍坊
临沂 济宁 淄博 威海 日照 德州 聊城 滨州 菏泽 枣庄 泰安 东营 石家庄 保定 唐山 廊坊 邯郸 沧州
邢台 衡水 张家口 承德 秦皇岛 郑州 洛阳 开封 新乡 南阳 许昌 商丘 周口 信阳 驻马店 安阳 焦作
平顶山 武汉 宜昌 襄阳 荆州 十堰 孝感 黄冈 长沙 株洲 湘潭 衡阳 岳阳 常德 郴州 邵阳 南昌 赣州
九江 上饶 宜春 景德镇 成都 绵阳 德阳 宜宾 南充 泸州 乐山 贵阳 遵义 昆明 曲靖 大理 南宁 柳州
桂林 玉林 北海 海口 三亚 西安 咸阳 宝鸡 太原 大同 呼和浩特 包头 沈阳 大连 鞍山 长春 哈尔滨
大庆 兰州 银川 西宁 乌鲁木齐 拉萨 香港 澳门
"""
# County-level cities that are trading hubs, with the prefecture they lie in.
_COUNTY_CITIES = {
    "义乌": "金华",
    "永康": "金华",
    "东阳": "金华",
    "兰溪": "金华",
    "诸暨": "绍兴",
    "乐清": "温州",
    "瑞安": "温州",
    "慈溪": "宁波",
    "余姚": "宁波",
    "海宁": "嘉兴",
    "桐乡": "嘉兴",
    "昆山": "苏州",
    "常熟": "苏州",
    "张家港": "苏州",
    "太仓": "苏州",
    "江阴": "无锡",
    "宜兴": "无锡",
    "晋江": "泉州",
    "石狮": "泉州",
    "南安": "泉州",
    "普宁": "揭阳",
    "即墨": "青岛",
}
# Districts whose names carriers use alone, with their city (only with 区 after them).
_DISTRICTS = {
    "白云": "广州",
    "番禺": "广州",
    "天河": "广州",
    "越秀": "广州",
    "海珠": "广州",
    "荔湾": "广州",
    "花都": "广州",
    "增城": "广州",
    "宝安": "深圳",
    "龙岗": "深圳",
    "龙华": "深圳",
    "福田": "深圳",
    "罗湖": "深圳",
    "萧山": "杭州",
    "余杭": "杭州",
}
# How users may write a warehouse city in Latin letters.
_PINYIN = {
    "beijing": "北京",
    "shanghai": "上海",
    "tianjin": "天津",
    "chongqing": "重庆",
    "guangzhou": "广州",
    "canton": "广州",
    "shenzhen": "深圳",
    "dongguan": "东莞",
    "foshan": "佛山",
    "zhongshan": "中山",
    "zhuhai": "珠海",
    "huizhou": "惠州",
    "shantou": "汕头",
    "jieyang": "揭阳",
    "chaozhou": "潮州",
    "hangzhou": "杭州",
    "ningbo": "宁波",
    "wenzhou": "温州",
    "jinhua": "金华",
    "yiwu": "义乌",
    "yongkang": "永康",
    "shaoxing": "绍兴",
    "jiaxing": "嘉兴",
    "huzhou": "湖州",
    "taizhou": "台州",
    "nanjing": "南京",
    "suzhou": "苏州",
    "wuxi": "无锡",
    "changzhou": "常州",
    "nantong": "南通",
    "kunshan": "昆山",
    "changshu": "常熟",
    "xiamen": "厦门",
    "fuzhou": "福州",
    "quanzhou": "泉州",
    "jinjiang": "晋江",
    "putian": "莆田",
    "qingdao": "青岛",
    "jinan": "济南",
    "linyi": "临沂",
    "zhengzhou": "郑州",
    "wuhan": "武汉",
    "changsha": "长沙",
    "chengdu": "成都",
    "xian": "西安",
    "kunming": "昆明",
    "nanning": "南宁",
    "hongkong": "香港",
    "hefei": "合肥",
    "shijiazhuang": "石家庄",
    "baoding": "保定",
}

_KNOWN = frozenset(_CITIES.split()) | frozenset(_COUNTY_CITIES)
# Longest first, so 连云港 wins over a shorter name inside it.
_KNOWN_RE = re.compile("|".join(sorted(map(re.escape, _KNOWN), key=len, reverse=True)))
_DISTRICT_RE = re.compile(f"({'|'.join(_DISTRICTS)})区")
# `X市` after a boundary: a bracket, a province, the line's start or a space.
_SHI = re.compile(
    r"(?:^|(?<=[【\[(（\s省市]))(?:[\u4e00-\u9fff]{2,3}?省)?([\u4e00-\u9fff]{2,4}?)市"
)
_NOT_A_CITY_END = frozenset("超城门夜股都花集上闹菜")
_NEXT_STOP = re.compile(r"发往|下一站|送往|前往|转往|发至")
_STREET_AFTER = re.compile(r"路|街|大道|大街|公园|广场")


def normalize_city(name: str) -> str | None:
    """A city as a user or a trace writes it, in the form the reader gives: `广州市`,
    `Guangzhou`, ` guang zhou ` → `广州`. None for an empty name."""
    cleaned = unicodedata.normalize("NFKC", name).strip()
    latin = re.sub(r"[\s'’-]+", "", cleaned).casefold().removesuffix("city")
    if latin in _PINYIN:
        return _PINYIN[latin]
    cleaned = re.sub(r"\s+", "", cleaned)
    if cleaned.endswith("市区"):
        cleaned = cleaned[:-2]
    cleaned = cleaned.removesuffix("市")
    return cleaned or None


def same_city(first: str, second: str) -> bool:
    """Equal, or a county-level city and the prefecture it lies in (义乌 and 金华)."""
    return (
        first == second
        or _COUNTY_CITIES.get(first) == second
        or _COUNTY_CITIES.get(second) == first
    )


def city_of(text: str) -> str | None:
    """The city where the event in a trace line happened, or None when it names none."""
    here = text[: stop.start()] if (stop := _NEXT_STOP.search(text)) else text
    found: list[tuple[int, str]] = []
    for match in _SHI.finditer(here):
        name = match[1]
        if name[-1] not in _NOT_A_CITY_END:
            found.append((match.start(1), _known_tail(name)))
    for match in _KNOWN_RE.finditer(here):
        if not _STREET_AFTER.match(here, match.end()):
            found.append((match.start(), match[0]))
    for match in _DISTRICT_RE.finditer(here):
        found.append((match.start(), _DISTRICTS[match[1]]))
    if not found:
        return None
    found.sort()
    city = found[0][1]
    # A county-level city named in the same line wins over its prefecture.
    for _, other in found[1:]:
        if _COUNTY_CITIES.get(other) == city:
            return other
    return city


def _known_tail(name: str) -> str:
    """`浙江义乌` (a province without 省) → `义乌`: a listed city at the end of the name."""
    if name in _KNOWN:
        return name
    for size in (3, 2):
        if len(name) > size and name[-size:] in _KNOWN:
            return name[-size:]
    return name
