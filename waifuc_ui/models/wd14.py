"""WD14 taggers (SmilingWolf models, deepghs re-export with embeddings)."""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

_FMT = ('rating', 'general', 'character')


def get_wd14_tags(image, model_name: str = 'SwinV2_v3', general_threshold: float = 0.35,
                  general_mcut_enabled: bool = False, character_threshold: float = 0.85,
                  character_mcut_enabled: bool = False, no_underline: bool = False, drop_overlap: bool = False,
                  fmt=_FMT):
    raise NotImplementedError


def get_wd14_tags_batch(images: Sequence, model_name: str = 'SwinV2_v3', general_threshold: float = 0.35,
                        general_mcut_enabled: bool = False, character_threshold: float = 0.85,
                        character_mcut_enabled: bool = False, no_underline: bool = False,
                        drop_overlap: bool = False, fmt=_FMT, batch_size: int = 16) -> List:
    raise NotImplementedError


def wd14_predict_batch(images: Sequence, model_name: str = 'SwinV2_v3', batch_size: int = 16,
                       with_embeddings: bool = False):
    raise NotImplementedError


def wd14_decode(prediction_row: np.ndarray, model_name: str = 'SwinV2_v3', general_threshold: float = 0.35,
                general_mcut_enabled: bool = False, character_threshold: float = 0.85,
                character_mcut_enabled: bool = False, no_underline: bool = False, drop_overlap: bool = False,
                fmt=_FMT, embedding=None):
    raise NotImplementedError
