package graph

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The graph package knows HTTP, JSON and OData, and nothing of Terraform:
// no terraform-plugin-* package may reach it, directly or through another
// package, in its code or its tests. go list resolves the whole import graph
// the way the build does, which a scan of import lines alone would not.
func TestGraphImportsNoTerraformPackage(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list this package's imports: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "-test", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "github.com/Azure/azure-sdk-for-go/sdk/azcore") {
		t.Fatalf("go list returned %d packages without azcore; the check would prove nothing: %v", len(deps), deps)
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, "github.com/hashicorp/terraform-plugin-") {
			t.Errorf("internal/graph depends on %s; it must know nothing of Terraform (map its types in internal/provider instead)", dep)
		}
	}
}
