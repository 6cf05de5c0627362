"""The ``clausewatch`` command as a user runs it: a real subprocess against a real local site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bots.console.vendor_site import VendorSite
from tests.cli_runner import Cli

TERMS = "# Terms of Service\n\n## 1. Data\n\nWe store your data in the EU for 30 days after you leave.\n"


async def test_track_check_history_show_diff(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    out, _ = await cli("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos")
    assert "tracking acme/terms-of-service" in out and "first version recorded" in out
    vendor_site.publish("/terms", TERMS.replace("30 days", "90 days"))
    out, _ = await cli("check", "--all")
    assert "new version recorded" in out
    out, _ = await cli("history", "acme")
    assert "+0 -0 ~1" in out and "no AI-training change" in out
    out, _ = await cli("diff", "acme/terms-of-service")
    assert "modified" in out and "[-30-]" in out and "{+90+}" in out
    out, _ = await cli("show", "acme", "--as-of", "2000-01-01", ok=False)
    out, _ = await cli("show", "1")
    assert "90 days" in out
    out, _ = await cli("list", "--json")
    [row] = json.loads(out)
    assert row["ref"] == "acme/terms-of-service" and row["state"] == "ok"
    out, _ = await cli("untrack", "acme")
    assert "2 versions are kept" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "nobody"), "no tracked vendor called 'nobody'"),
        (("track", "ftp://example.com/x", "--vendor", "X", "--type", "tos"), "not an http(s) URL"),
        (("show", "x", "--as-of", "yesterday"), "--as-of takes a version as v3 or a date as YYYY-MM-DD"),
        (("import-history", "/nonexistent", "--vendor", "X", "--type", "tos"), "is not a folder"),
        (("diff", "x", "--from", "2024-02-01", "--to", "2024-01-01"), "--from 2024-02-01 is after --to"),
        (("show", "a-vendor-name-long-enough-to-make-the-error-wider-than-eighty-columns"), "(tracked:"),
        (("eval-changes", "/nonexistent"), "has no labels.tsv"),
        (("changes", "--vendor", "nosuch"), "no tracked vendor called 'nosuch'"),
    ],
)
async def test_errors_are_one_line_without_traceback(cli: Cli, args: tuple[str, ...], message: str) -> None:
    _, err = await cli(*args, ok=False)
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


async def test_bad_database_url_is_one_clear_line(cli: Cli) -> None:
    cli.env["CLAUSEWATCH_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    _, err = await cli("list", ok=False)
    assert err.startswith("error: cannot open the database") and "Traceback" not in err


async def test_vendor_text_is_never_terminal_markup(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish_raw("/[/bold]", b"x", "image/png")
    args = ("track", vendor_site.url("/[/bold]"), "--vendor", "[red]Evil[/red]", "--type", "[/x] terms")
    await cli(*args, "--keep-failed", ok=False)  # tracked although the first fetch failed, and exit 1
    out, _ = await cli("list")
    flat = re.sub(r"[\s│┃]", "", out)  # cells may fold over lines
    assert "[/x]Terms" in flat and "image/png" in flat  # the type and the error, not eaten as markup


async def test_unreachable_site_is_recorded_not_fatal(cli: Cli, vendor_site: VendorSite) -> None:
    cli.env["CLAUSEWATCH_CHECK_INTERVAL_HOURS"] = "6"
    await cli(
        "track",
        "http://127.0.0.1:9/terms",
        "--vendor",
        "Gone",
        "--type",
        "privacy",
        "--keep-failed",
        ok=False,
    )
    out, _ = await cli("list", "--json")
    [row] = json.loads(out)
    assert row["state"] == "error" and row["last_error"]
    assert row["interval_hours"] == 6


async def test_import_history_of_real_zoom_versions(cli: Cli, corpus: Path) -> None:
    out, _ = await cli(
        "import-history", str(corpus / "zoom/terms-of-service"), "--vendor", "Zoom", "--type", "tos"
    )
    assert "5 versions imported" in out
    out, _ = await cli("show", "zoom", "--as-of", "2023-05-01")
    assert (
        "You consent to Zoom’s access, use, collection, creation, modification, distribution, processing, "
        "sharing, maintenance, and storage of Service Generated Data for any purpose" in out
    )
    out, _ = await cli("history", "zoom")
    assert "2023-08-11" in out and "imported" in out and "expands" in out
    out, _ = await cli("changes", "--ai-only", "--json")
    rows = json.loads(out)
    assert [(r["date"], r["direction"]) for r in rows] == [
        ("2023-08-11", "restricts"),
        ("2023-08-07", "restricts"),
        ("2023-04-01", "expands"),
    ]
    out, _ = await cli("changes", "--since", "2023-08-01", "--vendor", "zoom")
    assert "2023-08-11" in out and "2023-04-01" not in out
    out, _ = await cli("diff", "zoom", "--from", "2023-03-01", "--to", "2023-05-01", "--ai-only")
    assert "AI training: expands (vendor" in out and "10.2" in out


@pytest.mark.parametrize("folder", ["zoom-labels", "changes"])
async def test_eval_changes_meets_the_targets(cli: Cli, corpus: Path, folder: str) -> None:
    path = corpus if folder == "zoom-labels" else corpus / "changes"
    out, _ = await cli("eval-changes", str(path), "--json")
    totals = json.loads(out.strip().splitlines()[-1])
    assert set(totals) == {"precision", "recall", "direction_accuracy", "actor_accuracy", "cases"}
    assert totals["precision"] >= 0.95 and totals["recall"] >= 0.95
    assert totals["direction_accuracy"] >= 0.90
    if folder == "zoom-labels":
        assert (totals["precision"], totals["recall"], totals["direction_accuracy"]) == (1.0, 1.0, 1.0)


async def test_ask_profile_and_register(cli: Cli, corpus: Path) -> None:
    for folder, kind in (("terms-of-service", "tos"), ("privacy-policy", "privacy")):
        await cli("import-history", str(corpus / "zoom" / folder), "--vendor", "Zoom", "--type", kind)
    out, _ = await cli(
        "ask", "Does Zoom use customer content to train AI?", "--as-of", "2023-05-01", "--json"
    )
    answer = json.loads(out.strip().splitlines()[-1])
    assert answer["verdict"] == "yes"
    assert any("Service Generated Data" in c["quote"] for c in answer["citations"])
    assert set(answer["citations"][0]) >= {"vendor", "document", "version_date", "section", "quote", "url"}
    out, _ = await cli("ask", "does it train AI?", "--vendor", "zoon", "--as-of", "2023-08-12", "--json")
    assert json.loads(out.strip().splitlines()[-1])["verdict"] == "no"
    out, _ = await cli("profile", "zoom")
    assert "Customer content used for training: No" in out and "Retention of inputs" in out
    out, _ = await cli("profile", "--all", "--format", "json", "--as-of", "2023-05-01")
    [entry] = json.loads(out)
    assert entry["profile"]["customer_content_training"]["value"] == "yes"
    out, _ = await cli("profile", "--all", "--format", "csv")
    header, row = out.strip().splitlines()
    assert header.startswith("vendor,customer_content_training,") and row.startswith("Zoom,no,")
    out, _ = await cli("profile", "--all")
    assert "content training" in out and "Zoom" in out and "No" in out


async def test_eval_qa_writes_predictions(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "acme.txt").write_text(
        "Privacy Policy\n\nWe keep your account data for 30 days after closure.\n"
    )
    line = {
        "id": "q1",
        "question": "How long do you keep my account data?",
        "document": "acme.txt",
        "gold": ["keep your account data for 30 days"],
    }
    (tmp_path / "questions.jsonl").write_text(json.dumps(line) + "\n")
    predictions = tmp_path / "predictions.jsonl"
    out, _ = await cli("eval-qa", str(tmp_path), "--predictions", str(predictions), "--json")
    totals = json.loads(out.strip().splitlines()[-1])
    assert totals["hit_at_3"] == 1.0 and totals["questions"] == 1
    [prediction] = [json.loads(x) for x in predictions.read_text().splitlines()]
    assert prediction["id"] == "q1" and "30 days" in prediction["evidence"][0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("profile",), "name one vendor, or use --all"),
        (("profile", "zoom", "--all"), "name one vendor, or use --all"),
        (("profile", "nobody"), "no tracked vendor called 'nobody'"),
        (("ask", "Does Nobody train AI?", "--vendor", "nobody"), "no tracked vendor called 'nobody'"),
        (("ask", "Does Zoom train AI?", "--as-of", "tomorrow"), "--as-of takes a date"),
        (("eval-qa", "/nonexistent"), "questions.jsonl not found"),
    ],
)
async def test_question_commands_explain_bad_input(cli: Cli, args: tuple[str, ...], message: str) -> None:
    _, err = await cli(*args, ok=False)
    assert message in err and len(err.strip().splitlines()) == 1
