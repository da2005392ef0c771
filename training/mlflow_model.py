"""MLflow "models from code" entry point for the topic model.

MLflow copies this file into each logged model and runs it when the model is loaded;
declaring the model here means no pickled Python object is stored in the registry.
Nothing in the project imports this module.
"""

import mlflow.models

from training.pyfunc import TopicModelPyfunc

mlflow.models.set_model(TopicModelPyfunc())
