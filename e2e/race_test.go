//go:build race

package e2e

// raceEnabled builds the replicas with the race detector too, when the
// tests run with it: a data race in a replica then makes it exit 66.
const raceEnabled = true
