"""Tag lists from the ``alea31415/tag_filtering`` dataset (imgutils ``drop_overlap_tags``,
``drop_blacklisted_tags``) and the WD14 underscore rule.

Both filters accept a list of tags or a dict tag -> score and return the same type, order kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import overload

from ..core.tags import KAOMOJIS as KAOMOJIS  # the one definition; re-exported for wd14
from ..core.tags import remove_underline as remove_underline
from .hub import HubFile
from .loaders import locked_cache, read_json, read_lines, register
from .registry import register_model
from .resolve import resolve_file
from .specs import BLACKLIST, BLACKLIST_FILE, OVERLAP, OVERLAP_FILE, Options

Tags = list[str] | Mapping[str, float]


def _overlap_dict() -> Mapping[str, list[str]]:
    return read_json(resolve_file(OVERLAP_FILE, 'tag overlap list'))


@overload
def drop_overlap_tags(tags: list[str]) -> list[str]: ...


@overload
def drop_overlap_tags(tags: Mapping[str, float]) -> dict[str, float]: ...


@register_model(OVERLAP)
def drop_overlap_tags(tags: Tags) -> Tags:
    """Drop tag t when t (underscored) lists implied tags present in the set, or t is a substring of another tag."""
    overlap = _overlap_dict()
    names = list(tags.keys()) if isinstance(tags, dict) else list(tags)
    underscored = [t.replace(' ', '_') for t in names]
    present = set(underscored)
    kept = []
    for tag, tag_ in zip(names, underscored):
        drop = tag_ in overlap and bool(set(overlap[tag_]) & present)
        drop = drop or any(tag in other and tag != other for other in names)
        if not drop:
            kept.append(tag)
    if isinstance(tags, dict):
        keep = set(kept)
        return {k: v for k, v in tags.items() if k in keep}
    return kept


# --- word matching for the blacklist (imgutils tagging/match.py semantics) ---
# imgutils takes word forms from hbutils ``singular_form``/``plural_form``, i.e. ``inflect``'s ``singular_noun``
# (falsy -> the word itself) and ``plural`` (the plural of a plural is its singular: 'girls' -> 'girl').
# Without ``inflect`` installed a small rule set stands in; it differs on irregular words (scarves, hooves, ...).

@functools.lru_cache(maxsize=1)
def _inflect_engine():
    try:
        import inflect
    except ImportError:  # pragma: no cover (inflect is a dependency)
        return None
    return inflect.engine()


_IRREGULAR = {'man': 'men', 'woman': 'women', 'child': 'children', 'foot': 'feet', 'tooth': 'teeth',
              'mouse': 'mice', 'person': 'people', 'goose': 'geese', 'ox': 'oxen', 'leaf': 'leaves',
              'knife': 'knives', 'wolf': 'wolves', 'half': 'halves', 'life': 'lives', 'wife': 'wives'}
_IRREGULAR_SINGULAR = {v: k for k, v in _IRREGULAR.items()}
_UNCOUNTABLE = {'hair', 'sheep', 'fish', 'deer', 'series', 'species', 'clothes', 'pants', 'shorts', 'glasses',
                'scissors', 'underwear', 'footwear', 'eyewear', 'headwear', 'legwear', 'swimwear', 'news'}


@functools.lru_cache(maxsize=4096)
def plural_form(word: str) -> str:
    """hbutils ``plural_form``: ``inflect.engine().plural(word)``."""
    engine = _inflect_engine()
    if engine is not None:
        return engine.plural(word)
    if word in _UNCOUNTABLE or not word.isalpha():  # pragma: no cover (fallback)
        return word
    if word in _IRREGULAR:  # pragma: no cover
        return _IRREGULAR[word]
    if re.search(r'(s|x|z|ch|sh)$', word):  # pragma: no cover
        return word + 'es'
    if re.search(r'[^aeiou]y$', word):  # pragma: no cover
        return word[:-1] + 'ies'
    return word + 's'  # pragma: no cover


@functools.lru_cache(maxsize=4096)
def singular_form(word: str) -> str:
    """hbutils ``singular_form``: ``inflect.engine().singular_noun(word)``, or the word when that is falsy."""
    engine = _inflect_engine()
    if engine is not None:
        return engine.singular_noun(word) or word
    if word in _UNCOUNTABLE or not word.isalpha():  # pragma: no cover (fallback)
        return word
    if word in _IRREGULAR_SINGULAR:  # pragma: no cover
        return _IRREGULAR_SINGULAR[word]
    if re.search(r'[^aeiou]ies$', word):  # pragma: no cover
        return word[:-3] + 'y'
    if re.search(r'(ss|x|z|ch|sh)es$', word):  # pragma: no cover
        return word[:-2]
    if word.endswith('s') and not word.endswith('ss') and len(word) > 2:  # pragma: no cover
        return word[:-1]
    return word  # pragma: no cover


def split_words(text: str) -> list[str]:
    return [w.lower() for w in re.split(r'[\s_]+', text) if w]


def words_matcher(words: list[str]) -> set[tuple[str, ...]]:
    """The word tuple with its last word as is, singular and plural."""
    if not words:
        return {tuple(words)}
    return {tuple(words), (*words[:-1], singular_form(words[-1])), (*words[:-1], plural_form(words[-1]))}


@register
@locked_cache(maxsize=4)
def _blacklist_set(path: str) -> frozenset[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for tag in read_lines(path):
        out |= words_matcher(split_words(tag))
    return frozenset(out)


def _is_blacklisted(tag: str, blacklist) -> bool:
    return bool(words_matcher(split_words(tag)) & blacklist)


def is_blacklisted(tag: str) -> bool:
    """True when ``tag`` matches the preset blacklist (underscores/spaces and singular/plural ignored)."""
    return _is_blacklisted(tag, _blacklist_set(resolve_file(BLACKLIST_FILE, 'tag blacklist')))


def _blacklist_files(options: Options) -> list[HubFile]:
    return BLACKLIST.files(options) if options.get('use_presets', True) else []


@register_model(BLACKLIST, _blacklist_files)
def drop_blacklisted_tags(tags: Tags, use_presets: bool = True, custom_blacklist: list[str] | None = None) -> Tags:
    """Drop tags matching the preset blacklist (``blacklist_tags.txt``) and/or ``custom_blacklist``."""
    blacklist: set[tuple[str, ...]] = set()
    if use_presets:
        blacklist |= _blacklist_set(resolve_file(BLACKLIST_FILE, 'tag blacklist'))
    for tag in custom_blacklist or []:
        blacklist |= words_matcher(split_words(tag))
    if isinstance(tags, dict):
        return {t: v for t, v in tags.items() if not _is_blacklisted(t, blacklist)}
    if isinstance(tags, list):
        return [t for t in tags if not _is_blacklisted(t, blacklist)]
    raise TypeError(f'tags must be a list or a dict, got {type(tags).__name__}')
