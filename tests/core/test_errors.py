"""The exception tree: problem and fix as fields, str() composed from them, domain fields set at construction."""

import pickle

import pytest

from waifuc_ui.core import errors
from waifuc_ui.core.errors import (
    BadImageError,
    InvalidOptionError,
    ModelRunError,
    ModelUnavailableError,
    SourceError,
    WaifucUIError,
)


def test_str_composes_problem_and_fix():
    assert str(WaifucUIError('the folder is gone', 'give another folder')) == \
        'the folder is gone. Fix: give another folder'
    assert str(WaifucUIError('the folder is gone.', 'give another folder')) == \
        'the folder is gone. Fix: give another folder'
    err = SourceError('no such folder')  # one message: a problem without a fix
    assert (err.problem, err.fix, str(err)) == ('no such folder', '', 'no such folder')


def test_invalid_option_keeps_its_fields_and_is_a_value_error():
    err = InvalidOptionError('mode', 'XYZ', ['RGB', 'L'], fix='use one of the listed modes')
    assert isinstance(err, ValueError) and isinstance(err, WaifucUIError)
    assert (err.name, err.value, err.choices) == ('mode', 'XYZ', ['RGB', 'L'])
    assert err.problem == "invalid mode: 'XYZ'; valid choices: 'RGB', 'L'"
    assert str(err) == "invalid mode: 'XYZ'; valid choices: 'RGB', 'L'. Fix: use one of the listed modes"
    assert str(InvalidOptionError('size', -1)) == 'invalid size: -1'


def test_model_unavailable_carries_files_and_commands_from_construction():
    files = [object()]
    err = ModelUnavailableError('m.onnx is missing', 'download it', files=files,
                                commands=['hf download a/b m.onnx'])
    assert err.files == files and err.commands == ('hf download a/b m.onnx',)
    assert str(err) == 'm.onnx is missing. Fix: download it'
    assert ModelUnavailableError('gone').commands == () and ModelUnavailableError('gone').files == []


def test_bad_image_error_lives_in_errors_and_is_still_importable_from_image_io():
    from waifuc_ui.core import image_io
    assert image_io.BadImageError is errors.BadImageError
    err = BadImageError('a.png', 'zero-byte file')
    assert (err.name, err.reason, err.problem, err.fix, str(err)) == \
        ('a.png', 'zero-byte file', 'a.png: zero-byte file', '', 'a.png: zero-byte file')
    assert str(BadImageError('', 'not an image')) == 'not an image'


@pytest.mark.parametrize('err', [
    InvalidOptionError('mode', 'XYZ', ['RGB'], fix='use RGB'),
    ModelUnavailableError('gone', 'get it', files=['f'], commands=['hf download a/b f']),
    ModelRunError('cannot open', 'delete it', path='/m.onnx'),
    BadImageError('a.png', 'truncated'),
    SourceError('no folder', 'give one'),
])
def test_every_error_survives_pickling_with_its_fields(err):
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and str(back) == str(err) and back.__dict__ == err.__dict__


def test_web_source_errors_keep_the_bare_problem_and_fix():
    from waifuc_ui.source.web.errors import AuthenticationError
    err = AuthenticationError('danbooru', 'refused the credentials', 'check the user name and API key',
                              url='https://x/posts.json', status=401)
    assert (err.site, err.problem, err.fix, err.status) == ('danbooru', 'refused the credentials',
                                                            'check the user name and API key', 401)
    assert str(err) == ('danbooru: refused the credentials (https://x/posts.json). Fix: check the user name and '
                        'API key')
