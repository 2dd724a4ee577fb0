package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// The benchmark measures each provider process Terraform starts without
// watching it from outside. Polling /proc for the plan's children every few
// milliseconds cost as much CPU as the provider itself on a 2-core machine
// and slowed the very plans it measured. Instead the directory Terraform's
// dev_overrides point at holds this benchmark's own binary under the
// provider's name: started that way, it runs the real provider as its child
// with the same arguments and standard streams, waits for it, and writes the
// child's CPU time and peak resident set, as the kernel accounts them, to a
// file named after the child's pid.

const (
	providerBinaryName = "terraform-provider-defender"
	// realProviderVariable names the provider binary the stand-in runs.
	realProviderVariable = "DEFENDER_BENCH_PROVIDER"
	// usageDirVariable names the directory the stand-in writes usage to.
	usageDirVariable = "DEFENDER_BENCH_USAGE_DIR"
)

// providerUsage is what one provider process cost.
type providerUsage struct {
	CPU          time.Duration `json:"cpu"`
	PeakRSSBytes int64         `json:"peakRssBytes"`
}

// runningAsProvider reports whether Terraform started this binary as the
// provider.
func runningAsProvider() bool {
	return filepath.Base(os.Args[0]) == providerBinaryName && os.Getenv(realProviderVariable) != ""
}

// serveAsProvider runs the real provider and records its usage. It returns
// the exit code to leave with.
func serveAsProvider() int {
	child := exec.Command(os.Getenv(realProviderVariable), os.Args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench: starting the provider:", err)
		return 1
	}
	// Terraform may signal the process it started; the provider must get it.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = child.Process.Signal(s)
		}
	}()
	waitErr := child.Wait()
	signal.Stop(signals)

	if ru, ok := child.ProcessState.SysUsage().(*syscall.Rusage); ok {
		usage := providerUsage{
			CPU: time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)),
			// Linux reports ru_maxrss in KiB.
			PeakRSSBytes: ru.Maxrss * 1024,
		}
		if b, err := json.Marshal(usage); err == nil {
			name := filepath.Join(os.Getenv(usageDirVariable), strconv.Itoa(child.Process.Pid)+".json")
			if err := os.WriteFile(name, b, 0o600); err != nil {
				fmt.Fprintln(os.Stderr, "bench: recording the provider's usage:", err)
			}
		}
	}
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		return exitErr.ExitCode()
	}
	if waitErr != nil {
		return 1
	}
	return 0
}

// installProviderStandIn links this binary into dir under the provider's
// name and returns the environment that makes it run realProvider and write
// usage to usageDir.
func installProviderStandIn(dir, realProvider, usageDir string) ([]string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	realProvider, err = filepath.Abs(realProvider)
	if err != nil {
		return nil, err
	}
	if usageDir, err = filepath.Abs(usageDir); err != nil {
		return nil, err
	}
	for _, d := range []string{dir, usageDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.Symlink(self, filepath.Join(dir, providerBinaryName)); err != nil {
		return nil, err
	}
	return []string{realProviderVariable + "=" + realProvider, usageDirVariable + "=" + usageDir}, nil
}

// collectProviderUsage reads and removes the usage files in dir: the largest
// peak, the summed CPU time and the number of provider processes.
func collectProviderUsage(dir string) (peakRSS int64, cpu time.Duration, processes int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, entry := range entries {
		name := filepath.Join(dir, entry.Name())
		b, err := os.ReadFile(name)
		if err != nil {
			return 0, 0, 0, err
		}
		var u providerUsage
		if err := json.Unmarshal(b, &u); err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		peakRSS = max(peakRSS, u.PeakRSSBytes)
		cpu += u.CPU
		processes++
		if err := os.Remove(name); err != nil {
			return 0, 0, 0, err
		}
	}
	return peakRSS, cpu, processes, nil
}
