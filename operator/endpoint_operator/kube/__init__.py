"""The Kubernetes side the operator writes to: status, finalizers, events, leases."""
