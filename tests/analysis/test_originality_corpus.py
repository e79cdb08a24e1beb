"""The re-encode check on a corpus (tests/analysis/corpus.py): originals never flagged, every detectable JPEG copy
flagged (off the 8-pixel grid, at quality 98-100 with halved colour), and the keeper of a group made of an original
and its disguised copies is the original. The figures for the whole corpus: bench/bench_originality.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.analysis.corpus import (
    DETECTABLE_KINDS,
    KINDS,
    ORIGINAL_KINDS,
    SAME_SIZE_KINDS,
    demo_originals,
    off_grid,
    through_jpeg,
)
from tests.analysis.generated_art import varied_originals
from waifuc_ui.analysis import originality_rank, originality_reason
from waifuc_ui.analysis.originality import (
    HALVED_COLOUR_THRESHOLD,
    REENCODE_THRESHOLD,
    colour_phase_ratio,
    is_reencoded,
    jpeg_lattice,
    luma,
    originality,
    reencode_evidence,
)


@pytest.fixture(scope="module")
def generated() -> list[Image.Image]:
    return varied_originals(5)


@pytest.fixture(scope="module")
def demo() -> list[Image.Image]:
    pictures = demo_originals()
    assert len(pictures) >= 20
    return pictures


def test_originals_cropped_or_resized_are_never_flagged(generated, demo):
    """Every lossless demo image and generated original, also cropped off the grid and resized: both measures
    stay clear of their thresholds (measured: lattice 0.19 and up, colour 0.83 and up)."""
    for kind, make in ORIGINAL_KINDS.items():
        for i, picture in enumerate(generated + demo):
            lattice, colour = reencode_evidence(make(picture, i))
            assert not is_reencoded(lattice, colour), (kind, i, lattice, colour)
            assert lattice is None or lattice.score > REENCODE_THRESHOLD + 0.03, (kind, i, lattice)
            assert colour is None or colour > HALVED_COLOUR_THRESHOLD + 0.5, (kind, i, colour)


@pytest.mark.parametrize("kind", list(DETECTABLE_KINDS))
def test_every_detectable_copy_is_flagged(generated, demo, kind):
    make = DETECTABLE_KINDS[kind]
    for i, picture in enumerate(generated[:3] + demo[::8]):
        lattice, colour = reencode_evidence(make(picture, i))
        assert is_reencoded(lattice, colour), (kind, i, lattice, colour)


@pytest.mark.parametrize("quality", [60, 90, 95])
def test_a_jpeg_cropped_off_its_grid_is_read_at_its_own_grid(generated, quality):
    """Full-resolution colour (no colour evidence): the lattice alone, found at the JPEG's grid offset."""
    for seed, picture in enumerate(generated):
        cropped = off_grid(through_jpeg(picture, quality, subsampling=0), seed)
        dx, dy = 1 + seed % 7, 1 + (3 * seed + 2) % 7  # off_grid's crop
        found = jpeg_lattice(luma(cropped))
        assert found is not None and found.score < REENCODE_THRESHOLD - 0.05, (seed, found)
        assert found.offset == ((8 - dy) % 8, (8 - dx) % 8)
        assert abs(found.quality - quality) <= 1, (seed, found)


@pytest.mark.parametrize("quality", [98, 99, 100])
def test_halved_colour_flags_a_jpeg_of_quality_98_to_100(tmp_path, generated, quality):
    """The lattice is below the rounding noise at steps 1-2; the colour upsampling of a 4:2:0 JPEG shows instead."""
    for seed, picture in enumerate(generated):
        copy = through_jpeg(picture, quality)
        found = jpeg_lattice(luma(copy))
        assert found is not None and found.score > REENCODE_THRESHOLD  # the lattice does not see it
        ratio = colour_phase_ratio(np.asarray(copy))
        assert ratio is not None and ratio < 0.05, (seed, ratio)
        ratio_off = colour_phase_ratio(np.asarray(off_grid(copy, seed)))  # odd crops swap the phases
        assert ratio_off is not None and ratio_off < 0.05, (seed, ratio_off)
    path = tmp_path / "copy.png"
    through_jpeg(generated[0], quality).save(path)
    info = originality(path)
    assert info.reencoded and info.quality is None and info.colour is not None
    assert originality_reason(path) == "PNG re-encoded from a JPEG (colour at half resolution)"


def test_pictures_upscaled_twice_or_without_colour_are_not_taken_for_halved_colour(generated, demo):
    """A 2x bilinear upscale halves the luminance too (not a JPEG's colour); a grey picture holds no colour edges."""
    for picture in generated:
        doubled = picture.resize((picture.width * 2, picture.height * 2), Image.Resampling.BILINEAR)
        ratio = colour_phase_ratio(np.asarray(doubled))
        assert ratio is None or ratio > HALVED_COLOUR_THRESHOLD, ratio
        assert colour_phase_ratio(np.asarray(picture.convert("L").convert("RGB"))) is None


def _group(folder: Path, picture: Image.Image, seed: int, kinds: list[str]) -> tuple[list[Path], list[tuple]]:
    paths, sizes = [], []
    for n, kind in enumerate(kinds):
        image = KINDS[kind](picture, seed)
        paths.append(folder / f"{seed}_{n}.png")
        image.save(paths[-1])
        sizes.append(image.size)
    return paths, sizes


def test_the_keeper_of_an_original_and_its_detectable_copies_is_the_original(tmp_path, generated, demo):
    """PNG files only, the original placed first and last."""
    for seed, picture in enumerate(generated[:3] + demo[::6]):
        for kinds in (["original", *DETECTABLE_KINDS], [*DETECTABLE_KINDS, "original"]):
            paths, sizes = _group(tmp_path, picture, seed, kinds)
            assert kinds[originality_rank(paths, sizes)[0]] == "original", seed


def test_undetected_copies_of_the_same_size_never_beat_the_original(tmp_path, generated, demo):
    """Copies the check cannot see, within 2 % of the original's size: none wins on noise (a q98 copy's rounding
    noise looks sharper by up to 3.3 %); a copy softened by resampling loses; near-identical ones tie with the
    original (the first seen stays)."""
    softened = "q90 4:2:0 x0.5, back up"
    for seed, picture in enumerate(generated[:3] + demo[::6]):
        paths, sizes = _group(tmp_path, picture, seed, ["original", *SAME_SIZE_KINDS])
        assert originality_rank(paths, sizes)[0] == 0, seed
        kinds = [*SAME_SIZE_KINDS, "original"]
        paths, sizes = _group(tmp_path, picture, seed, kinds)
        ranked = [kinds[i] for i in originality_rank(paths, sizes)]
        assert ranked.index("original") < ranked.index(softened), (seed, ranked)
        assert ranked[0] != softened


def test_a_copy_resized_down_loses_and_one_resized_up_wins_on_size(tmp_path, generated):
    """The documented limit: a resized JPEG leaves no trace, so a copy more than 2 % larger leads as the larger
    picture, whatever it is made of; one resized down comes after the original."""
    picture = generated[0]
    kinds = ["q90 4:2:0 x0.75", "original", "q90 4:2:0 x1.25"]
    paths, sizes = _group(tmp_path, picture, 0, kinds)
    assert [kinds[i] for i in originality_rank(paths, sizes)] == ["q90 4:2:0 x1.25", "original", "q90 4:2:0 x0.75"]
    assert not any(originality(p).reencoded for p in paths)
