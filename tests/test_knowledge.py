"""The guides and the offline search over them: layout, translations, retrieval quality."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.assist.guides import (
    GUIDES_DIR,
    MIN_SCORE,
    GuideError,
    KnowledgeBase,
    knowledge_base,
    load_guides,
    looks_like_question,
    parse_guide,
    tokenize,
)

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")

# (question, language of the user, expected "guide#anchor", must be within the top N).
QUESTIONS = [
    ("How do I pay safely on 1688?", "en", "paying-safely#checkout", 1),
    ("Can I pay with my Visa card through Alipay as a foreigner?", "en",
     "paying-safely#alipay-foreigners", 1),
    ("What is 跨境宝 and how do I set it up?", "en", "paying-safely#cross-border-pay", 1),
    ("The supplier says it's cheaper without invoice if I pay his card, is that ok?", "en",
     "paying-safely#pretexts", 1),
    ("Why shouldn't I pay by Western Union?", "en", "paying-safely#never-off-platform", 1),
    ("When does 1688 release the money to the seller?", "en",
     "escrow-and-auto-confirm#auto-confirm-timeline", 3),
    ("How long do I have before auto confirm?", "en",
     "escrow-and-auto-confirm#auto-confirm-timeline", 1),
    ("How do I use 延长收货?", "en", "escrow-and-auto-confirm#extend-receipt", 1),
    ("Does applying for a refund stop the timer?", "en",
     "escrow-and-auto-confirm#refund-pauses-clock", 1),
    ("My supplier refuses the refund, what now?", "en", "disputes#escalate", 1),
    ("What evidence do I need for a dispute?", "en", "disputes#evidence", 1),
    ("How do I ask 1688 customer service to intervene?", "en", "disputes#escalate", 1),
    ("The seller asks me to cancel my refund request and promises to resend, should I?", "en",
     "disputes#dont-close", 1),
    ("Is the 实力商家 badge trustworthy?", "en", "supplier-checks#badges", 1),
    ("How can I tell if a supplier is a factory or a trading company?", "en",
     "supplier-checks#business-scope", 1),
    ("How do I check a company's unified social credit code?", "en",
     "supplier-checks#credit-code", 1),
    ("What repeat purchase rate is good?", "en", "supplier-checks#repeat-rate", 1),
    ("How can I verify the factory is real?", "en", "supplier-checks#live-test", 1),
    ("How do I spot a fake 1688 link?", "en", "links-and-phishing#lookalikes", 1),
    ("Someone from 1688 customer service contacted me on WeChat, is it real?", "en",
     "links-and-phishing#fake-support", 1),
    ("What does 原单 mean?", "en", "counterfeits-and-ip#fake-words", 1),
    ("How do I check a brand authorization letter?", "en", "counterfeits-and-ip#authorisation", 1),
    ("Can I buy an old 1688 account?", "en", "registration-and-account#own-account", 1),
    ("Can I register with a Google Voice number?", "en",
     "registration-and-account#phone-number", 1),
    ("Should my supplier ship directly to my country?", "en",
     "forwarders-and-inspection#china-warehouse", 1),
    ("What is a weight check?", "en", "forwarders-and-inspection#weight-check", 1),
    ("Why do I need an unboxing video?", "en", "forwarders-and-inspection#unboxing-video", 1),
    ("How should I write product specifications for the supplier?", "en",
     "specs-and-communication#precise-specs", 1),
    ("Как безопасно оплатить заказ на 1688?", "ru", "paying-safely#checkout", 1),
    ("Можно ли платить картой Visa через Alipay?", "ru", "paying-safely#alipay-foreigners", 1),
    ("Когда деньги уходят поставщику?", "ru", "escrow-and-auto-confirm#auto-confirm-timeline", 1),
    ("Как продлить срок получения?", "ru", "escrow-and-auto-confirm#extend-receipt", 1),
    ("Останавливает ли заявка на возврат таймер?", "ru",
     "escrow-and-auto-confirm#refund-pauses-clock", 1),
    ("Продавец отказал в возврате, что делать?", "ru", "disputes#escalate", 3),
    ("Какие доказательства нужны для спора?", "ru", "disputes#evidence", 1),
    ("Как проверить код социального кредита компании?", "ru", "supplier-checks#credit-code", 1),
    ("Какой процент повторных покупок нормальный?", "ru", "supplier-checks#repeat-rate", 1),
    ("Как распознать поддельную ссылку?", "ru", "links-and-phishing#lookalikes", 1),
    ("Можно ли купить готовый аккаунт 1688?", "ru", "registration-and-account#own-account", 1),
    ("Зачем нужно видео распаковки?", "ru", "forwarders-and-inspection#unboxing-video", 1),
    ("Как перевести характеристики на китайский?", "ru", "specs-and-communication#translation", 1),
    ("延长收货怎么用？", "en", "escrow-and-auto-confirm#extend-receipt", 1),
    ("什么时候自动确认收货？", "ru", "escrow-and-auto-confirm#auto-confirm-timeline", 1),
    ("怎么申请客服介入？", "en", "disputes#escalate", 1),
    ("跨境宝怎么开通？", "ru", "paying-safely#cross-border-pay", 1),
    ("经营范围怎么看是不是工厂？", "en", "supplier-checks#business-scope", 1),
    ("统一社会信用代码怎么查？", "en", "supplier-checks#credit-code", 1),
    ("高仿能进口吗？", "en", "counterfeits-and-ip#fake-words", 1),
    ("授权书怎么看真假？", "ru", "counterfeits-and-ip#authorisation", 1),
    ("回头率多少算正常？", "en", "supplier-checks#repeat-rate", 1),
]  # fmt: skip

CHATTER = [
    "hello how are you?",
    "How are you today?",
    "what's the weather in moscow?",
    "tell me a joke?",
    "Can you recommend a good movie?",
    "Who won the football match?",
    "why is the sky blue?",
    "Can you help me?",
    "Какая погода в Москве?",
    "Как дела?",
    "Кто выиграл матч вчера?",
    "今天天气怎么样？",
    "你好吗？",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_folder()


@pytest.mark.parametrize(("question", "language", "expected", "top"), QUESTIONS)
def test_questions_find_their_section(
    kb: KnowledgeBase, question: str, language: str, expected: str, top: int
) -> None:
    found = [f"{s.guide}#{s.anchor}" for s in kb.search(question, language, limit=3)]

    assert expected in found[:top], f"{question!r} -> {found}"


def test_the_question_set_is_broad() -> None:
    languages = {language for _, language, _, _ in QUESTIONS}
    guides = {expected.split("#")[0] for _, _, expected, _ in QUESTIONS}

    assert len(QUESTIONS) >= 20
    assert languages == {"en", "ru"}
    assert any(_CJK_RUN.fullmatch(q.rstrip("？?")[:2]) for q, *_ in QUESTIONS), "no Chinese"
    assert guides == {g.name for g in load_guides()["en"].values()}


@pytest.mark.parametrize("chatter", CHATTER)
def test_unrelated_chatter_gets_nothing(kb: KnowledgeBase, chatter: str) -> None:
    assert kb.search(chatter, "en") == []
    assert kb.search(chatter, "ru") == []


def test_results_respect_the_threshold_and_the_limit(kb: KnowledgeBase) -> None:
    found = kb.search("refund evidence dispute weight video AliWangWang", "en", limit=2)

    assert len(found) == 2
    assert all(section.score >= MIN_SCORE for section in found)
    assert found[0].score >= found[1].score
    assert kb.search("", "en") == []
    assert kb.search("refund", "en", limit=0) == []


def test_chinese_terms_match_as_character_pairs(kb: KnowledgeBase) -> None:
    assert {"延长", "长收", "收货"} <= set(tokenize("延长收货"))
    # The bare term, with no other words around it, is enough.
    assert kb.search("延长收货", "en")[0].anchor == "extend-receipt"
    assert kb.search("申请客服介入", "ru")[0].anchor == "escalate"
    assert kb.search("原单", "en")[0].anchor == "fake-words"


def test_tokens_fold_forms_of_a_word() -> None:
    assert tokenize("refunds") == tokenize("refund") == tokenize("Refunded")
    assert tokenize("поставщика") == tokenize("поставщику") == tokenize("поставщик")
    assert tokenize("ＦＡＫＥ") == tokenize("fake")  # full-width letters from Chinese keyboards
    assert tokenize("the how what и как что") == []


def test_a_russian_user_gets_the_russian_section(kb: KnowledgeBase) -> None:
    found = kb.search("How do I use 延长收货?", "ru")

    assert found[0].anchor == "extend-receipt"
    assert "Кнопка 延长收货" in found[0].text


def test_a_question_in_another_language_is_shown_in_the_users_language(
    kb: KnowledgeBase,
) -> None:
    found = kb.search("Зачем нужно видео распаковки?", "en")

    assert found[0].anchor == "unboxing-video"
    assert found[0].title == "Unboxing video"


def test_an_unknown_language_falls_back_to_english(kb: KnowledgeBase) -> None:
    found = kb.search("What is a weight check?", "de")

    assert found[0].title == "The weight check"
    assert kb.guide("disputes", "de") == kb.guide("disputes", "en")


def test_every_guide_parses_into_short_sections() -> None:
    guides = load_guides()

    assert len(guides["en"]) >= 9
    for language, named in guides.items():
        for guide in named.values():
            assert len(guide.sections) >= 3, f"{language}/{guide.name}"
            for section in guide.sections:
                assert section.title
                assert section.text
                assert len(section.text) <= 1500, f"{language}/{guide.name}#{section.anchor}"


def test_russian_guides_mirror_the_english_ones() -> None:
    guides = load_guides()

    assert set(guides["ru"]) == set(guides["en"])
    for name, english in guides["en"].items():
        russian = guides["ru"][name]
        assert [s.anchor for s in russian.sections] == [s.anchor for s in english.sections]
        for en, ru in zip(english.sections, russian.sections, strict=True):
            # Chinese platform terms stay next to the translation.
            assert set(_CJK_RUN.findall(ru.title + ru.text)) == set(
                _CJK_RUN.findall(en.title + en.text)
            ), f"{name}#{en.anchor}"
            assert re.search("[а-я]", ru.text), f"{name}#{en.anchor} is not translated"


def test_sections_know_their_position() -> None:
    guide = knowledge_base().guide("disputes", "en")

    assert guide is not None
    assert guide.position("apply-refund") == 0
    with pytest.raises(KeyError):
        guide.position("nowhere")


def test_the_knowledge_base_is_built_once() -> None:
    assert knowledge_base() is knowledge_base()


@pytest.mark.parametrize(
    ("markdown", "problem"),
    [
        ("## Section {#a}\ntext", "first line"),
        ("# Title\nstray text\n## Section {#a}\ntext", "before the first"),
        ("# Title\n## Section without anchor\ntext", "expected '## Title"),
        ("# Title\n## One {#a}\ntext\n## Two {#a}\ntext", "repeated anchors"),
        ("# Title\n## Empty {#a}\n\n## Two {#b}\ntext", "is empty"),
        ("# Title only", "no '## ' sections"),
    ],
)
def test_guides_off_the_layout_are_refused(markdown: str, problem: str) -> None:
    with pytest.raises(GuideError, match=re.escape(problem)):
        parse_guide("broken", "en", markdown)


def test_a_guide_section_keeps_its_text() -> None:
    guide = parse_guide("demo", "en", "# Demo\n\n## First {#first}\nOne.\n\n- two\n")

    assert guide.title == "Demo"
    assert guide.sections[0].anchor == "first"
    assert guide.sections[0].text == "One.\n\n- two"


def test_missing_guides_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="knowledge guides"):
        load_guides(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="no guides"):
        load_guides(tmp_path)


def test_the_guides_live_in_the_repository() -> None:
    assert GUIDES_DIR.parts[-2:] == ("prompts", "guides")
    assert (GUIDES_DIR.parent / "README.md").is_file()


@pytest.mark.parametrize(
    "text",
    [
        "How do I pay?",
        "what is 跨境宝",
        "Can I extend the deadline",
        "Is this supplier a factory",
        "Hi. Should I use a forwarder",
        "Безопасно ли платить через Alipay",
        "Как продлить срок",
        "Можно вернуть деньги",
        "延长收货怎么用",
        "这个是原单吗",
        "能不能开发票",
        "refund?",
        "退款？",
    ],
)
def test_questions_are_recognised(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "thanks",
        "I paid the deposit yesterday",
        "Спасибо, всё понятно",
        "好的，谢谢",
        "this is a long pasted message " * 30 + "?",
        "Showcase of my products",  # "how" inside a word is no question word
    ],
)
def test_statements_are_not_questions(text: str) -> None:
    assert not looks_like_question(text)
