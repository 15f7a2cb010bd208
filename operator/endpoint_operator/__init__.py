"""sagemaker-endpoint-operator: ModelEndpoint manifests reconciled into Amazon SageMaker."""

__version__ = "0.1.0"
