"""Small cells and complementary suppression, with tables built to break it."""

import itertools
import random

import pandas as pd

from engagement.reporting.privacy import suppress


def hidden(frame, column):
    return set(frame.loc[frame["suppressed"], column])


def test_a_small_school_hides_the_next_smallest_too():
    table = pd.DataFrame({"school": list("abcd"), "n": [3, 40, 12, 50]})
    out = suppress(table, ["school"], 10)
    assert hidden(out, "school") == {"a", "c"}
    assert out.set_index("school")["suppression"].to_dict() == {
        "a": "small",
        "b": None,
        "c": "complementary",
        "d": None,
    }
    # District total minus what is shown gives only a + c together, never a alone.
    assert table["n"].sum() - out.loc[~out["suppressed"], "n"].sum() == 15


def test_a_cell_hidden_for_another_tables_sake_is_complemented_by_its_real_size():
    # b is hidden whatever its n (another table gives it away): c, the smallest shown, joins it,
    # and b's 40 counts towards the pair, so d stays shown.
    table = pd.DataFrame(
        {"school": list("abcd"), "n": [30, 40, 12, 50], "other": [0, 1, 0, 0]}
    ).astype({"other": bool})
    out = suppress(table, ["school"], 10, hide="other")
    assert out.set_index("school")["suppression"].to_dict() == {
        "a": None,
        "b": "complementary",
        "c": "complementary",
        "d": None,
    }


def test_nothing_small_hides_nothing_and_two_small_need_no_complement():
    assert not suppress(pd.DataFrame({"school": list("ab"), "n": [10, 11]}), ["school"], 10)[
        "suppressed"
    ].any()
    out = suppress(pd.DataFrame({"school": list("abc"), "n": [4, 7, 50]}), ["school"], 10)
    assert hidden(out, "school") == {"a", "b"}  # together 11: no small group to subtract


def test_two_small_cells_that_are_a_small_group_together_hide_a_third():
    # The total minus c would be a and b together: 5 respondents, a small group itself.
    out = suppress(pd.DataFrame({"school": list("abcd"), "n": [2, 3, 50, 60]}), ["school"], 10)
    assert hidden(out, "school") == {"a", "b", "c"}


def test_a_cell_of_two_filters_cannot_be_had_from_the_grand_total():
    # Spanish by text: 10; English on the web: 1. Everyone: 11, shown unfiltered.
    table = pd.DataFrame({"language": ["es", "en"], "channel": ["sms", "web"], "n": [10, 1]})
    assert suppress(table, ["language", "channel"], 10)["suppressed"].all()


def test_a_filtered_figure_never_differs_from_the_whole_by_a_small_group():
    # Madison: 10 answered on the web, 1 by text. "Web only" must not show 10 beside the 11.
    table = pd.DataFrame({"school": ["m", "m"], "channel": ["web", "sms"], "n": [10, 1]})
    assert suppress(table, ["school", "channel"], 10)["suppressed"].all()


def test_a_two_by_two_table_with_one_small_cell_hides_everything():
    table = pd.DataFrame(
        {"school": list("aabb"), "language": ["en", "es", "en", "es"], "n": [30, 4, 25, 20]}
    )
    assert suppress(table, ["school", "language"], 10)["suppressed"].all()


def test_complements_chain_across_dimensions():
    # Hiding (a, es) forces another es cell and another a cell; those force more.
    table = pd.DataFrame(
        [
            (s, lang, n)
            for s, lang, n in [
                ("a", "en", 40),
                ("a", "es", 4),
                ("a", "zh", 30),
                ("b", "en", 50),
                ("b", "es", 15),
                ("b", "zh", 60),
                ("c", "en", 70),
                ("c", "es", 80),
                ("c", "zh", 90),
            ]
        ],
        columns=["school", "language", "n"],
    )
    out = suppress(table, ["school", "language"], 10)
    check_no_lone_hidden_cell(out, ["school", "language"])
    assert ("a", "es") in set(
        zip(out.loc[out.suppressed, "school"], out.loc[out.suppressed, "language"], strict=True)
    )
    # a-es, then b-es (smallest es), a-zh and b-en (smallest of a and b), then a-en and b-zh:
    # schools a and b are hidden whole, c (all large) stays.
    assert hidden(out, "school") == {"a", "b"} and out["suppressed"].sum() == 6


def test_non_additive_columns_are_not_complemented():
    # Indicators of one school do not add up to anything: only schools are complemented.
    table = pd.DataFrame(
        {
            "school": ["a", "a", "b", "b", "c", "c"],
            "indicator": ["x", "y"] * 3,
            "n": [5, 50, 40, 45, 60, 70],
        }
    )
    out = suppress(table, ["school", "indicator"], 10)
    assert set(
        zip(out.loc[out.suppressed, "school"], out.loc[out.suppressed, "indicator"], strict=True)
    ) == {
        ("a", "x"),
        ("b", "x"),
    }


def check_no_lone_hidden_cell(out, dims, min_n=10):
    """No slice total gives away a hidden cell or a small group of them.

    Slices over one or more dimensions, down to the whole table: each hides no
    unknown cell, or two or more counting min_n together. A cell alone in a slice
    with a shown total is known anyway ("pinned"); a slice whose total is below
    min_n has that total hidden too. A slice hidden whole is only as safe as the
    totals published elsewhere (see privacy.py).
    """
    pinned = pd.Series(False, index=out.index)
    for dimension in dims:
        others = [d for d in dims if d != dimension]
        size = out.groupby(others)[others[0]].transform("size") if others else len(out)
        pinned |= (size == 1) & (out["n"] >= min_n)
    for size in range(1, len(dims) + 1):
        for collapsed in itertools.combinations(dims, size):
            others = [d for d in dims if d not in collapsed]
            for _key, part in out.groupby(others) if others else [((), out)]:
                unknown = part["suppressed"] & ~pinned.loc[part.index]
                if part["n"].sum() >= min_n and not part["suppressed"].all() and unknown.any():
                    assert unknown.sum() >= 2, (collapsed, part)
                    assert part.loc[unknown, "n"].sum() >= min_n, (collapsed, part)


def test_random_tables_never_leave_a_lone_hidden_cell():
    rng = random.Random(4)
    for _ in range(200):
        schools = [f"s{i}" for i in range(rng.randint(1, 6))]
        languages = ["en", "es", "zh"][: rng.randint(1, 3)]
        cells = [
            (s, lang, rng.choice([1, 2, 5, 9, 10, 15, 40, 100]))
            for s, lang in itertools.product(schools, languages)
            if rng.random() < 0.9
        ]
        table = pd.DataFrame(cells, columns=["school", "language", "n"])
        out = suppress(table, ["school", "language"], 10)
        assert (out.loc[out["n"] < 10, "suppressed"]).all()
        check_no_lone_hidden_cell(out, ["school", "language"])
