from datetime import date

import pytest

from proposals.identifiers import (
    CodeCheck,
    IdCheck,
    _resident_id_check_char,
    check_credit_code,
    check_org_code,
    check_resident_id,
    gender_from_id,
    looks_like_resident_id,
    make_credit_code,
    make_org_code,
    make_resident_id,
)

# --------------------------------------------------------------------------- resident IDs


def test_known_real_format_id_is_valid():
    assert check_resident_id("11010519491231002X") == IdCheck(True, None, date(1949, 12, 31))


def test_lower_case_x_and_full_width_and_spaces_are_accepted():
    assert check_resident_id("11010519491231002x") == IdCheck(True, None, date(1949, 12, 31))
    assert check_resident_id("１１０１０５１９４９１２３１００２Ｘ") == IdCheck(
        True, None, date(1949, 12, 31)
    )
    assert check_resident_id(" 110105 19491231 002X ") == IdCheck(True, None, date(1949, 12, 31))


def test_generated_ids_are_valid():
    for born, seq in [(date(1975, 3, 8), "231"), (date(2000, 2, 29), "001"), (date(1990, 12, 1), "999")]:
        code = make_resident_id(born, seq)
        assert len(code) == 18
        assert code[6:14] == born.strftime("%Y%m%d")
        assert check_resident_id(code, born) == IdCheck(True, None, born)


def test_generator_covers_every_check_character():
    checks = {make_resident_id(date(1980, 1, 1), f"{n:03d}")[-1] for n in range(200)}
    assert checks == set("0123456789X")


def test_wrong_check_digit():
    assert check_resident_id("110105194912310021") == IdCheck(False, "checksum", date(1949, 12, 31))


def test_wrong_length():
    assert check_resident_id("11010519491231002") == IdCheck(False, "length")
    assert check_resident_id("11010519491231002X1") == IdCheck(False, "length")
    assert check_resident_id("") == IdCheck(False, "length")


def test_bad_format():
    assert check_resident_id("11010519491231002Y") == IdCheck(False, "format")
    assert check_resident_id("1101051949123100X2") == IdCheck(False, "format")


def test_invalid_embedded_date():
    # 1949-02-30 with a correct check character
    first17 = "11010519490230002"
    code = next(first17 + c for c in "0123456789X" if check_resident_id(first17 + c).error != "checksum")
    assert check_resident_id(code) == IdCheck(False, "birth_date_invalid")


def test_future_birth_date_is_invalid():
    code = make_resident_id(date(2099, 1, 1))
    assert check_resident_id(code) == IdCheck(False, "birth_date_invalid")


def test_mismatch_with_stated_birth_date():
    code = make_resident_id(date(1975, 3, 8))
    assert check_resident_id(code, date(1975, 3, 9)) == IdCheck(
        False, "birth_date_mismatch", date(1975, 3, 8)
    )


def test_looks_like_resident_id_tells_passports_apart():
    assert looks_like_resident_id("11010519491231002X") is True
    assert looks_like_resident_id("11010519491231002x") is True
    assert looks_like_resident_id("1101051949123100") is True  # a mistyped ID is still checked
    assert looks_like_resident_id("E12345678") is False
    assert looks_like_resident_id("C4X7K2M19") is False
    assert looks_like_resident_id("123456789") is False  # a 9-digit passport number
    assert looks_like_resident_id("") is False
    assert looks_like_resident_id(None) is False


# --------------------------------------------------------------------------- credit codes


def test_known_credit_code_is_valid():
    assert check_credit_code("91350100M000100Y43") == CodeCheck(True, None, "M000100Y4")


def test_generated_credit_codes_are_valid():
    for body in ("MA000100", "48500011", "12345678", "MA1K2N3P"):
        code = make_credit_code(body, authority="1", category="2", region="350000")
        assert len(code) == 18
        assert check_credit_code(code) == CodeCheck(True, None, make_org_code(body))


def test_credit_code_lower_case_is_accepted():
    assert check_credit_code("91350100m000100y43") == CodeCheck(True, None, "M000100Y4")


def test_credit_code_bad_check_char():
    assert check_credit_code("91350100M000100Y44") == CodeCheck(False, "checksum", "M000100Y4")


def test_credit_code_wrong_length():
    assert check_credit_code("91350100M000100Y4") == CodeCheck(False, "length")


def test_credit_code_illegal_letters():
    for letter in "IOZSV":
        assert check_credit_code("91350100M000100Y4" + letter) == CodeCheck(False, "format"), letter
    assert check_credit_code("91350100M0001I0Y43") == CodeCheck(False, "format")


def test_credit_code_region_must_be_digits():
    assert check_credit_code("91A50100M000100Y43").error == "region_code"


def test_credit_code_bad_embedded_org_code():
    # organisation code check character changed, credit-code check recomputed to match
    from proposals.identifiers import _credit_check_char

    first17 = "91350100M000100Y5"
    code = first17 + _credit_check_char(first17)
    assert check_credit_code(code) == CodeCheck(False, "org_code_checksum", "M000100Y5")


def test_org_code():
    assert check_org_code("M000100Y4") == CodeCheck(True, None, "M000100Y4")
    assert check_org_code("M000100Y5") == CodeCheck(False, "checksum", "M000100Y5")
    assert check_org_code("M000100Y") == CodeCheck(False, "length")
    # check value 10 is written X, 11 is written 0
    assert {make_org_code(f"{n:08d}")[-1] for n in range(300)} >= {"X", "0"}


# --------------------------------------------------------------------------- gender


@pytest.mark.parametrize(
    ("seq", "gender"),
    [
        ("001", "male"),
        ("231", "male"),
        ("999", "male"),
        ("000", "female"),
        ("046", "female"),
        ("998", "female"),
    ],
)
def test_gender_is_the_parity_of_the_seventeenth_digit(seq, gender):
    assert gender_from_id(make_resident_id(date(1975, 3, 8), seq)) == gender


def test_gender_of_a_known_real_format_id():
    assert gender_from_id("11010519491231002X") == "female"  # 17th digit 2


def test_gender_reads_lower_case_x_full_width_and_spaces():
    assert gender_from_id(" 110105 19491231 002x ") == "female"
    assert gender_from_id("１１０１０５１９４９１２３１００２Ｘ") == "female"


def test_gender_of_hong_kong_macao_taiwan_residence_permit_numbers():
    assert gender_from_id(make_resident_id(date(1990, 5, 1), "013", "810000")) == "male"
    assert gender_from_id(make_resident_id(date(1990, 5, 1), "024", "830000")) == "female"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "E12345678",  # a passport
        "C4X7K2M19",
        "11010519491231002",  # 17 characters
        "11010519491231002XX",  # 19
        "110105194912310021",  # wrong check character: which digit is wrong cannot be told
        "11010519491231002Y",
        "1101051949123100A2",
    ],
)
def test_no_gender_without_a_well_formed_resident_id(value):
    assert gender_from_id(value) is None


def test_gender_does_not_judge_the_embedded_birth_date():
    # the birth date is check_resident_id's business; the order code still tells the gender
    first17 = "110105" + "19491331" + "003"  # 31 December written as month 13
    code = first17 + _resident_id_check_char(first17)
    assert (check_resident_id(code).error, gender_from_id(code)) == ("birth_date_invalid", "male")
