"""A user's stored flows, one per chat, in one document (bot/runtime/persistence.py): the
private chat's at the top, as drafts stored before groups had their own; others apart."""

from __future__ import annotations

from bot.runtime.persistence import OTHER_CHATS, flow_in_chat, with_flow_in_chat

ANN, GROUP_A, GROUP_B = 1001, -5001, -5002
SPEC_A = {"spec": {"answers": {"product": "ceramic mugs"}}}
SPEC_B = {"spec": {"answers": {"product": "steel bottles"}}}
PRIVATE = {"register": {"answers": {"who": "self"}}}


def test_a_draft_stored_before_groups_had_their_own_is_the_private_chats() -> None:
    assert flow_in_chat(PRIVATE, ANN, ANN) == PRIVATE
    assert flow_in_chat(PRIVATE, ANN, GROUP_A) == {}


def test_each_chat_reads_back_only_its_own_flow() -> None:
    document = with_flow_in_chat(PRIVATE, ANN, GROUP_A, SPEC_A)
    document = with_flow_in_chat(document, ANN, GROUP_B, SPEC_B)

    assert flow_in_chat(document, ANN, GROUP_A) == SPEC_A
    assert flow_in_chat(document, ANN, GROUP_B) == SPEC_B
    assert flow_in_chat(document, ANN, ANN) == PRIVATE


def test_an_ended_flow_leaves_nothing_behind() -> None:
    document = with_flow_in_chat(PRIVATE, ANN, GROUP_A, SPEC_A)
    document = with_flow_in_chat(document, ANN, GROUP_A, {})
    assert document == PRIVATE
    document = with_flow_in_chat(document, ANN, ANN, {})
    assert document == {}


def test_changing_the_private_flow_keeps_the_groups() -> None:
    document = with_flow_in_chat({}, ANN, GROUP_A, SPEC_A)
    document = with_flow_in_chat(document, ANN, ANN, PRIVATE)
    assert document == {**PRIVATE, OTHER_CHATS: {str(GROUP_A): SPEC_A}}
