"""What a trainer would regret, checked before export: small images, empty captions, exact duplicates, a trigger
word missing from captions. Pure functions over the session's final dataset (no models, no files read).

Each :class:`DatasetCheck` names the images concerned (``ids``) and the fix, so the Export tab can show them and
select them in the Tags tab or drop them from the dataset.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..core.tags import same_tag

DEFAULT_MIN_SIDE = 512
#: A tag that opens at least this share of the captions is taken for an intended trigger word.
TRIGGER_SHARE = 0.5


@dataclass
class DatasetCheck:
    """``key``: small | empty_caption | duplicates | trigger; ``ids``: the images concerned; ``title`` and
    ``fix`` in words."""

    key: str
    title: str
    fix: str
    ids: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.title} ({len(self.ids)})"


def small_images(sizes: Mapping[str, tuple], min_side: int) -> list[str]:
    return [i for i, (w, h) in sizes.items() if min(w, h) < min_side]


def empty_captions(tags: Mapping[str, Mapping[str, float]]) -> list[str]:
    return [i for i, t in tags.items() if not t]


def exact_duplicates(hashes: Mapping[str, str]) -> list[str]:
    """Every image whose pixels equal an earlier image's (the first of each group is not listed)."""
    seen, extra = set(), []
    for i, h in hashes.items():
        if h in seen:
            extra.append(i)
        seen.add(h)
    return extra


#: Tags that open many captions without being a trigger word (counts such as ``1girl``, ``solo``).
_COMMON_FIRST = re.compile(r"^(\d+\+?[ _]?(girl|boy|other)s?|solo|solo[ _]focus|multiple[ _].*|no[ _]humans)$", re.I)


def likely_trigger(tags: Mapping[str, Mapping[str, float]]) -> str:
    """A tag that opens at least TRIGGER_SHARE of the captions (2 or more) and is not a common first tag such as
    ``1girl`` or ``solo``: a trigger word written into the captions by hand. '' when there is none."""
    firsts = Counter(next(iter(t)) for t in tags.values() if t and not _COMMON_FIRST.match(next(iter(t))))
    if not firsts:
        return ""
    word, n = firsts.most_common(1)[0]
    return word if n >= 2 and n >= TRIGGER_SHARE * len(tags) else ""


def missing_trigger(tags: Mapping[str, Mapping[str, float]], word: str) -> list[str]:
    return [i for i, t in tags.items() if not any(same_tag(x, word) for x in t)]


def dataset_checks(ids: Sequence[str], sizes: Mapping[str, tuple], tags: Mapping[str, Mapping[str, float]],
                   hashes: Mapping[str, str], trigger_word: str = "",
                   min_side: int = DEFAULT_MIN_SIDE) -> list[DatasetCheck]:
    """The checks in a fixed order (each with its ids, possibly none). ``tags`` are the final tags without the
    trigger word (it is written first at export)."""
    tags = {i: tags.get(i, {}) for i in ids}
    checks = [
        DatasetCheck("small", f"Short side under {min_side} px",
                     "trainers upscale these (blurry results): drop them, or lower the training size if intended",
                     small_images({i: sizes[i] for i in ids}, min_side)),
        DatasetCheck("empty_caption", "Empty captions",
                     "select them in the Tags tab and add tags (or run a tagging step)", empty_captions(tags)),
        DatasetCheck("duplicates", "Exact duplicates (same pixels as an earlier image)",
                     "drop the extra copies: they weigh those pixels twice", exact_duplicates(
                         {i: hashes[i] for i in ids})),
    ]
    if trigger_word:
        checks.append(DatasetCheck("trigger", f"Captions without the trigger word `{trigger_word}`",
                                   "nothing to do: the trigger word is written first in every caption at export",
                                   []))
    else:
        guess = likely_trigger(tags)
        checks.append(DatasetCheck(
            "trigger", f"Captions that lost `{guess}`, which opens most captions" if guess else
            "No trigger word set",
            f"set `{guess}` as the trigger word in the Tags tab (it is then written first in every caption), "
            "or add it to these images" if guess else
            "set a trigger word in the Tags tab if this dataset teaches one concept",
            missing_trigger(tags, guess) if guess else []))
    return checks


def checks_markdown(checks: Sequence[DatasetCheck]) -> str:
    """One line per check: a warning with the count and the fix, or a tick."""
    lines = []
    for c in checks:
        if c.ids:
            lines.append(f"- ⚠ **{c.title}: {len(c.ids)} image{'s' if len(c.ids) != 1 else ''}** — {c.fix}.")
        elif c.key == "trigger" and "No trigger word" in c.title:
            lines.append(f"- ⚠ {c.title} — {c.fix}.")
        else:
            lines.append(f"- ✓ {c.title}: none.")
    return "\n".join(lines)


def by_key(checks: Sequence[DatasetCheck]) -> dict[str, DatasetCheck]:
    return {c.key: c for c in checks}
