//go:build tools

// Package tools pins cosign, built from its Go module (its own module, so that cosign's dependency graph
// does not move the versions copa and buildkit are built with).
package tools

import (
	_ "github.com/sigstore/cosign/v3/cmd/cosign"
)
