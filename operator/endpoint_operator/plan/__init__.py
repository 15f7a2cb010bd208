"""The pure reconcile core: spec -> blueprint (desired SageMaker resources), and
blueprint x observed -> decision (ordered actions, conditions, status).

Nothing here calls AWS or Kubernetes or reads the clock; time, when needed, is an
argument. The handlers observe, call these functions and execute what they return.
"""
