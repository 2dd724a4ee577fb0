package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// protocolDiagnostics converts diagnostics as the framework does for its
// own responses: severity, summary, detail and the attribute path.
func protocolDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	var converted []*tfprotov6.Diagnostic
	for _, d := range diags {
		protocol := &tfprotov6.Diagnostic{Severity: protocolSeverity(d.Severity()), Summary: d.Summary(), Detail: d.Detail()}
		if withPath, ok := d.(diag.DiagnosticWithPath); ok {
			attributePath, err := protocolPath(withPath.Path())
			if err != nil {
				converted = append(converted, &tfprotov6.Diagnostic{
					Severity: tfprotov6.DiagnosticSeverityError,
					Summary:  "Unable To Convert Attribute Path",
					Detail:   fmt.Sprintf("The path of the diagnostic %q could not be converted for Terraform: %s. This is a bug in the provider; please report it.", d.Summary(), err),
				})
			}
			protocol.Attribute = attributePath
		}
		converted = append(converted, protocol)
	}
	return converted
}

func protocolSeverity(s diag.Severity) tfprotov6.DiagnosticSeverity {
	switch s {
	case diag.SeverityError:
		return tfprotov6.DiagnosticSeverityError
	case diag.SeverityWarning:
		return tfprotov6.DiagnosticSeverityWarning
	default:
		return tfprotov6.DiagnosticSeverityInvalid
	}
}

func protocolPath(p path.Path) (*tftypes.AttributePath, error) {
	var converted []tftypes.AttributePathStep
	for _, step := range p.Steps() {
		switch step := step.(type) {
		case path.PathStepAttributeName:
			converted = append(converted, tftypes.AttributeName(string(step)))
		case path.PathStepElementKeyInt:
			converted = append(converted, tftypes.ElementKeyInt(int64(step)))
		case path.PathStepElementKeyString:
			converted = append(converted, tftypes.ElementKeyString(string(step)))
		case path.PathStepElementKeyValue:
			value, err := step.ToTerraformValue(context.Background())
			if err != nil {
				return nil, err
			}
			converted = append(converted, tftypes.ElementKeyValue(value))
		default:
			return nil, fmt.Errorf("unknown path step %T", step)
		}
	}
	return tftypes.NewAttributePathWithSteps(converted), nil
}
