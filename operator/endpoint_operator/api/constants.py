"""Names that identify the resource and the operator's marks on objects."""

GROUP = "serving.endpoint-operator.io"
VERSION = "v1alpha1"
KIND = "ModelEndpoint"
PLURAL = "modelendpoints"
SINGULAR = "modelendpoint"
SHORT_NAMES = ["mep"]
API_VERSION = f"{GROUP}/{VERSION}"

# The operator's own prefix for finalizers, annotations and kopf's progress storage.
PREFIX = "endpoint-operator.io"
FINALIZER = f"{PREFIX}/finalizer"

# Tags on every AWS resource the operator creates: they prove ownership (the audit
# and the Delete policy find resources by them) and survive an operator restart.
TAG_NAMESPACE = f"{PREFIX}/namespace"
TAG_NAME = f"{PREFIX}/name"
TAG_UID = f"{PREFIX}/uid"
TAG_MANAGED_BY = "app.kubernetes.io/managed-by"
# Set when deletionPolicy Retain released a resource: the audit does not call it an orphan.
TAG_RETAINED = f"{PREFIX}/retained"
MANAGED_BY = "sagemaker-endpoint-operator"
# The field manager of every Kubernetes write the operator makes (metadata.managedFields).
FIELD_MANAGER = "endpoint-operator"

# Manual control of a canary rollout: pause | promote | abort | retry (see docs/rollouts.md).
ROLLOUT_ANNOTATION = f"{PREFIX}/rollout"
