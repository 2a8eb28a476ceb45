"""`annotate split` on real-world news inputs: saved web pages, CSV/TSV exports, .jsonl(.gz)
documents with metadata; dates; bad input (one clear message, no output, or --skip-bad)."""

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.ingest.dates import DateProblem, normalise_date
from annotate.ingest.html import page_encoding
from annotate.schema import record_problem

DATA = Path(__file__).parent / "data" / "news"
PAGE = DATA / "kenya-pledge.html"


def split(*args):
    result = CliRunner().invoke(main, ["split", *map(str, args)])
    return result


def records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_a_saved_page_gives_its_article_and_metadata_on_every_sentence(tmp_path):
    out = tmp_path / "s.jsonl"
    result = split(PAGE, "-o", out)
    assert result.exit_code == 0, result.output
    sentences = records(out)
    texts = [r["text"] for r in sentences]
    assert texts[0] == "Kenya renews pledge to Haiti mission"  # the headline is a sentence
    # windows-1252 bytes (0x92, 0xe9) decoded as the page declares
    assert any("Kenya’s President William Ruto" in t for t in texts)
    assert any("Pétion-Ville" in t for t in texts)
    joined = " ".join(texts)
    for furniture in ("cookies", "Share on", "Home", "Related stories", "Gangs tighten",
                      "waste of money", "All rights reserved"):
        assert furniture not in joined, furniture
    for record in sentences:
        assert record["title"] == "Kenya renews pledge to Haiti mission"
        assert record["date"] == "2024-05-14"
        assert record["outlet"] == "Coastal Herald"
        assert record["url"] == "https://herald.example.org/2024/05/kenya-pledge"
        assert record["author"] == "Amina Odhiambo"
        assert record["doc_id"] == "kenya-pledge"
        assert record_problem(record, "sentence") is None


def test_sentence_offsets_are_exact_into_the_extracted_article():
    from annotate.ingest.documents import split_document
    from annotate.ingest.sources import iter_documents

    (document,) = iter_documents([PAGE])
    sentences, _ = split_document(document)
    assert sentences and all(document.text[r["start"]:r["end"]] == r["text"] for r in sentences)


def test_encoding_comes_from_the_page_not_a_guess():
    assert page_encoding(b'<meta charset="ISO-8859-1"><p>caf\xe9</p>') == "cp1252"  # as browsers
    assert page_encoding(b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">') == "koi8-r"
    assert page_encoding("<p>café</p>".encode("utf-8")) == "utf-8"
    assert page_encoding(b"<p>caf\xe9</p>") == "cp1252"  # undeclared, not UTF-8: the web's default
    assert page_encoding(b"\xef\xbb\xbf<meta charset=latin-1>") == "utf-8"  # a BOM wins


def test_a_csv_export_with_common_headers_needs_no_options(tmp_path):
    out = tmp_path / "s.jsonl"
    result = split(DATA / "export.csv", "-o", out)
    assert result.exit_code == 0, result.output
    by_doc = {r["doc_id"]: r for r in records(out)}
    assert by_doc["a1"]["outlet"] == "Daily Nation" and by_doc["a1"]["date"] == "2024-03-05"
    assert by_doc["a1"]["title"] == "Ruto vows to stay"
    assert by_doc["a2"]["date"] == "2024-04-18" and by_doc["a2"]["url"].endswith("/a2")


def test_tsv_columns_named_by_option_and_ids_from_the_line(tmp_path):
    tsv = tmp_path / "feed.tsv"
    tsv.write_text("Story\tPaper\tWhen\nThe police welcomed the mission.\tLe Matin\t5 March 2024\n"
                   "Gangs attacked the port.\tAlterPresse\tTue, 12 Mar 2024 08:00:00 GMT\n",
                   encoding="utf-8")
    out = tmp_path / "s.jsonl"
    result = split(tsv, "--text-column", "story", "--outlet-column", "Paper", "--date-column", "When",
                   "-o", out)
    assert result.exit_code == 0, result.output
    got = [(r["doc_id"], r["outlet"], r["date"]) for r in records(out)]
    assert got == [("feed-2", "Le Matin", "2024-03-05"), ("feed-3", "AlterPresse", "2024-03-12")]


def test_jsonl_gz_documents_carry_their_metadata(tmp_path):
    docs = tmp_path / "docs.jsonl.gz"
    with gzip.open(docs, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "d1", "text": "Kenya sent officers. They arrived.",
                                 "outlet": "Nation", "date": "2024-06-25T08:00:00+03:00",
                                 "url": "https://n.example/d1", "author": "A. Writer"}) + "\n")
        handle.write(json.dumps({"id": "d2", "text": "No metadata here."}) + "\n")
    out = tmp_path / "s.jsonl"
    assert split(docs, "-o", out).exit_code == 0
    got = records(out)
    assert {(r["doc_id"], r.get("outlet"), r.get("date")) for r in got} == {
        ("d1", "Nation", "2024-06-25"), ("d2", None, None)}
    assert "title" not in got[0]  # only known metadata is written


@pytest.mark.parametrize("written,expected", [
    ("2024-03-05", "2024-03-05"), ("2024-03-05T23:30:00-05:00", "2024-03-05"),
    ("Tue, 05 Mar 2024 14:00:00 GMT", "2024-03-05"), ("March 5, 2024", "2024-03-05"),
    ("5 March 2024", "2024-03-05"), ("25.03.2024", "2024-03-25"), ("Mar. 5, 2024", "2024-03-05"),
])
def test_dates_in_news_formats_become_iso(written, expected):
    assert normalise_date(written) == expected


@pytest.mark.parametrize("written", ["yesterday", "2 days ago", "March 2024", "05/03/2024",
                                     "2024-13-45", "soon"])
def test_relative_partial_ambiguous_and_impossible_dates_are_refused(written):
    with pytest.raises(DateProblem):
        normalise_date(written)


def test_an_unreadable_date_names_file_and_line_or_is_left_empty_and_counted(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "a", "text": "One.", "date": "2024-01-02"}) + "\n"
                    + json.dumps({"id": "b", "text": "Two.", "date": "last Tuesday"}) + "\n",
                    encoding="utf-8")
    out = tmp_path / "s.jsonl"
    result = split(docs, "-o", out)
    assert result.exit_code == 1 and f"{docs}:2:" in result.stderr and "--lenient-dates" in result.stderr
    assert "Traceback" not in result.output and not out.exists()
    result = split(docs, "--lenient-dates", "-o", out)
    assert result.exit_code == 0 and "left 1 unreadable date empty" in result.stderr
    assert [r.get("date") for r in records(out)] == ["2024-01-02", None]


def _truncated_page(directory: Path) -> Path:
    """The test page cut off mid-way, as an interrupted download leaves it."""
    path = directory / "truncated.html"
    path.write_bytes(PAGE.read_bytes()[:1400])
    return path


def _bad_inputs(tmp: Path) -> dict:
    truncated = _truncated_page(tmp)
    ragged = tmp / "ragged.csv"
    ragged.write_text('id,text\na,"Fine text."\nb,Too,many,fields\n', encoding="utf-8")
    no_column = tmp / "nocol.csv"
    no_column.write_text("id,text\na,Fine.\n", encoding="utf-8")
    cut = tmp / "cut.jsonl.gz"
    whole = gzip.compress("".join(json.dumps({"id": f"d{i}", "text": f"Sentence {i} of many."}) + "\n"
                                  for i in range(2000)).encode())
    cut.write_bytes(whole[: len(whole) // 2])
    return {
        "no-article": ([DATA / "no-article.html"], f"{DATA / 'no-article.html'}: no article text"),
        "truncated-html": ([truncated], f"{truncated}: the page is cut short"),
        "ragged-row": ([ragged], f"{ragged}:3: the row has 4 fields but the header has 2"),
        "missing-column": ([no_column, "--text-column", "body"], f"{no_column}:1: no column 'body'"),
        "gzip-cut-short": ([cut], f"{cut}:"),
    }


@pytest.mark.parametrize("name", ["no-article", "truncated-html", "ragged-row", "missing-column",
                                  "gzip-cut-short"])
def test_bad_input_is_one_clear_message_and_no_output(tmp_path, name):
    inputs, message = _bad_inputs(tmp_path)[name]
    out = tmp_path / "s.jsonl"
    result = split(PAGE, *inputs, "-o", out)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: ") and message in errors[0], errors
    if name == "gzip-cut-short":
        assert "cut short" in errors[0]
    assert "Traceback" not in result.output and not out.exists()


def test_skip_bad_lets_a_crawl_go_on_and_lists_what_it_skipped(tmp_path):
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for name in ("kenya-pledge.html", "no-article.html"):
        shutil.copy(DATA / name, crawl / name)
    _truncated_page(crawl)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text('id,text\na,"Fine text here."\nb,Too,many\nc,"Also fine."\n', encoding="utf-8")
    out = tmp_path / "s.jsonl"
    result = split(crawl, ragged, "--skip-bad", "-o", out)
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 3
    assert any("no-article.html" in s for s in skipped) and any("truncated.html" in s for s in skipped)
    assert any(f"{ragged}:3" in s for s in skipped)
    assert "skipped 3 bad inputs" in result.stderr
    assert {r["doc_id"] for r in records(out)} == {"kenya-pledge", "a", "c"}


@pytest.mark.shared_data
def test_real_pages_keep_the_article_and_leave_more_furniture_out_than_trafilatura(shared_dir):
    """The 63 real pages of ../shared/data/news-html (never copied here): the goals (every
    keep-snippet kept on at least 95% of pages, furniture leaked on at most 5%), fewer pages leaking
    than trafilatura's own default, offsets exact. Figures and the full comparison: benchmarks/bench_extraction.py."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import bench_extraction

    pages_dir = shared_dir / "data" / "news-html"
    expected = [json.loads(line) for line in (pages_dir / "expected.jsonl").read_text().splitlines()]
    ours = bench_extraction.score(bench_extraction.annotate_split, expected)  # checks offsets too
    theirs = bench_extraction.score(bench_extraction.trafilatura_default, expected)
    assert ours["pages"] == 63
    assert ours["all_kept"] >= 0.95 and ours["leaked_pages"] <= 0.05
    assert ours["leaked_pages"] < theirs["leaked_pages"]
