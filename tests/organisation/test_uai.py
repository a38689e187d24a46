from hypothesis import given
from hypothesis import strategies as st

from helpdesk.organisation.uai import check_letter, is_valid_uai, validation_error


def test_known_uai_of_lycee_fermat_is_valid():
    assert is_valid_uai("0310036W")
    assert is_valid_uai(" 0310036w ")


def test_wrong_check_letter_is_refused_with_the_expected_letter():
    message = validation_error("0310036A")
    assert message is not None and "attendue : W" in message


def test_malformed_uai_is_refused():
    for raw in ["", "031003W", "03100366W", "ABCDEFGH", "0310036"]:
        assert not is_valid_uai(raw)
        assert validation_error(raw)


@given(st.integers(min_value=0, max_value=9_999_999))
def test_every_generated_uai_validates(number):
    digits = f"{number:07d}"
    assert is_valid_uai(digits + check_letter(digits))
    assert check_letter(digits) not in "IOQ"
