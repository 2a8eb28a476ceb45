"""`split` and `prelabel` on a Dask LocalCluster (real worker processes): the same output as
one machine, killed workers, bad shards."""

from __future__ import annotations

import gzip
import json
import os
import signal
import threading
import time
from pathlib import Path

import distributed  # the dask extra, part of the test extra
import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.errors import ClusterError, InputError
from annotate.ingest.documents import split_to_file
from annotate.ingest.shards import read_shards, split_shards
from annotate.model.distributed import prelabel_shards
from annotate.model.prelabel import prelabel_file

ARTICLES = Path("corpora/haiti-mss/articles")


def _documents(copies: int = 1) -> list[dict]:
    base = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(ARTICLES.glob("*.md"))]
    return [{**d, "id": f"{d['id']}-{c}" if copies > 1 else d["id"]}
            for c in range(copies) for d in base]


def _write_gz(path: Path, records: list[dict]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def corpus(tmp_path):
    """The bundled articles as three gzipped shards, and the same documents as one .jsonl."""
    documents = _documents()
    (tmp_path / "corpus").mkdir()
    order = []
    for i in range(3):
        _write_gz(tmp_path / "corpus" / f"part-{i:05d}.jsonl.gz", documents[i::3])
        order += documents[i::3]
    (tmp_path / "all.jsonl").write_text("".join(json.dumps(d) + "\n" for d in order))
    return tmp_path


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local, \
            distributed.Client(local) as client:
        yield client


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_split_and_prelabel_on_a_cluster_give_the_single_machine_output(corpus, cluster):
    split_to_file([corpus / "all.jsonl"], corpus / "sentences.jsonl")
    prelabel_file(corpus / "sentences.jsonl", corpus / "predictions.jsonl")

    run, stats = split_shards([corpus / "corpus"], corpus / "sentences", cluster)
    assert (stats.documents, len(run.results), run.workers) == (10, 3, 2)
    assert list(read_shards(corpus / "sentences")) == _lines(corpus / "sentences.jsonl")
    run, stats, _ = prelabel_shards([corpus / "sentences"], corpus / "predictions", cluster)
    assert list(read_shards(corpus / "predictions")) == _lines(corpus / "predictions.jsonl")
    assert stats.records == len(_lines(corpus / "predictions.jsonl"))
    # byte for byte, and a rerun rewrites the same bytes (no time stamp in the gzip header)
    shards = sorted((corpus / "predictions").glob("part-*.jsonl.gz"))
    before = [p.read_bytes() for p in shards]
    assert b"".join(gzip.decompress(b) for b in before) == (corpus / "predictions.jsonl").read_bytes()
    prelabel_shards([corpus / "sentences"], corpus / "predictions", cluster)
    assert [p.read_bytes() for p in shards] == before
    manifest = json.loads((corpus / "predictions" / "manifest.json").read_text())
    assert [s["records"] for s in manifest["shards"]] == [r.records for r in run.results]


def test_the_cli_runs_on_a_local_cluster(corpus):
    split_to_file([corpus / "all.jsonl"], corpus / "sentences.jsonl")
    result = CliRunner().invoke(main, ["split", *map(str, sorted((corpus / "corpus").iterdir())),
                                       "--scheduler", "local", "--workers", "1",
                                       "-o", str(corpus / "out")])
    assert result.exit_code == 0, result.output
    assert "from 10 documents to 3 shards" in result.output and "on 1 worker" in result.output
    assert list(read_shards(corpus / "out")) == _lines(corpus / "sentences.jsonl")
    result = CliRunner().invoke(main, ["split", str(corpus / "all.jsonl"), "--workers", "2",
                                       "-o", str(corpus / "x.jsonl")])
    assert result.exit_code != 0 and "--workers needs --scheduler local" in result.output


def _pids(client) -> list[int]:
    return list(client.run(os.getpid).values())


def _kill_a_worker_once_a_shard_is_done(client, output: Path, runner: threading.Thread):
    deadline = time.monotonic() + 300
    while not list(output.parent.glob(f".{output.name}.*.tmp/part-*.jsonl.gz")):
        assert runner.is_alive() and time.monotonic() < deadline, "the run ended before any kill"
        time.sleep(0.05)
    os.kill(_pids(client)[0], signal.SIGKILL)


def _sentence_shards(tmp_path: Path, shards: int) -> list[Path]:
    split_to_file([ARTICLES], tmp_path / "sentences.jsonl")
    records = [json.loads(line) for line in
               (tmp_path / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    paths, everything = [], []
    for i in range(shards):  # the same articles under other ids: sentence ids are unique
        lines = "".join(json.dumps({**r, "id": f"s{i}-{r['id']}", "doc_id": f"s{i}-{r['doc_id']}"},
                                   ensure_ascii=False) + "\n" for r in records)
        paths.append(tmp_path / f"part-{i:05d}.jsonl.gz")
        paths[-1].write_bytes(gzip.compress(lines.encode()))
        everything.append(lines)
    (tmp_path / "all.jsonl").write_text("".join(everything), encoding="utf-8")
    return paths


def test_a_worker_killed_mid_run_is_replaced_and_the_output_is_complete(tmp_path, cluster):
    shards = _sentence_shards(tmp_path, 10)
    prelabel_file(tmp_path / "all.jsonl", tmp_path / "expected.jsonl")
    output, done = tmp_path / "predictions", []
    runner = threading.Thread(target=lambda: done.append(prelabel_shards(shards, output, cluster)))
    runner.start()
    _kill_a_worker_once_a_shard_is_done(cluster, output, runner)
    runner.join(timeout=600)
    assert done, "the run did not finish"
    assert list(read_shards(output)) == _lines(tmp_path / "expected.jsonl")
    cluster.wait_for_workers(2, timeout=120)


def test_a_worker_lost_for_good_fails_clearly_and_writes_nothing(tmp_path):
    import dask

    shards = _sentence_shards(tmp_path, 10)
    output, failures = tmp_path / "predictions", []

    def run():
        try:
            prelabel_shards(shards, output, client)
        except ClusterError as exc:
            failures.append(str(exc))

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as local, \
            distributed.Client(local) as client:
        runner = threading.Thread(target=run)
        runner.start()
        _kill_a_worker_once_a_shard_is_done(client, output, runner)
        runner.join(timeout=600)
    (message,) = failures
    assert "a Dask worker died while processing" in message and "nothing was written" in message
    assert str(tmp_path / "part-") in message
    assert not output.exists() and not list(tmp_path.glob(".predictions.*"))


def test_a_bad_line_in_a_shard_names_the_shard_and_line_and_writes_nothing(corpus, cluster):
    bad = corpus / "corpus" / "part-00001.jsonl.gz"
    lines = gzip.decompress(bad.read_bytes()).decode().splitlines(keepends=True)
    bad.write_bytes(gzip.compress((lines[0] + '{"id": "x", "text": \n' + "".join(lines[1:])).encode()))
    with pytest.raises(InputError, match=r"part-00001\.jsonl\.gz:2: invalid JSON"):
        split_shards([corpus / "corpus"], corpus / "out", cluster)
    assert not (corpus / "out").exists() and not list(corpus.glob(".out.*"))


def test_a_document_id_in_two_shards_is_refused(corpus):
    _write_gz(corpus / "corpus" / "part-00003.jsonl.gz", _documents()[:1])
    with pytest.raises(InputError, match="is used twice .also in .*part-0000"):
        split_shards([corpus / "corpus"], corpus / "out")  # in this process: no cluster needed
    assert not (corpus / "out").exists()


def test_a_truncated_gzip_shard_is_one_clear_error(corpus):
    shard = corpus / "corpus" / "part-00002.jsonl.gz"
    shard.write_bytes(shard.read_bytes()[:-20])
    with pytest.raises(InputError, match=r"part-00002\.jsonl\.gz:\d+: the gzip file is cut short"):
        split_shards([corpus / "corpus"], corpus / "out")
    assert not (corpus / "out").exists()
