package main

import (
	"os"
	"testing"
)

func TestSilenceUnrequestedLogs(t *testing.T) {
	clearLogVariables := func() {
		for _, name := range logLevelVariables {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}

	clearLogVariables()
	silenceUnrequestedLogs()
	for _, name := range []string{"TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"} {
		if got := os.Getenv(name); got != "OFF" {
			t.Errorf("with no log level set, %s = %q, want OFF", name, got)
		}
	}

	for _, asked := range logLevelVariables {
		clearLogVariables()
		t.Setenv(asked, "DEBUG")
		silenceUnrequestedLogs()
		for _, name := range logLevelVariables {
			if name != asked && os.Getenv(name) != "" {
				t.Errorf("with %s set, %s was changed to %q", asked, name, os.Getenv(name))
			}
		}
	}
}
