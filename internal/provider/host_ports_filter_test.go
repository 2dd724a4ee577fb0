package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// noFilterConditions is a `filter` attribute with every condition null.
func noFilterConditions() hostPortsFilterModel {
	return hostPortsFilterModel{
		Status:           types.SetNull(types.StringType),
		Protocol:         types.SetNull(types.StringType),
		Ports:            types.SetNull(types.Int64Type),
		LastSeenAfter:    types.StringNull(),
		MinTimesObserved: types.Int64Null(),
	}
}

// compilePortFilter compiles model as a read would.
func compilePortFilter(t *testing.T, model hostPortsFilterModel) portFilter {
	t.Helper()
	filter, diags := newPortFilter(context.Background(), &model)
	if diags.HasError() {
		t.Fatalf("newPortFilter: %v", diags)
	}
	return filter
}

func stringSetOf(values ...string) types.Set {
	elements := make([]attr.Value, len(values))
	for i, v := range values {
		elements[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elements)
}

func int64SetOf(values ...int64) types.Set {
	elements := make([]attr.Value, len(values))
	for i, v := range values {
		elements[i] = types.Int64Value(v)
	}
	return types.SetValueMust(types.Int64Type, elements)
}

// decodeHostPort reads one hostPort as the Graph client does, so timestamps
// that do not parse arrive as they would from Graph.
func decodeHostPort(t *testing.T, text string) graph.HostPort {
	t.Helper()
	var hp graph.HostPort
	if err := json.Unmarshal([]byte(text), &hp); err != nil {
		t.Fatalf("decoding %s: %v", text, err)
	}
	return hp
}

func timesObserved(n int64) *int64 { return &n }

func TestPortFilterLastSeenAfterIsStrict(t *testing.T) {
	boundary := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	model := noFilterConditions()
	model.LastSeenAfter = types.StringValue("2024-01-31T12:00:00Z")
	filter := compilePortFilter(t, model)

	for _, c := range []struct {
		name string
		seen *graph.Timestamp
		keep bool
	}{
		{"one nanosecond after", &graph.Timestamp{Time: boundary.Add(time.Nanosecond)}, true},
		{"a day after", &graph.Timestamp{Time: boundary.Add(24 * time.Hour)}, true},
		{"exactly at", &graph.Timestamp{Time: boundary}, false},
		{"exactly at, written in another zone", &graph.Timestamp{Time: boundary.In(time.FixedZone("+01:00", 3600))}, false},
		{"one nanosecond before", &graph.Timestamp{Time: boundary.Add(-time.Nanosecond)}, false},
		{"a year before", &graph.Timestamp{Time: boundary.AddDate(-1, 0, 0)}, false},
		{"no last-seen time", nil, false},
		{"unparseable last-seen time", &graph.Timestamp{Raw: "2024-17-01T00:00:00Z"}, false},
		{"empty last-seen time", &graph.Timestamp{}, false},
	} {
		hp := graph.HostPort{ID: "p", Port: 443, Protocol: "tcp", Status: "open", LastSeenDateTime: c.seen}
		if got := filter.matches(&hp); got != c.keep {
			t.Errorf("last_seen_after %s, port last seen %s (%v): kept = %v, want %v", boundary.Format(time.RFC3339), c.name, c.seen, got, c.keep)
		}
	}

	// A bound written with an offset is the same instant in UTC.
	model.LastSeenAfter = types.StringValue("2024-01-31T13:00:00+01:00")
	shifted := compilePortFilter(t, model)
	for _, c := range []struct {
		seen time.Time
		keep bool
	}{{boundary, false}, {boundary.Add(time.Nanosecond), true}} {
		hp := graph.HostPort{LastSeenDateTime: &graph.Timestamp{Time: c.seen}}
		if got := shifted.matches(&hp); got != c.keep {
			t.Errorf("last_seen_after 2024-01-31T13:00:00+01:00, port last seen %s: kept = %v, want %v", c.seen.Format(time.RFC3339Nano), got, c.keep)
		}
	}
}

// A last-seen time Graph sent that does not parse is no time at all: even
// a filter earlier than any time it could stand for drops the port.
func TestPortFilterDropsUnparseableLastSeenWhateverTheBound(t *testing.T) {
	model := noFilterConditions()
	model.LastSeenAfter = types.StringValue("0000-01-01T00:00:00Z")
	filter := compilePortFilter(t, model)

	unparseable := decodeHostPort(t, `{"id":"a","port":443,"protocol":"tcp","status":"open","lastSeenDateTime":"2023-17-01T00:00:00Z"}`)
	if unparseable.LastSeenDateTime == nil || unparseable.LastSeenDateTime.Valid() {
		t.Fatalf("the fixture's last-seen time should decode as not valid, got %+v", unparseable.LastSeenDateTime)
	}
	missing := decodeHostPort(t, `{"id":"b","port":443,"protocol":"tcp","status":"open","lastSeenDateTime":null}`)
	seen := decodeHostPort(t, `{"id":"c","port":443,"protocol":"tcp","status":"open","lastSeenDateTime":"2023-07-18T23:24:01Z"}`)

	for _, c := range []struct {
		name string
		hp   graph.HostPort
		keep bool
	}{{"unparseable", unparseable, false}, {"null", missing, false}, {"a real time", seen, true}} {
		if got := filter.matches(&c.hp); got != c.keep {
			t.Errorf("last_seen_after 0000-01-01T00:00:00Z, %s last-seen time: kept = %v, want %v", c.name, got, c.keep)
		}
	}
}

func TestPortFilterMinTimesObservedIsInclusive(t *testing.T) {
	for _, c := range []struct {
		minimum  int64
		observed *int64
		keep     bool
	}{
		{100, timesObserved(100), true},
		{100, timesObserved(101), true},
		{100, timesObserved(99), false},
		{100, timesObserved(0), false},
		{100, nil, false},
		{0, timesObserved(0), true},
		{0, nil, false},
		{1, timesObserved(0), false},
		{1, timesObserved(1), true},
	} {
		model := noFilterConditions()
		model.MinTimesObserved = types.Int64Value(c.minimum)
		filter := compilePortFilter(t, model)
		hp := graph.HostPort{ID: "p", Port: 22, Protocol: "tcp", Status: "open", TimesObserved: c.observed}
		observed := "null"
		if c.observed != nil {
			observed = strconv.FormatInt(*c.observed, 10)
		}
		if got := filter.matches(&hp); got != c.keep {
			t.Errorf("min_times_observed %d, port observed %s times: kept = %v, want %v", c.minimum, observed, got, c.keep)
		}
	}
}

// keptIDs applies filter to a copy of ports and returns the ids kept, in order.
func keptIDs(filter portFilter, ports []graph.HostPort) []string {
	var ids []string
	for _, hp := range filter.apply(slices.Clone(ports)) {
		ids = append(ids, hp.ID)
	}
	return ids
}

func TestPortFilterSets(t *testing.T) {
	ports := []graph.HostPort{
		{ID: "ssh", Port: 22, Protocol: "tcp", Status: "open"},
		{ID: "dns", Port: 53, Protocol: "udp", Status: "open"},
		{ID: "smb", Port: 445, Protocol: "tcp", Status: "filtered"},
		{ID: "alt", Port: 8080, Protocol: "tcp", Status: "closed"},
		{ID: "odd", Port: 9, Protocol: "", Status: ""},
		{ID: "zero", Port: 0, Protocol: "udp", Status: "unknownFutureValue"},
		{ID: "top", Port: 65535, Protocol: "unknownFutureValue", Status: "open"},
	}
	for _, c := range []struct {
		name  string
		setUp func(*hostPortsFilterModel)
		want  []string
	}{
		{"no condition keeps every port, even one without status or protocol", func(*hostPortsFilterModel) {},
			[]string{"ssh", "dns", "smb", "alt", "odd", "zero", "top"}},
		{"status", func(m *hostPortsFilterModel) { m.Status = stringSetOf("open") },
			[]string{"ssh", "dns", "top"}},
		{"two statuses", func(m *hostPortsFilterModel) { m.Status = stringSetOf("filtered", "closed") },
			[]string{"smb", "alt"}},
		{"an empty status set keeps none", func(m *hostPortsFilterModel) { m.Status = stringSetOf() },
			nil},
		{"protocol", func(m *hostPortsFilterModel) { m.Protocol = stringSetOf("udp") },
			[]string{"dns", "zero"}},
		{"protocol is matched exactly", func(m *hostPortsFilterModel) { m.Protocol = stringSetOf("TCP") },
			nil},
		{"ports, with one the host does not have", func(m *hostPortsFilterModel) { m.Ports = int64SetOf(22, 445, 9999) },
			[]string{"ssh", "smb"}},
		{"the lowest and highest port numbers", func(m *hostPortsFilterModel) { m.Ports = int64SetOf(0, 65535) },
			[]string{"zero", "top"}},
		{"an empty ports set keeps none", func(m *hostPortsFilterModel) { m.Ports = int64SetOf() },
			nil},
		{"every condition must hold", func(m *hostPortsFilterModel) {
			m.Status = stringSetOf("open", "filtered")
			m.Protocol = stringSetOf("tcp")
			m.Ports = int64SetOf(22, 53, 445, 8080)
		}, []string{"ssh", "smb"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			model := noFilterConditions()
			c.setUp(&model)
			if got := keptIDs(compilePortFilter(t, model), ports); !slices.Equal(got, c.want) {
				t.Errorf("kept %q, want %q", got, c.want)
			}
		})
	}
}

// No filter at all (the attribute null) keeps every port.
func TestPortFilterNullModelKeepsEverything(t *testing.T) {
	filter, diags := newPortFilter(context.Background(), nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	ports := []graph.HostPort{{ID: "a", Port: 1}, {ID: "b"}, {ID: "c", Port: 2, Status: "closed"}}
	if got, want := keptIDs(filter, ports), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}
}

func TestSortHostPortsByPortProtocolThenID(t *testing.T) {
	// The order sortHostPorts must produce. Ids are chosen so that any
	// other key order breaks it: at port 53 the udp id sorts before the
	// tcp one; at 443 the udp id sorts before every tcp id; port 22's id
	// sorts after all; ids compare byte-wise, upper case first.
	want := []graph.HostPort{
		{ID: "0", Port: 0, Protocol: "tcp"},
		{ID: "zz", Port: 22, Protocol: "tcp"},
		{ID: "m", Port: 53, Protocol: "tcp"},
		{ID: "a", Port: 53, Protocol: "udp"},
		{ID: "OC44", Port: 443, Protocol: "tcp"},
		{ID: "Y29u", Port: 443, Protocol: "tcp"},
		{ID: "b2Rk", Port: 443, Protocol: "tcp"},
		{ID: "b2Rl", Port: 443, Protocol: "tcp"},
		{ID: "A", Port: 443, Protocol: "udp"},
		{ID: "B", Port: 8080, Protocol: "tcp"},
		{ID: "A", Port: 65535, Protocol: "udp"},
	}
	reversed := slices.Clone(want)
	slices.Reverse(reversed)
	inputs := map[string][]graph.HostPort{"sorted": want, "reversed": reversed}
	// Every rotation of the reversed list, so each tie meets its ports in
	// reverse whatever comes before them.
	for i := 1; i < len(reversed); i++ {
		inputs["reversed, rotated by "+strconv.Itoa(i)] = append(slices.Clone(reversed[i:]), reversed[:i]...)
	}
	for name, input := range inputs {
		got := slices.Clone(input)
		sortHostPorts(got)
		if !slices.EqualFunc(got, want, func(a, b graph.HostPort) bool {
			return a.ID == b.ID && a.Port == b.Port && a.Protocol == b.Protocol
		}) {
			t.Errorf("%s input: got %v, want %v", name, portKeys(got), portKeys(want))
		}
	}
}

func portKeys(ports []graph.HostPort) []string {
	keys := make([]string, len(ports))
	for i, hp := range ports {
		keys[i] = fmt.Sprintf("%d/%s/%s", hp.Port, hp.Protocol, hp.ID)
	}
	return keys
}
