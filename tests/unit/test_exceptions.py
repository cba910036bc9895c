"""Decoding errors name the field at fault in words people understand."""

from inspect_app.exceptions import describe_decode_problem


def test_a_missing_field_is_reported_against_that_field() -> None:
    assert describe_decode_problem("data", "Object missing required field `agency_id`") == (
        "agency_id",
        "This field is required.",
    )


def test_a_wrong_type_gets_a_sentence_for_the_expected_type() -> None:
    assert describe_decode_problem("agency_id", "Expected `int`, got `str`") == (
        "agency_id",
        "Enter a whole number.",
    )
    assert describe_decode_problem("x", "Expected `int | null`, got `str`")[1] == (
        "Enter a whole number."
    )


def test_other_messages_pass_through() -> None:
    assert describe_decode_problem("q", "Something else") == ("q", "Something else")
