// Package fakegraphtest holds what every test of the client, the provider
// and the commands needs around the emulator: starting one for a test, and
// waiting for something the emulator or a client does.
package fakegraphtest

import (
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Start starts an emulator configured by cfg, closed when tb ends; a
// failure to start fails tb.
func Start(tb testing.TB, cfg fakegraph.Config) *fakegraph.Server {
	tb.Helper()
	s, err := fakegraph.Start(cfg)
	if err != nil {
		tb.Fatalf("starting the emulator: %v", err)
	}
	tb.Cleanup(s.Close) // closing twice is harmless, for tests that close it early
	return s
}

// WaitFor polls cond, which watches another goroutine's progress, until it
// holds, and fails tb after ten seconds. Tests wait on something they can
// observe, never for a fixed time.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
