// Command testsummary reads the output of `go test -json` and prints it as
// `go test` would without -json (each package's result, and the output of the
// tests that failed), then a count of the tests run, passed, skipped and
// failed in each package. It exits with status 1 when a test, a package or a
// build failed, so a pipeline stays failed.
//
// The GNUmakefile runs the suite in legs (the unit tests, then the provider's
// tests under each terraform or tofu binary):
//
//	go test -json ./... | testsummary -label "unit tests" -record summary.jsonl
//	testsummary -label "terraform on PATH" -record summary.jsonl -skipped "no terraform on PATH"
//	testsummary -report summary.jsonl
//
// Each leg appends its counts to a record file with -record, or records
// itself as skipped with -skipped; -report prints every leg's counts, and
// the totals, from it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

func main() {
	label := flag.String("label", "tests", "what the leg ran, such as the binary: shown in the counts")
	record := flag.String("record", "", "append the leg's counts to this file, one JSON line per leg")
	verbose := flag.Bool("v", false, "print every test's output, as go test -v does")
	skipped := flag.String("skipped", "", "record the leg as skipped for this reason, reading no input")
	report := flag.String("report", "", "print the counts of every leg recorded in this file, and exit")
	flag.Parse()

	var err error
	switch {
	case *report != "":
		err = printReport(os.Stdout, *report)
	case *skipped != "":
		leg := legResult{Label: *label, Skipped: *skipped}
		fmt.Printf("==> %s: skipped: %s\n", leg.Label, leg.Skipped)
		err = appendRecord(*record, leg)
	default:
		leg, readErr := summarize(os.Stdin, os.Stdout, *label, *verbose)
		printLegs(os.Stdout, "==> Tests of "+leg.Label, []legResult{leg})
		err = errors.Join(readErr, appendRecord(*record, leg))
		if err == nil && leg.failed() {
			err = fmt.Errorf("%s: %d test(s) failed, or a package did", leg.Label, leg.total().Failed)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json), build output
// included.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// packageResult counts one package's tests; subtests count as tests.
type packageResult struct {
	Package                      string
	Tests, Passed, Skipped, Fail int `json:",omitempty"`
	// Status is "ok", "FAIL" or "no test files".
	Status string
}

// Failed is the number of failed tests, plus one for a package that failed
// with none (a build failure, a panic in TestMain, a timeout).
func (p packageResult) Failed() int {
	if p.Status == "FAIL" && p.Fail == 0 {
		return 1
	}
	return p.Fail
}

type legResult struct {
	Label    string
	Skipped  string          `json:",omitempty"`
	Packages []packageResult `json:",omitempty"`
}

type totals struct{ Tests, Passed, Skipped, Failed int }

func (l legResult) total() totals {
	var t totals
	for _, p := range l.Packages {
		t.Tests += p.Tests
		t.Passed += p.Passed
		t.Skipped += p.Skipped
		t.Failed += p.Failed()
	}
	return t
}

func (l legResult) failed() bool { return l.total().Failed > 0 }

// summarize copies the readable output of the test events in r to out and
// counts them. Lines that are not JSON are copied as they are.
func summarize(r io.Reader, out io.Writer, label string, verbose bool) (legResult, error) {
	s := &summarizer{out: out, verbose: verbose, packages: map[string]*packageResult{}, pending: map[string][]string{}}
	lines := bufio.NewScanner(r)
	lines.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for lines.Scan() {
		var e event
		if err := json.Unmarshal(lines.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(out, lines.Text())
			continue
		}
		s.handle(e)
	}
	leg := legResult{Label: label}
	for _, name := range s.order {
		p := *s.packages[name]
		if p.Status == "" {
			// The stream ended before the package did.
			p.Status = "FAIL"
		}
		leg.Packages = append(leg.Packages, p)
	}
	err := lines.Err()
	if err == nil && len(leg.Packages) == 0 {
		err = errors.New("the input holds no test events; was it `go test -json`?")
	}
	return leg, err
}

type summarizer struct {
	out      io.Writer
	verbose  bool
	packages map[string]*packageResult
	order    []string
	// pending holds the output of each running test, by package and test,
	// shown only if the test fails.
	pending map[string][]string
}

func (s *summarizer) pkg(name string) *packageResult {
	p, ok := s.packages[name]
	if !ok {
		p = &packageResult{Package: name}
		s.packages[name] = p
		s.order = append(s.order, name)
	}
	return p
}

func (s *summarizer) handle(e event) {
	switch {
	case e.Action == "build-output":
		// A build failure is reported again as its package's failure.
		fmt.Fprint(s.out, e.Output)
	case e.Test != "":
		s.handleTest(e)
	case e.Package != "":
		s.handlePackage(e)
	}
}

func (s *summarizer) handleTest(e event) {
	key := e.Package + "\x00" + e.Test
	p := s.pkg(e.Package)
	switch e.Action {
	case "output":
		if s.verbose {
			fmt.Fprint(s.out, e.Output)
		} else if !strings.HasPrefix(e.Output, "=== ") {
			s.pending[key] = append(s.pending[key], e.Output)
		}
	case "pass", "fail", "skip":
		p.Tests++
		switch e.Action {
		case "pass":
			p.Passed++
		case "skip":
			p.Skipped++
		case "fail":
			p.Fail++
		}
		// A failed subtest's output joins its parent's, shown when the
		// top-level test fails; a passed or skipped test's is dropped.
		if e.Action == "fail" {
			if parent := strings.LastIndex(e.Test, "/"); parent >= 0 {
				parentKey := e.Package + "\x00" + e.Test[:parent]
				s.pending[parentKey] = append(s.pending[parentKey], s.pending[key]...)
			} else {
				fmt.Fprint(s.out, strings.Join(s.pending[key], ""))
			}
		}
		delete(s.pending, key)
	}
}

func (s *summarizer) handlePackage(e event) {
	p := s.pkg(e.Package)
	switch e.Action {
	case "output":
		// go test without -v prints a passing package's result line only.
		if s.verbose || (e.Output != "PASS\n" && !strings.HasPrefix(e.Output, "=== ")) {
			fmt.Fprint(s.out, e.Output)
		}
	case "pass":
		p.Status = "ok"
	case "skip":
		p.Status = "no test files"
	case "fail":
		p.Status = "FAIL"
		// Tests still running when the package failed (a panic, a timeout)
		// never reported; show what they printed.
		var unfinished []string
		for key := range s.pending {
			if strings.HasPrefix(key, e.Package+"\x00") {
				unfinished = append(unfinished, key)
			}
		}
		sort.Strings(unfinished)
		for _, key := range unfinished {
			fmt.Fprint(s.out, strings.Join(s.pending[key], ""))
			delete(s.pending, key)
		}
	}
}

func appendRecord(path string, leg legResult) error {
	if path == "" {
		return nil
	}
	line, err := json.Marshal(leg)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readRecords(path string) ([]legResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var legs []legResult
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for lines.Scan() {
		var leg legResult
		if err := json.Unmarshal(lines.Bytes(), &leg); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		legs = append(legs, leg)
	}
	return legs, lines.Err()
}

// printReport prints every recorded leg and the totals; it fails when a leg
// did.
func printReport(out io.Writer, path string) error {
	legs, err := readRecords(path)
	if err != nil {
		return err
	}
	if len(legs) == 0 {
		return fmt.Errorf("%s records no tests", path)
	}
	printLegs(out, "==> Test summary", legs)
	var failed []string
	for _, leg := range legs {
		if leg.failed() {
			failed = append(failed, leg.Label)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("tests failed in: %s", strings.Join(failed, ", "))
	}
	return nil
}

// printLegs prints a table of each leg's packages and totals.
func printLegs(out io.Writer, title string, legs []legResult) {
	fmt.Fprintln(out, title)
	var table bytes.Buffer
	w := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\ttests\tpassed\tskipped\tfailed\tresult")
	var all totals
	counted := 0
	for _, leg := range legs {
		if leg.Skipped != "" {
			fmt.Fprintf(w, "%s\t\t\t\t\tskipped: %s\n", leg.Label, leg.Skipped)
			continue
		}
		fmt.Fprintf(w, "%s\t\t\t\t\t\n", leg.Label)
		for _, p := range leg.Packages {
			fmt.Fprintf(w, "  %s\t%d\t%d\t%d\t%d\t%s\n", shortName(p.Package), p.Tests, p.Passed, p.Skipped, p.Failed(), p.Status)
		}
		t := leg.total()
		status := "ok"
		if t.Failed > 0 {
			status = "FAIL"
		}
		fmt.Fprintf(w, "  total\t%d\t%d\t%d\t%d\t%s\n", t.Tests, t.Passed, t.Skipped, t.Failed, status)
		all.Tests += t.Tests
		all.Passed += t.Passed
		all.Skipped += t.Skipped
		all.Failed += t.Failed
		counted++
	}
	if counted > 1 {
		status := "ok"
		if all.Failed > 0 {
			status = "FAIL"
		}
		fmt.Fprintf(w, "all\t%d\t%d\t%d\t%d\t%s\n", all.Tests, all.Passed, all.Skipped, all.Failed, status)
	}
	w.Flush()
	// Empty cells pad the ends of lines; drop that padding.
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		if line != "" {
			fmt.Fprintln(out, strings.TrimRight(line, " \n"))
		}
	}
}

// shortName drops the module path from this module's packages.
func shortName(pkg string) string {
	const module = "github.com/defender-ti/terraform-provider-defender"
	if pkg == module {
		return "."
	}
	return strings.TrimPrefix(pkg, module+"/")
}
