"""The project's own guides (prompts/guides/*.md) and an offline search over their sections.

Each guide is Markdown: one `# Title`, then `## Section title {#anchor}` headings, each
section short enough to be an answer on its own. Translations live in
`prompts/guides/<language>/` with the same file names and the same anchors, so a button
(guide + section number) means the same thing in every language.

Retrieval is BM25 over words (English, Russian) and character bigrams (Chinese, which has
no spaces), with light stemming so "refunds" finds "refund" and "поставщика" finds
"поставщик". No model, no network: the index is a few thousand postings built once.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from bot.config import PROJECT_ROOT

GUIDES_DIR = PROJECT_ROOT / "prompts" / "guides"
BASE_LANGUAGE = "en"

# Below this BM25 score a match rests on one or two common words: better no answer than a
# wrong one. Tuned on tests/test_knowledge.py (real questions score 6 and more).
MIN_SCORE = 4.0
# A section must also match this share of what the question asks (words weighted by rarity):
# "who won the football match" shares one word with the three-name match, and no more.
MIN_COVERAGE = 0.4
# Longer than this, a text with a question mark is a pasted message, not a question to us.
MAX_QUESTION_LENGTH = 600

_K1 = 1.4
_B = 0.75
# A section's title says what it is about; counting its words more ranks it above sections
# that only mention the same words in passing.
_TITLE_WEIGHT = 3
# A Chinese term in a question is nearly always a platform term (延长收货, 原单) copied from
# the site: one matching pair of characters says as much as two matching words.
_CJK_BOOST = 2.0


@dataclass(frozen=True)
class Section:
    guide: str
    anchor: str
    title: str
    text: str
    score: float = 0.0


@dataclass(frozen=True)
class Guide:
    name: str
    language: str
    title: str
    sections: tuple[Section, ...]

    def position(self, anchor: str) -> int:
        """The index of the section with `anchor` (what the buttons carry)."""
        for index, section in enumerate(self.sections):
            if section.anchor == anchor:
                return index
        raise KeyError(f"{self.language}/{self.name} has no section #{anchor}")


class GuideError(ValueError):
    """A guide file that does not follow the layout described in prompts/README.md."""


# ---------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------

_TITLE = re.compile(r"#\s+(?P<title>\S.*)")
_HEADING = re.compile(r"##\s+(?P<title>\S.*?)\s*\{#(?P<anchor>[a-z0-9]+(?:-[a-z0-9]+)*)\}\s*")
_GUIDE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def parse_guide(name: str, language: str, markdown: str) -> Guide:
    """One guide file, split into its sections; anything off-layout is a GuideError."""
    where = f"{language}/{name}.md"
    if not _GUIDE_NAME.fullmatch(name):
        raise GuideError(f"{where}: file names are lowercase words joined by hyphens")
    lines = markdown.strip().splitlines()
    title = _TITLE.fullmatch(lines[0]) if lines else None
    if title is None:
        raise GuideError(f"{where}: the first line must be the '# Title'")
    sections: list[Section] = []
    heading: re.Match[str] | None = None
    body: list[str] = []
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("#"):
            if heading is not None:
                sections.append(_section(name, heading, body, where))
            heading, body = _HEADING.fullmatch(line), []
            if heading is None:
                raise GuideError(f"{where}:{number}: expected '## Title {{#anchor}}'")
        elif heading is None and line.strip():
            raise GuideError(f"{where}:{number}: text before the first '## ' section")
        else:
            body.append(line)
    if heading is not None:
        sections.append(_section(name, heading, body, where))
    if not sections:
        raise GuideError(f"{where}: no '## ' sections")
    anchors = [section.anchor for section in sections]
    if len(set(anchors)) != len(anchors):
        raise GuideError(f"{where}: repeated anchors {anchors}")
    return Guide(name, language, title["title"].strip(), tuple(sections))


def _section(guide: str, heading: re.Match[str], body: list[str], where: str) -> Section:
    text = "\n".join(body).strip()
    if not text:
        raise GuideError(f"{where}: section #{heading['anchor']} is empty")
    return Section(guide, heading["anchor"], heading["title"], text)


def load_guides(folder: Path = GUIDES_DIR) -> dict[str, dict[str, Guide]]:
    """language -> guide name -> Guide. English sits in `folder`, others in subfolders."""
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} not found: the knowledge guides ship with the source checkout "
            "(install the project with `pip install -e .`)"
        )
    languages = {BASE_LANGUAGE: folder}
    languages.update({sub.name: sub for sub in sorted(folder.iterdir()) if sub.is_dir()})
    guides: dict[str, dict[str, Guide]] = {}
    for language, place in languages.items():
        files = sorted(place.glob("*.md"))
        guides[language] = {
            path.stem: parse_guide(path.stem, language, path.read_text("utf-8")) for path in files
        }
    if not guides[BASE_LANGUAGE]:
        raise FileNotFoundError(f"{folder} holds no guides (*.md)")
    return guides


# ---------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------

_WORDS = re.compile(r"[a-z0-9]+|[а-я]+|[\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _word_set(words: str) -> frozenset[str]:
    """A set written as one whitespace-separated string: long word lists stay readable."""
    return frozenset(words.split())


_STOP_EN = _word_set(
    """a an the and or but if of to in on at by for from with about into as is are was were be
    been being am do does did doing have has had having i me my mine we our you your it its
    this that these those there here he she they them their his her what which who whom how
    when where why can could should would will shall may might must not no yes so than then
    too very just also any some all get got one ok okay please hi hello hey thanks thank tell
    explain know need want much many more most way there s t don im ive now today mean"""
)
_STOP_RU = _word_set(
    """и в во на с со к ко по о об от до за из у же ли не ни но а или то что чтобы как когда
    почему зачем где куда какой какая какое какие каким какую сколько можно нужно надо стоит
    это этот эта эти тот та те я мне меня мой моя мои мы нас наш вы вас ваш он она они их его
    ее её ему ей им быть есть был была были будет бы да нет так уже еще ещё для при если там тут
    вот все всё весь очень просто пожалуйста привет спасибо расскажи скажи объясни подскажите
    подскажи значит означает такое дела"""
)
# Chinese question and filler bigrams: they say "this is a question", not what it is about.
_STOP_ZH = _word_set(
    """怎么 什么 如何 可以 能不 不能 是不 不是 我的 一个 这个 那个 请问 为什 么办 么样 么时
    时候 有没 没有 应该 需要 我们 你们 他们 的话 吗吗 一下 知道 告诉"""
)

_EN_SUFFIXES = (
    "ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly",
)  # fmt: skip
# Russian inflection endings, longest first so "иями" is tried before "и".
_RU_ENDINGS = _word_set(
    """иями ями ами ией ого его ому ему ыми ими ая яя ое ее ые ие ый ий ой ей ом ем ам ям
    ах ях ых их ую юю ов ев ию ия ться ть ешь ет ют ут ит ят ать ять ить им ишь
    ы и а я о е у ю ь"""
)
_RU_SUFFIXES = tuple(sorted(_RU_ENDINGS, key=len, reverse=True))


# Words buyers use for the same thing, folded onto the guides' word (after stemming), so a
# question about a "seller" or a "timer" finds sections that say "supplier" and "countdown".
_SAME_AS = {
    "seller": "supplier",
    "vendor": "supplier",
    "timer": "countdown",
    "clock": "countdown",
    "fund": "money",
    "counterfeit": "fak",
    "scammer": "scam",
    "specific": "spec",
    "продавец": "поставщик",
    "продавц": "поставщик",
    "таймер": "отсчет",
}


def _stem_en(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _EN_SUFFIXES:
        # "apply" and "early" are not adverbs of "app" and "ear": -ly needs a longer stem.
        if word.endswith(suffix) and len(word) - len(suffix) >= (4 if suffix == "ly" else 3):
            if suffix in ("ies", "ied"):
                return word[: -len(suffix)] + "y"
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: -len(suffix)]
            break
    # "fake"/"faked", "price"/"priced": drop the silent e so both forms meet.
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _stem_ru(word: str) -> str:
    for suffix in _RU_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _bigrams(run: str) -> Iterable[str]:
    if len(run) == 1:
        yield run
        return
    for start in range(len(run) - 1):
        pair = run[start : start + 2]
        if pair not in _STOP_ZH:
            yield pair


def _normal(text: str) -> str:
    # NFKC folds full-width letters and digits (１６８８, ＡＢＣ) onto ASCII.
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def tokenize(text: str) -> list[str]:
    """Search terms of a text: stemmed words, and Chinese as overlapping character pairs."""
    tokens: list[str] = []
    for match in _WORDS.finditer(_normal(text)):
        word = match.group()
        if _CJK.match(word):
            tokens.extend(_bigrams(word))
        elif "а" <= word[0] <= "я":
            if word not in _STOP_RU and len(word) > 1:
                tokens.append(_same(_stem_ru(word)))
        elif word not in _STOP_EN and len(word) > 1:
            tokens.append(_same(_stem_en(word)))
    return tokens


def _same(stem: str) -> str:
    return _SAME_AS.get(stem, stem)


# ---------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------

_QUESTION_START = re.compile(
    r"(?:^|[.!\n]\s*)(?:how|what|what's|whats|when|why|where|which|who|can|could|should|"
    r"is|are|do|does|did|will|would|may|must|shall|"
    r"как|что|чем|когда|почему|зачем|где|куда|какой|какая|какое|какие|каким|каких|сколько|"
    r"можно|нужно|надо|стоит|правда|разве|есть\s+ли)(?![a-zа-я])",
    re.IGNORECASE,
)
_RUSSIAN_LI = re.compile(r"(?<![а-я])ли(?![а-я])", re.IGNORECASE)
_CHINESE_MARKERS = re.compile(
    r"怎么|怎样|什么|如何|为什么|为何|能不能|可不可以|是不是|有没有|会不会|要不要|哪|多少|几天|吗"
)


def looks_like_question(text: str) -> bool:
    """Is this free text a question (en, ru or zh) rather than a statement or a paste?"""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_QUESTION_LENGTH:
        return False
    normal = unicodedata.normalize("NFKC", stripped)  # turns "？" into "?"
    return (
        "?" in normal
        or _QUESTION_START.search(normal) is not None
        or _RUSSIAN_LI.search(normal) is not None
        or _CHINESE_MARKERS.search(normal) is not None
    )


# ---------------------------------------------------------------------------------------
# BM25
# ---------------------------------------------------------------------------------------


class _Bm25:
    """Okapi BM25 over a fixed list of documents (each a list of terms)."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self._counts = [Counter(document) for document in documents]
        self._lengths = [len(document) for document in documents]
        self._average = sum(self._lengths) / max(len(documents), 1)
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(documents)
        self._idf = {
            term: math.log(1 + (total - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }
        # What a word no guide uses would weigh: the rarest possible.
        self._unknown = math.log(1 + (total + 0.5) / 0.5)

    def rank(self, terms: Iterable[str]) -> list[tuple[float, float]]:
        """(BM25 score, share of the question's weight the document covers) per document."""
        unique = list(dict.fromkeys(terms))
        weights = {term: self._weight(term) for term in unique}
        asked = sum(weights.values()) or 1.0
        known = [term for term in unique if term in self._idf]
        result = []
        for counts, length in zip(self._counts, self._lengths, strict=True):
            norm = _K1 * (1 - _B + _B * length / self._average)
            score = covered = 0.0
            for term in known:
                tf = counts.get(term, 0)
                if tf:
                    boost = _CJK_BOOST if _CJK.match(term) else 1.0
                    score += boost * self._idf[term] * tf * (_K1 + 1) / (tf + norm)
                    covered += weights[term]
            result.append((score, covered / asked))
        return result

    def _weight(self, term: str) -> float:
        if term in self._idf:
            return self._idf[term]
        # Chinese pairs that straddle two words ("货怎") are noise, not missing meaning.
        return 0.0 if _CJK.match(term) else self._unknown


def _document(guide: Guide, section: Section) -> list[str]:
    return tokenize(section.title) * _TITLE_WEIGHT + tokenize(guide.title) + tokenize(section.text)


class KnowledgeBase:
    """The guides of every language, searchable section by section."""

    def __init__(self, guides: Mapping[str, Mapping[str, Guide]]) -> None:
        if not guides.get(BASE_LANGUAGE):
            raise ValueError(f"no guides in the base language {BASE_LANGUAGE!r}")
        self._guides = {language: dict(named) for language, named in guides.items()}
        self._sections: dict[str, dict[tuple[str, str], Section]] = {}
        self._indexes: dict[str, _Bm25] = {}
        for language, named in self._guides.items():
            pairs = [(guide, section) for guide in named.values() for section in guide.sections]
            self._sections[language] = {(s.guide, s.anchor): s for _, s in pairs}
            self._indexes[language] = _Bm25([_document(g, s) for g, s in pairs])

    @classmethod
    def from_folder(cls, folder: Path = GUIDES_DIR) -> KnowledgeBase:
        return cls(load_guides(folder))

    def guides(self, language: str) -> list[Guide]:
        return list(self._guides[self._shown(language)].values())

    def guide(self, name: str, language: str) -> Guide | None:
        """The guide called `name` in `language`, or in English when not translated."""
        found = self._guides[self._shown(language)].get(name)
        return found if found is not None else self._guides[BASE_LANGUAGE].get(name)

    def search(self, question: str, language: str, limit: int = 3) -> list[Section]:
        """The best sections for `question`, shown in `language`; [] when nothing fits.

        Every language's index is asked, because a Russian speaker may type English or
        Chinese: a section scores its best match in any translation.
        """
        terms = tokenize(question)
        if not terms or limit < 1:
            return []
        best: dict[tuple[str, str], float] = {}
        for lang, index in self._indexes.items():
            ranks = index.rank(terms)
            for key, (score, coverage) in zip(self._sections[lang], ranks, strict=True):
                if coverage >= MIN_COVERAGE:
                    best[key] = max(best.get(key, 0.0), score)
        ranked = sorted(
            (item for item in best.items() if item[1] >= MIN_SCORE),
            key=lambda item: item[1],
            reverse=True,
        )
        return [self._in(language, key, score) for key, score in ranked[:limit]]

    def _in(self, language: str, key: tuple[str, str], score: float) -> Section:
        """The section `key` in the user's language, else English, else where it was found."""
        for lang in (self._shown(language), BASE_LANGUAGE, *self._sections):
            section = self._sections[lang].get(key)
            if section is not None:
                return replace(section, score=round(score, 3))
        raise KeyError(key)  # unreachable: every key came from one of the indexes

    def _shown(self, language: str) -> str:
        return language if language in self._guides else BASE_LANGUAGE


@cache
def knowledge_base() -> KnowledgeBase:
    """The guides shipped in the repository, loaded and indexed once per process."""
    return KnowledgeBase.from_folder()
