"""Shared fixtures: a real Label Studio server (the PyPI package) for the whole test session.

Usage:
    def test_something(label_studio):
        label_studio.url, label_studio.token          # admin URL and personal access token (PAT)
        label_studio.connection                       # annotate.labelstudio.client.Connection for the admin
        label_studio.session()                        # an API session (annotate.labelstudio.client.Session)
        token = label_studio.create_user("ann@example.org", "Pass-word-1")   # another annotator's PAT
        legacy = label_studio.legacy_token()          # the admin's legacy token (enables them first)
        label_studio.restart(kill=True)               # SIGKILL and start again on the same data dir
        label_studio_template                         # (fixture) a migrated empty data dir to copy
        label_studio_postgres                         # the same, on PostgreSQL (`postgres` fixture)
        postgres.stop("immediate"); postgres.start()  # crash and restart that database server

The server runs on a free loopback port with a temporary data dir (SQLite). Its migrated empty
database is cached in pytest's cache dir (keyed by the Label Studio version), which turns a ~90 s
first start into ~10 s. If the server cannot start, the fixture FAILS with the end of its log.
`postgres` is a throwaway PostgreSQL cluster (tests/postgres_helpers.py); Label Studio's migrated
PostgreSQL database is cached the same way, as a pg_dump.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tempfile
from pathlib import Path

import ls_admin
import pytest
from postgres_helpers import PostgresCluster, postgres_bin
from shared_data import REQUIRE_ENV, SHARED_DIR, shared_data_missing

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import server


def pytest_collection_modifyitems(config, items):
    """Skip `shared_data` tests visibly when ../shared/ is absent, unless CI requires them."""
    missing = shared_data_missing()
    if missing is None or os.environ.get(REQUIRE_ENV) == "1":
        return
    skip = pytest.mark.skip(reason=missing)
    for item in items:
        if item.get_closest_marker("shared_data"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _shared_data_required(request):
    """In CI (ANNOTATE_REQUIRE_SHARED=1) a shared_data test fails when the data is missing."""
    if request.node.get_closest_marker("shared_data"):
        missing = shared_data_missing()
        if missing is not None:
            pytest.fail(f"{REQUIRE_ENV}=1 but this test {missing}", pytrace=False)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The folder of the shared data sets (`data/`) and the seed article (`seed/`)."""
    return SHARED_DIR


class LabelStudioServer:
    admin_email = "admin@example.org"
    admin_password = "Admin-pass-9431"

    def __init__(self, data_dir: Path, log_path: Path, database: str | None = None):
        self.data_dir = data_dir
        self.database = database  # a postgresql:// URL, or None for SQLite in data_dir
        self.log_path = log_path
        self.port = server.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.token = ""
        self._invite = None

    @property
    def connection(self) -> labelstudio.Connection:
        return labelstudio.Connection(self.url, self.token)

    def session(self, token: str | None = None) -> labelstudio.Session:
        """An API session as the admin (or as the owner of `token`)."""
        return labelstudio.connect(labelstudio.Connection(self.url, token or self.token))

    def start(self) -> None:
        self.process = server.start(self.data_dir, self.port, self.log_path,
                                    admin=(self.admin_email, self.admin_password),
                                    database=self.database)
        server.wait_until_healthy(self.url, self.process, self.log_path)

    def stop(self, *, kill: bool = False) -> None:
        if self.process is not None:
            server.stop(self.process.pid, kill=kill)
            self.process.wait(timeout=30)
            self.process = None

    def restart(self, *, kill: bool = False) -> None:
        """Stop (SIGKILL when `kill`: a crash) and start again on the same data dir and port."""
        self.stop(kill=kill)
        self.start()

    def create_user(self, email: str, password: str) -> str:
        """Sign up a user through the organisation's invite link; return their PAT."""
        if self._invite is None:
            self._invite = labelstudio.invite_token(self.session())
        ls_admin.sign_up(self.url, self._invite, email, password)
        return labelstudio.create_access_token(self.url, email, password)

    def legacy_token(self) -> str:
        """Enable legacy tokens for the organisation and return the admin's legacy token."""
        session = self.session()
        ls_admin.enable_legacy_tokens(session)
        return ls_admin.legacy_token(session)

    def log_tail(self, lines: int = 40) -> str:
        return server.log_tail(self.log_path, lines)


def _migrated_template(cache_root: Path) -> Path:
    """A data dir with Label Studio's database migrated and no users, built once per LS version."""
    version = importlib.metadata.version("label-studio")
    template = cache_root / f"label-studio-{version}-template"
    if (template / "label_studio.sqlite3").exists():
        return template
    building = Path(tempfile.mkdtemp(prefix="ls-template-", dir=cache_root))
    log_path = cache_root / "template.log"
    server.migrate(building / "data", log_path)
    try:  # another pytest process may have finished the same template first: keep theirs
        (building / "data").rename(template)
    except OSError:
        if not (template / "label_studio.sqlite3").exists():
            raise
    shutil.rmtree(building, ignore_errors=True)
    return template


@pytest.fixture(scope="session", autouse=True)
def annotate_data_dir(tmp_path_factory):
    """Keep the per-user data dir (the push index, annotate.labelstudio.push_index) out of the user's home."""
    previous = os.environ.get("ANNOTATE_DATA_DIR")
    path = tmp_path_factory.mktemp("annotate-data")
    os.environ["ANNOTATE_DATA_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("ANNOTATE_DATA_DIR", None)
    else:
        os.environ["ANNOTATE_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def label_studio_template(request, tmp_path_factory) -> Path:
    """A migrated, empty Label Studio data dir to copy (saves the minute a fresh one takes)."""
    cache_root = _cache_root(request, tmp_path_factory)
    try:
        return _migrated_template(cache_root)
    except LabelStudioError as exc:
        pytest.fail(f"Label Studio could not create its database: {exc}", pytrace=False)


def _cache_root(request, tmp_path_factory) -> Path:
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    return Path(cache.mkdir("annotate-label-studio")) if cache else tmp_path_factory.mktemp("ls")


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster of its own on a free loopback port, for the whole session."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): install "
                    "Debian's postgresql package (.ci/run does) or set ANNOTATE_POSTGRES_BIN",
                    pytrace=False)
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.init()
        cluster.start()
    except RuntimeError as exc:
        cluster.remove()
        pytest.fail(f"the test PostgreSQL did not start: {exc}", pytrace=False)
    yield cluster
    cluster.remove()


@pytest.fixture(scope="session")
def label_studio_postgres_template(postgres, request, tmp_path_factory) -> str:
    """The name of a database in `postgres` holding Label Studio's migrated empty schema, to copy
    with CREATE DATABASE ... TEMPLATE. Migrating takes minutes; the pg_dump of the result is
    cached in pytest's cache dir (keyed by the Label Studio and PostgreSQL versions)."""
    version = importlib.metadata.version("label-studio")
    cache_root = _cache_root(request, tmp_path_factory)
    dump = cache_root / f"label-studio-{version}-postgresql-{postgres.major}.sql"
    name = "ls_template"
    postgres.create_database(name)
    try:
        if not dump.exists():
            scratch = Path(tempfile.mkdtemp(prefix="ls-pg-template-", dir=cache_root))
            server.migrate(scratch / "data", cache_root / "template-postgresql.log",
                           database=postgres.url(name))
            postgres.dump(name, scratch / "dump.sql")
            os.replace(scratch / "dump.sql", dump)  # atomic: a parallel session keeps a whole one
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            postgres.restore(dump, name)
    except (LabelStudioError, RuntimeError) as exc:
        pytest.fail(f"Label Studio could not create its PostgreSQL database: {exc}", pytrace=False)
    return name


def _serve(instance: LabelStudioServer):
    try:
        instance.start()
    except LabelStudioError as exc:
        instance.stop()  # a server that never became healthy must not outlive the session
        pytest.fail(f"the Label Studio test server did not start: {exc}", pytrace=False)
    try:
        instance.token = labelstudio.create_access_token(instance.url, instance.admin_email,
                                                         instance.admin_password)
        yield instance
    except LabelStudioError as exc:
        pytest.fail(f"the Label Studio test server is not usable: {exc}\n{instance.log_tail()}",
                    pytrace=False)
    finally:
        instance.stop()


@pytest.fixture(scope="session")
def label_studio_postgres(postgres, label_studio_postgres_template, tmp_path_factory):
    """Label Studio on the `postgres` cluster (its own database, a copy of the template)."""
    root = tmp_path_factory.mktemp("label-studio-postgres")
    url = postgres.create_database("label_studio", template=label_studio_postgres_template)
    yield from _serve(LabelStudioServer(root / "data", root / "server.log", database=url))


@pytest.fixture(scope="session")
def label_studio(label_studio_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("label-studio")
    data_dir, log_path = root / "data", root / "server.log"
    shutil.copytree(label_studio_template, data_dir)
    yield from _serve(LabelStudioServer(data_dir, log_path))
