"""Reading and writing JSON Lines records, with file:line errors and all-or-nothing output."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import os
import shutil
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


from annotate.errors import ConfigError, InputError, SchemaError
from annotate.schema import record_problem

# Bytes that never occur in UTF-8 text files; seeing one means the file is binary.
_BINARY_MARKERS = (b"\x00",)


def read_text(path) -> str:
    """Read a whole text file as UTF-8 with normalised line endings, or raise InputError."""
    path = Path(path)
    data = _read_bytes(path)
    text = _decode(path, data)
    if not text.strip():
        raise InputError(path, "the file is empty; give a file with text in it")
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _open_error(path: Path, exc: OSError, expected: str) -> InputError:
    """The one-line message for a file that cannot be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return InputError(path, "no such file")
    if isinstance(exc, IsADirectoryError):
        return InputError(path, f"is a directory, expected {expected}")
    if isinstance(exc, PermissionError):
        return InputError(path, "permission denied; check the file's permissions")
    return InputError(path, f"cannot be read ({exc.strerror or exc})")


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _open_error(path, exc, "a file") from None
    if any(marker in data[:65536] for marker in _BINARY_MARKERS):
        raise InputError(path, "looks like a binary file, not UTF-8 text")
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                         "convert it to UTF-8 first", line=line) from None


def read_toml(path, what: str) -> dict:
    """A TOML file (a codebook, a corpus.toml) as a dict; ConfigError naming the file and line."""
    path = Path(path)
    try:
        text = read_text(path)
    except InputError as exc:
        if exc.reason == "no such file":
            raise ConfigError(f"{path}: no such {what} file") from None
        raise ConfigError(str(exc)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # the message already carries "(at line N, column M)"
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax and retry") from None


def read_records(path, kind: str | None = None, *, allow_empty: bool = False) -> Iterator[dict]:
    """Stream the JSON objects of a .jsonl file, checked against the schema of `kind`.

    Raises InputError/SchemaError naming the file and line of the first bad record. The file is
    read lazily, so a caller that must not write partial output should write atomically
    (see `atomic_output`).
    """
    for _line, record in read_numbered_records(path, kind, allow_empty=allow_empty):
        yield record


def read_numbered_records(path, kind: str | None = None, *, allow_empty: bool = False,
                          skip: Callable[[InputError], None] | None = None
                          ) -> Iterator[tuple[int, dict]]:
    """Like `read_records`, yielding (line number, record) so callers' own checks can name the line.

    A `.gz` file is read through gzip (a file cut short is an error naming the last good line).
    With `skip`, a bad line is handed to it (which may raise) and reading goes on.
    """
    path = Path(path)
    try:
        handle = gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")
    except OSError as exc:
        raise _open_error(path, exc, "a .jsonl file") from None
    seen_any = False
    with handle:
        for number, raw in _numbered_lines(path, handle):
            try:
                record = _parse_line(path, number, raw, kind)
            except InputError as exc:
                if skip is None:
                    raise
                skip(exc)
                continue
            if record is None:
                continue
            seen_any = True
            yield number, record
    if not seen_any and not allow_empty:
        raise InputError(path, "the file is empty; expected one JSON object per line")


def _parse_line(path: Path, number: int, raw: bytes, kind: str | None) -> dict | None:
    if b"\x00" in raw:
        raise InputError(path, "looks like a binary file, not JSON Lines", line=number)
    try:
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                         line=number) from None
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON ({exc.msg} at column {exc.colno})",
                         line=number) from None
    if kind is not None:
        problem = record_problem(record, kind)
        if problem:
            raise SchemaError(path, f"not a valid {kind} record: {problem}", line=number)
    elif not isinstance(record, dict):
        raise InputError(path, "expected a JSON object on each line", line=number)
    return record


def _numbered_lines(path: Path, handle) -> Iterator[tuple[int, bytes]]:
    number = 0
    try:
        for number, raw in enumerate(handle, start=1):
            yield number, raw
    except EOFError:  # gzip: the compressed stream ends before its end marker
        raise InputError(path, f"the gzip file is cut short after line {number} (an interrupted "
                         "download or copy?); get the whole file again", line=number + 1) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, f"is not a valid gzip file ({exc})", line=number + 1) from None
    except OSError as exc:  # a read that fails after the open (a device, a vanished mount)
        raise InputError(path, f"cannot be read ({exc.strerror or exc})", line=number + 1) from None


@contextlib.contextmanager
def _writing(path: Path):
    """An OSError of the steps that create or rename the output (an unwritable or read-only
    directory, a full disk) becomes one InputError naming the output."""
    try:
        yield
    except OSError as exc:
        raise InputError(path, f"cannot write the output here ({exc.strerror or exc}); check the "
                         "directory's permissions and free space, or choose another -o") from None


@contextlib.contextmanager
def atomic_output(path, mode: str = "w", *, private: bool = False):
    """Open a temporary file beside `path`; rename it over `path` only if the block succeeds.

    A failure (a bad input line found halfway, Ctrl-C) leaves no partial output behind.
    `private` files (credentials, the push index) are readable by their owner only (0600);
    others get the usual permissions of the umask.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(directory, "output directory does not exist; create it first")
    with _writing(path):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
        with _writing(path):
            os.chmod(tmp_name, 0o600 if private else 0o666 & ~_current_umask())
            os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


@contextlib.contextmanager
def atomic_directory(path, refuse: Callable[[Path], str | None] = lambda existing: None):
    """Yield a temporary directory beside `path`; put it in place of `path` only on success.

    An existing `path` is replaced unless `refuse(path)` gives a reason not to (so that a mistyped
    `-o` cannot delete someone's data); that reason becomes the error message.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(parent, "output directory's parent does not exist; create it first")
    if path.exists():
        if not path.is_dir():
            raise InputError(path, "exists and is not a directory; choose another -o")
        reason = refuse(path)
        if reason:
            raise InputError(path, reason)
    with _writing(path):
        build = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    try:
        yield build
        with _writing(path):
            os.chmod(build, 0o777 & ~_current_umask())
            if path.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
                os.replace(path, old / "previous")
                os.replace(build, path)
                shutil.rmtree(old)
            else:
                os.replace(build, path)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Compact JSON, non-ASCII kept as it is: the lines `jsonlines.Writer(compact=True)` writes.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_LINES_PER_WRITE = 1024


def write_records(path, records: Iterable[dict]) -> int:
    """Write records as JSON Lines atomically; return how many were written."""
    count, encode, records = 0, _COMPACT_JSON.encode, iter(records)
    with atomic_output(path) as handle:
        for chunk in iter(lambda: list(itertools.islice(records, _LINES_PER_WRITE)), []):
            handle.write("".join([f"{encode(record)}\n" for record in chunk]))
            count += len(chunk)
    return count
