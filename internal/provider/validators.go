package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// stringCheck adapts a func(string) error into a plan-time string validator,
// so each rule is written once, in the graph package where it belongs, and
// reported on the attribute at fault.
type stringCheck struct {
	summary     string
	description string
	check       func(string) error
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("The value of %s is not valid: %s.", req.Path, err))
	}
}

func validHostID() validator.String {
	return stringCheck{
		summary:     "Invalid Host ID",
		description: "value must be an IPv4 address, an IPv6 address or a DNS host name",
		check:       graph.ValidateHostID,
	}
}

func validRFC3339() validator.String {
	return stringCheck{
		summary:     "Invalid Timestamp",
		description: "value must be an RFC 3339 timestamp such as 2024-01-31T00:00:00Z",
		check: func(s string) error {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return fmt.Errorf("%q is not an RFC 3339 timestamp such as 2024-01-31T00:00:00Z", s)
			}
			return nil
		},
	}
}

func validEndpoint() validator.String {
	return stringCheck{
		summary:     "Invalid Endpoint",
		description: "value must be an absolute https URL",
		check:       graph.ValidateEndpoint,
	}
}

func validDuration() validator.String {
	return stringCheck{
		summary:     "Invalid Duration",
		description: "value must be a positive duration such as 30s or 2m",
		check: func(s string) error {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 30s or 2m", s)
			}
			return nil
		},
	}
}

func validAuthorityHost() validator.String {
	return stringCheck{
		summary:     "Invalid Endpoint",
		description: "value must be an absolute https URL",
		check:       checkAuthorityHost,
	}
}

// checkAuthorityHost requires https without exception: the sign-in library
// refuses any other authority, even on loopback, so plan time is the place
// to say so.
func checkAuthorityHost(raw string) error {
	if err := graph.ValidateEndpoint(raw); err != nil {
		return err
	}
	if !strings.HasPrefix(strings.ToLower(raw), "https://") {
		return fmt.Errorf("authority host %q must use https", raw)
	}
	return nil
}

// hostIDAttribute is the host_id every data source reading one host takes.
func hostIDAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Required: true,
		MarkdownDescription: "The host to read: an IPv4 address such as `8.8.8.8`, an IPv6 address, or a DNS host name such as " +
			"`contoso.com` (an internationalized name in its `xn--` form). It is checked when the plan is made, before any request.",
		Validators: []validator.String{validHostID()},
	}
}
