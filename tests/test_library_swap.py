"""A swapped helper is the replacement inside the block and the original after, even on error."""

from __future__ import annotations

import types

import pytest

from forecast.models.library_swap import sklearn_release_in, swapped


def test_swap_sees_the_original_and_puts_it_back_after_an_error() -> None:
    module = types.SimpleNamespace(helper=lambda: "library")
    original = module.helper
    with pytest.raises(RuntimeError), swapped(module, "helper", lambda o: lambda: "ours+" + o()):
        assert module.helper() == "ours+library"
        raise RuntimeError("the fit failed")
    assert module.helper is original


def test_release_check_reads_the_installed_version() -> None:
    import sklearn

    assert sklearn_release_in((sklearn.__version__[:2],))
    assert not sklearn_release_in(("0.0.",))
