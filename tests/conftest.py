"""Shared fixtures. Each fixture module starts a real service: the local control
plane (kube-apiserver + etcd) or the SageMaker emulator (moto server plus the
operator's extensions). A missing piece fails the run; nothing is skipped."""

pytest_plugins = ["fixtures.cluster", "fixtures.emulator", "fixtures.helm"]
