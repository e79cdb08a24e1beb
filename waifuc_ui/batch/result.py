"""What a batch run did, as the JSON report the command line writes: exported files, dropped items (step, reason,
score) and refused inputs; and the progress bars (one per step, items out of that step)."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..core.item import ImageItem
from ..core.report import DropRecord, SkippedFile


@dataclass
class BatchResult:
    engine: str
    output: str
    exported: list[str] = field(default_factory=list)  # file names written (images and captions), sorted
    images: int = 0
    dropped: list[DropRecord] = field(default_factory=list)
    refused: list[SkippedFile] = field(default_factory=list)
    export_failed: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0
    inputs: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "output": self.output, "inputs": self.inputs, "images": self.images,
                "seconds": round(self.seconds, 3), "exported": list(self.exported),
                "dropped": [{k: v for k, v in asdict(d).items() if k != "item_id"} for d in self.dropped],
                "refused": [asdict(s) for s in self.refused],
                "export_failed": [asdict(s) for s in self.export_failed]}

    def write_json(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False, indent=1)

    def summary(self) -> str:
        return (f"{self.images} images exported to {self.output} ({len(self.exported)} files) from {self.inputs} "
                f"inputs; {len(self.dropped)} dropped, {len(self.refused)} refused, {len(self.export_failed)} "
                f"failed to export; {self.seconds:.1f} s ({self.engine})")


def written_files(output: str) -> list[str]:
    """The files of the output zip or folder, as relative names, sorted."""
    if os.path.isfile(output):
        with zipfile.ZipFile(output) as z:
            return sorted(n for n in z.namelist() if not n.endswith("/"))
    found = []
    for folder, _, files in os.walk(output):
        found += [os.path.relpath(os.path.join(folder, f), output).replace(os.sep, "/") for f in files]
    return sorted(found)


class Progress:
    """One tqdm bar per step (items that left it) plus one for the export; silent when ``enabled`` is False."""

    def __init__(self, labels: Sequence[str], enabled: bool = True, total: int | None = None):
        self.bars: list[Any] = []
        if enabled:
            from tqdm import tqdm

            self.bars = [tqdm(desc=label, total=total, unit="img", position=n, leave=True, dynamic_ncols=True)
                         for n, label in enumerate([*labels, "export"])]

    def add(self, index: int, n: int = 1) -> None:
        if self.bars:
            self.bars[index].update(n)

    def counted(self, index: int, items: Iterable[ImageItem]) -> Iterator[ImageItem]:
        for item in items:
            self.add(index)
            yield item

    def close(self) -> None:
        for bar in self.bars:
            bar.close()
