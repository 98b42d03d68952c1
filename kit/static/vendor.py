"""Refresh the browser assets vendored from npm (`vendored.json`), so that running the system needs no Node
toolchain: `python kit/static/vendor.py` fetches the pinned versions again, `--upgrade` the newest ones.

Each package's tarball comes from the npm registry (`NPM_CONFIG_REGISTRY` overrides it, as for npm itself), is
checked against the registry's sha512 integrity, and only the files listed in `vendored.json` are kept (the
licence among them), in a folder named after the package beside this file. A package whose tarball holds no
licence text (`@navikt/ds-css` names MIT in its package.json only) names its repository's licence file under
`licence`: it is fetched into LICENSE beside the files (kept as it is when that address cannot be reached)."""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "vendored.json"
REGISTRY = os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get("npm_config_registry") or "https://registry.npmjs.org/"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (the registry's https address)
        return response.read()


def release(package: str, version: str) -> dict:
    """The registry's record of one version (`latest` for the newest)."""
    url = urllib.parse.urljoin(REGISTRY, f"{urllib.parse.quote(package, safe='@')}/{version}")
    return json.loads(_get(url))


def tarball(record: dict) -> bytes:
    data = _get(record["dist"]["tarball"])
    algorithm, _, expected = record["dist"]["integrity"].partition("-")
    if algorithm != "sha512" or base64.b64encode(hashlib.sha512(data).digest()).decode() != expected:
        raise SystemExit(f"{record['name']}@{record['version']}: the tarball does not match its integrity")
    return data


def licence(target: Path, url: str) -> None:
    try:
        (target / "LICENSE").write_bytes(_get(url))
    except OSError as exc:
        if not (target / "LICENSE").exists():
            raise SystemExit(f"{url}: {exc}") from exc
        print(f"{url} not reached ({exc}); LICENSE kept as it is")


def vendor(package: str, version: str, files: list[str], licence_url: str | None = None) -> str:
    record = release(package, version)
    target = HERE / package.replace("@", "").replace("/", "-")
    target.mkdir(exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball(record)), mode="r:gz") as archive:
        for name in files:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{package}@{record['version']} has no {name}")
            (target / Path(name).name).write_bytes(member.read())
    if licence_url:
        licence(target, licence_url)
    return record["version"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upgrade", action="store_true", help="the newest version of each package")
    args = parser.parse_args()
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for package, entry in manifest.items():
        entry["version"] = vendor(package, "latest" if args.upgrade else entry["version"], entry["files"],
                                  entry.get("licence"))
        print(f"{package} {entry['version']}")
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
