//go:build tools

// Package tools pins the patch toolchain (copa, buildkitd, buildctl) built from their Go modules.
package tools

import (
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
	_ "github.com/project-copacetic/copacetic"
)
