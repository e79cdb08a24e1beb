"""Generate the demo dataset in ``assets/demo/`` (deterministic; only the project's own drawings).

    python assets/make_demo.py [--out assets/demo]

Three made-up characters (aoi, beni, kiiro) drawn with PIL shapes and gradients, in every mode
and format a dataset meets: RGB, RGBA, P with transparency, L, CMYK JPEG, 16-bit PNG, animated
GIF and WebP, an EXIF-rotated JPEG; exact duplicates (same pixels, other file or format), near
duplicates (noise, resize, crop, re-encode), monochrome, tiny and large images; tags in waifuc
sidecars (``.{body}_meta.json``) and in ``{body}.txt`` captions; one truncated and one zero-byte
file so the refusal list is not empty. Files are overwritten, never deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Character:
    name: str
    hair: RGB
    eyes: RGB
    outfit: RGB
    skin: RGB
    accessory: str  # 'ribbon', 'horns' or 'hat'
    tags: tuple[str, ...]


CHARACTERS = {
    "aoi": Character("aoi", (60, 110, 220), (40, 200, 230), (240, 240, 250), (255, 224, 200), "ribbon",
                     ("aoi_(demo)", "blue_hair", "blue_eyes", "hair_ribbon", "white_dress")),
    "beni": Character("beni", (200, 40, 60), (250, 180, 40), (30, 30, 40), (250, 215, 190), "horns",
                      ("beni_(demo)", "red_hair", "yellow_eyes", "horns", "black_jacket")),
    "kiiro": Character("kiiro", (245, 200, 60), (120, 70, 180), (90, 160, 90), (255, 230, 210), "hat",
                       ("kiiro_(demo)", "blonde_hair", "purple_eyes", "hat", "green_shirt")),
}


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient from ``top`` to ``bottom``."""
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def draw_character(image: Image.Image, ch: Character, rng: random.Random, cx: float, scale: float) -> None:
    """Draw ``ch`` onto ``image``, centred at x = ``cx`` (fraction of width), ``scale`` x the height."""
    w, h = image.size
    d = ImageDraw.Draw(image)
    unit = h * scale
    x = w * cx + rng.uniform(-0.03, 0.03) * w
    head_y = h - unit * rng.uniform(0.78, 0.86)
    r = unit * 0.16
    # body and neck
    d.polygon([(x - r * 1.5, h), (x + r * 1.5, h), (x + r * 0.9, head_y + r * 1.3), (x - r * 0.9, head_y + r * 1.3)],
              fill=ch.outfit, outline=(20, 20, 20))
    d.rectangle([x - r * 0.25, head_y + r * 0.8, x + r * 0.25, head_y + r * 1.4], fill=ch.skin)
    # hair behind, head, bangs
    d.ellipse([x - r * 1.25, head_y - r * 1.15, x + r * 1.25, head_y + r * 1.6], fill=ch.hair)
    d.ellipse([x - r, head_y - r, x + r, head_y + r * 1.1], fill=ch.skin, outline=(60, 40, 30))
    d.pieslice([x - r * 1.1, head_y - r * 1.2, x + r * 1.1, head_y + r * 0.6], 180, 360, fill=ch.hair)
    # eyes with highlights, mouth
    tilt = rng.uniform(-0.08, 0.08) * r
    for side in (-1, 1):
        ex, ey = x + side * r * 0.42, head_y + r * 0.25 + side * tilt
        d.ellipse([ex - r * 0.2, ey - r * 0.26, ex + r * 0.2, ey + r * 0.26], fill=(255, 255, 255))
        d.ellipse([ex - r * 0.15, ey - r * 0.2, ex + r * 0.15, ey + r * 0.22], fill=ch.eyes)
        d.ellipse([ex - r * 0.06, ey - r * 0.14, ex + r * 0.02, ey - r * 0.04], fill=(255, 255, 255))
    smile = rng.choice([(20, 160), (200, 340)])
    d.arc([x - r * 0.25, head_y + r * 0.55, x + r * 0.25, head_y + r * 0.8], *smile, fill=(150, 50, 60),
          width=max(1, int(r * 0.05)))
    # accessory
    if ch.accessory == "ribbon":
        bx, by = x + r * 0.8, head_y - r * 0.8
        d.polygon([(bx, by), (bx + r * 0.5, by - r * 0.3), (bx + r * 0.5, by + r * 0.3)], fill=(230, 60, 120))
        d.polygon([(bx, by), (bx - r * 0.5, by - r * 0.3), (bx - r * 0.5, by + r * 0.3)], fill=(230, 60, 120))
    elif ch.accessory == "horns":
        for side in (-1, 1):
            hx = x + side * r * 0.6
            d.polygon([(hx - r * 0.15, head_y - r * 0.85), (hx + r * 0.15, head_y - r * 0.85),
                       (hx + side * r * 0.25, head_y - r * 1.6)], fill=(240, 230, 210), outline=(80, 60, 40))
    else:
        d.ellipse([x - r * 1.5, head_y - r * 0.95, x + r * 1.5, head_y - r * 0.55], fill=(150, 90, 40))
        d.rectangle([x - r * 0.8, head_y - r * 1.7, x + r * 0.8, head_y - r * 0.75], fill=(150, 90, 40))


def scene(size: tuple[int, int], seed: int, *characters: Character) -> Image.Image:
    """A background gradient with a few shapes and the characters side by side."""
    rng = random.Random(seed)
    top = tuple(rng.randint(150, 255) for _ in range(3))
    bottom = tuple(rng.randint(40, 160) for _ in range(3))
    image = gradient(size, top, bottom)  # type: ignore[arg-type]
    d = ImageDraw.Draw(image)
    w, h = size
    for _ in range(rng.randint(3, 7)):
        cx, cy, rad = rng.uniform(0, w), rng.uniform(0, h * 0.6), rng.uniform(0.03, 0.12) * min(w, h)
        d.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=tuple(rng.randint(120, 255) for _ in range(3)))
    for i, ch in enumerate(characters):
        draw_character(image, ch, rng, (i + 0.5) / len(characters), rng.uniform(0.75, 0.95) / len(characters) ** 0.3)
    return image


def noisy(image: Image.Image, seed: int, amount: int = 4) -> Image.Image:
    """``image`` plus faint deterministic noise of +-``amount`` per channel (a near duplicate)."""
    data = random.Random(seed).randbytes(image.width * image.height * 3)
    noise = Image.frombytes("RGB", image.size, data).point(lambda v: 128 + v % (2 * amount + 1) - amount)
    return ImageChops.add(image, noise, offset=-128)


class DemoWriter:
    """Writes images with optional waifuc sidecars / captions and keeps the list of what it wrote."""

    def __init__(self, out: str):
        self.out = out
        self.written: dict[str, str] = {}

    def path(self, name: str) -> str:
        path = os.path.join(self.out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def save(self, image: Image.Image, name: str, note: str, **params) -> str:
        path = self.path(name)
        image.save(path, **params)
        self.written[name] = note
        return path

    def sidecar(self, name: str, tags: dict[str, float], **extra) -> None:
        body = os.path.splitext(os.path.basename(name))[0]
        folder = os.path.dirname(name)
        meta = {"filename": os.path.basename(name), "group_id": "demo", "tags": tags, **extra}
        with open(self.path(os.path.join(folder, f".{body}_meta.json")), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, sort_keys=True)

    def caption(self, name: str, text: str) -> None:
        body = os.path.splitext(name)[0]
        with open(self.path(body + ".txt"), "w", encoding="utf-8") as f:
            f.write(text)


def character_tags(ch: Character, *extra: str) -> dict[str, float]:
    return {t: 1.0 for t in ("1girl", "solo", *ch.tags, *extra)}


def build(out: str) -> dict[str, str]:
    """Write the demo dataset into ``out``; returns {file name: what it demonstrates}."""
    aoi, beni, kiiro = CHARACTERS["aoi"], CHARACTERS["beni"], CHARACTERS["kiiro"]
    w = DemoWriter(out)
    sizes = [(512, 768), (640, 640), (768, 512), (600, 800), (720, 960), (800, 600), (560, 700), (680, 680)]
    keep: dict[str, Image.Image] = {}

    # everyday character images, RGB, PNG and JPEG; sidecars for aoi and beni, captions for kiiro
    for ch, count, seed0 in ((aoi, 8, 100), (beni, 6, 200), (kiiro, 5, 300)):
        for i in range(1, count + 1):
            image = scene(sizes[(i + seed0 // 100) % len(sizes)], seed0 + i, ch)
            name = f"{ch.name}_{i:02d}." + ("png" if i % 2 else "jpg")
            w.save(image, name, f"{ch.name}, RGB", **({"quality": 88} if name.endswith("jpg") else {}))
            keep[name] = image
            if ch is not kiiro and i <= 4:
                w.sidecar(name, character_tags(ch, "smile" if i % 2 else "closed_mouth"),
                          url=f"https://example.invalid/{ch.name}/{i}")
    w.caption("kiiro_01.png", "1girl, solo, kiiro_\\(demo\\), blonde_hair, purple_eyes, hat")
    w.caption("kiiro_02.jpg", "1girl, kiiro_\\(demo\\), (smile:0.8), green_shirt")
    w.caption("kiiro_03.png", "kiiro_\\(demo\\), hat, outdoors")

    # large-ish ones (JPEG keeps the size small)
    for name, size, seed, ch in (("beni_large_01.jpg", (1600, 1200), 401, beni),
                                 ("aoi_large_02.jpg", (1200, 1600), 402, aoi),
                                 ("kiiro_large_03.jpg", (1600, 1200), 403, kiiro)):
        w.save(scene(size, seed, ch), name, "large, 1600 px side", quality=80)

    # several characters, and none
    w.save(scene((900, 600), 501, aoi, beni), "group_aoi_beni.png", "two characters")
    w.save(scene((1000, 600), 502, aoi, beni, kiiro), "group_all_three.jpg", "three characters", quality=85)
    w.save(scene((800, 500), 503), "scenery_01.jpg", "no character", quality=85)
    w.save(scene((640, 480), 504), "scenery_02.png", "no character")

    # modes
    cutout = scene((512, 640), 601, aoi).convert("RGBA")
    alpha = Image.new("L", cutout.size, 0)
    ImageDraw.Draw(alpha).ellipse([40, 40, 472, 660], fill=255)
    cutout.putalpha(alpha.filter(ImageFilter.GaussianBlur(6)))
    w.save(cutout, "rgba_cutout_aoi.png", "RGBA with a transparent background")
    sticker = scene((300, 360), 602, beni).quantize(64)
    corner = Image.new("L", sticker.size, 0)
    ImageDraw.Draw(corner).rounded_rectangle([20, 20, 280, 340], radius=60, fill=255)
    sticker.paste(0, mask=Image.eval(corner, lambda v: 255 - v))
    w.save(sticker, "palette_sticker_beni.png", "P with transparency", transparency=0)
    w.save(scene((480, 640), 603, kiiro).convert("L"), "gray_sketch_kiiro.png", "L (grayscale)")
    lineart = scene((600, 600), 604, aoi).convert("L").filter(ImageFilter.FIND_EDGES)
    w.save(Image.eval(lineart, lambda v: 255 - min(255, v * 3)).convert("RGB"), "mono_lineart_aoi.png",
           "monochrome in RGB")
    sepia = scene((560, 720), 605, beni).convert("L")
    w.save(Image.merge("RGB", [sepia.point(lambda v: min(255, int(v * 1.07))), sepia.point(lambda v: int(v * 0.74)),
                               sepia.point(lambda v: int(v * 0.43))]), "mono_sepia_beni.jpg", "monochrome sepia",
           quality=85)
    w.save(scene((640, 800), 606, beni).convert("CMYK"), "print_cmyk_beni.jpg", "CMYK JPEG", quality=85)
    deep = scene((320, 400), 607, kiiro).convert("L").point(lambda v: v * 257, "I").convert("I;16")
    w.save(deep, "deep_16bit_kiiro.png", "16-bit grayscale (I;16)")

    # animations
    frames = [scene((320, 400), 700, aoi)]
    for k in range(1, 4):
        frame = frames[0].copy()
        ImageDraw.Draw(frame).ellipse([20 + 60 * k, 20, 70 + 60 * k, 70], fill=(255, 255, 120))
        frames.append(frame)
    w.save(frames[0], "anim_wave_aoi.gif", "animated GIF, 4 frames", save_all=True, append_images=frames[1:],
           duration=200, loop=0)
    blink = [scene((360, 360), 701, beni) for _ in range(3)]
    ImageDraw.Draw(blink[1]).rectangle([0, 150, 360, 175], fill=(250, 215, 190))
    w.save(blink[0], "anim_blink_beni.webp", "animated WebP, 3 frames", save_all=True, append_images=blink[1:],
           duration=300, loop=0, quality=80)

    # exact duplicates: same pixels in other files and formats
    w.save(keep["aoi_01.png"], "aoi_01_copy.webp", "exact duplicate of aoi_01.png (lossless WebP)", lossless=True)
    w.save(keep["aoi_01.png"], "aoi_01_again.png", "exact duplicate of aoi_01.png (other PNG bytes)",
           compress_level=1)
    w.save(keep["beni_03.png"], "beni_03_copy.png", "exact duplicate of beni_03.png")

    # near duplicates
    base = keep["aoi_03.png"]
    w.save(noisy(base, 1), "aoi_03_noise.jpg", "near duplicate of aoi_03.png: faint noise", quality=90)
    w.save(base.resize((base.width * 9 // 10, base.height * 9 // 10), Image.LANCZOS), "aoi_03_smaller.png",
           "near duplicate of aoi_03.png: 90% size")
    b5 = keep["beni_05.png"]
    w.save(b5.crop((b5.width // 20, b5.height // 20, b5.width - b5.width // 20, b5.height - b5.height // 20)),
           "beni_05_crop.png", "near duplicate of beni_05.png: 5% crop")
    w.save(b5, "beni_05_reencoded.jpg", "near duplicate of beni_05.png: JPEG q=60", quality=60)

    # tiny ones
    w.save(scene((48, 48), 801, aoi), "tiny_icon_aoi.png", "tiny, 48 px")
    w.save(scene((32, 40), 802, beni), "tiny_icon_beni.png", "tiny, 32x40")
    w.save(scene((60, 45), 803, kiiro), "tiny_thumb_kiiro.jpg", "tiny, 60x45", quality=85)

    # a photo stored sideways with EXIF orientation 6 (displayed upright)
    upright = scene((480, 640), 901, kiiro)
    exif = Image.Exif()
    exif[0x0112] = 6
    w.save(upright.transpose(Image.Transpose.ROTATE_90), "photo_exif_rotated_kiiro.jpg",
           "EXIF orientation 6: stored sideways, displays upright", exif=exif, quality=85)

    # a subfolder, read by recursive sources
    w.save(scene((600, 800), 1001, aoi), "more/aoi_09.png", "in a subfolder")
    w.save(scene((800, 600), 1002, beni), "more/beni_07.jpg", "in a subfolder, with a sidecar", quality=85)
    w.sidecar("more/beni_07.jpg", character_tags(beni, "from_side"))

    # refusals: a truncated JPEG and a zero-byte file
    whole = w.path("broken_truncated.jpg")
    scene((400, 400), 1101, aoi).save(whole, quality=85)
    with open(whole, "rb") as f:
        data = f.read()
    with open(whole, "wb") as f:
        f.write(data[: len(data) // 2])
    w.written["broken_truncated.jpg"] = "refused: truncated JPEG"
    open(w.path("empty.png"), "wb").close()
    w.written["empty.png"] = "refused: zero-byte file"
    return w.written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo"))
    args = parser.parse_args()
    written = build(args.out)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.out) for f in fs)
    print(f"{len(written)} files in {args.out}, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
