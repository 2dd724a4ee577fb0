package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// TestReadmeTryItByHand follows README's "Trying a local build by hand"
// under the binary in TF_ACC_TERRAFORM_PATH: it runs README's own shell
// lines for the CLI configuration and the emulator's exports, starts the
// emulator with README's flags, compares what it prints with README's
// listing, and plans README's configuration.
func TestReadmeTryItByHand(t *testing.T) {
	binary := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if binary == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH names no terraform or tofu binary; `make test` builds and sets one")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run README's shell lines with")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	blocks := readmeSection(t, "## Trying a local build by hand")
	cliConfigBlock := onlyBlock(t, blocks, "sh", "dev_overrides")
	emulatorBlock := onlyBlock(t, blocks, "sh", "./internal/fakegraph/cmd/fakegraph")
	listing := onlyBlock(t, blocks, "text", "hosts=")
	sourceBlock := onlyBlock(t, blocks, "sh", "fakegraph.env\n", ". ")
	configuration := onlyBlock(t, blocks, "hcl", `provider "defender"`)
	planBlock := onlyBlock(t, blocks, "sh", " plan")
	if !strings.HasPrefix(planBlock, "terraform plan") || !strings.Contains(planBlock, "tofu plan") {
		t.Errorf("README's plan line is %q, want terraform plan, or tofu plan", planBlock)
	}

	// A checkout as `make build` leaves it: the provider in bin/.
	checkout := t.TempDir()
	if _, err := tfcli.BuildProvider(ctx, "../..", filepath.Join(checkout, "bin")); err != nil {
		t.Fatal(err)
	}

	// The emulator, started with README's flags in the checkout.
	fields := strings.Fields(emulatorBlock)
	if len(fields) < 3 || fields[0] != "go" || fields[1] != "run" || fields[2] != "./internal/fakegraph/cmd/fakegraph" {
		t.Fatalf("README starts the emulator with %q", emulatorBlock)
	}
	emulatorBinary := filepath.Join(t.TempDir(), "fakegraph")
	build := exec.CommandContext(ctx, "go", "build", "-o", emulatorBinary, "./internal/fakegraph/cmd/fakegraph")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the emulator: %v\n%s", err, out)
	}
	printed := startEmulatorCommand(ctx, t, checkout, emulatorBinary, fields[3:])

	// README's listing shows what the emulator prints, but for its address
	// and CA file, which change with each start.
	varying := regexp.MustCompile(`(?m)^(url|ca)=.*$`)
	if got, want := varying.ReplaceAllString(printed, "$1=..."), varying.ReplaceAllString(listing, "$1=..."); got != want {
		t.Errorf("the emulator printed\n%s\nREADME shows\n%s", got, want)
	}

	// README's shell lines, in one shell: the CLI configuration, then the
	// exports; the environment they leave is the one the plan runs in.
	script := cliConfigBlock + "\n" + sourceBlock + "\nenv -0\n"
	shell := exec.CommandContext(ctx, bash, "-eu", "-c", script)
	shell.Dir = checkout
	var stderr bytes.Buffer
	shell.Stderr = &stderr
	out, err := shell.Output()
	if err != nil {
		t.Fatalf("README's shell lines: %v\n%s", err, stderr.String())
	}
	environment := map[string]string{}
	for _, entry := range strings.Split(string(out), "\x00") {
		if name, value, ok := strings.Cut(entry, "="); ok {
			environment[name] = value
		}
	}
	if got, want := environment["TF_CLI_CONFIG_FILE"], filepath.Join(checkout, "bin", "dev.tfrc"); got != want {
		t.Fatalf("README's lines set TF_CLI_CONFIG_FILE=%q, want %q", got, want)
	}
	var env []string
	for name, value := range environment {
		if strings.HasPrefix(name, "ARM_") || name == "SSL_CERT_FILE" {
			env = append(env, name+"="+value)
		}
	}

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.tf"), configuration)
	runner := tfcli.Runner{Binary: binary, Dir: dir, CLIConfig: environment["TF_CLI_CONFIG_FILE"], Env: env}
	p := planExample(ctx, t, runner)
	p.assertDiagnostics(t, "error", nil)
	p.assertDiagnostics(t, "warning", nil)
	p.assertPlanned(t)
	p.assertOutput(t, "open_ports", `[22, 53, 80, 443, 3389]`)
}

// startEmulatorCommand runs the emulator command until the test ends and
// returns what it printed before serving.
func startEmulatorCommand(ctx context.Context, t *testing.T, dir, binary string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	var printed strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		printed.WriteString(lines.Text() + "\n")
		if strings.HasPrefix(lines.Text(), "hosts=") {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return printed.String()
		}
	}
	t.Fatalf("the emulator ended before printing its hosts:\n%s%s", printed.String(), stderr.String())
	return ""
}

type readmeBlock struct {
	language, text string
}

// readmeSection returns the fenced code blocks of README's section under
// heading.
func readmeSection(t *testing.T, heading string) []readmeBlock {
	t.Helper()
	content, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(content), "\n"+heading+"\n")
	if !found {
		t.Fatalf("README has no section %q", heading)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []readmeBlock
	for {
		_, rest, ok := strings.Cut(section, "```")
		if !ok {
			return blocks
		}
		language, rest, _ := strings.Cut(rest, "\n")
		text, rest, ok := strings.Cut(rest, "```")
		if !ok {
			t.Fatalf("README's section %q has an unclosed code block", heading)
		}
		blocks = append(blocks, readmeBlock{language: language, text: text})
		section = rest
	}
}

// onlyBlock returns the one block in language that contains fragment and
// starts with prefix.
func onlyBlock(t *testing.T, blocks []readmeBlock, language, fragment string, prefix ...string) string {
	t.Helper()
	var matched []string
	for _, b := range blocks {
		if b.language == language && strings.Contains(b.text, fragment) && (len(prefix) == 0 || strings.HasPrefix(b.text, prefix[0])) {
			matched = append(matched, b.text)
		}
	}
	if len(matched) != 1 {
		t.Fatalf("README's section has %d %s blocks with %q, want one: %q", len(matched), language, fragment, matched)
	}
	return matched[0]
}

// TestReadmeBuildsSayWhatTheyBuild checks README's word that each tool the
// GNUmakefile builds says what it builds, why and for how long before it
// starts, and that a tool already built is skipped without a word.
func TestReadmeBuildsSayWhatTheyBuild(t *testing.T) {
	makeBinary, err := exec.LookPath("make")
	if err != nil {
		t.Skip("no make to read the GNUmakefile with")
	}
	tools := filepath.Join(t.TempDir(), "bin")
	targets := []string{"binaries", "lint", "release-check", filepath.Join(tools, "http-provider", "terraform-provider-http")}
	dryRun := func() string {
		t.Helper()
		// -n prints each recipe instead of running it.
		cmd := exec.Command(makeBinary, append([]string{"-n", "--no-print-directory", "TOOLS_BIN=" + tools}, targets...)...)
		cmd.Dir = "../.."
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n: %v\n%s", err, out)
		}
		return string(out)
	}

	// Each announcement is an echo of "==> ...", maybe continued on the
	// next lines; the k-th names the version of the k-th tool built.
	announced := regexp.MustCompile(`(?m)^echo "==> (?:.*\\\n)*.*$`)
	built := announced.FindAllString(dryRun(), -1)
	versions := []string{"1.5.7", "1.12.6", "1.16.2", "v2.15.0", "v2.15.1", "1.2.0"}
	if len(built) != len(versions) {
		t.Errorf("with nothing built, make announces %d builds, want %d:\n%s", len(built), len(versions), strings.Join(built, "\n"))
	}
	for i, announcement := range built {
		if i < len(versions) && !strings.Contains(announcement, versions[i]) {
			t.Errorf("build %d does not say it builds version %s: %q", i+1, versions[i], announcement)
		} else if !strings.Contains(announcement, "make ") && !strings.Contains(announcement, "tests") {
			t.Errorf("a build does not say what needs it: %q", announcement)
		} else if !strings.Contains(announcement, "minute") {
			t.Errorf("a build does not say how long it takes: %q", announcement)
		}
	}

	for _, tool := range []string{"terraform", "tofu", "terraform-1.16.2", "golangci-lint", "goreleaser", "http-provider/terraform-provider-http"} {
		path := filepath.Join(tools, tool)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, "")
	}
	if out := dryRun(); announced.MatchString(out) || strings.Contains(out, "go install") || strings.Contains(out, "go build") {
		t.Errorf("with every tool built, make still builds or announces:\n%s", out)
	}
}

// TestReadmeTestsTheTerraformOnPath checks README's word on the run under
// the terraform on PATH: skipped, and said so, where there is none or where
// it is a pinned version; run, under that binary, where it is another.
func TestReadmeTestsTheTerraformOnPath(t *testing.T) {
	makeBinary, err := exec.LookPath("make")
	if err != nil {
		t.Skip("no make to read the GNUmakefile with")
	}
	// A PATH of only what the recipe needs besides terraform: the race
	// detector builds with cgo, so the C compiler, assembler and linker too.
	pathDir := t.TempDir()
	for _, tool := range []string{"go", "sed", "mkdir", "gcc", "as", "ld"} {
		found, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("no %s on PATH", tool)
		}
		if err := os.Symlink(found, filepath.Join(pathDir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	fakeTerraform := func(version string) {
		t.Helper()
		script := "#!/bin/sh\nprintf '{\\n  \"terraform_version\": \"" + version + "\",\\n  \"platform\": \"linux_amd64\"\\n}\\n'\n"
		if err := os.WriteFile(filepath.Join(pathDir, "terraform"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	leg := func() (string, map[string]any) {
		t.Helper()
		tools := t.TempDir()
		summary := filepath.Join(tools, "summary.jsonl")
		cmd := exec.Command(makeBinary, "--no-print-directory", "TOOLS_BIN="+tools, "TEST_SUMMARY="+summary,
			"GO_TEST_FLAGS=-run=^$$", "test-terraform-current")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "PATH="+pathDir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make test-terraform-current: %v\n%s", err, out)
		}
		recorded, err := os.ReadFile(summary)
		if err != nil {
			t.Fatal(err)
		}
		var record map[string]any
		if err := json.Unmarshal(recorded, &record); err != nil {
			t.Fatalf("the leg recorded %q: %v", recorded, err)
		}
		return string(out), record
	}

	// A skipped leg records why, and prints it.
	skipped := func(out string, record map[string]any) bool {
		reason, _ := record["Skipped"].(string)
		return reason != "" && strings.Contains(out, reason)
	}
	if out, record := leg(); !skipped(out, record) {
		t.Errorf("with no terraform on PATH: recorded %v, printed\n%s", record, out)
	}
	for _, version := range []string{"1.5.7", "1.16.2"} {
		fakeTerraform(version)
		if out, record := leg(); !skipped(out, record) {
			t.Errorf("with Terraform %s on PATH: recorded %v, printed\n%s", version, record, out)
		}
	}

	// Another version runs the provider's tests (none of them here) with
	// TF_ACC_TERRAFORM_PATH naming it.
	fakeTerraform("9.9.9")
	out, record := leg()
	packages, _ := record["Packages"].([]any)
	label, _ := record["Label"].(string)
	if !strings.Contains(label, "9.9.9") || record["Skipped"] != nil || len(packages) != 3 ||
		!strings.Contains(out, "TF_ACC_TERRAFORM_PATH="+filepath.Join(pathDir, "terraform")+" go test") {
		t.Errorf("with Terraform 9.9.9 on PATH: recorded %v, printed\n%s", record, out)
	}
}
