package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// hostPortsFilterModel is the `filter` attribute: conditions the Graph API
// cannot evaluate, applied to the ports it returns.
type hostPortsFilterModel struct {
	Status           types.Set    `tfsdk:"status"`
	Protocol         types.Set    `tfsdk:"protocol"`
	Ports            types.Set    `tfsdk:"ports"`
	LastSeenAfter    types.String `tfsdk:"last_seen_after"`
	MinTimesObserved types.Int64  `tfsdk:"min_times_observed"`
}

// portFilter is the compiled form of hostPortsFilterModel; nil maps and
// pointers mean "no condition".
type portFilter struct {
	statuses         map[string]bool
	protocols        map[string]bool
	ports            map[int64]bool
	lastSeenAfter    *time.Time
	minTimesObserved *int64
}

func newPortFilter(ctx context.Context, model *hostPortsFilterModel) (portFilter, diag.Diagnostics) {
	var filter portFilter
	var diags diag.Diagnostics
	if model == nil {
		return filter, diags
	}
	filter.statuses = stringSet(ctx, model.Status, &diags)
	filter.protocols = stringSet(ctx, model.Protocol, &diags)
	if !model.Ports.IsNull() {
		var ports []int64
		diags.Append(model.Ports.ElementsAs(ctx, &ports, false)...)
		filter.ports = make(map[int64]bool, len(ports))
		for _, port := range ports {
			filter.ports[port] = true
		}
	}
	if !model.LastSeenAfter.IsNull() {
		// The attribute validator has already proved the text is RFC 3339.
		if after, err := time.Parse(time.RFC3339, model.LastSeenAfter.ValueString()); err == nil {
			filter.lastSeenAfter = &after
		}
	}
	if !model.MinTimesObserved.IsNull() {
		minimum := model.MinTimesObserved.ValueInt64()
		filter.minTimesObserved = &minimum
	}
	return filter, diags
}

func stringSet(ctx context.Context, set types.Set, diags *diag.Diagnostics) map[string]bool {
	if set.IsNull() {
		return nil
	}
	var values []string
	diags.Append(set.ElementsAs(ctx, &values, false)...)
	result := make(map[string]bool, len(values))
	for _, v := range values {
		result[v] = true
	}
	return result
}

// graphProperties names the hostPort properties the filter reads, so they are
// fetched even when `select` leaves them out.
func (f portFilter) graphProperties() []string {
	var names []string
	if f.ports != nil {
		names = append(names, "port")
	}
	if f.statuses != nil {
		names = append(names, "status")
	}
	if f.protocols != nil {
		names = append(names, "protocol")
	}
	if f.lastSeenAfter != nil {
		names = append(names, "lastSeenDateTime")
	}
	if f.minTimesObserved != nil {
		names = append(names, "timesObserved")
	}
	return names
}

// matches reports whether hp passes every condition. A port lacking the value
// a condition reads (no last-seen time, no observation count) does not pass.
func (f portFilter) matches(hp *graph.HostPort) bool {
	if f.statuses != nil && !f.statuses[hp.Status] {
		return false
	}
	if f.protocols != nil && !f.protocols[hp.Protocol] {
		return false
	}
	if f.ports != nil && !f.ports[int64(hp.Port)] {
		return false
	}
	if f.lastSeenAfter != nil {
		seen := hp.LastSeenDateTime
		if seen == nil || !seen.Valid() || !seen.Time.After(*f.lastSeenAfter) {
			return false
		}
	}
	if f.minTimesObserved != nil {
		if hp.TimesObserved == nil || *hp.TimesObserved < *f.minTimesObserved {
			return false
		}
	}
	return true
}

// apply keeps the matching ports, reusing the slice's storage.
func (f portFilter) apply(ports []graph.HostPort) []graph.HostPort {
	kept := ports[:0]
	for i := range ports {
		if f.matches(&ports[i]) {
			kept = append(kept, ports[i])
		}
	}
	return kept
}
