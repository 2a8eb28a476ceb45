"""Stage 2: the model: actor detection, target-dependent stance and sentence sentiment features
and estimators, model files (no pickle), training, pre-labelling and scoring."""
