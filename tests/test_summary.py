"""metrics/summary.json: the champion's headline numbers, copied from the full metric files."""

from __future__ import annotations

from forecast.evaluation.summary import headline_summary


def _scores(auc: float) -> dict:
    return {
        "7": {"roc_auc": auc - 0.1, "roc_auc_ci90": [auc - 0.2, auc], "n": 90},
        "30": {
            "roc_auc": auc,
            "roc_auc_ci90": [auc - 0.05, auc + 0.05],
            "bss": 0.2,
            "bss_ci90": [0.1, 0.3],
            "ece": 0.03,
            "ece_ci90": [0.02, 0.05],
            "n": 100,
        },
    }


LIKELIHOOD = {
    "all": {"logit": _scores(0.7), "hazard_gb": _scores(0.8)},
    "limited_force": {"logit": _scores(0.65), "hazard_gb": _scores(0.75)},
    "comparisons": {"champion": "logit"},
}
TIMING = {
    # The baseline is never the best timing model, whatever its C.
    "cox": {"c_index": 0.9, "limited_force": {"c_index": 0.9}},
    "hazard_glm": {
        "c_index": 0.6,
        "c_index_ci90": [0.55, 0.65],
        "limited_force": {"c_index": 0.61},
    },
    "hazard_gb": {"c_index": 0.7, "c_index_ci90": [0.6, 0.75], "limited_force": {"c_index": 0.5}},
    "comparisons": {},
}


def test_the_rule_champion_numbers_are_copied_not_the_best_model() -> None:
    summary = headline_summary(LIKELIHOOD, TIMING)
    block = summary["all"]
    assert block["likelihood_champion"] == "logit"
    assert block["roc_auc_30"] == 0.7 and block["roc_auc_7"] == 0.7 - 0.1
    assert (block["bss_30_low"], block["bss_30"], block["bss_30_high"]) == (0.1, 0.2, 0.3)
    assert (block["ece_30_low"], block["ece_30_high"]) == (0.02, 0.05)
    assert block["n_30"] == 100
    assert summary["limited_force"]["roc_auc_30"] == 0.65


def test_the_timing_model_is_the_best_c_on_each_subset() -> None:
    summary = headline_summary(LIKELIHOOD, TIMING)
    assert summary["all"]["timing_best"] == "hazard_gb"
    assert (summary["all"]["c_index_low"], summary["all"]["c_index_high"]) == (0.6, 0.75)
    # On limited uses of force hazard_glm has the better C; its interval there is not given.
    limited = summary["limited_force"]
    assert limited["timing_best"] == "hazard_glm" and limited["c_index"] == 0.61
    assert limited["c_index_low"] is None


def test_without_a_champion_rule_the_numbers_are_empty_not_invented() -> None:
    summary = headline_summary({"all": LIKELIHOOD["all"]}, {})
    assert summary["all"]["likelihood_champion"] is None
    assert summary["all"]["roc_auc_30"] is None and summary["all"]["timing_best"] is None
