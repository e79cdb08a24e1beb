"""Tag text: the caption format of textual-inversion datasets, and its parser.

Pure functions, no models. ``tags_to_text`` writes exactly what imgutils' function of the
same name writes (waifuc's TextualInversionExporter uses it); ``parse_tag_text`` reads such a
text back (LocalTISource uses it), undoing escapes and ``(tag:0.9)`` scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: Tags that keep their underscores when underscores become spaces (imgutils' list).
KAOMOJIS: tuple[str, ...] = (
    "0_0", "(o)_(o)", "+_+", "+_-", "._.", "<o>_<o>", "<|>_<|>", "=_=", ">_<", "3_3",
    "6_9", ">_o", "@_@", "^_^", "o_o", "u_u", "x_x", "|_|", "||_||",
)
_KAOMOJI_SET = frozenset(KAOMOJIS)
_SPECIAL = re.compile(r"([\\()])")
_SCORED = re.compile(r"^\((?P<tag>.+):(?P<score>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\)$", re.S)

Tags = Mapping[str, float] | Iterable[str]


def remove_underline(tag: str) -> str:
    """``long_hair`` -> ``long hair``; kaomoji such as ``^_^`` are returned unchanged. The tag is stripped
    first, as imgutils does."""
    tag = tag.strip()
    return tag if tag in _KAOMOJI_SET else tag.replace("_", " ")


def add_underline(tag: str) -> str:
    """``long hair`` -> ``long_hair`` (the inverse of :func:`remove_underline`)."""
    return tag.strip().replace(" ", "_")


def escape_tag(tag: str) -> str:
    """Put a backslash before ``\\``, ``(`` and ``)``."""
    return _SPECIAL.sub(r"\\\1", tag)


def unescape_tag(text: str) -> str:
    """Undo :func:`escape_tag`: a backslash makes the next character literal."""
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            out.append(next(chars, "\\"))
        else:
            out.append(ch)
    return "".join(out)


def _score(value: object) -> float:
    try:
        score = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    return score if score == score else 1.0  # NaN -> 1.0


def normalise_tags(tags: Tags | str | None) -> dict[str, float]:
    """Any tag collection -> {tag: float score}: a mapping (scores that are not numbers count as
    1.0), a caption string (:func:`parse_tag_text`), a list of tags (1.0 each) or None ({})."""
    if not tags:
        return {}
    if isinstance(tags, str):
        return parse_tag_text(tags)
    if isinstance(tags, Mapping):
        return {str(t): _score(s) for t, s in tags.items()}
    return {str(t): 1.0 for t in tags}


def _as_mapping(tags: Tags) -> Mapping[str, float]:
    if isinstance(tags, Mapping) and all(isinstance(v, (int, float)) for v in tags.values()):
        return tags
    return normalise_tags(tags)


def format_tag(tag: str, score: float = 1.0, use_spaces: bool = False, use_escape: bool = True,
               include_score: bool = False) -> str:
    """One tag as :func:`tags_to_text` writes it."""
    text = remove_underline(tag) if use_spaces else tag
    if use_escape:
        text = escape_tag(text)
    if include_score:
        text = f"({text}:{score:.3f})"
    return text


def tags_to_text(tags: Tags, use_spaces: bool = False, use_escape: bool = True,
                 include_score: bool = False, score_descend: bool = True) -> str:
    """Tags -> ``"tag_a, tag_b"``, as imgutils writes it.

    ``score_descend`` sorts by (-score, tag), so all-1.0 site tags come out alphabetical;
    otherwise the mapping's own order is kept. ``use_spaces`` turns ``_`` into spaces except in
    kaomoji; ``use_escape`` backslash-escapes ``\\``, ``(`` and ``)``; ``include_score`` writes
    ``(tag:0.999)`` with 3 decimals. A list of tags counts as all scores 1.0.
    """
    pairs = list(_as_mapping(tags).items())
    if score_descend:
        pairs.sort(key=lambda p: (-p[1], p[0]))
    return ", ".join(format_tag(t, s, use_spaces, use_escape, include_score) for t, s in pairs)


def same_tag(a: str, b: str) -> bool:
    """True when two tags differ only in ``_`` vs space, case or surrounding blanks."""
    return add_underline(a).lower() == add_underline(b).lower()


def caption_text(tags: Tags, trigger_word: str | None = None, use_spaces: bool = False,
                 use_escape: bool = True, include_score: bool = False, score_descend: bool = True) -> str:
    """:func:`tags_to_text` with an optional trigger word placed first.

    The trigger is written as given (escaped when ``use_escape``, never scored), and a tag that
    is the same word (:func:`same_tag`) is left out so it does not appear twice.
    """
    mapping = _as_mapping(tags)
    if not trigger_word or not trigger_word.strip():
        return tags_to_text(mapping, use_spaces, use_escape, include_score, score_descend)
    trigger = trigger_word.strip()
    rest = {t: s for t, s in mapping.items() if not same_tag(t, trigger)}
    head = escape_tag(trigger) if use_escape else trigger
    body = tags_to_text(rest, use_spaces, use_escape, include_score, score_descend)
    return f"{head}, {body}" if body else head


def _split_unescaped(text: str, separators: str = ",\n") -> list[str]:
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_tag(part: str) -> tuple[str, float] | None:
    """One caption entry -> (tag, score); ``(tag:0.9)`` carries a score, anything else is 1.0.

    Returns None for an empty entry. The score wrapper must use unescaped parentheses, so an
    escaped tag such as ``skadi_\\(arknights\\)`` stays a plain tag.
    """
    part = part.strip()
    if not part:
        return None
    m = _SCORED.match(part)
    if m and not m.group("tag").endswith("\\"):
        tag = unescape_tag(m.group("tag")).strip()
        if tag:
            return tag, float(m.group("score"))
    return unescape_tag(part), 1.0


def parse_tag_text(text: str) -> dict[str, float]:
    """A caption text -> {tag: score}, in order of first appearance.

    Splits on commas and newlines (not escaped ones), strips blanks, undoes escapes and reads
    ``(tag:0.9)`` scores. Tags are kept as written (spaces are not turned into underscores).
    A repeated tag keeps its highest score.
    """
    result: dict[str, float] = {}
    for part in _split_unescaped(text):
        parsed = parse_tag(part)
        if parsed is None:
            continue
        tag, score = parsed
        result[tag] = max(score, result.get(tag, score))
    return result
