"""Approximate IRL estimators in tabular form, measured against the exact answers.

* Monte-Carlo feature expectations and visitation (:func:`sampled_feature_expectations`,
  the weighted core :func:`weighted_feature_expectations`) and the exact moments
  they estimate (:func:`feature_count_moments`).
* The importance-sampled MaxEnt gradient and log partition of guided cost
  learning (:func:`importance_sampled_gradient`,
  :func:`importance_sampled_log_partition`), from one sampler policy or a
  :class:`PolicyMixture`, with their exact large-sample bias, variance and ESS
  (:func:`importance_sampling_theory`).
* Adversarial IRL: GAIL's optimal discriminator and the JS divergence it
  measures (:func:`gail_discriminator`, :func:`js_divergence`), AIRL trained on
  samples or exact occupancies (:func:`airl`), and rewards compared modulo
  potential shaping (:func:`reward_correlation_modulo_shaping`).
* Studies that return tables: :func:`importance_sampling_study`,
  :func:`feature_expectation_study`, :func:`adversarial_study`; their figure,
  :func:`tabular_irl.plotting.approx.plot_importance_sampling_study` (the
  ``[plot]`` extra), is also importable from here.

Every estimator accepts per-trajectory sample weights, so that weighting every
trajectory of a tiny MDP by its sampler probability gives the exact
(infinite-sample) answer.
"""

from ._adversarial import (
    AIRLResult,
    GAILDiscriminator,
    airl,
    airl_discriminator,
    gail_discriminator,
    js_divergence,
    occupancy_measure,
)
from ._importance import (
    ImportanceSampledGradient,
    LogPartitionEstimate,
    importance_log_weights,
    importance_sampled_gradient,
    importance_sampled_log_partition,
)
from ._sampled import (
    FeatureCountMoments,
    SampledFeatureExpectations,
    feature_count_moments,
    sampled_feature_expectations,
    weighted_feature_expectations,
)
from ._sampler import PolicyMixture, empirical_policy
from ._shaping import reward_correlation_modulo_shaping, shaping_residual
from ._study import StudyTable, adversarial_study, feature_expectation_study, importance_sampling_study
from ._theory import ImportanceSamplingTheory, importance_sampling_theory

__all__ = [
    "SampledFeatureExpectations",
    "FeatureCountMoments",
    "weighted_feature_expectations",
    "sampled_feature_expectations",
    "feature_count_moments",
    "PolicyMixture",
    "empirical_policy",
    "ImportanceSampledGradient",
    "LogPartitionEstimate",
    "importance_log_weights",
    "importance_sampled_gradient",
    "importance_sampled_log_partition",
    "ImportanceSamplingTheory",
    "importance_sampling_theory",
    "GAILDiscriminator",
    "AIRLResult",
    "occupancy_measure",
    "js_divergence",
    "gail_discriminator",
    "airl_discriminator",
    "airl",
    "shaping_residual",
    "reward_correlation_modulo_shaping",
    "StudyTable",
    "importance_sampling_study",
    "feature_expectation_study",
    "adversarial_study",
    "plot_importance_sampling_study",
]


def __getattr__(name: str):
    # approx computes and plotting draws: the figure's old address here resolves on first use,
    # so that importing approx imports nothing of plotting
    if name == "plot_importance_sampling_study":
        from ..plotting.approx import plot_importance_sampling_study

        return plot_importance_sampling_study
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
