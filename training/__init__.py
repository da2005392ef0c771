"""Training: topic models from the store, tracked in MLflow."""
