"""The SSE decoder, with no network: WHATWG examples, chunk splits, encodings, line endings."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.sse import EventTooLarge, ServerSentEvent, SSEDecoder, iter_events


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    return list(iter_events(chunks))


def datas(*chunks: bytes) -> list[str]:
    return [e.data for e in decode(*chunks)]


# The examples in the WHATWG HTML standard, section 9.2.6 ("Interpreting an event stream").


def test_spec_multiline_data_joins_with_lf() -> None:
    assert datas(b"data: YHOO\ndata: +2\ndata: 10\n\n") == ["YHOO\n+2\n10"]


def test_spec_comments_ids_and_leading_space() -> None:
    stream = (
        b": test stream\n\n"
        b"data: first event\nid: 1\n\n"
        b"data:second event\nid\n\n"
        b"data:  third event\n\n"
    )
    events = decode(stream)
    assert [(e.data, e.id) for e in events] == [
        ("first event", "1"),
        ("second event", ""),
        (" third event", ""),
    ]


def test_spec_empty_data_lines_and_unterminated_event() -> None:
    assert datas(b"data\n\ndata\ndata\n\ndata:") == ["", "\n"]


def test_spec_space_after_colon_is_optional() -> None:
    assert datas(b"data:test\n\ndata: test\n\n") == ["test", "test"]


def test_event_type_id_persistence_retry_and_unknown_fields() -> None:
    events = decode(b"event: error\nid: 7\nretry: 1500\nfoo: bar\ndata: x\n\ndata: y\n\n")
    assert events[0] == ServerSentEvent(data="x", event="error", id="7", retry=1500)
    # The event type resets after dispatch; the last event id persists (spec).
    assert events[1] == ServerSentEvent(data="y", event="message", id="7", retry=1500)


def test_invalid_retry_and_null_in_id_are_ignored() -> None:
    events = decode(b"retry: 12a\nid: a\x00b\ndata: x\n\n")
    assert events == [ServerSentEvent(data="x")]


def test_blank_line_without_data_dispatches_nothing_and_resets_event_type() -> None:
    assert decode(b"event: ping\n\ndata: x\n\n") == [ServerSentEvent(data="x")]


def test_leading_bom_is_dropped_once() -> None:
    assert datas("\ufeffdata: a\n\n".encode()) == ["a"]
    assert datas("\ufeff\ufeffdata: a\n\n".encode()) == []  # a second BOM is part of the name


@pytest.mark.parametrize("newline", [b"\n", b"\r", b"\r\n"])
def test_every_line_ending(newline: bytes) -> None:
    stream = b"data: a" + newline + b"data: b" + newline + newline + b"data: c" + newline * 2
    assert datas(stream) == ["a\nb", "c"]


def test_crlf_straddling_two_chunks_is_one_line_break() -> None:
    # A CR at the end of one chunk and LF at the start of the next must not make a blank line.
    assert datas(b"data: a\r", b"\ndata: b\r\n\r\n") == ["a\nb"]


def test_cr_at_end_of_chunk_followed_by_other_text() -> None:
    assert datas(b"data: a\r", b"\r", b"data: b\r\r") == ["a", "b"]


def test_unicode_line_separators_stay_inside_data() -> None:
    text = "one\u2028two\u2029three\x85four\x0bfive\x0cend"
    assert datas(f"data: {text}\n\n".encode()) == [text]


AZURE_STREAM = (
    'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n'
    'data: {"choices":[{"delta":{"content":"Grüße 🎉 \u2028 ok"}}]}\n\n'
    ": keep-alive\n\n"
    'event: message\r\ndata: {"choices":[],"usage":{"total_tokens":3}}\r\n\r\n'
    "data: [DONE]\n\n"
).encode()


def test_every_split_offset_gives_the_same_events() -> None:
    whole = decode(AZURE_STREAM)
    assert len(whole) == 4
    for offset in range(len(AZURE_STREAM) + 1):
        assert decode(AZURE_STREAM[:offset], AZURE_STREAM[offset:]) == whole, offset


def test_every_pair_of_split_offsets_near_multibyte_characters() -> None:
    whole = decode(AZURE_STREAM)
    start = AZURE_STREAM.index("Grüße".encode())
    end = AZURE_STREAM.index(b" ok")
    for a in range(start, end):
        for b in range(a, end + 1):
            parts = (AZURE_STREAM[:a], AZURE_STREAM[a:b], AZURE_STREAM[b:])
            assert decode(*parts) == whole, (a, b)


def test_byte_by_byte_feeding() -> None:
    chunks = [AZURE_STREAM[i : i + 1] for i in range(len(AZURE_STREAM))]
    assert decode(*chunks) == decode(AZURE_STREAM)


def test_events_are_returned_by_the_chunk_that_completes_them() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\n") == [ServerSentEvent(data="a")]
    assert decoder.feed(b"data: b\n\ndata: c") == [ServerSentEvent(data="b")]
    assert decoder.close() == []  # the unterminated "c" is discarded (spec)


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert datas(b"data: \xff\xfe ok\n\n") == ["\ufffd\ufffd ok"]


# Property: any events, written with any line endings and cut anywhere, decode back.

_field_text = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=20
)


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[ServerSentEvent], bytes, list[int]]:
    events = draw(
        st.lists(
            st.tuples(
                st.lists(_field_text, min_size=1, max_size=3),
                st.sampled_from(["", "update", "error"]),
            ),
            max_size=5,
        )
    )
    newline = draw(st.sampled_from(["\n", "\r", "\r\n"]))
    text = ""
    expected = []
    for lines, kind in events:
        if kind:
            text += f"event: {kind}{newline}"
        if draw(st.booleans()):
            text += f": comment{newline}"
        for line in lines:
            text += f"data: {line}{newline}"
        text += newline
        expected.append(ServerSentEvent(data="\n".join(lines), event=kind or "message"))
    raw = text.encode()
    cuts = sorted(draw(st.lists(st.integers(0, len(raw)), max_size=6)))
    return expected, raw, cuts


@given(streams())
def test_property_round_trip_with_arbitrary_chunking(case: tuple) -> None:
    expected, raw, cuts = case
    bounds = [0, *cuts, len(raw)]
    chunks = [raw[a:b] for a, b in itertools.pairwise(bounds)]
    assert decode(*chunks) == expected


@given(st.binary(max_size=200), st.lists(st.integers(0, 200), max_size=5))
def test_property_never_raises_and_is_split_invariant(raw: bytes, cuts: list[int]) -> None:
    bounds = [0, *sorted(c for c in cuts if c <= len(raw)), len(raw)]
    chunks = [raw[a:b] for a, b in itertools.pairwise(bounds)]
    assert decode(*chunks) == decode(raw)


# Endpoints send each token as one chunk, `data: …` and a blank line: the decoder takes a
# fast path for such a chunk, which must agree with the general one in every state.


def per_event(raw: bytes) -> list[bytes]:
    """`raw` cut after every blank line, as a live endpoint writes it."""
    pieces = raw.split(b"\n\n")
    return [piece + b"\n\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


@pytest.mark.parametrize(
    "chunks",
    [
        [b"data: a\n\n", b"data: b\n\n"],
        [b"\xef\xbb\xbfdata: bom\n\n", b"data: next\n\n"],  # BOM, first chunk only
        [b"event: update\n", b"data: typed\n\n", b"data: plain\n\n"],  # event type open
        [b"id: 7\nretry: 30\n\n", b"data: keeps id and retry\n\n"],
        [b"data: one\r", b"\ndata: two\n\n", b"data: three\n\n"],  # CR waiting for its LF
        [b"data: first line\n", b"data: second\n\n"],  # an event open across chunks
        [b"data: \xc3", b"\xa9t\xc3\xa9\n\n", b"data: \xc3\xa9\n\n"],  # split character
        [b"data: caf\xc3\xa9\n\n", b"data:no space\n\n", b"data: \n\n"],
        [b"data: a\r\n\r\n", b"data: cr\rlf\n\n", b"data: \xff\n\n"],
        [b": comment\n\n", b"data: x\n\n", b"data: [DONE]\n\n"],
    ],
)
def test_one_event_per_chunk_decodes_as_the_whole_stream(chunks: list[bytes]) -> None:
    assert decode(*chunks) == decode(b"".join(chunks))
    assert decode(*chunks) == decode(*[bytes([b]) for b in b"".join(chunks)])


def test_an_event_past_the_size_limit_in_one_chunk_is_refused() -> None:
    decoder = SSEDecoder(max_chars=12)
    assert decoder.feed(b"data: short\n\n") == [ServerSentEvent("short")]
    with pytest.raises(EventTooLarge):
        decoder.feed(b"data: " + b"x" * 20 + b"\n\n")


@given(streams())
def test_property_per_event_chunks_decode_as_the_whole_stream(case: tuple) -> None:
    expected, raw, _ = case
    assert decode(*per_event(raw)) == expected


@given(st.binary(max_size=200))
def test_property_any_bytes_cut_per_event_decode_as_the_whole(raw: bytes) -> None:
    assert decode(*per_event(raw)) == decode(raw)


def test_fast_chunk_parser_agrees_with_json_loads() -> None:
    import json

    from core.streams import _loads

    for text in ('{"a":1}', ' {"a": [1, 2]} ', '"s"', "[DONE", '{"a":1}x', "", "nul"):
        try:
            expected = json.loads(text)
        except ValueError:
            with pytest.raises(ValueError):
                _loads(text)
        else:
            assert _loads(text) == expected
