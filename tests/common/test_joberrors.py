from common.joberrors import JobError, job_error

HEADLINES = {"timeout": "超时。", "internal": "程序出错。"}


def test_a_known_code_gives_its_headline_and_the_detail():
    assert job_error("timeout: after 120 s", HEADLINES) == JobError("timeout", "超时。", "after 120 s")


def test_an_unknown_code_or_no_code_is_internal_with_the_whole_text():
    assert job_error("exploded: boom", HEADLINES) == JobError("internal", "程序出错。", "exploded: boom")
    assert job_error("something odd", HEADLINES) == JobError("internal", "程序出错。", "something odd")


def test_no_error_is_none():
    assert job_error("", HEADLINES) is None
