"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, its own data directory,
a free loopback port, trust authentication for the `postgres` role (no password to leak).

initdb refuses to run as root, so as root the cluster belongs to the `postgres` OS user (run
through `runuser`); as anyone else it is that user's own. Its directory lives under /tmp (not
pytest's 0700 tmp dir, which the postgres user could not enter).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from annotate.labelstudio import server


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin)."""
    if os.environ.get("ANNOTATE_POSTGRES_BIN"):
        return Path(os.environ["ANNOTATE_POSTGRES_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="annotate-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = server.free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def major(self) -> str:
        return self.bin.parts[-2]

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, as_owner: bool = False, **kwargs) -> subprocess.CompletedProcess:
        command = [*(self.as_user if as_owner else []), str(self.bin / args[0]), *args[1:]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}\n{self.log_tail()}")
        return done

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  as_owner=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "start", as_owner=True)

    def stop(self, mode: str = "fast") -> None:
        """mode "immediate" is a crash (no shutdown checkpoint); "fast" a clean stop."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", as_owner=True)

    def sql(self, statement: str, database: str = "postgres") -> str:
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                         "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", statement).stdout

    def create_database(self, name: str, template: str | None = None) -> str:
        self.sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def dump(self, database: str, path: Path) -> None:
        self._run("pg_dump", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "--no-owner", "-f", str(path), database)

    def restore(self, path: Path, database: str) -> None:
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                  database, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(path))

    def log_tail(self) -> str:
        return server.log_tail(self.log) if self.log.exists() else "(no server log)"

    def running(self) -> bool:
        command = [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(command, capture_output=True, timeout=60).returncode == 0

    def remove(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
