package main

import (
	"context"

	"github.com/casebook/casebook/internal/bench"
)

// runBench runs `casebook bench seed|run|soak`: the same code as the
// casebook-bench command (internal/bench), kept under this name because
// the project's ratio.sh builds ./cmd/casebook and calls `casebook bench`.
func (m *Main) runBench(ctx context.Context, args []string) error {
	b := &bench.Main{Stdout: m.Stdout, Stderr: m.Stderr, Getenv: m.Getenv, Name: "casebook bench"}
	err := b.Run(ctx, args)
	if bench.IsUsageError(err) {
		return &usageError{alreadyReported{err}} // named on Stderr by bench
	}
	return err
}
