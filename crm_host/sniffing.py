"""Which Content-Type a stored file may be served with, told from its bytes.

An uploaded file's declared type is the uploader's word: served back as ``text/html``
it would run in the site's origin. A download is served with a type from the safe
list below only when the file's first bytes show it is one; everything else is
``application/octet-stream``.
"""

from __future__ import annotations

from typing import BinaryIO

OCTET_STREAM = "application/octet-stream"
#: How many leading bytes are looked at.
HEAD = 8192
#: Magic numbers of the safe types a browser may show.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
#: Opening bytes that make a browser guess HTML, script or XML whatever the type says.
_MARKUP = (b"<", b"\xef\xbb\xbf<")


def sniff(head: bytes) -> str:
    """The safe type ``head`` (a file's first bytes) shows, or ``application/octet-stream``.

    Plain text is UTF-8 without control bytes (tabs and line ends aside) that does not
    open like markup.
    """
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if head and _is_plain_text(head):
        return "text/plain"  # served with charset=utf-8
    return OCTET_STREAM


def _is_plain_text(head: bytes) -> bool:
    if head.lstrip().startswith(_MARKUP):
        return False
    if any(b < 32 and b not in (9, 10, 13) for b in head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end inside a character: only a break before the end is a failure.
        if error.start < len(head) - 3 or len(head) < HEAD:
            return False
    return True


def sniff_stream(stream: BinaryIO) -> str:
    """The safe type of a seekable stream's content, the stream left at its start; a
    stream that cannot seek is ``application/octet-stream``."""
    if not stream.seekable():
        return OCTET_STREAM
    head = stream.read(HEAD)
    stream.seek(0)
    return sniff(head)
