"""The Bot Framework connector stand-in answers the real botbuilder stack (CloudAdapter, TurnContext,
ConnectorClient) the way the service would, and records what it was sent. These tests also pin down how
botbuilder surfaces the connector's failures, which the Teams sender maps to retries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    ErrorResponseException,
)
from msrest.exceptions import ClientRequestError, DeserializationError

from tests.standins.teams import RecordingTeams

CHANNEL = "19:abc@thread.tacv2;messageid=1"


@dataclass
class AnonymousConfig:
    """Auth disabled, as for the Emulator: botbuilder sends no Authorization header and fetches no token."""

    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""


@pytest.fixture
async def teams() -> AsyncIterator[RecordingTeams]:
    api = await RecordingTeams().start()
    yield api
    await api.stop()


@pytest.fixture
def adapter() -> CloudAdapter:
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(AnonymousConfig()))


def reference(api: RecordingTeams, conversation_id: str = CHANNEL) -> ConversationReference:
    return ConversationReference(
        service_url=api.url,
        channel_id="msteams",
        conversation=ConversationAccount(id=conversation_id, is_group=True, conversation_type="channel"),
        bot=ChannelAccount(id="28:bot", name="Clausewatch"),
        user=ChannelAccount(id="29:user-ada", name="Ada Admin"),
    )


async def proactively(
    adapter: CloudAdapter,
    api: RecordingTeams,
    logic: Callable[[TurnContext], Awaitable[None]],
    conversation_id: str = CHANNEL,
) -> None:
    await adapter.continue_conversation(reference(api, conversation_id), logic, bot_app_id="")


async def test_a_proactive_send_and_its_update_are_recorded_under_the_decoded_conversation_id(
    teams: RecordingTeams, adapter: CloudAdapter
) -> None:
    sent_ids: list[str] = []

    async def logic(turn: TurnContext) -> None:
        posted = await turn.send_activity(MessageFactory.text("hi"))
        assert posted is not None and posted.id
        sent_ids.append(posted.id)
        edit = MessageFactory.text("hi, edited")
        edit.id = posted.id
        updated = await turn.update_activity(edit)
        assert updated is not None and updated.id == posted.id

    await proactively(adapter, teams, logic)

    [posted] = teams.activities()
    assert posted["text"] == "hi"
    assert posted["conversation"]["id"] == CHANNEL
    # continue_conversation gives its turn a made-up activity id, so sends go out as replies to it.
    [send] = [s for s in teams.sent if s.method == "POST"]
    assert send.conversation_id == CHANNEL
    assert send.path == f"/v3/conversations/{CHANNEL}/activities/{posted['replyToId']}"
    assert send.authorization is None
    [update] = teams.updates()
    assert (update.conversation_id, update.activity_id, update.answered) == (CHANNEL, sent_ids[0], 200)
    assert update.body["text"] == "hi, edited"
    assert teams.activities(CHANNEL) == [posted] and teams.activities("19:other@thread.tacv2") == []


async def test_a_429_on_a_send_raises_error_response_exception_with_status_and_retry_after(
    teams: RecordingTeams, adapter: CloudAdapter
) -> None:
    teams.fail(status=429, retry_after=3)
    raised: list[BaseException] = []

    async def logic(turn: TurnContext) -> None:
        with pytest.raises(ErrorResponseException) as caught:
            await turn.send_activity(MessageFactory.text("hi"))
        raised.append(caught.value)
        await turn.send_activity(MessageFactory.text("hi again"))

    await proactively(adapter, teams, logic)

    [error] = raised
    assert isinstance(error, ErrorResponseException)
    assert error.response.status_code == 429  # a requests.Response: botbuilder sends with requests
    assert error.response.headers["Retry-After"] == "3"
    assert error.error.error.code == "Throttled"
    # POST is not retried by the SDK: one throttled attempt, then the next send goes through.
    assert [s.answered for s in teams.sent] == [429, 200]


@pytest.mark.parametrize(
    ("status", "code"), [(403, "BotNotInConversationRoster"), (404, "ConversationNotFound")]
)
async def test_403_and_404_carry_the_bot_framework_error_code(
    teams: RecordingTeams, adapter: CloudAdapter, status: int, code: str
) -> None:
    teams.fail(status=status)

    async def logic(turn: TurnContext) -> None:
        with pytest.raises(ErrorResponseException) as caught:
            await turn.send_activity(MessageFactory.text("hi"))
        assert caught.value.response.status_code == status
        assert caught.value.error.error.code == code
        assert str(caught.value).startswith(f"({code})")

    await proactively(adapter, teams, logic)


async def test_a_plain_500_on_a_send_surfaces_as_a_deserialization_error_without_a_status(
    teams: RecordingTeams, adapter: CloudAdapter
) -> None:
    teams.fail(status=500)

    async def logic(turn: TurnContext) -> None:
        with pytest.raises(DeserializationError, match="text/plain"):
            await turn.send_activity(MessageFactory.text("hi"))

    await proactively(adapter, teams, logic)

    assert [s.answered for s in teams.sent] == [500]


async def test_updates_are_retried_by_the_sdk_honouring_retry_after_until_its_retries_run_out(
    teams: RecordingTeams, adapter: CloudAdapter
) -> None:
    async def logic(turn: TurnContext) -> None:
        posted = await turn.send_activity(MessageFactory.text("hi"))
        assert posted is not None
        edit = MessageFactory.text("edited")
        edit.id = posted.id
        teams.fail(status=429, retry_after=1, method="PUT")
        await turn.update_activity(edit)  # retried after 1 s, succeeds
        teams.fail(status=503, times=4, method="PUT")
        with pytest.raises(ClientRequestError, match="too many 503 error responses"):
            await turn.update_activity(edit)

    await proactively(adapter, teams, logic)

    assert [u.answered for u in teams.updates()] == [429, 200, 503, 503, 503, 503]


async def test_updating_an_activity_never_sent_is_a_404(teams: RecordingTeams, adapter: CloudAdapter) -> None:
    async def logic(turn: TurnContext) -> None:
        edit = MessageFactory.text("edited")
        edit.id = "1234"
        with pytest.raises(ErrorResponseException) as caught:
            await turn.update_activity(edit)
        assert caught.value.response.status_code == 404

    await proactively(adapter, teams, logic)

    assert teams.updates()[0].activity_id == "1234"


async def test_a_failure_scripted_for_one_conversation_leaves_others_alone(
    teams: RecordingTeams, adapter: CloudAdapter
) -> None:
    teams.fail(status=403, conversation="a:personal-1")

    async def send(turn: TurnContext) -> None:
        await turn.send_activity(MessageFactory.text("hi"))

    await proactively(adapter, teams, send)
    with pytest.raises(ErrorResponseException):
        await proactively(adapter, teams, send, "a:personal-1")

    assert [(s.conversation_id, s.answered) for s in teams.sent] == [(CHANNEL, 200), ("a:personal-1", 403)]


async def test_create_conversation_members_and_team_details(
    teams: RecordingTeams, adapter: CloudAdapter
) -> None:
    seen: list[str] = []

    async def logic(turn: TurnContext) -> None:
        seen.append(turn.activity.conversation.id)
        await turn.send_activity(MessageFactory.text("welcome"))
        members = await TeamsInfo.get_members(turn)
        assert [m.aad_object_id for m in members] == [m["aadObjectId"] for m in teams.members]
        ada = await TeamsInfo.get_member(turn, "29:user-ada")
        assert ada.name == "Ada Admin"
        # TeamsInfo.get_team_details/get_team_channels call the connector's *synchronous* Teams client,
        # blocking the event loop (and so deadlocking against this in-process server): call that client
        # off the loop instead.
        client = await TeamsInfo.get_teams_connector_client(turn)
        details = await asyncio.to_thread(client.teams.get_team_details, "19:team@thread.tacv2")
        assert details.name == teams.team_name
        channels = await asyncio.to_thread(client.teams.get_teams_channels, "19:team@thread.tacv2")
        assert [c.id for c in channels.conversations] == ["19:team@thread.tacv2"]

    parameters = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id="28:bot"),
        members=[ChannelAccount(id="29:user-ada")],
        tenant_id="tenant-1",
        channel_data={"tenant": {"id": "tenant-1"}},  # TeamsInfo reads the team, if any, from here
    )
    await adapter.create_conversation("", logic, parameters, "msteams", teams.url)

    assert seen == ["a:new-conv-1"]
    assert teams.sent[0].path == "/v3/conversations"
    assert teams.sent[0].body["members"] == [{"id": "29:user-ada"}]
    assert teams.activities("a:new-conv-1")[0]["text"] == "welcome"
    assert [s.path for s in teams.sent if s.method == "GET"] == [
        "/v3/conversations/a:new-conv-1/members",
        "/v3/conversations/a:new-conv-1/members/29:user-ada",
        "/v3/teams/19:team@thread.tacv2",
        "/v3/teams/19:team@thread.tacv2/conversations",
    ]


async def test_wait_for_times_out_with_what_was_sent(teams: RecordingTeams) -> None:
    await teams.wait_for(lambda: teams.sent == [])
    with pytest.raises(TimeoutError, match="0 requests"):
        await teams.wait_for(lambda: bool(teams.activities()), timeout=0.1)
