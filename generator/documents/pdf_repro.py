"""Byte-reproducible PDFs: LibreOffice output and merged print files, normalised with pikepdf.

LibreOffice stamps every PDF with the time of conversion (docinfo /CreationDate, a trailer
/DocChecksum over it) and a random document /ID, and it numbers the Type 1 fonts it embeds
with a /UniqueID taken from a counter that runs across all files of one soffice call: the
same .docx converted alone or as the 50th file of a batch gives different bytes. Here:

- docinfo /CreationDate and /ModDate, and the XMP dates when there is an XMP packet, are
  pinned to 1980-01-01 (the zip epoch); XMP document/instance ids come from the content;
- every embedded Type 1 font gets a /UniqueID derived from its own program (cleartext and
  the eexec-encrypted private part are rewritten, lengths updated);
- the trailer /ID is dropped and rebuilt by qpdf from the file content (``deterministic_id``).

After that, the same .docx gives the same PDF bytes whatever batch it was converted in.
``merge_pdfs`` joins case PDFs into one printable file with an outline item per case (pypdf)
and normalises the result the same way.
"""
from __future__ import annotations

import hashlib
import io
import re
import uuid
import zlib
from pathlib import Path

import pikepdf

FIXED_PDF_DATE = "D:19800101000000Z"
FIXED_XMP_DATE = "1980-01-01T00:00:00Z"
XMP_DATES = ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate")
XMP_IDS = ("xmpMM:DocumentID", "xmpMM:InstanceID")
UNIQUE_ID = re.compile(rb"/UniqueID\s+\d+")
# Adobe Type 1 spec: UniqueID 4000000-4999999 is the range for fonts not registered with Adobe.
UID_BASE, UID_SPAN = 4_000_000, 1_000_000
EEXEC_KEY, C1, C2 = 55665, 52845, 22719


# ---------------------------------------------------------------------------
# Type 1 eexec (Adobe Type 1 Font Format, ch. 7)

def eexec_decrypt(cipher: bytes, r: int = EEXEC_KEY) -> bytes:
    """Decrypt an eexec section. The key stream depends only on the cipher text, so it is
    computed in one vectorised pass: r[n+1] = C1*r[n] + (C1*c[n] + C2) (mod 2**16)."""
    import numpy as np  # heavy; only when a PDF embeds a Type 1 font

    n = len(cipher)
    if n == 0:
        return b""
    c = np.frombuffer(cipher, dtype=np.uint8).astype(np.uint64)
    mask = np.uint64(0xFFFF)
    inv = np.uint64(pow(C1, -1, 1 << 16))
    b = (np.uint64(C1) * c + np.uint64(C2)) & mask
    # r[k] = C1**k * (r0 + sum_{j<k} C1**-(j+1) * b[j]); uint64 wrap-around is exact mod 2**16
    inv_pows = np.cumprod(np.full(n, inv, dtype=np.uint64)) & mask           # C1**-(j+1)
    fwd_pows = np.cumprod(np.full(n, np.uint64(C1), dtype=np.uint64)) & mask  # C1**(k+1)
    acc = np.cumsum(inv_pows * b) & mask                                       # up to j = k
    r_next = (fwd_pows * ((np.uint64(r) + acc) & mask)) & mask                 # r[k+1]
    keys = np.concatenate(([np.uint64(r)], r_next[:-1]))
    return ((c ^ (keys >> np.uint64(8))) & np.uint64(0xFF)).astype(np.uint8).tobytes()


def eexec_encrypt(plain: bytes, r: int = EEXEC_KEY) -> bytes:
    """Encrypt an eexec section (sequential: each key depends on the previous cipher byte)."""
    out = bytearray(len(plain))
    for i, p in enumerate(plain):
        c = p ^ (r >> 8)
        out[i] = c
        r = ((c + r) * C1 + C2) & 0xFFFF
    return bytes(out)


def _is_hex(section: bytes) -> bool:
    return len(section) >= 4 and all(chr(b) in "0123456789abcdefABCDEF" for b in section[:4])


def normalize_type1(stream: pikepdf.Stream) -> bool:
    """Give a Type 1 font program a content-derived /UniqueID; True when it was rewritten."""
    d = stream.stream_dict
    l1, l2 = int(d.get("/Length1", 0)), int(d.get("/Length2", 0))
    data = stream.read_bytes()
    clear, enc, tail = data[:l1], data[l1:l1 + l2], data[l1 + l2:]
    if not l1 or not l2 or _is_hex(enc):
        return False   # not a binary Type 1 program (LibreOffice writes binary eexec)
    plain = eexec_decrypt(enc)
    if not (UNIQUE_ID.search(clear) or UNIQUE_ID.search(plain)):
        return False
    digest = hashlib.sha256(UNIQUE_ID.sub(b"", clear) + UNIQUE_ID.sub(b"", plain)).digest()
    uid = b"/UniqueID %d" % (UID_BASE + int.from_bytes(digest[:8], "big") % UID_SPAN)
    new_clear, new_plain = UNIQUE_ID.sub(uid, clear), UNIQUE_ID.sub(uid, plain)
    if new_clear == clear and new_plain == plain:
        return False
    new_enc = eexec_encrypt(new_plain) if new_plain != plain else enc
    stream.write(zlib.compress(new_clear + new_enc + tail, 6), filter=pikepdf.Name.FlateDecode)
    d.Length1, d.Length2 = len(new_clear), len(new_enc)
    return True


# ---------------------------------------------------------------------------
# Whole documents

def _content_digest(pdf: pikepdf.Pdf) -> str:
    h = hashlib.sha256()
    meta = pdf.Root.get("/Metadata")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and not (meta is not None and obj.objgen == meta.objgen):
            h.update(obj.read_raw_bytes())
    return h.hexdigest()


def _pin_xmp(pdf: pikepdf.Pdf) -> None:
    if "/Metadata" not in pdf.Root:
        return
    doc_id = f"uuid:{uuid.UUID(_content_digest(pdf)[:32])}"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        for key in XMP_DATES:
            if key in meta:
                meta[key] = FIXED_XMP_DATE
        for key in XMP_IDS:
            if key in meta:
                meta[key] = doc_id


def normalize_pdf(source, *, fonts: bool = True) -> tuple[bytes, int]:
    """Reproducible bytes of a PDF given as bytes or a path, and its page count.

    ``fonts=False`` skips the Type 1 rewrite (for files merged from already normalised PDFs).
    """
    data = source if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if fonts:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream) and "/Length2" in obj.stream_dict:
                    normalize_type1(obj)
        info = pdf.docinfo
        for key in ("/CreationDate", "/ModDate"):
            info[key] = FIXED_PDF_DATE
        _pin_xmp(pdf)
        for key in ("/ID", "/DocChecksum"):
            if key in pdf.trailer:
                del pdf.trailer[key]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue(), len(pdf.pages)


def page_count(path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def merge_pdfs(parts: list[tuple[Path, str]]) -> tuple[bytes, int]:
    """One printable PDF from (pdf path, outline title) pairs: an outline item per part."""
    from pypdf import PdfWriter  # deferred: only the audit pack merges PDFs

    writer = PdfWriter()
    for path, title in parts:
        writer.append(str(path), outline_item=title, import_outline=False)
    writer.page_mode = "/UseOutlines"     # open with the bookmarks shown
    buf = io.BytesIO()
    writer.write(buf)
    writer.close()
    return normalize_pdf(buf.getvalue(), fonts=False)


__all__ = ["FIXED_PDF_DATE", "eexec_decrypt", "eexec_encrypt", "merge_pdfs", "normalize_pdf",
           "normalize_type1", "page_count"]
