package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// A fleet read reads, for every host of host_ids, some kinds of what
// Defender TI knows about a host, concurrently, through the client's flow
// control. defender_ti_hosts_ports reads one kind, the ports;
// defender_ti_hosts the kinds its `include` names. Each kind gives a host's
// value the attributes the per-host data source of that kind computes, so a
// host's ports, certificates or reputation look the same whichever data
// source read them.

// fleetKind is one kind of what a fleet read can read for each host.
type fleetKind struct {
	name string // as `include` names it
	// attributes are the attributes the kind adds to each host's value.
	attributes map[string]schema.Attribute
	// read reads the kind for one host: the values of its attributes.
	read func(ctx context.Context, c *graph.Client, hostID string, ports *hostPortsQuery) (map[string]tftypes.Value, error)
	// notFound are the values when Graph answers 404.
	notFound func(ports *hostPortsQuery) map[string]tftypes.Value
	// record: a 404 means the host has no such record (a WHOIS record, a
	// reputation), not that Defender TI does not know the host.
	record bool
}

// nulls are the kind's attributes, all null: a kind not included.
func (k *fleetKind) nulls() map[string]tftypes.Value {
	values := make(map[string]tftypes.Value, len(k.attributes))
	for name, attribute := range k.attributes {
		values[name] = tftypes.NewValue(attribute.GetType().TerraformType(context.Background()), nil)
	}
	return values
}

var portsKind = &fleetKind{
	name:       "ports",
	attributes: hostPortsResultAttributes(),
	read: func(ctx context.Context, c *graph.Client, hostID string, q *hostPortsQuery) (map[string]tftypes.Value, error) {
		list, err := graph.HostPorts.List(ctx, c, hostID, q.options)
		if err != nil {
			return nil, err
		}
		return q.resultValues(list), nil
	},
	notFound: func(q *hostPortsQuery) map[string]tftypes.Value { return q.resultValues(q.notFound()) },
}

// listKind reads what a per-host list data source reads, whole, in its order.
func listKind[T any](name string, spec *hostListSpec[T]) *fleetKind {
	description := fmt.Sprintf("%s Null unless `include` holds `%s`; empty for a host Defender TI does not know. The same list as `defender%s` reads.",
		spec.listDescription, name, spec.typeSuffix)
	return &fleetKind{
		name:       name,
		attributes: map[string]schema.Attribute{name: listNested(description, spec.table.attributes())},
		read: func(ctx context.Context, c *graph.Client, hostID string, _ *hostPortsQuery) (map[string]tftypes.Value, error) {
			list, err := spec.read(ctx, c, hostID, graph.QueryOptions{})
			if err != nil {
				return nil, err
			}
			return map[string]tftypes.Value{name: spec.table.listValue(spec.sorted(list.Items), selection{all: true})}, nil
		},
		notFound: func(*hostPortsQuery) map[string]tftypes.Value {
			return map[string]tftypes.Value{name: spec.table.listValue(nil, selection{all: true})}
		},
	}
}

// entityKind reads what a per-host entity data source reads, as one object.
func entityKind[T any](name string, spec *hostEntitySpec[T]) *fleetKind {
	description := fmt.Sprintf("%s of the host, with the attributes `defender%s` reads. Null unless `include` holds `%s`, "+
		"and null when Defender TI holds no such record for the host.", capitalized(spec.what), spec.typeSuffix, name)
	return &fleetKind{
		name:       name,
		attributes: map[string]schema.Attribute{name: singleNested(description, spec.table.attributes())},
		read: func(ctx context.Context, c *graph.Client, hostID string, _ *hostPortsQuery) (map[string]tftypes.Value, error) {
			entity, err := spec.read(ctx, c, hostID, graph.QueryOptions{})
			if err != nil {
				return nil, err
			}
			return map[string]tftypes.Value{name: spec.table.value(entity)}, nil
		},
		notFound: func(*hostPortsQuery) map[string]tftypes.Value { return map[string]tftypes.Value{name: spec.table.null} },
		record:   spec.notFound == notFoundIsNull,
	}
}

// fleetKinds are every kind defender_ti_hosts can include, in the order a
// host's kinds are read.
var fleetKinds = []*fleetKind{
	entityKind("host", hostSpec),
	portsKind,
	entityKind("reputation", hostReputationSpec),
	listKind("ssl_certificates", hostSslCertificatesSpec),
	listKind("components", hostComponentsSpec),
	entityKind("whois", hostWhoisSpec),
	listKind("subdomains", hostSubdomainsSpec),
	listKind("passive_dns", hostPassiveDNSSpec),
}

// fleetValueAttributes are the attributes of a host's value for kinds.
func fleetValueAttributes(kinds []*fleetKind) map[string]schema.Attribute {
	attributes := map[string]schema.Attribute{}
	for _, kind := range kinds {
		maps.Copy(attributes, kind.attributes)
	}
	return attributes
}

// fleetFailure is one kind of one host that could not be read.
type fleetFailure struct {
	hostID, kind string
	err          error
}

// fleetRead is what reading a fleet gave.
type fleetRead struct {
	hosts    map[string]tftypes.Value // each host's value
	notFound []string                 // hosts Defender TI does not know, sorted
	// valueType is the type of each host's value.
	valueType tftypes.Type
	failures  []fleetFailure // in host order, then kind order
}

// readFleet reads included, a subset of offered, for every host; the
// attributes of the kinds offered but not included are null.
func readFleet(ctx context.Context, c *graph.Client, hostIDs []string, offered, included []*fleetKind, ports *hostPortsQuery) fleetRead {
	type hostRead struct {
		values map[string]tftypes.Value
		// unknown counts the kinds read whose 404 means an unknown host,
		// and notFound those of them that answered 404.
		unknown, notFound int
		failures          []fleetFailure
	}
	valueType := terraformType(attrTypesOf(fleetValueAttributes(offered)))
	hostIDs = slices.Sorted(slices.Values(hostIDs))
	results := graph.ReadHosts(ctx, c, hostIDs, func(ctx context.Context, hostID string) (*hostRead, error) {
		read := &hostRead{values: map[string]tftypes.Value{}}
		for _, kind := range offered {
			if !slices.Contains(included, kind) {
				maps.Copy(read.values, kind.nulls())
				continue
			}
			values, err := kind.read(ctx, c, hostID, ports)
			if !kind.record {
				read.unknown++
			}
			switch {
			case graph.IsNotFound(err):
				if !kind.record {
					read.notFound++
				}
				values = kind.notFound(ports)
			case err != nil:
				read.failures = append(read.failures, fleetFailure{hostID: hostID, kind: kind.name, err: err})
				// The context ending fails every kind after it alike.
				if ctx.Err() != nil {
					return read, nil
				}
				continue
			}
			maps.Copy(read.values, values)
		}
		return read, nil
	})
	fleet := fleetRead{hosts: make(map[string]tftypes.Value, len(hostIDs)), valueType: valueType}
	for _, result := range results {
		switch read := result.Value; {
		case result.Err != nil:
			fleet.failures = append(fleet.failures, fleetFailure{hostID: result.HostID, kind: "all", err: result.Err})
		case len(read.failures) > 0:
			fleet.failures = append(fleet.failures, read.failures...)
		default:
			// A host is unknown when every kind that would tell answered
			// 404; records alone (WHOIS, reputation) cannot tell.
			if read.unknown > 0 && read.notFound == read.unknown {
				fleet.notFound = append(fleet.notFound, result.HostID)
			}
			fleet.hosts[result.HostID] = tftypes.NewValue(valueType, read.values)
		}
	}
	return fleet
}

// fleetState is the computed part of a fleet data source's state.
func (f fleetRead) state() map[string]tftypes.Value {
	notFound := make([]tftypes.Value, len(f.notFound))
	for i, hostID := range f.notFound {
		notFound[i] = stringValue(hostID)
	}
	return map[string]tftypes.Value{
		"hosts":              tftypes.NewValue(tftypes.Map{ElementType: f.valueType}, f.hosts),
		"not_found_host_ids": tftypes.NewValue(hostIDsType, notFound),
	}
}

// addFleetError fails the read with one error for everything that failed:
// each host (and kind, when several are read) with what Graph answered
// (status, error code, request-id), the first few of them, then how many
// more.
func addFleetError(ctx context.Context, diags *diag.Diagnostics, target readTarget, failed []fleetFailure, namingKinds bool) {
	first := failed[0].err
	// A failure that is not the host's own, such as signing in or a
	// cancelled plan, is the same for every host: say it once.
	if ctx.Err() != nil || isSignInError(first) {
		target.addReadError(ctx, diags, first)
		return
	}
	// Throttling is the client's, shared by every host: once it outlasts
	// the throttle timeout every waiting host fails with the same error,
	// which is said once, with the hosts it left unread.
	if allThrottled(failed) {
		var hostIDs []string
		for _, failure := range failed {
			if !slices.Contains(hostIDs, failure.hostID) {
				hostIDs = append(hostIDs, failure.hostID)
			}
		}
		diags.AddError(target.errorSummary(ctx, first), fmt.Sprintf(
			"Microsoft Graph kept throttling the requests for %s: %s.\nThe hosts not read: %s.\n%s",
			target.what, first, quotedHosts(hostIDs, listedFailures), throttleRemedy))
		return
	}
	var lines []string
	for _, failure := range failed[:min(len(failed), listedFailures)] {
		if namingKinds {
			lines = append(lines, fmt.Sprintf("- host %q, %s: %s", failure.hostID, failure.kind, failure.err))
		} else {
			lines = append(lines, fmt.Sprintf("- host %q: %s", failure.hostID, failure.err))
		}
	}
	if more := len(failed) - listedFailures; more > 0 {
		lines = append(lines, fmt.Sprintf("- and %d more.", more))
	}
	detail := fmt.Sprintf("Reading %s from Microsoft Graph failed:\n%s", target.what, strings.Join(lines, "\n"))
	switch {
	case graph.IsThrottled(first):
		detail += "\n" + throttleRemedy
	case graph.IsTimeout(first):
		detail += "\n" + timeoutRemedy
	}
	diags.AddError(target.errorSummary(ctx, first), detail)
}

func allThrottled(failed []fleetFailure) bool {
	for _, failure := range failed {
		if !graph.IsThrottled(failure.err) {
			return false
		}
	}
	return true
}

// failedHosts counts the distinct hosts of failed.
func failedHosts(failed []fleetFailure) int {
	hosts := map[string]bool{}
	for _, failure := range failed {
		hosts[failure.hostID] = true
	}
	return len(hosts)
}

// quotedHosts names the first most of hostIDs, quoted, and how many more.
func quotedHosts(hostIDs []string, most int) string {
	quoted := make([]string, 0, most)
	for _, hostID := range hostIDs[:min(len(hostIDs), most)] {
		quoted = append(quoted, fmt.Sprintf("%q", hostID))
	}
	named := strings.Join(quoted, ", ")
	if more := len(hostIDs) - most; more > 0 {
		named += fmt.Sprintf(" and %d more", more)
	}
	return named
}

// capitalized is text with its first letter in upper case.
func capitalized(text string) string {
	if text == "" {
		return text
	}
	return strings.ToUpper(text[:1]) + text[1:]
}
