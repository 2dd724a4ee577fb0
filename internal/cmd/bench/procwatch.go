package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procWatch polls /proc for the provider processes a terraform or tofu
// process starts, and remembers each one's peak resident set (VmHWM, which
// the kernel keeps as a high-water mark, so polling cannot miss a peak that
// was reached before the last poll) and CPU time. Terraform may start the
// provider more than once in a plan; the largest peak and the summed CPU
// are reported.
type procWatch struct {
	parent int
	binary string

	mu    sync.Mutex
	procs map[int]procSample
	stop  chan struct{}
	done  chan struct{}
}

type procSample struct {
	peakRSSBytes int64
	cpu          time.Duration
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// it is 100 on every Linux architecture Go supports.
const clockTicks = 100

func watchChildren(parent int, binary string, every time.Duration) *procWatch {
	w := &procWatch{parent: parent, binary: binary, procs: map[int]procSample{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			w.poll()
			select {
			case <-w.stop:
				return
			case <-ticker.C:
			}
		}
	}()
	return w
}

// Stop ends the polling and returns the largest peak RSS and the total CPU
// time of the provider processes seen, and how many there were.
func (w *procWatch) Stop() (peakRSS int64, cpu time.Duration, processes int) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.procs {
		peakRSS = max(peakRSS, s.peakRSSBytes)
		cpu += s.cpu
	}
	return peakRSS, cpu, len(w.procs)
}

func (w *procWatch) poll() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "stat"))
		if err != nil {
			continue
		}
		ppid, cpu, ok := parseStat(stat)
		if !ok || ppid != w.parent {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", entry.Name(), "exe")); err != nil || filepath.Base(exe) != w.binary {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "status"))
		if err != nil {
			continue
		}
		hwm := statusKiB(status, "VmHWM:") * 1024
		w.mu.Lock()
		s := w.procs[pid]
		s.peakRSSBytes = max(s.peakRSSBytes, hwm)
		s.cpu = max(s.cpu, cpu)
		w.procs[pid] = s
		w.mu.Unlock()
	}
}

// parseStat reads the parent pid and utime+stime from /proc/<pid>/stat. The
// command name may hold spaces and parentheses, so fields are counted from
// the last ')'.
func parseStat(stat []byte) (ppid int, cpu time.Duration, ok bool) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, 0, false
	}
	// After the name: state(3) ppid(4) ... utime(14) stime(15).
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 13 {
		return 0, 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0, 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return ppid, time.Duration(utime+stime) * time.Second / clockTicks, true
}

// statusKiB reads a "Name:   1234 kB" line of /proc/<pid>/status.
func statusKiB(status []byte, name string) int64 {
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			value, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return value
		}
	}
	return 0
}
