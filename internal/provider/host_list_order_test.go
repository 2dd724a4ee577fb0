package provider

import (
	"slices"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// The emulator serves its sample lists already in order, so these give each
// list data source its items in every rotation of the reverse order and
// check the order it promises, tie-breaks included.

func rotations[T any](items []T) [][]T {
	reversed := slices.Clone(items)
	slices.Reverse(reversed)
	var out [][]T
	for i := range reversed {
		out = append(out, append(slices.Clone(reversed[i:]), reversed[:i]...))
	}
	return out
}

func expectOrder[T any](t *testing.T, spec *hostListSpec[T], want []T, id func(T) string) {
	t.Helper()
	for _, input := range rotations(want) {
		got := spec.sorted(input)
		for i := range got {
			if id(got[i]) != id(want[i]) {
				t.Fatalf("%s: from %v got %v", spec.typeSuffix, ids(input, id), ids(got, id))
			}
		}
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = id(item)
	}
	return out
}

func TestSslCertificatesOrder(t *testing.T) {
	expires := func(s string) *graph.SslCertificate {
		ts := graph.Timestamp{}
		if s != "" {
			at, _ := time.Parse(time.RFC3339, s)
			ts.Time = at
		}
		return &graph.SslCertificate{ExpirationDateTime: &ts}
	}
	want := []graph.HostSslCertificate{
		{ID: "no-certificate"},
		{ID: "a", SslCertificate: expires("2026-12-20T23:59:59Z")},
		{ID: "b", SslCertificate: expires("2026-12-20T23:59:59Z")},
		{ID: "c", SslCertificate: expires("2026-12-20T23:59:59.5Z")},
		{ID: "d", SslCertificate: expires("2027-09-01T00:00:00Z")},
	}
	expectOrder(t, hostSslCertificatesSpec, want, func(c graph.HostSslCertificate) string { return c.ID })
}

func TestComponentsOrder(t *testing.T) {
	want := []graph.HostComponent{
		{ID: ptr("no-name")},
		{ID: ptr("n1"), Name: ptr("OpenSSH")},
		{ID: ptr("v1"), Name: ptr("OpenSSH"), Version: ptr("7.4")},
		{ID: ptr("v2a"), Name: ptr("OpenSSH"), Version: ptr("8.9p1")},
		{ID: ptr("v2b"), Name: ptr("OpenSSH"), Version: ptr("8.9p1")},
		{ID: ptr("j"), Name: ptr("jQuery"), Version: ptr("1.12.4")},
	}
	expectOrder(t, hostComponentsSpec, want, func(c graph.HostComponent) string { return *c.ID })
}

func TestPassiveDNSOrder(t *testing.T) {
	want := []graph.PassiveDNSRecord{
		{ID: "no-type"},
		{ID: "z", RecordType: ptr("A"), Artifact: &graph.ArtifactReference{ID: "203.0.113.80"}},
		{ID: "a1", RecordType: ptr("A"), Artifact: &graph.ArtifactReference{ID: "203.0.113.81"}},
		{ID: "a2", RecordType: ptr("A"), Artifact: &graph.ArtifactReference{ID: "203.0.113.81"}},
		{ID: "b", RecordType: ptr("MX"), Artifact: &graph.ArtifactReference{ID: "mail.contoso.com"}},
	}
	expectOrder(t, hostPassiveDNSSpec, want, func(r graph.PassiveDNSRecord) string { return r.ID })
}

func TestSubdomainsOrder(t *testing.T) {
	want := []graph.Subdomain{{ID: "mail.contoso.com"}, {ID: "vpn.contoso.com"}, {ID: "www.contoso.com"}}
	expectOrder(t, hostSubdomainsSpec, want, func(s graph.Subdomain) string { return s.ID })
}
