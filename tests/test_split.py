"""annotate split: sentence boundaries, furniture, markdown, records, bad input, corpus.toml."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import blingfire
import pytest
from click.testing import CliRunner
from shared_data import SEED_ARTICLE as SEED

from annotate.cli import main
from annotate.corpus import load_corpus_config
from annotate.errors import ConfigError
from annotate.ingest.documents import (
    Document,
    SplitStats,
    is_furniture,
    iter_sentences,
    prose_blocks,
    split_document,
)
from annotate.ingest.splitting import blingfire_breaks_at, blingfire_ends, sentence_spans
from annotate.records import read_records, read_text

# Labelled tricky cases: (text, its sentences). benchmarks/bench_split.py scores every splitter
# on these too.
TRICKY_CASES = [
    # abbreviations
    ("The U.S. sent aid on Sept. 5 to Haiti. Dr. Smith arrived at 3 p.m. on Monday. It rained.",
     ["The U.S. sent aid on Sept. 5 to Haiti.", "Dr. Smith arrived at 3 p.m. on Monday.", "It rained."]),
    ("The U.N. Security Council met. No. 10 said nothing.",
     ["The U.N. Security Council met.", "No. 10 said nothing."]),
    ("Gangs, i.e. armed groups such as G9, remain. Donors, e.g. Canada, paid.",
     ["Gangs, i.e. armed groups such as G9, remain.", "Donors, e.g. Canada, paid."]),
    ("Food, fuel, medicine, etc. were scarce. Aid was slow.",
     ["Food, fuel, medicine, etc. were scarce.", "Aid was slow."]),
    ("Gen. Smith and Lt. Jones agreed. Mr. Ruto spoke. Ms. Jones replied.",
     ["Gen. Smith and Lt. Jones agreed.", "Mr. Ruto spoke.", "Ms. Jones replied."]),
    ("He met Mrs. Pierre in St. Marc. Prof. Ali agreed.",
     ["He met Mrs. Pierre in St. Marc.", "Prof. Ali agreed."]),
    ("Officers arrived at 10 a.m. The talks began.",
     ["Officers arrived at 10 a.m.", "The talks began."]),
    ("The force arrived at 10 a.m. Tuesday.", ["The force arrived at 10 a.m. Tuesday."]),
    ("Funding came from the U.S. The U.N. added more.",
     ["Funding came from the U.S.", "The U.N. added more."]),
    ("The U.S.-backed force landed. It was June.", ["The U.S.-backed force landed.", "It was June."]),
    ("The vote was set for Jan. 12. Then it slipped.", ["The vote was set for Jan. 12.", "Then it slipped."]),
    # initials
    ("John F. Kennedy was president. J. R. R. Tolkien wrote books.",
     ["John F. Kennedy was president.", "J. R. R. Tolkien wrote books."]),
    ("Kenya's president, William S. Ruto, spoke. Then he left.",
     ["Kenya's president, William S. Ruto, spoke.", "Then he left."]),
    # quotes
    ('He said, "We will go." Then he left.', ['He said, "We will go."', "Then he left."]),
    ("She wrote: “It is over.” Others disagreed.", ["She wrote: “It is over.”", "Others disagreed."]),
    ('He asked "Why?" and left. "No!" she said.', ['He asked "Why?" and left.', '"No!" she said.']),
    ("“We need help,” the minister said. ‘Now.’ Nobody answered.",
     ["“We need help,” the minister said.", "‘Now.’", "Nobody answered."]),
    # ellipses
    ("Wait... what happened? Nobody knew.", ["Wait... what happened?", "Nobody knew."]),
    ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
    ("The list went on … and on. It ended.", ["The list went on … and on.", "It ended."]),
    # decimals, numbers
    ("The mission cost $1.5 billion. Inflation hit 3.5% last year.",
     ["The mission cost $1.5 billion.", "Inflation hit 3.5% last year."]),
    ("About 2,500 officers were pledged in 2023. 400 arrived.",
     ["About 2,500 officers were pledged in 2023.", "400 arrived."]),
    # missed by blingfire alone
    ("Mr. Ruto spoke. Ms. Jones listened. The Rev. Jean Pierre prayed.",
     ["Mr. Ruto spoke.", "Ms. Jones listened.", "The Rev. Jean Pierre prayed."]),
    # brackets, ?! and line breaks inside a paragraph
    ("The mission (led by Kenya) stalled. Why? Nobody said!",
     ["The mission (led by Kenya) stalled.", "Why?", "Nobody said!"]),
    ("The police force\nwas overwhelmed. Gangs\ncontrolled the roads.",
     ["The police force\nwas overwhelmed.", "Gangs\ncontrolled the roads."]),
]


def _sentences(text):
    return [text[start:end] for start, end in sentence_spans(text)]


@pytest.mark.parametrize("text,expected", TRICKY_CASES, ids=[t[:40] for t, _ in TRICKY_CASES])
def test_tricky_cases(text, expected):
    assert _sentences(text) == expected


def test_spans_are_exact_and_trimmed_with_non_ascii_text():
    text = "  Haïti’s police 😀 spoke. “Ça va.” Then   the U.N. met.\n"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Haïti’s police 😀 spoke.", "“Ça va.”",
                                            "Then   the U.N. met."]


def test_fast_blingfire_call_agrees_with_blingfires_own_wrapper():
    rng = random.Random(7)
    words = ["Haïti’s", "police", "😀", "“Ça", "va.”", "U.S.", "He", "left.", "Dr.", "Smith", "é.",
             "The", "end!", "wait...", "Ñandú.", "中文。", "x", "“Why?”"]
    for _ in range(500):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        expected = {end for _, end in blingfire.text_to_sentences_and_offsets(text)[1][:-1]}
        assert blingfire_ends(text) == expected, text


# Stops blingfire decides, and words after them, to build paragraphs full of such decisions.
_AMBIGUOUS_STOPS = ["U.S.", "U.N.", "U.K.", "D.C.", "N.Y.", "U.S.A.", "Ph.D.", "etc.", "Inc.",
                    "Co.", "Corp.", "Ltd.", "LLC.", "Bros.", "Jr.", "Sr.", "p.m.", "a.m.", "A.M.",
                    "P.M.", "...", "…"]
_CAPITALISED = ["The", "He", "She", "Senate", "Officials", "Tuesday", "President", "In", "But",
                "It", "A", "I", "Washington", "Mr.", "“We", '"This', "(The", "'I", "Haïti’s"]


def _paragraphs_with_ambiguous_stops(sentences: list[str], count: int, seed: int) -> list[str]:
    """Paragraphs of 2-6 `sentences`, each ending in an ambiguous stop or carrying one (followed
    by a capitalised word) somewhere inside."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(2, 6)):
            words = rng.choice(sentences).split()
            if rng.random() < 0.5:
                words = [*words[:-1], words[-1].rstrip('.!?"”'), rng.choice(_AMBIGUOUS_STOPS)]
            else:
                words.insert(rng.randrange(len(words) + 1),
                             f"{rng.choice(_AMBIGUOUS_STOPS)} {rng.choice(_CAPITALISED)}")
            parts.append(" ".join(words))
        paragraphs.append(rng.choice([" ", "\n", "  "]).join(parts))
    return paragraphs


def _window_disagreements(paragraphs: list[str]) -> tuple[list[str], int]:
    """Stops where blingfire asked of a window around the stop (what the splitter asks) answers
    otherwise than asked of the whole paragraph; and how many stops were asked."""
    disagreements, asked = [], 0
    for paragraph in paragraphs:
        whole = blingfire_ends(paragraph)
        for end in range(1, len(paragraph)):
            if paragraph[end - 1] in ".…" and paragraph[end].isspace():
                asked += 1
                if blingfire_breaks_at(paragraph, end) != (end in whole):
                    disagreements.append(paragraph[max(0, end - 60):end + 60])
    return disagreements, asked


def test_blingfire_asked_of_a_window_answers_as_asked_of_the_whole_paragraph():
    # The splitter asks blingfire about one stop at a time, of ~32 characters either side: its
    # rules look a word or two either side, and reading the whole paragraph for each stop cost
    # most of the split's time. Bundled articles' sentences, rebuilt into long paragraphs.
    sentences = [record["text"] for record in iter_sentences(
        [Path(__file__).resolve().parents[1] / "corpora/haiti-mss/articles"], SplitStats())]
    paragraphs = _paragraphs_with_ambiguous_stops(sentences, 3000, seed=11)
    assert min(map(len, paragraphs)) < 200 < max(map(len, paragraphs))
    disagreements, asked = _window_disagreements(paragraphs)
    assert asked > 10000
    assert disagreements == []


@pytest.mark.shared_data
def test_blingfire_window_agrees_on_news_sentences(shared_dir):
    path = shared_dir / "data/newsmtsc/splits/train.jsonl"
    sentences = sorted({json.loads(line)["sentence"].strip() for line in path.open(encoding="utf-8")})
    paragraphs = _paragraphs_with_ambiguous_stops([s for s in sentences if s], 6000, seed=5)
    disagreements, asked = _window_disagreements(paragraphs)
    assert asked > 20000
    assert disagreements == []


# --- the seed article --------------------------------------------------------------------------

def _seed_text():
    # The seed is third-party text: read it where it lives, never copy it into the repo.
    assert SEED.is_file(), f"seed article missing: {SEED} (clone next to shared/)"
    return read_text(SEED)


@pytest.mark.shared_data
def test_seed_article_gives_its_15_sentences_and_no_furniture():
    text = _seed_text()
    records, dropped = split_document(Document("seed", text, str(SEED)))
    assert len(records) == 15
    assert dropped == 3
    for record in records:
        assert text[record["start"]:record["end"]] == record["text"]
        assert record["text"][0].isupper() and record["text"].endswith(".")
    texts = [r["text"] for r in records]
    for furniture in ("Share.", "Leave A Reply", "Exit mobile version"):
        assert not any(furniture in sentence for sentence in texts)
    # Each article paragraph is exactly its sentences joined by a space: nothing lost or merged.
    paragraphs = [p for p in text.split("\n\n") if p.count(".") > 1]
    assert len(paragraphs) == 4
    rebuilt, index = [], 0
    for paragraph in paragraphs:
        count = sum(1 for r in records if r["text"] in paragraph)
        rebuilt.append(" ".join(texts[index:index + count]))
        index += count
    assert rebuilt == [p.strip() for p in paragraphs]
    assert [r["prev_text"] for r in records[1:]] == texts[:-1]
    assert [r["next_text"] for r in records[:-1]] == texts[1:]
    assert records[0]["prev_text"] == "" and records[-1]["next_text"] == ""


@pytest.mark.shared_data
def test_split_cli_on_seed_article(tmp_path):
    out = tmp_path / "sentences.jsonl"
    result = CliRunner().invoke(main, ["split", str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert ("wrote 15 sentences from 1 document to" in result.stderr
            and "(dropped 3 furniture lines)" in result.stderr)
    records = list(read_records(out, "sentence"))
    assert len(records) == 15
    assert {r["doc_id"] for r in records} == {"haiti-mss-article"}
    assert len({r["id"] for r in records}) == 15


# --- an article of our own with page furniture (runs without ../shared/) ----------------------

SAMPLE_ARTICLE = Path(__file__).resolve().parent / "data" / "article-with-furniture.txt"


def test_split_cli_on_an_article_with_page_furniture(tmp_path):
    out = tmp_path / "sentences.jsonl"
    result = CliRunner().invoke(main, ["split", str(SAMPLE_ARTICLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert ("wrote 7 sentences from 1 document to" in result.stderr
            and "(dropped 4 furniture lines)" in result.stderr)
    text = read_text(SAMPLE_ARTICLE)
    records = list(read_records(out, "sentence"))
    texts = [r["text"] for r in records]
    assert texts[0] == "River towns demand flood defences before the rainy season"  # the title
    for furniture in ("Home | News", "Share.", "Leave A Reply", "Exit mobile version"):
        assert not any(furniture in sentence for sentence in texts)
    for record in records:
        assert text[record["start"]:record["end"]] == record["text"]
    # each paragraph is exactly its sentences joined by a space: nothing lost or merged
    paragraphs = [p.strip() for p in text.split("\n\n") if p.count(".") > 1]
    assert [" ".join(t for t in texts if t in p) for p in paragraphs] == paragraphs
    assert {r["doc_id"] for r in records} == {"article-with-furniture"}


# --- furniture ---------------------------------------------------------------------------------

FURNITURE = ["Share.", "Share this article", "Leave A Reply", "Leave a comment", "Exit mobile version",
             "Skip to content", "Home | News | Contact", "Home » World » Americas", "Subscribe",
             "Subscribe to our newsletter", "Read more", "Advertisement", "Related posts",
             "Related Articles:", "We use cookies to improve your experience. Accept to continue.",
             "Accept all cookies", "Facebook Twitter WhatsApp Email", "Share on Facebook",
             "Follow us on Twitter", "3 Comments", "© 2024 Haiti News. All rights reserved.",
             "Tags: Haiti, Kenya, MSS", "Continue reading", "You may also like", "Previous article",
             "Back to top", "Print",
             # news boilerplate sentences
             "Never miss the latest news by signing up to our newsletter today!",
             "Subscribe now to our Weekend edition for the full story.",
             "For the latest stories download the Herald apps for iOS and Android.",
             "(Credit: Jane Doe / Reuters)", "Photo credit: AFP",
             "© 2022, Herald.com. This article is the copyrighted property of the Herald. Written "
             "permission must be obtained before reprint in online or print media.",
             "This post contains references to products from one or more of our advertisers.",
             "Submit your letter to the editor via this form.",
             "Аdvеrtіѕе wіth thе most visited news site",  # Cyrillic look-alike letters
             "The good folks at the choir are still doing their thing, and now […]",
             "*Bonus value is an estimated value calculated by us.", "See also:",
             "Look at other dictionaries:"]
REAL = ["Share prices rose after the vote.", "Read more about the mission in our report.",
        "Subscribe to the idea that police alone can fix this, and you will be disappointed.",
        "Home is where the gangs are, one resident said.", "Related talks took place in Nairobi.",
        "The advertisement ran for a week.", "Leave a reply to the UN, he told reporters.",
        "Kenya | Haiti relations were strained, and both | sides knew it.",
        "Share.It is gone.", "Cookies were sold at the market.",
        "Police said the credit card was stolen.", "The court refused written permission for the march.",
        "Kenya will subscribe to the plan, officials said, calling it the full story.",
        "Путин заявил, что миссия провалилась.", "*Emphasis* opens this line.",
        "He said the mission was […] a failure.", "See also the UN's own report."]


def test_a_list_under_a_related_links_lead_in_is_dropped_but_prose_after_it_is_kept():
    text = ("Kenya sent officers.\n\nSee also:\n\n- Gangs seize the port\n- Donors meet\n\n"
            "The mission went on.\n\n- A real list item")
    blocks, dropped = prose_blocks(text)
    assert [text[a:b] for a, b in blocks] == ["Kenya sent officers.", "The mission went on.",
                                            "A real list item"]
    assert dropped == 3


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_lines_are_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", REAL)
def test_real_sentences_are_never_furniture(line):
    assert not is_furniture(line)


def test_furniture_lines_are_dropped_and_counted():
    text = ("Skip to content\nHome | News | Contact\n\nKenyan police arrived. They were welcomed.\n"
            "Share.\nAdvertisement\nThe mission continues.\n\nLeave A Reply\n")
    records, dropped = split_document(Document("d", text, "d"))
    assert [r["text"] for r in records] == ["Kenyan police arrived.", "They were welcomed.",
                                           "The mission continues."]
    assert dropped == 5


# --- layout: markdown, titles, wrapped lines ------------------------------------------------------

MARKDOWN = """# Kenya's police land in Haiti

By Jane Doe
Published Sept. 5, 2024

Kenyan officers arrived on Tuesday. They
were greeted by Haitian police.

Next steps
==========

- The U.N. will vote in October.
- Donors, e.g. Canada, pledged $1.5 million.
  More may follow.
1. First item.

> “We need help,” said Dr. Jean.

---
## Related posts ##
"""


def test_markdown_headings_lists_and_wrapped_lines():
    records, dropped = split_document(Document("md", MARKDOWN, "md"))
    assert [r["text"] for r in records] == [
        "Kenya's police land in Haiti", "By Jane Doe", "Published Sept. 5, 2024",
        "Kenyan officers arrived on Tuesday.", "They\nwere greeted by Haitian police.",
        "Next steps", "The U.N. will vote in October.",
        "Donors, e.g. Canada, pledged $1.5 million.", "More may follow.", "First item.",
        "“We need help,” said Dr. Jean."]
    assert dropped == 1
    for record in records:
        assert MARKDOWN[record["start"]:record["end"]] == record["text"]


def test_offsets_index_the_text_with_normalised_line_endings(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeffTitle line\r\n\r\nFirst one. Second\r\none.\r\n".encode("utf-8"))
    out = tmp_path / "s.jsonl"
    assert CliRunner().invoke(main, ["split", str(path), "-o", str(out)]).exit_code == 0
    text = read_text(path)
    records = list(read_records(out, "sentence"))
    assert [r["text"] for r in records] == ["Title line", "First one.", "Second\none."]
    assert all(text[r["start"]:r["end"]] == r["text"] for r in records)


# --- ids, doc ids, inputs ------------------------------------------------------------------------

def test_ids_are_stable_and_repeats_get_a_suffix():
    text = "Gangs attacked. Police replied. Gangs attacked."
    first, _ = split_document(Document("d", text, "d"))
    again, _ = split_document(Document("d", text, "d"))
    assert [r["id"] for r in first] == [r["id"] for r in again]
    assert len({r["id"] for r in first}) == 3
    assert first[2]["id"] == first[0]["id"] + "-2"
    edited, _ = split_document(Document("d", "A new opening. " + text, "d"))
    assert [r["id"] for r in edited[1:]] == [r["id"] for r in first]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_directories_are_recursive_sorted_and_doc_ids_unique(tmp_path):
    _write(tmp_path / "b" / "report.md", "From b. Second.")
    _write(tmp_path / "a" / "report.txt", "From a.")
    _write(tmp_path / "a" / "notes.csv", "ignored")
    _write(tmp_path / ".hidden" / "x.txt", "Hidden.")
    docs = _write(tmp_path / "docs.jsonl", json.dumps({"id": "j1", "text": "From jsonl."}) + "\n")
    out = tmp_path / "s.jsonl"
    result = CliRunner().invoke(main, ["split", str(tmp_path / "a"), str(tmp_path / "b"),
                                       str(docs), str(tmp_path / "b" / "report.md"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = list(read_records(out, "sentence"))
    assert [(r["doc_id"], r["text"]) for r in records] == [
        ("report", "From a."), ("report-2", "From b."), ("report-2", "Second."),
        ("j1", "From jsonl."), ("report-3", "From b."), ("report-3", "Second.")]
    assert "from 4 documents" in result.stderr


def test_sentences_stream_one_document_at_a_time(tmp_path):
    good = _write(tmp_path / "good.txt", "A sentence.")
    stream = iter_sentences([good, tmp_path / "missing.txt"], SplitStats())
    assert next(stream)["text"] == "A sentence."  # yielded before the second input is opened


# --- bad input, through the CLI ------------------------------------------------------------------

def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (inputs, expected message fragment)."""
    (tmp / "empty-dir").mkdir()
    _write(tmp / "empty.txt", "  \n\n")
    (tmp / "binary.txt").write_bytes(b"Some text\x00\x01\x02")
    (tmp / "latin1.txt").write_bytes("Line one.\nCaf\xe9 au lait.".encode("latin-1"))
    os.symlink("/proc/self/mem", tmp / "unreadable.txt")  # open() works, read() fails (EIO)
    _write(tmp / "table.xlsx", "a,b\n")
    good = json.dumps({"id": "d1", "text": "Fine."})
    jsonl = {
        "bad-json": (good + "\n\n{oops\n", ":3: invalid JSON"),
        "missing-field": (good + "\n" + json.dumps({"id": "d2"}) + "\n", ":2: document has no 'text'"),
        "wrong-type": (json.dumps({"id": 7, "text": "x"}) + "\n", ":1: field 'id' must be a string"),
        "not-object": (good + "\n[1, 2]\n", ":2: expected a JSON object"),
        "duplicate-id": (good + "\n" + good + "\n", ":2: document id 'd1' is used twice"),
        "empty-text": (json.dumps({"id": "d3", "text": " "}) + "\n", ":1: document 'd3' has empty text"),
        "empty-jsonl": ("\n", ": the file is empty"),
    }
    cases = {name: ([str(_write(tmp / f"{name}.jsonl", body))], f"{name}.jsonl{where}")
             for name, (body, where) in jsonl.items()}
    cases.update({
        "missing": ([str(tmp / "nope.txt")], "nope.txt: no such file or directory"),
        "empty-dir": ([str(tmp / "empty-dir")], "empty-dir: directory has no .txt, .md, .html or .htm files"),
        "empty": ([str(tmp / "empty.txt")], "empty.txt: the file is empty"),
        "binary": ([str(tmp / "binary.txt")], "binary.txt: looks like a binary file"),
        "non-utf8": ([str(tmp / "latin1.txt")], "latin1.txt:2: is not valid UTF-8"),
        "unreadable": ([str(tmp / "unreadable.txt")], "unreadable.txt: cannot be read"),
        "unsupported": ([str(tmp / "table.xlsx")], "table.xlsx: unsupported file type '.xlsx'"),
    })
    return cases


BAD_INPUT_NAMES = ["bad-json", "missing-field", "wrong-type", "not-object", "duplicate-id",
                   "empty-text", "empty-jsonl", "missing", "empty-dir", "empty", "binary",
                   "non-utf8", "unreadable", "unsupported"]


@pytest.mark.parametrize("name", BAD_INPUT_NAMES)
def test_bad_input_gives_one_clear_error_and_no_output(tmp_path, name):
    inputs, message = _bad_inputs(tmp_path)[name]
    good = _write(tmp_path / "good.txt", "A good article comes first. It is fine.")
    out = tmp_path / "out" / "sentences.jsonl"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["split", str(good), *inputs, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temporary file left behind either


def test_input_without_sentences_is_an_error_alone_and_a_warning_among_others(tmp_path):
    furniture = _write(tmp_path / "furniture.txt", "Share.\nLeave A Reply\n")
    out = tmp_path / "s.jsonl"
    result = CliRunner().invoke(main, ["split", str(furniture), "-o", str(out)])
    assert result.exit_code == 1
    assert "furniture.txt: no sentences found" in result.stderr and not out.exists()
    good = _write(tmp_path / "good.txt", "A sentence.")
    result = CliRunner().invoke(main, ["split", str(good), str(furniture), "-o", str(out)])
    assert result.exit_code == 0
    assert f"warning: {furniture}: no sentences found" in result.stderr
    assert "wrote 1 sentence from 2 documents" in result.stderr and "(dropped 2 furniture lines)" in result.stderr


def test_bad_input_cases_are_all_tested(tmp_path):
    assert sorted(_bad_inputs(tmp_path)) == sorted(BAD_INPUT_NAMES)


# --- corpus.toml ---------------------------------------------------------------------------------

CORPUS_TOML = """name = "haiti-mss"
target = "the Kenya-led Multinational Security Support mission in Haiti"
description = "Test corpus"
articles = "articles"
codebook = "codebook.toml"
[gold]
train = ["gold/a.jsonl"]
dev = ["gold/b.jsonl"]
"""


def _corpus(tmp_path, text=CORPUS_TOML):
    (tmp_path / "articles").mkdir(exist_ok=True)
    for name in ("codebook.toml", "gold/a.jsonl", "gold/b.jsonl"):
        _write(tmp_path / name, "x")
    return _write(tmp_path / "corpus.toml", text)


def test_load_corpus_config_resolves_paths(tmp_path):
    config = load_corpus_config(_corpus(tmp_path))
    assert config.name == "haiti-mss"
    assert config.target.startswith("the Kenya-led")
    assert config.articles == (tmp_path / "articles").resolve()
    assert config.codebook == (tmp_path / "codebook.toml").resolve()
    assert config.gold_train == ((tmp_path / "gold" / "a.jsonl").resolve(),)
    assert config.gold_dev == ((tmp_path / "gold" / "b.jsonl").resolve(),)
    with pytest.raises(AttributeError):
        config.name = "other"  # frozen


@pytest.mark.parametrize("change,message", [
    (lambda t: t.replace('name = "haiti-mss"\n', ""), "missing required key 'name'"),
    (lambda t: t.replace('target = "the', "target = 3 #"), "'target' must be a non-empty string"),
    (lambda t: t.replace('"articles"', '"nowhere"'), "articles 'nowhere' is not an existing dir"),
    (lambda t: t.replace("gold/b.jsonl", "gold/c.jsonl"), "gold.dev file 'gold/c.jsonl'"),
    (lambda t: t.replace('train = ["gold/a.jsonl"]', 'train = "gold/a.jsonl"'),
     "gold.train must be a list"),
    (lambda t: t + "test = []\n", "unknown key(s) in [gold]: test"),
    (lambda t: t.replace("name =", "name"), "not valid TOML"),
])
def test_load_corpus_config_errors_name_the_file(tmp_path, change, message):
    path = _corpus(tmp_path, change(CORPUS_TOML))
    with pytest.raises(ConfigError) as error:
        load_corpus_config(path)
    assert str(path) in str(error.value) and message in str(error.value)
