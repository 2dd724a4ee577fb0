package graph

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// The emulator is written apart from the client on purpose; the names $select
// accepts must still agree, or the provider would offer a name Graph refuses
// or refuse one it accepts.
func TestSelectablePropertiesAgreeWithTheEmulator(t *testing.T) {
	for collection, properties := range map[string][]string{
		fakegraph.CollectionPorts:             HostPorts.Properties(),
		fakegraph.CollectionHost:              HostItself.Properties(),
		fakegraph.CollectionReputation:        HostReputationOf.Properties(),
		fakegraph.CollectionSslCertificates:   HostSslCertificates.Properties(),
		fakegraph.CollectionSslCertificate:    SslCertificateByID.Properties(),
		fakegraph.CollectionComponents:        HostComponents.Properties(),
		fakegraph.CollectionWhois:             WhoisOf.Properties(),
		fakegraph.CollectionSubdomains:        Subdomains.Properties(),
		fakegraph.CollectionPassiveDNS:        PassiveDNS.Properties(),
		fakegraph.CollectionPassiveDNSReverse: PassiveDNSReverse.Properties(),
	} {
		emulated := fakegraph.SelectableProperties(collection)
		if !slices.Equal(emulated, properties) {
			t.Errorf("%s: the client selects %v, the emulator %v", collection, properties, emulated)
		}
	}
}

func TestHostEntitiesAndCollections(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 2})
	c := newClient(t, testOptions(t, s))
	ctx := context.Background()

	host, err := HostItself.Get(ctx, c, "8.8.8.8", QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if host.Kind() != HostKindIPAddress || *host.AutonomousSystem.Number != 15169 || *host.Netblock != "8.8.8.0/24" || host.Registrar != nil {
		t.Errorf("8.8.8.8: %+v", host)
	}
	named, err := HostItself.Get(ctx, c, "contoso.com", QueryOptions{})
	if err != nil || named.Kind() != HostKindHostname || *named.Registrar != "MarkMonitor Inc." || named.AutonomousSystem != nil {
		t.Errorf("contoso.com: %+v, %v", named, err)
	}

	reputation, err := HostReputationOf.Get(ctx, c, "contoso.com", QueryOptions{})
	if err != nil || *reputation.Classification != ClassificationSuspicious || *reputation.Score != 62 || len(reputation.Rules) != 2 {
		t.Errorf("reputation: %+v, %v", reputation, err)
	}
	if _, err := WhoisOf.Get(ctx, c, "8.8.8.8", QueryOptions{}); !IsNotFound(err) {
		t.Errorf("WHOIS of an address: %v, want not found", err)
	}

	// Three pages of two: paging works the same on every collection.
	components, err := HostComponents.List(ctx, c, "contoso.com", QueryOptions{Count: true})
	if err != nil || len(components.Items) != 5 || components.Pages != 3 || *components.Count != 5 {
		t.Errorf("components: %+v, %v", components, err)
	}
	reverse, err := PassiveDNSReverse.List(ctx, c, "contoso.com", QueryOptions{})
	if err != nil || len(reverse.Items) != 1 || reverse.Items[0].ParentHost.ID != "shop.fabrikam.com" {
		t.Errorf("reverse passive DNS: %+v, %v", reverse, err)
	}
	if _, err := Subdomains.List(ctx, c, "unknown.example.com", QueryOptions{}); !IsNotFound(err) {
		t.Errorf("subdomains of an unknown host: %v, want not found", err)
	}
	if _, err := Subdomains.List(ctx, c, "../hostPorts", QueryOptions{}); err == nil {
		t.Error("a hostile host id was accepted")
	}
	if _, err := HostComponents.List(ctx, c, "contoso.com", QueryOptions{Select: []string{"host/id"}}); err == nil {
		t.Error("a nested select was accepted")
	}
}

// Certificates come expanded with the list, one request a page; where Graph
// refuses the expansion, each distinct certificate is read once by id.
func TestListHostSslCertificatesWithCertificates(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		s := fakegraphtest.Start(t, fakegraph.Config{RefuseSslCertificateExpand: refuse})
		c := newClient(t, testOptions(t, s))
		list, err := c.ListHostSslCertificatesWithCertificates(context.Background(), "contoso.com", QueryOptions{})
		if err != nil {
			t.Fatalf("refuse %v: %v", refuse, err)
		}
		if len(list.Items) != 2 {
			t.Fatalf("refuse %v: %d certificates", refuse, len(list.Items))
		}
		for _, item := range list.Items {
			if item.SslCertificate == nil || item.SslCertificate.ExpirationDateTime == nil || item.SslCertificate.Subject == nil {
				t.Errorf("refuse %v: certificate of %s not filled: %+v", refuse, item.ID, item.SslCertificate)
			}
		}
		var paths []string
		for _, r := range graphRequests(s) {
			paths = append(paths, pathOf(r))
		}
		want := []string{graphPrefix + "hosts/contoso.com/sslCertificates?$expand=sslCertificate"}
		if refuse {
			want = append(want, graphPrefix+"hosts/contoso.com/sslCertificates")
			for _, item := range list.Items {
				want = append(want, graphPrefix+"sslCertificates/"+item.SslCertificate.ID)
			}
		}
		slices.Sort(paths[min(2, len(paths)):]) // the certificates are read concurrently
		slices.Sort(want[min(2, len(want)):])
		if !slices.Equal(paths, want) {
			t.Errorf("refuse %v: requests %q, want %q", refuse, paths, want)
		}
	}
}

// Once Graph has refused the expansion, the client does not ask again: a
// fleet pays for the refusal once, not once per host.
func TestRefusedCertificateExpansionIsRemembered(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{RefuseSslCertificateExpand: true})
	c := newClient(t, testOptions(t, s))
	for range 2 {
		if _, err := c.ListHostSslCertificatesWithCertificates(context.Background(), "contoso.com", QueryOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var expanded int
	for _, r := range graphRequests(s) {
		if strings.Contains(r.RawQuery, "expand") {
			expanded++
		}
	}
	if expanded != 1 {
		t.Errorf("%d requests asked for the expansion; want the first alone", expanded)
	}
}

// A certificate the list names but Graph cannot find is an error of its
// own, not the host's 404, which would read as an unknown host.
func TestMissingListedCertificateIsNotAnUnknownHost(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{RefuseSslCertificateExpand: true})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteGet, Collection: fakegraph.CollectionSslCertificate,
		Kind: fakegraph.KindGraphError, Status: 404, Code: "itemNotFound", Times: -1})
	c := newClient(t, testOptions(t, s))
	_, err := c.ListHostSslCertificatesWithCertificates(context.Background(), "contoso.com", QueryOptions{})
	if err == nil || IsNotFound(err) || !strings.Contains(err.Error(), "listed for the host could not be read") || !strings.Contains(err.Error(), "itemNotFound") {
		t.Errorf("got %v; want an error naming the certificate and Graph's answer, not a 404 of the host", err)
	}
}
