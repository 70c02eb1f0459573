"""Office files encrypted with Office's default password, opened as Office opens them.

Excel saves a workbook "protected" without a password the user typed with the built-in
password ``VelvetSweatshop``; Word and LibreOffice open such files without asking. They
are encrypted containers all the same, so the preflight sees "password protected": here
they are decrypted (msoffcrypto-tool) and the plain file goes on through the pipeline —
itself checked again from its bytes. A file encrypted with a real password stays refused.
"""

from __future__ import annotations

import io
from pathlib import Path

DEFAULT_PASSWORDS = ("VelvetSweatshop",)


def with_default_password(source: Path, target: Path) -> Path | None:
    """Decrypt ``source`` into ``target`` if a default password opens it; else None."""
    import msoffcrypto
    from msoffcrypto import exceptions

    for password in DEFAULT_PASSWORDS:
        try:
            with open(source, "rb") as fh:
                office = msoffcrypto.OfficeFile(fh)
                if not office.is_encrypted():
                    return None
                office.load_key(password=password)
                plain = io.BytesIO()
                office.decrypt(plain)
        except (exceptions.InvalidKeyError, exceptions.DecryptionError):
            continue
        except (
            exceptions.FileFormatError,
            exceptions.ParseError,
            OSError,
            ValueError,
            KeyError,
            AssertionError,
            IndexError,
        ):
            return None  # not a format msoffcrypto knows: the refusal stands
        target.write_bytes(plain.getvalue())
        return target
    return None


def is_encrypted(source: Path) -> bool:
    """Whether msoffcrypto finds an encrypted legacy Office file (.doc/.xls/.ppt whose
    usual marker the sniffer does not see)."""
    import msoffcrypto

    try:
        with open(source, "rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # an unknown or damaged container: no opinion
        return False
