"""The model registry: each public model function registered with its spec; defaults named once."""

import inspect

import pytest

import waifuc_ui.inference as inference
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.inference import specs
from waifuc_ui.inference.detect import detector
from waifuc_ui.inference.hub import HubFile
from waifuc_ui.inference.registry import companion_files, model_entry, model_spec, registered_names, required_files

#: the model functions of waifuc_ui.inference before the registry (specs.PUBLIC_MODEL_FUNCTIONS), and their batch forms
PUBLIC = ('get_monochrome_score', 'is_monochrome', 'anime_classify_score', 'anime_classify', 'anime_rating_score',
          'anime_rating', 'detect_faces', 'detect_person', 'detect_heads', 'detect_halfbody', 'detect_eyes',
          'get_wd14_tags', 'wd14_predict_batch', 'wd14_decode', 'drop_overlap_tags', 'drop_blacklisted_tags',
          'ccip_extract_feature', 'ccip_batch_extract_features', 'ccip_difference', 'ccip_batch_differences',
          'ccip_same', 'ccip_batch_same', 'ccip_default_threshold', 'ccip_default_clustering_params',
          'ccip_clustering', 'ccip_merge', 'lpips_extract_feature', 'lpips_difference', 'lpips_batch_differences',
          'lpips_clustering')


def test_every_public_model_function_is_registered_under_its_own_name():
    names = registered_names()
    assert set(PUBLIC) <= set(names) and len(names) == len(set(names))
    for name in names:
        assert hasattr(inference, name), name  # a registered name is a public function of the package
        assert model_entry(name).name == name
    batch = [n for n in names if n.endswith('_batch') and n.removesuffix('_batch') in names]
    assert sorted(batch) == sorted(f'{n}_batch' for n in ('get_monochrome_score', 'anime_classify_score',
                                                          'anime_rating_score', 'detect_faces', 'detect_person',
                                                          'detect_heads', 'detect_halfbody', 'detect_eyes',
                                                          'get_wd14_tags'))


def _default(name, param):
    return inspect.signature(getattr(inference, name)).parameters[param].default


def test_the_functions_defaults_are_the_specs_defaults():
    for name in ('get_monochrome_score', 'is_monochrome', 'anime_classify_score', 'anime_rating', 'get_wd14_tags'):
        assert _default(name, 'model_name') == model_spec(name).default_model, name
    for kind in ('faces', 'person', 'halfbody', 'eyes'):
        spec = detector(kind)
        assert model_spec(f'detect_{kind}') is spec
        for fn in (f'detect_{kind}', f'detect_{kind}_batch'):
            assert (_default(fn, 'level'), _default(fn, 'version')) == (spec.level, spec.version), fn
            assert (_default(fn, 'conf_threshold'), _default(fn, 'iou_threshold')) == \
                (spec.conf_threshold, spec.iou_threshold), fn
        assert required_files(f'detect_{kind}') == [spec.model_file(spec.default_model)]
    assert _default('detect_heads', 'model_name') == specs.HEAD.default_model == 'head_detect_v2.0_s'
    assert _default('ccip_clustering', 'model') == specs.CCIP.default_model == 'ccip-caformer-24-randaug-pruned'


def test_the_app_takes_its_default_models_from_the_specs():
    from waifuc_ui.action import CCIPAction, ClassFilterAction, NoMonochromeAction, RatingFilterAction, TaggingAction
    from waifuc_ui.pipeline.hints import ACTION_TABLE
    from waifuc_ui.session.tagedit import character_tag_names

    assert NoMonochromeAction().model_name == specs.MONOCHROME.default_model
    assert ClassFilterAction(['illustration']).model_name == specs.ANIME_CLASSIFY.default_model
    assert RatingFilterAction(['safe']).model_name == specs.ANIME_RATING.default_model
    assert CCIPAction().model == specs.CCIP.default_model
    assert TaggingAction().model_name == specs.WD14.default_model
    assert inspect.signature(character_tag_names).parameters['model_name'].default == specs.WD14.default_model
    assert ACTION_TABLE['CCIPAction'].params['model'].choices == specs.CCIP.known_models


def test_specs_and_kinds_are_looked_up_not_listed():
    assert model_spec('anime_classify_score_batch') is specs.ANIME_CLASSIFY
    assert model_spec('get_monochrome_score') is specs.MONOCHROME
    assert [detector(k) for k in ('faces', 'heads', 'person', 'halfbody', 'eyes')] == \
        [specs.FACE, specs.HEAD, specs.PERSON, specs.HALFBODY, specs.EYE]
    with pytest.raises(InvalidOptionError, match="invalid detector kind: 'nose'; valid choices: 'faces'"):
        detector('nose')
    with pytest.raises(InvalidOptionError, match="invalid function name: 'detect_nose'") as info:
        required_files('detect_nose')
    assert 'detect_faces' in info.value.choices


def test_file_rules_follow_the_call_options():
    assert required_files('drop_blacklisted_tags') == [specs.BLACKLIST_FILE]
    assert required_files('drop_blacklisted_tags', use_presets=False) == []
    assert required_files('wd14_predict_batch', model_name='ViT', drop_overlap=True) == [
        HubFile('deepghs/wd14_tagger_with_embeddings', 'SmilingWolf/wd-v1-4-vit-tagger-v2/model.onnx'),
        HubFile('SmilingWolf/wd-v1-4-vit-tagger-v2', 'selected_tags.csv'), specs.OVERLAP_FILE]
    ccip = 'deepghs/ccip_onnx', 'ccip-caformer-5_fp32'
    assert required_files('ccip_default_clustering_params', model=ccip[1], method='dbscan') == [
        HubFile(ccip[0], f'{ccip[1]}/metrics.json')]
    assert required_files('ccip_default_clustering_params', model=ccip[1]) == []  # optics: fixed (0.5, 5)
    assert [f.filename for f in required_files('ccip_batch_same', model=None)] == [
        f'ccip-caformer-24-randaug-pruned/{k}' for k in ('model_feat.onnx', 'model_metrics.onnx', 'metrics.json')]


def test_companion_files_come_from_the_spec_of_the_repo():
    files = required_files('anime_rating') + required_files('detect_person', level='n') + required_files('ccip_same')
    assert companion_files(files) == [
        HubFile('deepghs/anime_rating', 'mobilenetv3_v1_pruned_ls0.1/preprocess.json'),
        HubFile('deepghs/anime_person_detection', 'person_detect_v1.1_n/model_type.json'),
        HubFile('deepghs/anime_person_detection', 'person_detect_v1.1_n/threshold.json')]
