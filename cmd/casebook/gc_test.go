package main

import (
	"os"
	"runtime/debug"
	"testing"
)

// serve collects garbage at defaultGCPercent unless GOGC says otherwise.
func TestSetGCPercent(t *testing.T) {
	was, had := os.LookupEnv("GOGC")
	before := debug.SetGCPercent(100)
	t.Cleanup(func() {
		debug.SetGCPercent(before)
		if had {
			os.Setenv("GOGC", was)
		} else {
			os.Unsetenv("GOGC")
		}
	})

	os.Unsetenv("GOGC")
	setGCPercent()
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, defaultGCPercent)
	}
	os.Setenv("GOGC", "50")
	setGCPercent()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=50 (the runtime read it at start): setGCPercent changed the GC percent to %d", got)
	}
}
