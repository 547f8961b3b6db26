//go:build tools

// Package tools pins helm, used to lint and render the Helm chart (adapter/deploy/helm). It is a module of its
// own so that helm's Kubernetes libraries never change the versions copa and buildkit are built with.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
