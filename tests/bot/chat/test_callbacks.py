"""Button payloads and typed ids: anything forged, mistyped or out of range reads as None."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.chat.callbacks import MAX_ID, id_number, int_arg, pack, unpack


@given(st.text())
def test_an_id_is_ascii_digits_within_32_bits_or_none(text: str) -> None:
    value = id_number(text)
    if value is not None:
        assert -MAX_ID <= value <= MAX_ID
        assert str(value) == text.lstrip("0") or value == 0 or text.startswith("-")


@given(st.integers())
def test_integers_out_of_range_are_refused(number: int) -> None:
    assert (id_number(str(number)) is None) == (abs(number) > MAX_ID)


def test_odd_digits_and_missing_arguments() -> None:
    assert id_number("²") is None
    assert id_number("١٢") is None
    assert id_number("99999999999") is None
    assert int_arg(["7"], 0) == 7
    assert int_arg(["7"], 1) is None
    assert unpack(pack("tpg", "all", 0, 1)) == ("tpg", ["all", "0", "1"])
