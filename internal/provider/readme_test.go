package provider

import (
	"bufio"
	"bytes"
	"context"
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
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
