"""The company's signature on a pack's manifest (Ed25519, through the `cryptography` package).

A hash manifest alone proves nothing against someone who changes files and rewrites
manifest.json with the new hashes. The company signs manifest.json with its private key when
the pack is built (``audit-pack --sign KEY``); anybody holding the public key
(``verify --pubkey KEY.pub``) can then tell a forged manifest from the issued one. The
signature travels in the pack as ``manifest.json.sig`` (it cannot be listed in the manifest
it signs).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from generator.core.errors import UserError

SIGNATURE_MEMBER = "manifest.json.sig"
ALGORITHM = "Ed25519"


def fingerprint(public: Ed25519PublicKey) -> str:
    """A short, stable name of a public key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (never over an existing file) with ``mode``; a failure names the path."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise UserError(f"{path} 已存在：为免覆盖公司的密钥，请换一个文件名或先移走它") from None
    except OSError as e:
        raise UserError(f"无法写入密钥文件 {path}：{e.strerror or e}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def new_keypair(private_path) -> tuple[Path, Path, str]:
    """Write a new private key (PEM, readable by its owner only) and ``<name>.pub`` beside it."""
    private_path = Path(private_path)
    public_path = private_path.with_name(private_path.name + ".pub")
    for p in (private_path, public_path):
        if p.exists():
            raise UserError(f"{p} 已存在：为免覆盖公司的密钥，请换一个文件名或先移走它")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    _write_new(private_path, private_pem, 0o600)
    _write_new(public_path, public_pem, 0o644)
    return private_path, public_path, fingerprint(key.public_key())


def _read_pem(path, what: str) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"找不到{what} {path}") from None
    except OSError as e:
        raise UserError(f"无法读取{what} {path}：{e.strerror or e}") from None


def load_private_key(path) -> Ed25519PrivateKey:
    data = _read_pem(path, "私钥文件")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UserError(f"{path} 不是本工具生成的私钥（aftersales keys new 生成的 PEM 文件）") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(f"{path} 不是 Ed25519 私钥")
    return key


def load_public_key(path) -> Ed25519PublicKey:
    data = _read_pem(path, "公钥文件")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UserError(f"{path} 不是本工具生成的公钥（aftersales keys new 生成的 .pub 文件）") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UserError(f"{path} 不是 Ed25519 公钥")
    return key


def sign_manifest(manifest: bytes, key: Ed25519PrivateKey) -> bytes:
    """The ``manifest.json.sig`` member: the algorithm, the key's fingerprint and the signature."""
    record = {"algorithm": ALGORITHM, "key": fingerprint(key.public_key()),
              "signature": base64.b64encode(key.sign(manifest)).decode("ascii")}
    return json.dumps(record, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool            # the pack carries a signature member
    key: str                # fingerprint named by the signature ("" when unsigned or unreadable)
    checked: bool           # a public key was given and the signature was verified against it
    valid: bool             # checked and genuine
    problem: str = ""       # why it is not valid, in Chinese

    def to_dict(self) -> dict:
        return {"signed": self.signed, "key": self.key, "checked": self.checked, "valid": self.valid,
                "problem": self.problem}


def check_signature(manifest: bytes, signature: bytes | None, public: Ed25519PublicKey | None) -> SignatureCheck:
    """Judge a pack's signature member against the manifest bytes and, if given, a public key."""
    if signature is None:
        return SignatureCheck(False, "", public is not None, False,
                              "审计包没有签名（生成时未使用 --sign）" if public is not None else "")
    try:
        record = json.loads(signature.decode("utf-8"))
        raw = base64.b64decode(record["signature"], validate=True)
        named = str(record.get("key", ""))
        if record.get("algorithm") != ALGORITHM:
            raise ValueError(record.get("algorithm"))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        return SignatureCheck(True, "", public is not None, False, f"{SIGNATURE_MEMBER} 无法读取")
    if public is None:
        return SignatureCheck(True, named, False, False)
    if named != fingerprint(public):
        return SignatureCheck(True, named, True, False,
                              f"签名所用密钥（指纹 {named}）不是给出的公钥（指纹 {fingerprint(public)}）")
    try:
        public.verify(raw, manifest)
    except InvalidSignature:
        return SignatureCheck(True, named, True, False, "签名与 manifest.json 不符：清单在签发后被改动过")
    return SignatureCheck(True, named, True, True)


__all__ = ["SIGNATURE_MEMBER", "SignatureCheck", "check_signature", "fingerprint", "load_private_key",
           "load_public_key", "new_keypair", "sign_manifest"]
