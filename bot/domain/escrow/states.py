"""The life of a tracked order, as a table of allowed moves.

awaiting shipment → shipped → signed at the forwarder → inspected OK | problem → refund
requested → platform intervention (申请客服介入) → closed. The table also allows the
shortcuts buyers really take: a signed scan implies shipment; a problem can show before
signing (fake tracking, a parcel that never moves) or after an OK inspection (the buyer
opens the boxes abroad); a refund can be asked for before shipping.
"""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"
    SIGNED = "signed"
    INSPECTED_OK = "inspected_ok"
    PROBLEM = "problem"
    REFUND_REQUESTED = "refund_requested"
    PLATFORM_INTERVENTION = "platform_intervention"
    CLOSED = "closed"


class OrderAction(StrEnum):
    SHIP = "ship"
    SIGN = "sign"
    INSPECT_OK = "inspect_ok"
    REPORT_PROBLEM = "report_problem"
    REQUEST_REFUND = "request_refund"
    ESCALATE = "escalate"
    CLOSE = "close"
    EXTEND = "extend"
    # The refund request was closed without a refund (the seller reships, or the buyer
    # withdrew it): the paused clock runs again, and the problem is still there.
    CLOSE_REFUND = "close_refund"


class InvalidTransition(ValueError):  # noqa: N818 - the name is the shared interface
    """An action that makes no sense in the order's current state (a plain ValueError)."""


_S, _A = OrderState, OrderAction
_OPEN_STATES = tuple(state for state in OrderState if state is not _S.CLOSED)
# While the escrow clock runs, 延长收货 can push it back (a refund stops the clock instead).
_CLOCK_RUNNING = (_S.SHIPPED, _S.SIGNED, _S.PROBLEM)

_MOVES: dict[tuple[OrderState, OrderAction], OrderState] = {
    (_S.AWAITING_SHIPMENT, _A.SHIP): _S.SHIPPED,
    (_S.AWAITING_SHIPMENT, _A.SIGN): _S.SIGNED,
    (_S.AWAITING_SHIPMENT, _A.REQUEST_REFUND): _S.REFUND_REQUESTED,
    (_S.SHIPPED, _A.SIGN): _S.SIGNED,
    (_S.SHIPPED, _A.INSPECT_OK): _S.INSPECTED_OK,
    (_S.SHIPPED, _A.REPORT_PROBLEM): _S.PROBLEM,
    (_S.SHIPPED, _A.REQUEST_REFUND): _S.REFUND_REQUESTED,
    (_S.SIGNED, _A.INSPECT_OK): _S.INSPECTED_OK,
    (_S.SIGNED, _A.REPORT_PROBLEM): _S.PROBLEM,
    (_S.SIGNED, _A.REQUEST_REFUND): _S.REFUND_REQUESTED,
    (_S.INSPECTED_OK, _A.REPORT_PROBLEM): _S.PROBLEM,
    (_S.PROBLEM, _A.REPORT_PROBLEM): _S.PROBLEM,  # a second report adds detail, not a state
    (_S.PROBLEM, _A.INSPECT_OK): _S.INSPECTED_OK,  # the seller fixed it
    (_S.PROBLEM, _A.REQUEST_REFUND): _S.REFUND_REQUESTED,
    (_S.REFUND_REQUESTED, _A.ESCALATE): _S.PLATFORM_INTERVENTION,
    (_S.REFUND_REQUESTED, _A.CLOSE_REFUND): _S.PROBLEM,
    (_S.PLATFORM_INTERVENTION, _A.CLOSE_REFUND): _S.PROBLEM,
    **{(state, _A.EXTEND): state for state in _CLOCK_RUNNING},
    **{(state, _A.CLOSE): _S.CLOSED for state in _OPEN_STATES},
}


def next_state(state: OrderState, action: OrderAction) -> OrderState:
    """The state after `action`; InvalidTransition when the action is not allowed."""
    try:
        return _MOVES[(state, action)]
    except KeyError:
        allowed = ", ".join(allowed_actions(state)) or "nothing, the order is closed"
        message = f"cannot {action.value} an order that is {state.value}; allowed: {allowed}"
        raise InvalidTransition(message) from None


def allowed_actions(state: OrderState) -> tuple[OrderAction, ...]:
    """What can be done to an order in `state`, in the order the actions are declared."""
    return tuple(action for action in OrderAction if (state, action) in _MOVES)


def reminders_stop(state: OrderState) -> bool:
    """No more escrow reminders: the goods were accepted, or the order is over."""
    return state in (_S.INSPECTED_OK, _S.CLOSED)
