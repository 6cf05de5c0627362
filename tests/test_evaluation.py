"""Loading labelled changes and measuring the judgment, on made-up folders and on the shared real sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import UsageError
from core.reading.evaluation import evaluate, load_cases
from core.reading.judgment import Verdict

HEADER = "document\tbefore\tafter\tai_training_change\tdirection\tactor\tevidence\n"


def _write(folder: Path, rows: list[str], files: dict[str, str]) -> None:
    (folder / "labels.tsv").write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_load_cases_reads_both_layouts(tmp_path: Path) -> None:
    _write(
        tmp_path,
        [
            "acme/privacy\t2024-01-01\t2024-02-01\tyes\trestricts\tvendor\t+ We do not train on your data.",
            "acme/terms\t2024-01-01-abc1234\t2024-03-05-def5678\tno\t\t\t(typo)",
        ],
        {
            "acme/privacy/2024-01-01.md": "We may train our models on your data.",
            "acme/privacy/2024-02-01.txt": "We do not train our models on your data.",
            "acme/terms/2024-01-01-abc1234.md": "Terms.",
            "acme/terms/2024-03-05-def5678.md": "Terms!",
        },
    )
    first, second = load_cases(tmp_path)
    assert first.expected and first.direction == "restricts" and first.actor == "vendor"
    assert first.old_text.startswith("We may") and first.new_text.startswith("We do not")
    assert not second.expected and second.direction is None and second.actor is None
    assert second.name == "acme/terms 2024-01-01-abc1234 -> 2024-03-05-def5678"


def test_malformed_labels_are_clear_errors(tmp_path: Path) -> None:
    _write(tmp_path, [], {})
    with pytest.raises(UsageError, match="lists no cases"):
        load_cases(tmp_path)
    _write(tmp_path, ["acme/terms\t2024-01-01"], {})
    with pytest.raises(UsageError, match="line 2: needs the columns document, before, after"):
        load_cases(tmp_path)


def test_every_version_goes_through_extraction(tmp_path: Path) -> None:
    _write(
        tmp_path,
        ["acme/terms\t2024-01-01\t2024-02-01\tno\t\t\t(x)"],
        {
            "acme/terms/2024-01-01.html": "<nav>Home</nav><main><h1>Terms</h1><p>Old\u00a0text.</p></main>",
            "acme/terms/2024-02-01.md": "# Terms\n\n*   New   text.",
        },
    )
    (case,) = load_cases(tmp_path)
    assert case.old_text == "# Terms\n\nOld text."
    assert case.new_text == "# Terms\n\n- New text."


def test_evaluate_computes_the_metrics(tmp_path: Path) -> None:
    rows = [
        "d/a\t2024-01-01\t2024-01-02\tyes\texpands\tvendor\t+",  # TP, right direction and actor
        "d/a\t2024-01-02\t2024-01-03\tyes\trestricts\tuser\t+",  # TP, wrong direction
        "d/a\t2024-01-03\t2024-01-04\tyes\texpands\tvendor\t+",  # FN
        "d/a\t2024-01-04\t2024-01-05\tno\t\t\t(x)",  # FP
        "d/a\t2024-01-05\t2024-01-06\tno\t\t\t(x)",  # TN
    ]
    files = {f"d/a/2024-01-0{i}.md": f"v{i}" for i in range(1, 7)}
    _write(tmp_path, rows, files)
    answers = {
        "v1": Verdict(True, "expands", "vendor", "high", "", [], [], []),
        "v2": Verdict(True, "expands", "user", "low", "", [], [], []),
        "v3": Verdict(False, None, None, "none", "", [], [], []),
        "v4": Verdict(True, "expands", "vendor", "high", "", [], [], []),
        "v5": Verdict(False, None, None, "none", "", [], [], []),
    }
    seen: list[str] = []
    report = evaluate(
        load_cases(tmp_path),
        on_case=lambda result: seen.append(result.case.before),
        judge_fn=lambda old, new: answers[old],
    )
    assert (report.true_positives, report.false_positives, report.false_negatives, report.true_negatives) == (
        2,
        1,
        1,
        1,
    )
    assert report.precision == pytest.approx(2 / 3)
    assert report.recall == pytest.approx(2 / 3)
    assert report.direction_accuracy == pytest.approx(1 / 2)
    assert report.actor_accuracy == pytest.approx(1.0)
    assert report.cases == 5 and len(seen) == 5 and not report.exact
    assert [r.correct for r in report.results] == [True, False, False, False, True]


def test_figures_per_capability_when_the_labels_name_one(tmp_path: Path) -> None:
    rows = [
        "d/a\t2024-01-01\t2024-01-02\tyes\texpands\tvendor\t+\tcontext",
        "d/a\t2024-01-02\t2024-01-03\tno\t\t\t(x)\tmention",
        "d/a\t2024-01-03\t2024-01-04\tno\t\t\t(x)\tmention",
    ]
    _write(tmp_path, [], {f"d/a/2024-01-0{i}.md": f"v{i}" for i in range(1, 5)})
    (tmp_path / "labels.tsv").write_text(HEADER.rstrip("\n") + "\tcapability\n" + "\n".join(rows) + "\n")
    answers = {"v1": True, "v2": True, "v3": False}
    report = evaluate(
        load_cases(tmp_path),
        judge_fn=lambda old, new: Verdict(answers[old], "expands", "vendor", "high", "", [], [], []),
    )
    kinds = report.by_capability()
    assert list(kinds) == ["context", "mention"]
    assert kinds["context"].totals() == {
        "precision": 1.0,
        "recall": 1.0,
        "direction_accuracy": 1.0,
        "actor_accuracy": 1.0,
        "cases": 1,
    }
    assert (kinds["mention"].false_positives, kinds["mention"].true_negatives) == (1, 1)


def _report_lines(report: object) -> str:
    results = getattr(report, "results", [])
    wrong = [r for r in results if not r.correct]
    return "\n".join(
        f"{r.case.name}: expected {r.case.expected}/{r.case.direction}, got {r.got}/{r.verdict.direction}: "
        f"{r.verdict.explanation[:200]}"
        for r in wrong
    )


def test_shared_changes_meet_the_targets(corpus: Path) -> None:
    report = evaluate(load_cases(corpus / "changes"))
    assert report.cases == 92
    assert report.precision >= 0.95, _report_lines(report)
    assert report.recall >= 0.95, _report_lines(report)
    assert report.direction_accuracy >= 0.90, _report_lines(report)
    assert report.actor_accuracy >= 0.80, _report_lines(report)
    for result in report.results:
        if result.got:  # every yes quotes the decisive sentences
            assert result.verdict.added or result.verdict.removed


def test_heldout_changes_meet_the_targets() -> None:
    """Pairs from made-up vendors, written apart from the rules (tests/data/heldout/README.md). The floor
    is below 1.00 on purpose: the README lists the pairs the rules still miss, and why."""
    report = evaluate(load_cases(Path(__file__).parent / "data" / "heldout"))
    assert report.cases == 99
    assert report.precision >= 0.95, _report_lines(report)
    assert report.recall >= 0.90, _report_lines(report)
    assert report.direction_accuracy >= 0.95, _report_lines(report)
    assert report.actor_accuracy >= 0.95, _report_lines(report)
    assert set(report.by_capability()) == {
        "actor",
        "context",
        "direction",
        "mention",
        "negation",
        "same_document",
        "scope",
    }


def test_zoom_sequence_comes_out_exactly_as_labelled(corpus: Path) -> None:
    cases = load_cases(corpus)
    report = evaluate(cases)
    assert report.cases == 6
    assert report.exact, _report_lines(report)
    got = [(r.case.after, r.got, r.verdict.direction, r.verdict.actor) for r in report.results]
    assert got == [
        ("2023-04-01", True, "expands", "vendor"),
        ("2023-07-28", False, None, None),
        ("2023-08-07", True, "restricts", "vendor"),
        ("2023-08-11", True, "restricts", "vendor"),
        ("2023-08-11", True, "restricts", "vendor"),
        ("2023-09-05", False, None, None),
    ]
