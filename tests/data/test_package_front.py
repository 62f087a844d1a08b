"""finmodels.data's front (its docstring and `__all__`) says what the stage offers: every module is named in the
docstring, and `derived`'s offers (find_derived, DerivedColumn) are in `__all__` like the other modules'."""

import pkgutil

from finmodels import data


def test_every_module_of_the_data_stage_is_named_in_its_front():
    modules = [m.name for m in pkgutil.iter_modules(data.__path__) if not m.name.startswith("_")]
    assert "derived" in modules and "codes" in modules
    assert [m for m in modules if f"`{m}`" not in data.__doc__] == []


def test_derived_offers_are_listed_and_importable_from_the_front():
    from finmodels.data.derived import DerivedColumn, find_derived

    assert {"find_derived", "DerivedColumn"} <= set(data.__all__)
    assert (data.find_derived, data.DerivedColumn) == (find_derived, DerivedColumn)
    assert all(hasattr(data, name) for name in data.__all__)
