"""Reading and writing JSON Lines records, with file:line errors and all-or-nothing output."""

from __future__ import annotations

import contextlib
import errno
import gzip
import itertools
import json
import os
import shutil
import stat
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
    if exc.errno == errno.ELOOP:
        return InputError(path, "is a loop of symbolic links (a link that leads back to itself); "
                          "point the link at a real file")
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return InputError(path, f"is a broken symbolic link (to {os.readlink(path)!r}, which "
                              "does not exist)")
        return InputError(path, "no such file")
    if isinstance(exc, IsADirectoryError):
        return InputError(path, f"is a directory, expected {expected}")
    if isinstance(exc, PermissionError):
        return InputError(path, "permission denied; check the file's permissions")
    return InputError(path, f"cannot be read ({exc.strerror or exc})")


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def check_regular_file(path, expected: str = "a file") -> None:
    """Refuse at once what is not a regular file: reading a FIFO or a device would wait forever
    (or never end); a symlink loop or a broken link gets its own message."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _open_error(path, exc, expected) from None
    if stat.S_ISDIR(mode):
        raise InputError(path, f"is a directory, expected {expected}")
    for test, kind in _NOT_REGULAR:
        if test(mode):
            raise InputError(path, f"is {kind}, not a regular file; save the data to a file and "
                             "give that")


def _open_regular(path: Path, expected: str):
    """Open for reading without blocking on a FIFO that appears between the check and the open."""
    check_regular_file(path, expected)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise InputError(path, "is not a regular file; save the data to a file and give that")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except OSError as exc:
        raise _open_error(path, exc, expected) from None


def _utf16(data: bytes) -> bool:
    """UTF-16 text (a byte-order mark, or a NUL next to every ASCII character)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = data[:4096]
    if len(sample) < 4:
        return False
    return max(sample[0::2].count(0), sample[1::2].count(0)) > 0.4 * (len(sample) / 2)


_UTF16_HINT = ("is UTF-16 text, not UTF-8; convert it first, e.g. `iconv -f UTF-16 -t UTF-8 "
               "FILE > FILE.utf8` (or save it as UTF-8 in your editor)")


def _read_bytes(path: Path) -> bytes:
    with _open_regular(path, "a file") as handle:
        try:
            data = handle.read()
        except OSError as exc:
            raise _open_error(path, exc, "a file") from None
    if _utf16(data):
        raise InputError(path, _UTF16_HINT)
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
    regular = _open_regular(path, "a .jsonl file")
    handle = gzip.open(regular, "rb") if path.suffix.lower() == ".gz" else regular
    seen_any = False
    with regular, handle:
        for number, raw in _numbered_lines(path, handle):
            if number == 1 and _utf16(raw):
                raise InputError(path, _UTF16_HINT)
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


def gold_key(record: dict) -> tuple:
    """What must be unique in a gold file: one record per sentence per annotator."""
    return record["id"], record.get("annotator")


def read_unique_records(path, kind: str, key: Callable[[dict], object] = lambda r: r["id"],
                        seen: dict | None = None) -> Iterator[dict]:
    """`read_records`, refusing a record whose `key` an earlier one had (in this file, or in
    the files read before with the same `seen`) with both places named: a repeated line is a
    copy-paste or a file given twice, and would count twice."""
    seen = {} if seen is None else seen
    for line, record in read_numbered_records(path, kind):
        marker = key(record)
        if marker in seen:
            first_path, first_line = seen[marker]
            where = f"line {first_line}" + ("" if first_path == str(path) else f" of {first_path}")
            sentence_id, annotator = marker if isinstance(marker, tuple) else (marker, None)
            what = f"sentence id {sentence_id!r}" + (f" (annotator {annotator!r})"
                                                     if annotator is not None else "")
            raise InputError(path, f"{what} already appeared on {where}; each must appear once "
                             "(remove the repeated record, give each file once, or adjudicate pulled gold "
                             "first)", line=line)
        seen[marker] = (str(path), line)
        yield record


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def write_problem(exc: OSError) -> str:
    """What to tell the user about a failed write (the disk full is said in so many words)."""
    if exc.errno in _DISK_FULL:
        return ("the disk is full (no space left on device); nothing was written: free some "
                "space, or write somewhere else")
    return (f"cannot write the output here ({exc.strerror or exc}); nothing was written: check "
            "the directory's permissions and free space, or choose another -o")


def disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


@contextlib.contextmanager
def _writing(path: Path):
    """An OSError of the steps that create or rename the output (an unwritable or read-only
    directory, a full disk) becomes one InputError naming the output."""
    try:
        yield
    except OSError as exc:
        raise InputError(path, write_problem(exc)) from None


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
        with _full_disk(path):  # the caller's writes, and the flush at close
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
def _full_disk(path: Path):
    """A full disk while the block writes `path` becomes one InputError naming it (other errors
    of the block are the caller's: they pass unchanged)."""
    try:
        yield
    except OSError as exc:
        if not disk_full(exc):
            raise
        raise InputError(path, write_problem(exc)) from None


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
        with _full_disk(path):
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
    with atomic_output(path) as handle:
        return write_records_to(handle, records)


def write_records_to(handle, records: Iterable[dict]) -> int:
    """Write records as JSON Lines to an open (atomic_output) handle; return how many."""
    count, encode, records = 0, _COMPACT_JSON.encode, iter(records)
    for chunk in iter(lambda: list(itertools.islice(records, _LINES_PER_WRITE)), []):
        handle.write("".join([f"{encode(record)}\n" for record in chunk]))
        count += len(chunk)
    return count
