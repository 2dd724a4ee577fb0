package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/defender-ti/terraform-provider-defender/internal/exposure"
)

var _ function.Function = exposureFindingsFunction{}

// NewExposureFindingsFunction returns provider::defender::exposure_findings.
func NewExposureFindingsFunction() function.Function { return exposureFindingsFunction{} }

type exposureFindingsFunction struct{}

var findingAttrTypes = map[string]attr.Type{"host_id": types.StringType, "kind": types.StringType, "message": types.StringType}

func (exposureFindingsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "exposure_findings"
}

func (exposureFindingsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Lists what a fleet of hosts exposes that an exposure policy does not allow.",
		MarkdownDescription: "Applies an exposure policy to the `hosts` of `defender_ti_hosts` or `defender_ti_hosts_ports` and returns the findings, " +
			"sorted by host, kind and message, each an object with `host_id`, `kind` (`certificate`, `component`, `domain`, `port` or " +
			"`reputation`) and a one-line `message` starting with the host. An empty list means the fleet meets the policy, so " +
			"`condition = length(f) == 0` and `error_message = join(\"\\n\", f[*].message)` make a whole policy check.\n\n" +
			"The policy is an object; every key is optional, and a key not listed here, or a value of the wrong type, is an error naming the key:\n\n" +
			"- `denied_ports`: open ports that are findings, as numbers (any protocol) or `\"port/protocol\"` strings, such as `[23, \"3389/tcp\"]`.\n" +
			"- `min_certificate_days`: from 0 to 36500; a certificate seen on a host (in `ssl_certificates`, or a port's expanded `most_recent_ssl_certificate`) " +
			"expiring within this many days of `as_of` is a finding.\n" +
			"- `min_domain_days`: from 0 to 36500; a WHOIS registration (`whois`) expiring within this many days of `as_of` is a finding.\n" +
			"- `as_of`: the RFC 3339 time expiry is measured from, such as `plantimestamp()`; required with either of the two above. " +
			"Passing the time in keeps the function pure: the same inputs give the same findings.\n" +
			"- `max_reputation`: the worst classification allowed, one of `unknown`, `neutral`, `suspicious`, `malicious`; a worse one is a " +
			"finding, and so is a classification newer than the provider, which it cannot rank.\n" +
			"- `denied_components`: objects `{name, versions}`; a component (in `components`, or behind a port's services) with that name, " +
			"compared case-insensitively, and a version in `versions` is a finding. `versions` is a range such as `\"< 8.0\"` or " +
			"`\">= 1.0, < 1.19\"`, compared as `compare_versions` does; without it every version is denied, and a component without a version " +
			"matches only a rule without `versions`.\n\n" +
			"What a host's object lacks, or holds as null (a kind `include` left out), is not checked. The function works offline and needs no credentials.",
		Parameters: []function.Parameter{
			function.DynamicParameter{Name: "hosts", MarkdownDescription: "The `hosts` attribute of `defender_ti_hosts` or `defender_ti_hosts_ports`."},
			function.DynamicParameter{Name: "policy", MarkdownDescription: "The exposure policy, an object with the keys described above."},
		},
		Return: function.ListReturn{ElementType: types.ObjectType{AttrTypes: findingAttrTypes}},
	}
}

func (exposureFindingsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var hostsArg, policyArg types.Dynamic
	resp.Error = req.Arguments.Get(ctx, &hostsArg, &policyArg)
	if resp.Error != nil {
		return
	}
	hostsValue, err := goValue(ctx, hostsArg)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "Invalid hosts: "+err.Error())
		return
	}
	hosts, ok := hostsValue.(map[string]any)
	if !ok {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("Invalid hosts: want the hosts attribute of defender_ti_hosts or defender_ti_hosts_ports, a map of host id to object, got %s", kindOf(hostsValue)))
		return
	}
	policyValue, err := goValue(ctx, policyArg)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, "Invalid policy: "+err.Error())
		return
	}
	rawPolicy, ok := policyValue.(map[string]any)
	if !ok {
		resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("Invalid policy: want an object such as { denied_ports = [23] }, got %s", kindOf(policyValue)))
		return
	}
	policy, err := exposure.ParsePolicy(rawPolicy)
	if err != nil {
		var policyErr *exposure.PolicyError
		if errors.As(err, &policyErr) {
			resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("Invalid policy key %q: %s", policyErr.Key, policyErr.Problem))
		} else {
			resp.Error = function.NewArgumentFuncError(1, "Invalid policy: "+err.Error())
		}
		return
	}
	findings, err := exposure.Evaluate(hosts, policy)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "Invalid hosts: "+err.Error())
		return
	}
	elements := make([]attr.Value, len(findings))
	for i, f := range findings {
		elements[i] = types.ObjectValueMust(findingAttrTypes, map[string]attr.Value{
			"host_id": types.StringValue(f.HostID), "kind": types.StringValue(f.Kind), "message": types.StringValue(f.Message),
		})
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: findingAttrTypes}, elements)
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, list)
}

// kindOf names what a decoded argument is, for an error.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a bool"
	case []any:
		return "a list"
	}
	return "an object"
}
