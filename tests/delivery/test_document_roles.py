"""The model document's data and methodology sections follow the run's column roles. A new user's trial (taiwan,
first 5,000 rows) set EDUCATION to 'categorical' on the Data page, which then listed 8 findings; the document still
advised setting EDUCATION to categorical, listed its rare codes, counted '9 quality finding(s)' and called EDUCATION
one of '1 text inputs'."""

import pytest

from finmodels.data.profiling import CATEGORICAL
from finmodels.data.validation import check_data
from finmodels.delivery.sections import data_section, limitations_section, methodology_section, model_facts

TARGET = "default_payment_next_month"


@pytest.fixture(scope="module")
def taiwan(taiwan_5k):
    return taiwan_5k


@pytest.fixture(scope="module")
def coded_run(taiwan_coded_run):
    return taiwan_coded_run


def _page_messages(taiwan) -> list[str]:
    """What the Data page lists with EDUCATION set to 'categorical' (ui.data_choices.checked)."""
    return [p.message for p in check_data(taiwan, target=TARGET, roles={"EDUCATION": CATEGORICAL}).problems]


def test_the_documents_findings_are_the_data_pages(taiwan, coded_run):
    parts, problems = data_section(model_facts(coded_run), taiwan, data_name="taiwan_5000.csv", fingerprint="x")
    page = _page_messages(taiwan)
    assert len(page) == 8 and [p.message for p in problems] == page
    assert not any(p.column == "EDUCATION" or "'EDUCATION'" in p.message for p in problems)  # before: 2 findings
    text = "".join(parts)
    codes = next(p.message for p in problems if p.code == "code_columns")  # SEX and MARRIAGE are still numbers
    assert codes.startswith("Columns 'SEX' (1, 2) and 'MARRIAGE' (0 to 3: 4 values) may be category codes")
    assert "EDUCATION" not in text.split("<h3>Quality findings</h3>")[1].split("</p>", 1)[1]  # only in the note
    assert "with &#x27;EDUCATION&#x27; set to &#x27;categorical&#x27; as in this run" in text
    limits = "".join(limitations_section(model_facts(coded_run), {}, problems, [], threshold=0.5))
    assert "The data file has 8 quality findings (section 2)." in limits  # before: '9 quality finding(s)'


def test_a_bundle_of_the_run_lists_the_same_findings(taiwan, coded_run):
    from finmodels.models.bundle import bundle_bytes, load_bundle

    bundle = load_bundle(bundle_bytes(coded_run))
    _, problems = data_section(model_facts(bundle), taiwan, data_name="taiwan_5000.csv", fingerprint="x")
    assert [p.message for p in problems] == _page_messages(taiwan)


def test_a_run_without_roles_still_gets_the_advice(taiwan, coded_run):
    import dataclasses

    facts = dataclasses.replace(model_facts(coded_run), config=dataclasses.replace(coded_run.config, categories=()),
                                settings=None)
    _, problems = data_section(facts, taiwan, data_name="taiwan_5000.csv", fingerprint="x")
    plain = [p.message for p in check_data(taiwan, target=TARGET).problems]
    assert len(plain) == 9 and [p.message for p in problems] == plain


def test_methodology_calls_a_coded_column_categorical_not_text(coded_run):
    text = "".join(methodology_section(model_facts(coded_run)))
    assert ("1 categorical input, one-hot encoded (levels unseen in training ignored): EDUCATION (numeric codes set "
            "to &#x27;categorical&#x27;).") in text
    assert "22 numeric inputs: LIMIT_BAL, SEX, " in text
    assert "text inputs" not in text  # before: '1 text inputs, one-hot encoded ...: EDUCATION'


def test_the_scorecard_fitted_again_for_a_bundles_document_bins_the_codes_as_categories(taiwan, coded_run):
    """A bundle keeps no scorecard: the document fits one again, and binned EDUCATION as an ordered number there."""
    from finmodels.delivery.sections import _fitted_scorecard
    from finmodels.models.bundle import bundle_bytes, load_bundle

    facts = model_facts(load_bundle(bundle_bytes(coded_run)))
    parts, found = [], {}
    card = _fitted_scorecard(facts, taiwan, parts, found, seed=0)
    assert card.categorical == ["EDUCATION"]
    table = card.binning_table()
    education = table[(table["feature"] == "EDUCATION") & (table["rows"] > 0)]
    assert len(education) >= 2 and not any(str(b).startswith(("(", "[")) for b in education["bin"])  # no interval
    assert 0.5 < found["scorecard_on_file"]["roc_auc"] < 1
