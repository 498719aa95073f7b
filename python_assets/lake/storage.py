"""Where the lake lives: the storage root (a folder or `s3://bucket/prefix`), its credentials and endpoint (the
AWS_* env vars), plain file writes under it, and the errors a bucket can give, said in one line.

Delta I/O (`tables.py`) and every other file written under the root (exports, backups) go through here, so a
folder and a bucket behave the same.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from python_assets.settings import lake_root

if TYPE_CHECKING:
    from pyarrow.fs import FileSystem

S3_SCHEMES = ("s3", "s3a")

# env var -> the object_store key deltalake takes. Endpoint, region and keys are the AWS CLI's own names.
_S3_ENV = {
    "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN": "AWS_SESSION_TOKEN",
    "AWS_REGION": "AWS_REGION",
    "AWS_DEFAULT_REGION": "AWS_REGION",
    "AWS_ENDPOINT_URL_S3": "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL": "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP": "AWS_ALLOW_HTTP",
    "AWS_CONDITIONAL_PUT": "conditional_put",
}

# Env vars that name a credential source other than a key pair: a profile, a web identity (EKS/IRSA), container
# credentials (ECS/EKS pod identity). `_require_credentials` also takes the shared credential files, unsigned
# requests (`AWS_SKIP_SIGNATURE=true`) and `AWS_EC2_METADATA_DISABLED=false` for an EC2 instance role (said
# explicitly, so a laptop without credentials fails at once instead of waiting on the metadata endpoint).
_CREDENTIAL_SOURCES = ("AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI")


class LakeStorageError(OSError):
    """The storage root cannot be used as configured (missing credentials, no such bucket, access denied, an
    endpoint that does not answer), with what to change."""


def scheme(root: str | None = None) -> str:
    """`""` for a local folder, else the URI scheme (`s3`)."""
    root = lake_root() if root is None else root
    return root.split("://", 1)[0].lower() if "://" in root else ""


def is_object_store(root: str | None = None) -> bool:
    return bool(scheme(root))


def uri(rel: str) -> str:
    """The location of `rel` (a slash path) under the root."""
    return f"{lake_root()}/{rel.strip('/')}"


def _s3_env() -> dict[str, str]:
    opts: dict[str, str] = {}
    for env, key in _S3_ENV.items():
        value = os.environ.get(env, "").strip()
        if value and key not in opts:
            opts[key] = value
    return opts


def storage_options() -> dict[str, str] | None:
    """Options for deltalake: None for a folder; for S3 the credentials and endpoint from the environment.

    Commits use S3 conditional writes (`PutObject` with `If-None-Match: *`): S3 refuses a commit whose version
    another writer took first, deltalake re-reads the log and commits the next version (or raises
    CommitFailedError on a real conflict, which `tables.replace_where` retries), so concurrent writers never
    overwrite each other's commit. No locking service, no unsafe rename. `AWS_CONDITIONAL_PUT` overrides the mode.
    """
    kind = scheme()
    if not kind:
        return None
    if kind not in S3_SCHEMES:
        return {}  # another object store (az://, gs://): deltalake reads its own env vars
    _require_credentials()
    opts = _s3_env()
    opts.setdefault("conditional_put", "etag")
    return opts


def _require_credentials() -> None:
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID", "").strip() and env.get("AWS_SECRET_ACCESS_KEY", "").strip():
        return
    if any(env.get(name, "").strip() for name in _CREDENTIAL_SOURCES):
        return
    if env.get("AWS_SKIP_SIGNATURE", "").strip().lower() == "true":
        return
    if env.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "false":
        return
    files = [env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", env.get("AWS_CONFIG_FILE") or
             "~/.aws/config"]
    if any(Path(f).expanduser().is_file() for f in files):
        return
    raise LakeStorageError(
        f"no AWS credentials for the lake at {lake_root()}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or "
        "AWS_PROFILE, a web identity or container credentials; on EC2 with an instance role, "
        "AWS_EC2_METADATA_DISABLED=false)")


def filesystem() -> tuple[FileSystem, str]:
    """A pyarrow filesystem for the root and the path of the root in it (same credentials as the Delta tables)."""
    import pyarrow.fs as pafs

    root = lake_root()
    kind = scheme(root)
    if not kind:
        return pafs.LocalFileSystem(), root
    if kind not in S3_SCHEMES:
        fs, path = pafs.FileSystem.from_uri(root)
        return fs, path
    _require_credentials()
    opts = _s3_env()
    kwargs: dict[str, object] = {"region": opts.get("AWS_REGION"), "session_token": opts.get("AWS_SESSION_TOKEN")}
    if "AWS_ACCESS_KEY_ID" in opts and "AWS_SECRET_ACCESS_KEY" in opts:
        kwargs.update(access_key=opts["AWS_ACCESS_KEY_ID"], secret_key=opts["AWS_SECRET_ACCESS_KEY"])
    if os.environ.get("AWS_SKIP_SIGNATURE", "").strip().lower() == "true":
        kwargs["anonymous"] = True
    if endpoint := opts.get("AWS_ENDPOINT_URL"):
        parsed = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
        kwargs.update(endpoint_override=parsed.netloc + parsed.path.rstrip("/"), scheme=parsed.scheme)
    bucket_and_prefix = root.split("://", 1)[1]
    return pafs.S3FileSystem(**{k: v for k, v in kwargs.items() if v is not None}), bucket_and_prefix


def write_file(rel: str, content: bytes) -> str:
    """Write `content` to `rel` under the root, whole: a reader never sees half a file. Returns its location.

    A folder gets a temporary file renamed into place; an object store makes an object visible only once its
    upload completes.
    """
    location = uri(rel)
    if not is_object_store():
        path = Path(location)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
        return str(path)
    fs, base = filesystem()
    with explained(location, "write"):
        with fs.open_output_stream(f"{base}/{rel.strip('/')}") as out:
            out.write(content)
    return location


@contextlib.contextmanager
def explained(location: str, action: str) -> Iterator[None]:
    """Turn an object store's failure (deltalake and pyarrow raise OSError with the HTTP exchange in it) into a
    LakeStorageError that says what is wrong in one line. A folder's errors pass through unchanged."""
    try:
        yield
    except LakeStorageError:
        raise
    except OSError as err:
        if not is_object_store():
            raise
        raise LakeStorageError(_diagnose(location, action, err)) from err


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _diagnose(location: str, action: str, err: OSError) -> str:
    text = _ANSI.sub("", str(err))
    bucket = urlparse(lake_root()).netloc
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or "AWS S3"
    where = f"cannot {action} {location}"
    if "NoSuchBucket" in text or "NO_SUCH_BUCKET" in text:
        return f"{where}: bucket {bucket!r} does not exist at {endpoint} (create it, or fix FLYWHEEL_LAKE_ROOT)"
    denied = ("AccessDenied", "ACCESS_DENIED", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
              "403 Forbidden")
    if any(code in text for code in denied):
        return (f"{where}: access denied by {endpoint} (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / "
                f"AWS_SESSION_TOKEN and the bucket policy of {bucket!r})")
    if "error sending request" in text or "Connect" in text or "NETWORK_CONNECTION" in text:
        return f"{where}: the S3 endpoint {endpoint} does not answer (check AWS_ENDPOINT_URL and AWS_ALLOW_HTTP)"
    lines = [line.strip(" ↳") for line in text.splitlines() if line.strip(" ↳")]
    return f"{where}: {' <- '.join(lines[:4])}"
