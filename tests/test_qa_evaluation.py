"""``eval-qa``: importing the documents a questions file names, answering, scoring, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.answers.evaluation import covers, evaluate_qa, hit, load_questions
from core.errors import UsageError

POLICY = (
    "Privacy Policy\n\n"
    "We collect your name and email address when you register.\n\n"
    "We do not sell your personal information to anyone. "
    "We share it with service providers who host our site.\n\n"
    "We keep your account data for 30 days after you close your account, then delete it.\n"
)


def _write(folder: Path, lines: list[dict[str, object]]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "questions.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return folder


def test_scoring_rule_matches_score_py() -> None:
    assert covers("We keep your data for 30 days.", "keep your data for 30 days")
    assert not covers("We keep your data.", "keep your data for 30 days after closing")
    assert hit(["No, we do not sell it."], ("No", "we do not sell it"))
    assert not hit(["Yes."], ("No", "we do not sell it"))
    assert hit(["No"], ("No",))  # only short answers: the longest counts


def test_answers_every_question_and_scores_it(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "acme-com.txt").write_text(POLICY)
    folder = _write(
        tmp_path,
        [
            {
                "id": "q1",
                "question": "Do you sell my personal information?",
                "document": "docs/acme-com.txt",
                "vendor": "acme.com",
                "gold": ["We do not sell your personal information"],
                "verdict": "no",
            },
            {
                "id": "q2",
                "question": "How long do you keep my account data?",
                "document": "docs/acme-com.txt",
                "gold": ["keep your account data for 30 days after you close your account"],
            },
            {
                "id": "q3",
                "question": "Does Acme use our content to train AI models?",
                "document": "docs/acme-com.txt",
                "vendor": "acme.com",
                "gold": [],
                "verdict": "not_stated",
            },
        ],
    )
    cases = load_questions(folder)
    assert cases[1].vendor == "acme-com" and cases[0].doc_type == "Privacy Policy"
    report = evaluate_qa(cases)
    by_id = {r.case.id: r for r in report.results}
    assert by_id["q3"].evidence == [] and by_id["q3"].verdict == "not_stated"
    assert report.hit_at(3) == 1.0
    assert report.verdict_accuracy == 1.0
    assert report.totals()["questions"] == 3 and report.errors == 0
    assert json.loads(json.dumps(by_id["q1"].to_json()))["id"] == "q1"


def test_dated_files_are_versions_and_as_of_picks_one(tmp_path: Path, corpus: Path) -> None:
    zoom = corpus / "zoom" / "terms-of-service"
    question = "Does Zoom use customer content to train AI?"
    folder = _write(
        tmp_path / "set",
        [
            {
                "id": f"z{n}",
                "question": question,
                "document": str(zoom / f"{day}.md"),
                "vendor": "Zoom",
                "as_of": day,
                "verdict": verdict,
            }
            for n, (day, verdict) in enumerate(
                [("2023-02-01", "not_stated"), ("2023-04-01", "yes"), ("2023-08-11", "no")]
            )
        ],
    )
    cases = load_questions(folder)
    assert {c.doc_type for c in cases} == {"Terms of Service"}
    report = evaluate_qa(cases)
    assert [r.verdict for r in report.results] == ["not_stated", "yes", "no"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json\n", "line 1: not JSON"),
        ('{"id": "a", "question": "q"}\n', "line 1: 'document' is missing"),
        (
            '{"id": "a", "question": "q", "document": "missing.txt"}\n',
            "missing.txt is not a .txt, .md or .html",
        ),
        ("\n", "holds no questions"),
    ],
)
def test_bad_questions_files_say_which_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "questions.jsonl").write_text(content)
    with pytest.raises(UsageError, match=message):
        load_questions(tmp_path)


def test_corpus_documents_are_found_through_the_corpus_setting(tmp_path: Path, corpus: Path) -> None:
    """``corpus:`` documents resolve against the shared corpus wherever it is, never relative paths."""
    document = "corpus:zoom/privacy-policy/2023-06-30.md"
    folder = _write(tmp_path, [{"id": "q", "question": "Do you sell data?", "document": document}])
    [case] = load_questions(folder, corpus)
    assert case.document == (corpus / "zoom/privacy-policy/2023-06-30.md").resolve()
    with pytest.raises(UsageError, match="pass --corpus PATH or set CLAUSEWATCH_CORPUS"):
        load_questions(folder)


def test_a_folder_without_questions(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"questions\.jsonl not found"):
        load_questions(tmp_path)


def test_the_hand_written_ai_terms_set_keeps_its_scores(corpus: Path) -> None:
    """Floors a few points under the measured scores, a regression guard: the first 79 questions (hit@3
    0.909, verdicts 0.937), the 59 on unseen vendors (hit@3 0.771, verdicts 0.729) and the 45 of round 3
    on the PolicyQA vendors (hit@3 0.868, verdicts 0.667; 0.511 when first measured)."""
    cases = load_questions(Path(__file__).parent / "data" / "qa" / "ai-terms", corpus)
    unseen = [case for case in cases if case.id.startswith("heldout-")]
    round3 = [case for case in cases if case.id.startswith("r3-")]
    assert len(cases) == 183 and len(unseen) == 59 and len(round3) == 45
    for part, hit3, verdicts in (
        ([case for case in cases if case not in unseen and case not in round3], 0.88, 0.90),
        (unseen, 0.74, 0.70),
        (round3, 0.84, 0.62),
    ):
        report = evaluate_qa(part)
        assert report.errors == 0
        assert report.hit_at(3) >= hit3, report.summary()
        assert (report.verdict_accuracy or 0) >= verdicts, report.summary()
        silent = [r for r in report.results if r.case.verdict == "not_stated" and r.verdict == "not_stated"]
        assert all(r.evidence == [] for r in silent)  # silence is never backed by a quote


def test_two_undated_files_of_one_vendor_are_two_documents(tmp_path: Path) -> None:
    for name, days in (("first", 30), ("second", 90)):
        (tmp_path / f"{name}.txt").write_text(
            f"Privacy Policy\n\nWe keep your account data for {days} days.\n"
        )
    folder = _write(
        tmp_path,
        [
            {
                "id": n,
                "question": "How long do you keep my account data?",
                "document": f"{n}.txt",
                "vendor": "acme",
                "gold": [f"keep your account data for {d} days"],
            }
            for n, d in (("first", 30), ("second", 90))
        ],
    )
    report = evaluate_qa(load_questions(folder))
    assert report.hit_at(1) == 1.0 and report.totals()["with_gold"] == 2


def test_no_gold_means_no_hit_rate(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(POLICY)
    report = evaluate_qa(
        load_questions(_write(tmp_path, [{"id": "q", "question": "Do you sell data?", "document": "a.txt"}]))
    )
    assert report.totals()["hit_at_3"] is None and "evidence n/a" in report.summary()
