package main

import "context"

func (m *Main) soak(ctx context.Context, args []string) error { return nil }
