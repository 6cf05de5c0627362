"""The Slack stand-in answers a real slack_sdk client the way Slack would, and records what it was sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.standins.slack import RecordingSlack

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* changed its AI terms"}}]
METADATA = {"event_type": "clause_changed", "event_payload": {"vendor": "acme", "change": 7}}


@pytest.fixture
async def slack() -> AsyncIterator[RecordingSlack]:
    api = await RecordingSlack(admins={"UADMIN"}).start()
    yield api
    await api.stop()


def client(api: RecordingSlack, token: str = "xoxb-1") -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=api.base_url)


async def test_posted_message_comes_back_in_history_with_metadata_only_when_asked(
    slack: RecordingSlack,
) -> None:
    web = client(slack)
    posted = await web.chat_postMessage(channel="C1", text="Acme changed", blocks=BLOCKS, metadata=METADATA)
    full = await web.conversations_history(channel="C1", include_all_metadata=True)
    plain = await web.conversations_history(channel="C1")

    assert full["messages"][0]["ts"] == posted["ts"]
    assert full["messages"][0]["blocks"] == BLOCKS
    assert full["messages"][0]["metadata"] == METADATA
    assert "metadata" not in plain["messages"][0]
    [call] = slack.calls_to("chat.postMessage")
    assert call.token == "xoxb-1"
    assert call.params["metadata"] == METADATA


async def test_a_form_body_has_its_json_fields_decoded(slack: RecordingSlack) -> None:
    await client(slack).api_call(
        "chat.postMessage", data={"channel": "C1", "blocks": '[{"type": "divider"}]'}
    )

    assert slack.calls_to("chat.postMessage")[0].params["blocks"] == [{"type": "divider"}]


async def test_scripted_rate_limit_reaches_the_client_with_retry_after(slack: RecordingSlack) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=2)
    web = client(slack)

    with pytest.raises(SlackApiError) as raised:
        await web.chat_postMessage(channel="C1", text="hi")
    await web.chat_postMessage(channel="C1", text="hi again")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "2"
    assert raised.value.response["error"] == "ratelimited"
    assert [c.answered for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_revoked_and_missing_tokens_are_refused(slack: RecordingSlack) -> None:
    slack.revoked_tokens.add("xoxb-gone")

    with pytest.raises(SlackApiError) as revoked:
        await client(slack, "xoxb-gone").auth_test()
    with pytest.raises(SlackApiError) as missing:
        await AsyncWebClient(base_url=slack.base_url).auth_test()

    assert revoked.value.response["error"] == "token_revoked"
    assert missing.value.response["error"] == "not_authed"


async def test_users_info_reports_admins(slack: RecordingSlack) -> None:
    web = client(slack)

    assert (await web.users_info(user="UADMIN"))["user"]["is_admin"] is True
    assert (await web.users_info(user="UPLAIN"))["user"]["is_admin"] is False


async def test_posts_to_a_response_url_are_recorded(slack: RecordingSlack) -> None:
    url = slack.response_url("approve")
    async with aiohttp.ClientSession() as session, session.post(url, json={"text": "Approved"}) as answer:
        assert answer.status == 200

    await slack.wait_for(lambda: len(slack.responses) == 1, timeout=1.0)
    assert (slack.responses[0].name, slack.responses[0].body) == ("approve", {"text": "Approved"})
