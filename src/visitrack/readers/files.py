"""Read input paths (files, directories, JSONL corpora, stdin) into :class:`RawDocument` s.

:func:`walk` is the one directory walker of the readers (sorted, hidden entries skipped,
symlinked directories not followed); :mod:`visitrack.readers.decode` turns the bytes into text.

Every problem with an input becomes an :class:`InputFailure` with a short reason a person can
act on; nothing here raises for bad input, so one broken file never stops a batch run.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal, get_args

from visitrack.fields import field_problem
from visitrack.readers.decode import SNIFF_BYTES, Refusal, binary_kind, decode_text, looks_like_html
from visitrack.records import InputFailure, RawDocument

__all__ = [
    "DEFAULT_ID_SCHEME",
    "HTML_SUFFIXES",
    "ID_SCHEMES",
    "MAX_INPUT_BYTES",
    "READABLE_SUFFIXES",
    "STDIN_PATH",
    "IdScheme",
    "corpus_row",
    "document_from_text",
    "parse_corpus_row",
    "path_id",
    "read_inputs",
    "walk",
]

# How a file's document id is made (`--id-from`):
# - path: the path as given, i.e. the argument for a file and the argument joined with the
#   path inside it for a directory (`news/siteA/index.html`): unique among the inputs of a run
#   and what the user typed;
# - relative: the path inside the directory argument (`siteA/index.html`; a file argument's
#   own name), the same wherever the corpus lives;
# - name: the file name without extension (the scheme before ids were unique; two files of
#   one name then get `name~2` from the store).
# A JSONL row's id is the file's id, `#`, and the row's `id` (under `name`, the row's id).
IdScheme = Literal["path", "relative", "name"]
ID_SCHEMES: tuple[str, ...] = get_args(IdScheme)
DEFAULT_ID_SCHEME: IdScheme = "path"
# What separates a corpus file's id from a row's id.
ROW_SEPARATOR = "#"
# Hex characters of the content hash naming a document read from stdin.
STDIN_ID_HEX = 12

# A news page is well under a megabyte; anything this big is a mistake (a dump, a video) and
# reading it would only waste memory. Also the per-line limit inside a JSONL corpus.
MAX_INPUT_BYTES = 20 * 1024 * 1024

STDIN_PATH = "-"
STDIN_DOC_ID = "stdin"
STDIN_SOURCE = "<stdin>"

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ""})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
CORPUS_SUFFIXES = frozenset({".jsonl"})
READABLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES

# Leftover of an over-long JSONL line is skipped in chunks of this size, never held whole.
SKIP_CHUNK_BYTES = 1024 * 1024

_OS_REASONS: dict[int, str] = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a parent of the path is not a directory",
    errno.EISDIR: "is a directory",
    errno.ELOOP: "too many levels of symbolic links",
    errno.ENAMETOOLONG: "file name too long",
    errno.EIO: "i/o error",
    errno.ENXIO: "no such device",
}


# --- public API --------------------------------------------------------------------------------


def read_inputs(
    paths: Sequence[str],
    *,
    published: date | None = None,
    stdin: BinaryIO | None = None,
    id_from: IdScheme = DEFAULT_ID_SCHEME,
    root: str | None = None,
) -> Iterator[RawDocument | InputFailure]:
    """Yield one document (or failure) per input, in the order the paths are given.

    A directory is walked recursively in sorted order, skipping hidden entries and files whose
    extension is not readable; ``-`` reads ``stdin`` (default: ``sys.stdin.buffer``). A
    ``published`` date overrides the date of every document. ``id_from`` names the id scheme
    (see :data:`IdScheme`); ``root`` is the directory argument the paths were found in, when
    the caller walked it itself.
    """
    # A lone string is a Sequence[str] too; iterating it would read one path per character.
    if isinstance(paths, str):
        paths = [paths]
    override = _as_date(published)
    for path in paths:
        if path == STDIN_PATH:
            # sys.stdin is None under pythonw and a text-only stream when replaced in tests.
            stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
            if stream is None:
                yield InputFailure(STDIN_SOURCE, "no standard input to read")
            else:
                yield _read_stream(stream, override, id_from)
        else:
            yield from _read_path(path, override, id_from, root)


def path_id(path: str, root: str | None = None, scheme: IdScheme = DEFAULT_ID_SCHEME) -> str:
    """The document id of the file at ``path``, found under the directory argument ``root``
    (``None``: the file was named itself), by ``scheme`` (:data:`IdScheme`)."""
    if scheme == "name":
        return Path(path).stem
    if scheme == "relative":
        shown = os.path.relpath(path, root) if root is not None else os.path.basename(path)
    else:
        shown = path
    return os.path.normpath(shown).replace(os.sep, "/")


def _file_key(path: str) -> str:
    # The resolved path: the same file named two ways (relative, absolute, through a
    # symlink) is the same source.
    return "file:" + os.path.realpath(path)


def document_from_text(
    text_or_html: str,
    *,
    doc_id: str = "text",
    published: date | None = None,
    source: str = "<text>",
) -> RawDocument:
    """Wrap text that is already in memory, sniffing whether it is HTML.

    Empty text is allowed (it simply yields no visits later); callers that want to refuse it
    should check before calling.
    """
    content = text_or_html.removeprefix("\ufeff")
    return RawDocument(
        doc_id=doc_id,
        source=source,
        content=content,
        is_html=looks_like_html(content),
        published=_as_date(published),
    )


# --- paths -------------------------------------------------------------------------------------


def _read_path(
    path: str, published: date | None, id_from: IdScheme, root: str | None
) -> Iterator[RawDocument | InputFailure]:
    try:
        info = os.stat(path)
    except OSError as err:
        yield InputFailure(path, _os_reason(err, path))
        return
    except ValueError:
        # Raised for a NUL byte inside the path, which no file system accepts.
        yield InputFailure(path, "invalid path (contains a nul byte)")
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _walk_directory(path, published, id_from)
        return
    suffix = Path(path).suffix.lower()
    doc_id = path_id(path, root, id_from)
    if suffix in CORPUS_SUFFIXES:
        yield from _read_corpus(path, published, None if id_from == "name" else doc_id)
        return
    # Named files are read whatever their extension (sniffing refuses binaries); only a
    # directory walk filters by extension.
    yield _read_file(path, info, published, doc_id, force_html=suffix in HTML_SUFFIXES)


def walk(root: str) -> Iterator[str | InputFailure]:
    """Every file under ``root`` that is not hidden, directories in sorted order, depth first.

    A directory that cannot be listed comes as an :class:`InputFailure` in its place. Symlinked
    directories are not followed (:func:`os.walk`'s default), so a symlink loop cannot recurse.
    """
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        yield from _walk_failures(errors, dirpath)
        errors.clear()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield os.path.join(dirpath, name)
    # onerror for the root itself (and for a last, unlistable subdirectory) fires after the
    # final loop iteration, so those failures come last.
    yield from _walk_failures(errors, root)


def _walk_directory(
    root: str, published: date | None, id_from: IdScheme
) -> Iterator[RawDocument | InputFailure]:
    found_any = failed_any = False
    for item in walk(root):
        if isinstance(item, InputFailure):
            failed_any = True
            yield item
        elif Path(item).suffix.lower() in READABLE_SUFFIXES:
            found_any = True
            yield from _read_path(item, published, id_from, root)
    if not found_any and not failed_any:
        wanted = ", ".join(sorted(s for s in READABLE_SUFFIXES if s))
        yield InputFailure(root, f"no readable files in directory (looked for {wanted})")


def _walk_failures(errors: list[OSError], fallback: str) -> Iterator[InputFailure]:
    for err in errors:
        where = os.fsdecode(err.filename) if err.filename else fallback
        yield InputFailure(where, _os_reason(err, where))


def _read_file(
    path: str, info: os.stat_result, published: date | None, doc_id: str, *, force_html: bool
) -> RawDocument | InputFailure:
    limit = MAX_INPUT_BYTES
    # Regular files are refused by size before any byte is read; pipes and devices have no
    # size, so the bounded read below is what protects memory for them.
    if stat.S_ISREG(info.st_mode) and info.st_size > limit:
        return InputFailure(path, _too_large(info.st_size, limit))
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as err:
        return InputFailure(path, _os_reason(err, path))
    if len(data) > limit:
        return InputFailure(path, _too_large(None, limit))
    text = decode_text(data)
    if isinstance(text, Refusal):
        return InputFailure(path, text.reason)
    return RawDocument(
        doc_id=doc_id,
        source=path,
        content=text,
        is_html=force_html or looks_like_html(text),
        published=published,
        source_key=_file_key(path),
    )


def _read_stream(
    stream: BinaryIO, published: date | None, id_from: IdScheme
) -> RawDocument | InputFailure:
    limit = MAX_INPUT_BYTES
    try:
        data = stream.read(limit + 1)
    except OSError as err:
        return InputFailure(STDIN_SOURCE, _os_reason(err, STDIN_SOURCE))
    if len(data) > limit:
        return InputFailure(STDIN_SOURCE, _too_large(None, limit))
    text = decode_text(data)
    if isinstance(text, Refusal):
        return InputFailure(STDIN_SOURCE, text.reason)
    # stdin has no name to tell two inputs apart: the content does, so piping another
    # article in later is a new document, never a replacement of the last one.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:STDIN_ID_HEX]
    return RawDocument(
        doc_id=STDIN_DOC_ID if id_from == "name" else f"{STDIN_DOC_ID}-{digest}",
        source=STDIN_SOURCE,
        content=text,
        is_html=looks_like_html(text),
        published=published,
        source_key=f"stdin:{digest}",
    )


# --- JSONL corpora -----------------------------------------------------------------------------


def _read_corpus(
    path: str, published: date | None, file_id: str | None
) -> Iterator[RawDocument | InputFailure]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - the generator below must stream from it
    except OSError as err:
        yield InputFailure(path, _os_reason(err, path))
        return
    key = _file_key(path)
    with fh:
        if fh.seekable():
            head = fh.read(SNIFF_BYTES)
            kind = binary_kind(head)
            if kind is not None:
                yield InputFailure(path, f"binary file, not text ({kind})")
                return
            fh.seek(0)
        rows = 0
        try:
            for lineno, line in _bounded_lines(fh, MAX_INPUT_BYTES):
                where = f"{path}:{lineno}"
                if line is None:
                    yield InputFailure(where, _too_large(None, MAX_INPUT_BYTES, what="line"))
                    rows += 1
                    continue
                if lineno == 1:
                    line = line.removeprefix(b"\xef\xbb\xbf")
                if not line.strip():
                    continue
                rows += 1
                yield parse_corpus_row(line, where, published, file_id=file_id, file_key=key)
        except OSError as err:
            yield InputFailure(path, f"read failed: {_os_reason(err, path)}")
            return
    if rows == 0:
        yield InputFailure(path, "empty file")


def _bounded_lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(lineno, line)``; ``line`` is ``None`` for a line longer than ``limit``."""
    lineno = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = fh.readline(SKIP_CHUNK_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None
        else:
            yield lineno, line


def parse_corpus_row(
    line: bytes,
    where: str,
    published: date | None,
    *,
    file_id: str | None = None,
    file_key: str | None = None,
) -> RawDocument | InputFailure:
    """One JSONL corpus row (``{"id", "text" or "html", "published"?, "url"?, "title"?}``).

    Args:
        line: the row's bytes, UTF-8 JSON.
        where: how to name the row in failures, e.g. ``corpus.jsonl:12``.
        published: a date that overrides the row's ``published`` field.
        file_id: the corpus file's document id; the row's id is qualified by it
            (``jan/news.jsonl#42``), so two files reusing row ids stay apart.
        file_key: the corpus file's source key; the row's key is it plus the row's id.

    Returns:
        The document, or an :class:`InputFailure` whose reason says what is wrong with the
        row (malformed JSON, no text, a missing or mistyped id, a bad date). Never raises.
    """
    try:
        row = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return InputFailure(where, "malformed JSON: not valid utf-8")
    except json.JSONDecodeError as err:
        # Some messages end in "at" already ("Invalid control character at"); say it once.
        msg = err.msg.lower().removesuffix(" at")
        if err.doc[err.pos : err.pos + 1] in ("\n", "\r"):
            # The line break that ends the row inside a string: the row was cut short.
            msg = "unterminated string (the line ends inside it)"
        return InputFailure(where, f"malformed JSON: {msg} at column {err.colno}")
    except (ValueError, RecursionError) as err:
        return InputFailure(where, f"malformed JSON: {str(err).lower() or 'too deeply nested'}")
    return corpus_row(row, where, published, file_id=file_id, file_key=file_key)


def corpus_row(
    row: object,
    where: str,
    published: date | None,
    *,
    file_id: str | None = None,
    file_key: str | None = None,
) -> RawDocument | InputFailure:
    """:func:`parse_corpus_row` for a row already parsed from JSON (the API's request body).

    Every string field is checked by :func:`visitrack.fields.field_problem` before the row
    becomes a document: a lone surrogate, a NUL or control character, or an over-long id,
    title or URL is the row's failure, named, wherever the row came from.
    """
    if not isinstance(row, dict):
        kind = _json_type(row)
        article = "an" if kind[0] in "aeiou" else "a"
        return InputFailure(where, f"malformed JSON: row is {article} {kind}, not an object")

    # Content is checked before the id: a JSONL file that is not a corpus at all (a gold
    # file, a log) lacks text on every row, and saying so helps more than "missing 'id'".
    content: str | None = None
    is_html = False
    for key in ("text", "html"):
        value = row.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            return InputFailure(where, f"'{key}' must be a string, not {_json_type(value)}")
        # The extracted text is preferred: the corpus builder already removed the page chrome.
        if value.strip():
            problem = field_problem(key, value)
            if problem is not None:
                return InputFailure(where, problem)
            content = value.removeprefix("\ufeff")
            is_html = key == "html" or looks_like_html(content)
            break
    if content is None:
        present = [f"'{key}'" for key in ("text", "html") if key in row]
        if present:
            return InputFailure(where, f"empty {' and '.join(present)}")
        return InputFailure(where, "row has neither 'text' nor 'html'")

    doc_id = row.get("id")
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):
        return InputFailure(where, "missing 'id'")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
        return InputFailure(where, f"'id' must be a string or integer, not {_json_type(doc_id)}")
    row_id = str(doc_id).strip()
    problem = field_problem("id", row_id)
    if problem is not None:
        return InputFailure(where, problem)

    optional: dict[str, str | None] = {}
    for key in ("url", "title"):
        value = row.get(key)
        if value is not None and not isinstance(value, str):
            return InputFailure(where, f"'{key}' must be a string, not {_json_type(value)}")
        if value is not None:
            problem = field_problem(key, value)
            if problem is not None:
                return InputFailure(where, problem)
        optional[key] = (value.strip() or None) if value is not None else None

    day = published
    # The command-line date overrides the field, so a bad field that would be ignored anyway
    # does not cost the document.
    if day is None:
        parsed = _parse_published(row.get("published"))
        if isinstance(parsed, Refusal):
            return InputFailure(where, parsed.reason)
        day = parsed

    return RawDocument(
        doc_id=f"{file_id}{ROW_SEPARATOR}{row_id}" if file_id is not None else row_id,
        source=where,
        content=content,
        is_html=is_html,
        published=day,
        url=optional["url"],
        title=optional["title"],
        source_key=f"row:{file_key}{ROW_SEPARATOR}{row_id}" if file_key is not None else None,
    )


def _parse_published(value: Any) -> date | Refusal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        return Refusal(f"'published' must be a date string, not {_json_type(value)}")
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        # The calendar day as the publisher wrote it, not converted to UTC: that is the day
        # "today" and "yesterday" in the story refer to.
        return datetime.fromisoformat(text).date()
    except ValueError:
        return Refusal(f"bad 'published' value {text[:40]!r} (want YYYY-MM-DD or ISO datetime)")


# --- small helpers -----------------------------------------------------------------------------


def _as_date(value: date | None) -> date | None:
    # A datetime is a date too, but the records compare and serialise plain dates.
    return value.date() if isinstance(value, datetime) else value


def _os_reason(err: OSError, path: str) -> str:
    if err.errno == errno.ENOENT and os.path.islink(path):
        return "broken symbolic link"
    if err.errno is not None and err.errno in _OS_REASONS:
        return _OS_REASONS[err.errno]
    return (err.strerror or type(err).__name__).lower()


def _too_large(size: int | None, limit: int, *, what: str = "file") -> str:
    if size is None:
        return f"{what} too large (over the {_human_size(limit)} limit)"
    shown = _human_size(size)
    if shown == _human_size(limit):
        # Just over the limit rounds to the limit itself ("20.0 MiB, limit 20.0 MiB").
        shown = f"{size:,} bytes"
    return f"{what} too large ({shown}, limit {_human_size(limit)})"


def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
