"""The models every layer shares: the ModelEndpoint spec and status, the SageMaker
resource shapes the planner desires and the gateway observes, and the CRD built
from them."""
