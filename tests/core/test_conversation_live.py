"""The conversation's operations against the scripted emulator, over real HTTP: replies are
streamed by `core.live.LiveStream` as the pages stream them, and each keeps what it sent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from core import PROFILES, AuthenticationError, Client, Endpoint
from core.conversation import CONTINUE_PROMPT, Ask, Conversation
from core.live import LiveStream, TextStreamSource
from core.reply import Reply, ReplyStatus, RequestRecord
from core.transcript import export_json, import_json, sent_messages
from emulator.process import Emulator


def client(emu: Emulator, key: str | None = None) -> Client:
    return Client(Endpoint(emu.base_url, key=key or emu.api_key), PROFILES["local"])


def stream(chat: Conversation, ask: Ask, chat_client: Client, **params: Any) -> Reply:
    """What a page does: record the request, attach the reply, stream it to the end."""
    body = json.dumps({"messages": ask.messages, **params, "stream": True})
    reply = Reply(request=RequestRecord(body, dict(params), chat_client.profile.id))
    chat.attach(ask, reply)
    messages = ask.messages
    live = LiveStream(reply, TextStreamSource(lambda: chat_client.stream_chat(messages, **params)))
    assert live.wait(60)
    return reply


def sent(reply: Reply) -> list[Mapping[str, Any]]:
    """The messages as they went over the wire (the client's record of the bytes sent)."""
    assert reply.request is not None and reply.request.sent is not None
    return json.loads(reply.request.sent.body)["messages"]


def test_after_a_wrong_key_the_next_request_carries_only_what_succeeded(
    emulator: Emulator,
) -> None:
    chat = Conversation()
    failed = stream(chat, chat.ask("first question"), client(emulator, key="wrong-key"))
    assert failed.status == ReplyStatus.FAILED and isinstance(failed.error, AuthenticationError)
    good = client(emulator)
    second = stream(chat, chat.ask("second question"), good, max_tokens=8)
    assert second.status == ReplyStatus.DONE
    assert sent(second) == [{"role": "user", "content": "second question"}]
    third = stream(chat, chat.ask("third question"), good, max_tokens=8)
    assert [m["role"] for m in sent(third)] == ["user", "assistant", "user"]
    assert sent(third)[1]["content"] == second.text


def test_a_cut_answer_is_continued_and_both_requests_are_kept(emulator: Emulator) -> None:
    chat, good = Conversation(), client(emulator)
    first = stream(chat, chat.ask("Tell me about rivers"), good, max_tokens=5, temperature=0)
    answer = chat.turns[0].answer
    assert answer is not None and first.finish_reason == "length" and answer.cut
    more = stream(chat, chat.continue_reply(0), good, max_tokens=40, temperature=0)
    assert more.status == ReplyStatus.DONE and more.finish_reason == "stop"
    assert answer.parts == [first, more] and answer.text == first.text + more.text
    assert not answer.cut
    assert sent(more)[-2:] == [
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]
    assert sent_messages(first) == [{"role": "user", "content": "Tell me about rivers"}]
    assert first.request is not None and first.request.params["max_tokens"] == 5
    assert more.request is not None and more.request.params["max_tokens"] == 40
    parts = json.loads(export_json(chat))["turns"][0]["alternatives"][0]
    assert [p["request"]["params"]["max_tokens"] for p in parts] == [5, 40]
    assert [p["finish_reason"] for p in parts] == ["length", "stop"]
    assert "test-key" not in export_json(chat) and emulator.api_key not in export_json(chat)
    back = import_json(export_json(chat))
    assert back.turns[0].answer is not None and back.turns[0].answer.text == answer.text


def test_regenerate_keeps_both_answers_with_their_parameters(emulator: Emulator) -> None:
    chat, good = Conversation(), client(emulator)
    one = stream(chat, chat.ask("hello"), good, max_tokens=6, seed=1)
    two = stream(chat, chat.retry(0), good, max_tokens=12, seed=2)
    turn = chat.turns[0]
    assert [a.reply for a in turn.alternatives] == [one, two] and turn.selected == 1
    assert [json.loads(r.request.sent.body)["seed"] for r in (one, two)] == [1, 2]  # type: ignore[union-attr]
    chat.select(0, 0)
    after = stream(chat, chat.ask("and then?"), good, max_tokens=4)
    assert sent(after)[1] == {"role": "assistant", "content": one.text}
