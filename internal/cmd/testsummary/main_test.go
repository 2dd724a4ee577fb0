package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// sampleModule is a module whose tests pass, skip, fail, fail in a subtest,
// panic, and fail to build, plus a package without tests.
var sampleModule = map[string]string{
	"go.mod": "module example.com/sample\n\ngo 1.21\n",
	"a/a.go": "package a\n",
	"a/a_test.go": `package a

import "testing"

func TestPass(t *testing.T) { t.Log("quiet when passing") }

func TestSkip(t *testing.T) { t.Skip("not today") }

func TestFail(t *testing.T) { t.Error("boom") }

func TestParent(t *testing.T) {
	t.Run("one", func(t *testing.T) {})
	t.Run("two", func(t *testing.T) { t.Error("broken two") })
}
`,
	"b/b.go":      "package b\n",
	"b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\n",
	"c/c.go":      "package c\n",
	"d/d.go":      "package d\n",
	"d/d_test.go": "package d\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) { undefinedCall() }\n",
	"e/e.go":      "package e\n",
	"e/e_test.go": "package e\n\nimport \"testing\"\n\nfunc TestFine(t *testing.T) {}\n\nfunc TestPanics(t *testing.T) { t.Log(\"before the panic\"); panic(\"kaboom\") }\n",
}

// sampleJSON is `go test -json ./...` of sampleModule.
func sampleJSON(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	for name, content := range sampleModule {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "-json", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("go test of the sample module should fail, and ended with %v", err)
	}
	return out
}

func TestSummarizeCountsAGoTestRun(t *testing.T) {
	stream := sampleJSON(t)
	var out bytes.Buffer
	leg, err := summarize(bytes.NewReader(stream), &out, "sample", false)
	if err != nil {
		t.Fatal(err)
	}
	want := []packageResult{
		{Package: "example.com/sample/a", Tests: 6, Passed: 2, Skipped: 1, Fail: 3, Status: "FAIL"},
		{Package: "example.com/sample/b", Tests: 1, Passed: 1, Status: "ok"},
		{Package: "example.com/sample/c", Status: "no test files"},
		{Package: "example.com/sample/d", Status: "FAIL"},
		{Package: "example.com/sample/e", Tests: 2, Passed: 1, Fail: 1, Status: "FAIL"},
	}
	got := append([]packageResult(nil), leg.Packages...)
	sort.Slice(got, func(i, j int) bool { return got[i].Package < got[j].Package })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counted\n%+v\nwant\n%+v", got, want)
	}
	if total := leg.total(); total != (totals{Tests: 9, Passed: 4, Skipped: 1, Failed: 5}) || !leg.failed() {
		t.Errorf("totals %+v, failed %v; want 9 tests, 4 passed, 1 skipped, 5 failed (the build failure counts as one)", total, leg.failed())
	}

	printed := out.String()
	for _, line := range []string{
		"--- FAIL: TestFail", "boom", "--- FAIL: TestParent", "--- FAIL: TestParent/two", "broken two",
		"FAIL\texample.com/sample/a", "ok  \texample.com/sample/b", "?   \texample.com/sample/c\t[no test files]",
		"undefinedCall", "FAIL\texample.com/sample/d [build failed]",
		"before the panic", "panic: kaboom", "FAIL\texample.com/sample/e",
	} {
		if !strings.Contains(printed, line) {
			t.Errorf("the output lacks %q:\n%s", line, printed)
		}
	}
	// What go test leaves out without -v stays out.
	for _, line := range []string{"quiet when passing", "not today", "=== RUN", "--- PASS", "--- SKIP"} {
		if strings.Contains(printed, line) {
			t.Errorf("the output shows %q, which go test prints only with -v:\n%s", line, printed)
		}
	}

	var verbose bytes.Buffer
	if _, err := summarize(bytes.NewReader(stream), &verbose, "sample", true); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"=== RUN   TestPass", "quiet when passing", "--- SKIP: TestSkip", "not today"} {
		if !strings.Contains(verbose.String(), line) {
			t.Errorf("with -v, the output lacks %q", line)
		}
	}
}

func TestSummarizeCopiesOtherLinesAndRejectsAnEmptyStream(t *testing.T) {
	var out bytes.Buffer
	_, err := summarize(strings.NewReader("go: downloading example.com/x v1.0.0\n"), &out, "leg", false)
	if err == nil || !strings.Contains(err.Error(), "no test events") {
		t.Errorf("a stream without test events: %v, want an error", err)
	}
	if out.String() != "go: downloading example.com/x v1.0.0\n" {
		t.Errorf("printed %q, want the line as it came", out.String())
	}
}

func TestSummarizeFailsAPackageTheStreamLeavesUnfinished(t *testing.T) {
	stream := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestHangs"}
{"Action":"output","Package":"p","Test":"TestHangs","Output":"still waiting\n"}
`
	leg, err := summarize(strings.NewReader(stream), &bytes.Buffer{}, "leg", false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []packageResult{{Package: "p", Status: "FAIL"}}; !reflect.DeepEqual(leg.Packages, want) || !leg.failed() {
		t.Errorf("got %+v, want %+v, failed", leg.Packages, want)
	}
}

func TestReportPrintsEveryLegAndFailsWhenOneFailed(t *testing.T) {
	record := filepath.Join(t.TempDir(), "summary.jsonl")
	passing := legResult{Label: "terraform 1.5.7", Packages: []packageResult{
		{Package: "github.com/defender-ti/terraform-provider-defender/internal/provider", Tests: 40, Passed: 38, Skipped: 2, Status: "ok"},
		{Package: "github.com/defender-ti/terraform-provider-defender", Tests: 1, Passed: 1, Status: "ok"},
	}}
	skipped := legResult{Label: "terraform on PATH", Skipped: "no terraform on PATH"}
	for _, leg := range []legResult{passing, skipped} {
		if err := appendRecord(record, leg); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := printReport(&out, record); err != nil {
		t.Fatalf("a report of passing legs failed: %v", err)
	}
	want := `==> Test summary
                     tests  passed  skipped  failed  result
terraform 1.5.7
  internal/provider  40     38      2        0       ok
  .                  1      1       0        0       ok
  total              41     39      2        0       ok
terraform on PATH                                    skipped: no terraform on PATH
`
	if out.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}

	failing := legResult{Label: "tofu 1.12.6", Packages: []packageResult{{Package: "example.com/p", Tests: 3, Passed: 2, Fail: 1, Status: "FAIL"}}}
	if err := appendRecord(record, failing); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := printReport(&out, record)
	if err == nil || err.Error() != "tests failed in: tofu 1.12.6" {
		t.Errorf("a report with a failed leg: %v", err)
	}
	if !strings.Contains(out.String(), "\nall                  44     41      2        1       FAIL\n") {
		t.Errorf("the report lacks the totals of all legs:\n%s", out.String())
	}
}

// TestExitStatus runs the command on the sample module's stream: the tests
// that failed fail the command, as they fail go test.
func TestExitStatus(t *testing.T) {
	binary := filepath.Join(t.TempDir(), "testsummary")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("building: %v\n%s", err, out)
	}
	record := filepath.Join(t.TempDir(), "summary.jsonl")
	cmd := exec.Command(binary, "-label", "sample", "-record", record)
	cmd.Stdin = bytes.NewReader(sampleJSON(t))
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("on failed tests the command ended with %v, want exit status 1", err)
	}
	if !strings.Contains(string(out), "==> Tests of sample\n") || !hasLine(string(out), "total 9 4 1 5 FAIL") {
		t.Errorf("the command's output lacks the leg's counts:\n%s", out)
	}
	legs, err := readRecords(record)
	if err != nil || len(legs) != 1 || legs[0].total().Failed != 5 {
		t.Errorf("recorded %+v, %v; want the one failed leg", legs, err)
	}

	passing := exec.Command(binary, "-label", "passing")
	passing.Stdin = strings.NewReader(`{"Action":"pass","Package":"p","Test":"TestOK"}` + "\n" + `{"Action":"pass","Package":"p"}` + "\n")
	if out, err := passing.CombinedOutput(); err != nil {
		t.Errorf("on passing tests the command ended with %v:\n%s", err, out)
	}
}

// hasLine reports whether text has a line of these fields.
func hasLine(text, fields string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.Join(strings.Fields(line), " ") == fields {
			return true
		}
	}
	return false
}
