from screening.workspace.masking import mask_id, mask_ids_in


def test_resident_id_keeps_four_characters_at_each_end():
    assert mask_id("110101199001011234") == "1101**********1234"


def test_passport_number_keeps_two_at_each_end():
    assert mask_id("C4X7K2M19") == "C4*****19"


def test_short_values_are_starred_whole_and_empty_stays_empty():
    assert (mask_id("12345"), mask_id(""), mask_id(None)) == ("*****", "", "")


def test_known_ids_and_resident_ids_in_text_are_masked():
    text = "负责人 C4X7K2M19 与 110101199001011234 在研；编号 P-2022-0001 不变"
    assert (
        mask_ids_in(text, ["C4X7K2M19"])
        == "负责人 C4*****19 与 1101**********1234 在研；编号 P-2022-0001 不变"
    )


def test_digits_inside_a_longer_code_are_not_taken_for_an_id():
    assert mask_ids_in("91350100MA2XXXXXX1234567890123456") == "91350100MA2XXXXXX1234567890123456"


def test_only_the_known_ids_when_resident_ids_are_left_to_the_caller():
    assert (
        mask_ids_in("C4X7K2M19 110101199001011234", ["C4X7K2M19"], resident=False)
        == "C4*****19 110101199001011234"
    )
