package fakegraph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

const ti = "/v1.0/security/threatIntelligence"

// fixture reads one key of an embedded sample file, compacted: what the
// emulator must serve byte for byte.
func fixture(t *testing.T, host, key string) json.RawMessage {
	t.Helper()
	b, err := sampleFS.ReadFile("data/" + host + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	raw, ok := file[key]
	if !ok {
		t.Fatalf("%s.json has no %q", host, key)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fixtureItem is item i of a list key.
func fixtureItem(t *testing.T, host, key string, i int) json.RawMessage {
	t.Helper()
	var items []json.RawMessage
	if err := json.Unmarshal(fixture(t, host, key), &items); err != nil {
		t.Fatal(err)
	}
	return items[i]
}

// withoutContext strips @odata.context from a single-entity answer, leaving
// the entity's bytes.
func withoutContext(t *testing.T, r reply) (string, []byte) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var head struct {
		Context string `json:"@odata.context"`
	}
	if err := json.Unmarshal(r.body, &head); err != nil {
		t.Fatal(err)
	}
	prefix := `{"@odata.context":` + string(mustJSON(head.Context)) + `,`
	if !bytes.HasPrefix(r.body, []byte(prefix)) {
		t.Fatalf("@odata.context is not first: %s", r.body)
	}
	return head.Context, append([]byte("{"), r.body[len(prefix):]...)
}

// listBody is the "value" array of a list answer, as sent.
func listBody(t *testing.T, r reply) (page, []byte) {
	t.Helper()
	p := decodePage(t, r)
	var raw struct{ Value json.RawMessage }
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	return p, raw.Value
}

func TestEveryNewRouteServesTheFixtureByteForByte(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	certA := fixtureItem(t, "contoso.com", "sslCertificates", 0)
	var hc struct {
		ID             string
		SslCertificate json.RawMessage
	}
	if err := json.Unmarshal(certA, &hc); err != nil {
		t.Fatal(err)
	}
	var cert struct{ ID string }
	_ = json.Unmarshal(hc.SslCertificate, &cert)
	component := fixtureItem(t, "contoso.com", "components", 0)
	var comp struct{ ID string }
	_ = json.Unmarshal(component, &comp)

	singles := []struct {
		path    string
		context string
		want    json.RawMessage
	}{
		{ti + "/hosts/contoso.com", "hosts/$entity", fixture(t, "contoso.com", "host")},
		{ti + "/hosts/8.8.8.8", "hosts/$entity", fixture(t, "8.8.8.8", "host")},
		{ti + "/hosts/198.51.100.10", "hosts/$entity", fixture(t, "198.51.100.10", "host")},
		{ti + "/hosts/contoso.com/reputation", "hosts('contoso.com')/reputation/$entity", fixture(t, "contoso.com", "reputation")},
		{ti + "/hosts/8.8.8.8/reputation", "hosts('8.8.8.8')/reputation/$entity", fixture(t, "8.8.8.8", "reputation")},
		{ti + "/hosts/contoso.com/whois", "hosts('contoso.com')/whois/$entity", fixture(t, "contoso.com", "whois")},
		{ti + "/hostSslCertificates/" + url.PathEscape(hc.ID) + "?$expand=sslCertificate", "hostSslCertificates/$entity", certA},
		{ti + "/hostComponents/" + url.PathEscape(comp.ID), "hostComponents/$entity", component},
		{ti + "/sslCertificates/" + cert.ID, "sslCertificates/$entity", hc.SslCertificate},
		// A port's certificate is served by id too.
		{ti + "/sslCertificates/5e2b0c9f1a7d4e3b8c6f0a2d9e1b7c4f3a8d6e20", "sslCertificates/$entity", func() json.RawMessage {
			var p struct{ MostRecentSslCertificate json.RawMessage }
			_ = json.Unmarshal(fixtureItem(t, "contoso.com", "ports", 3), &p)
			return p.MostRecentSslCertificate
		}()},
		// A host without a "host" key gets a generated entity.
		{ti + "/hosts/" + SamplePagingHost, "hosts/$entity", json.RawMessage(`{"@odata.type":"#microsoft.graph.security.hostname","id":"scan.example.net"}`)},
	}
	for _, c := range singles {
		ctx, body := withoutContext(t, get(t, s, c.path, tok))
		if !bytes.Equal(body, c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.path, body, c.want)
		}
		if want := s.URL() + "/v1.0/$metadata#security/threatIntelligence/" + c.context; ctx != want {
			t.Errorf("%s: context %q, want %q", c.path, ctx, want)
		}
	}

	lists := []struct{ host, key, query string }{
		{"contoso.com", "sslCertificates", "?$expand=sslCertificate"},
		{"8.8.8.8", "sslCertificates", "?$expand=sslCertificate"},
		{"contoso.com", "components", ""},
		{"198.51.100.10", "components", ""},
		{"contoso.com", "subdomains", ""},
		{"contoso.com", "passiveDns", ""},
		{"contoso.com", "passiveDnsReverse", ""},
		{"8.8.8.8", "passiveDnsReverse", ""},
	}
	for _, c := range lists {
		p, value := listBody(t, get(t, s, ti+"/hosts/"+c.host+"/"+c.key+c.query, tok))
		if want := fixture(t, c.host, c.key); !bytes.Equal(value, want) {
			t.Errorf("%s %s:\n got %s\nwant %s", c.host, c.key, value, want)
		}
		if want := s.URL() + "/v1.0/$metadata#security/threatIntelligence/hosts('" + c.host + "')/" + c.key; p.Context != want || p.NextLink != "" || p.Count != nil {
			t.Errorf("%s %s: context %q next %q count %v", c.host, c.key, p.Context, p.NextLink, p.Count)
		}
	}
}

func TestSampleCollections(t *testing.T) {
	t.Parallel()
	d := SampleData()
	var contoso struct {
		Host struct {
			ODataType             string `json:"@odata.type"`
			Registrar, Registrant string
		}
		Reputation struct {
			Classification string
			Score          int
			Rules          []struct{ Severity string }
		}
		SslCertificates []struct {
			ID             string
			Ports          []struct{ Port int }
			SslCertificate struct{ ID, ExpirationDateTime string }
		}
		Components []struct{ Name, Version, Category string }
		Whois      struct {
			ExpirationDateTime, RawWhoisText                             string
			Abuse, Admin, Billing, Noc, Registrant, Registrar, Technical map[string]any
			Zone                                                         map[string]any
			Nameservers                                                  []struct{ Host struct{ ID string } }
		}
		Subdomains        []struct{ ID string }
		PassiveDNS        []struct{ RecordType string } `json:"passiveDns"`
		PassiveDNSReverse []struct{ RecordType string } `json:"passiveDnsReverse"`
	}
	b, _ := sampleFS.ReadFile("data/contoso.com.json")
	if err := json.Unmarshal(b, &contoso); err != nil {
		t.Fatal(err)
	}
	if contoso.Host.ODataType != "#microsoft.graph.security.hostname" || contoso.Host.Registrar != "MarkMonitor Inc." || contoso.Host.Registrant != "Contoso Ltd." {
		t.Errorf("contoso host %+v", contoso.Host)
	}
	if r := contoso.Reputation; r.Classification != "suspicious" || r.Score != 62 || len(r.Rules) != 2 || r.Rules[1].Severity != "high" {
		t.Errorf("contoso reputation %+v", r)
	}
	if c := contoso.SslCertificates; len(c) != 2 || c[0].SslCertificate.ExpirationDateTime != "2026-12-20T23:59:59Z" || len(c[0].Ports) != 2 || c[0].Ports[1].Port != 8443 ||
		c[1].SslCertificate.ExpirationDateTime != "2027-09-01T00:00:00Z" || len(c[1].Ports) != 1 || c[1].Ports[0].Port != 443 {
		t.Errorf("contoso certificates %+v", c)
	}
	if got := d.CollectionIDs("contoso.com", CollectionSslCertificates); !reflect.DeepEqual(got, []string{contoso.SslCertificates[0].ID, contoso.SslCertificates[1].ID}) {
		t.Errorf("CollectionIDs %v", got)
	}
	var names []string
	for _, c := range contoso.Components {
		names = append(names, c.Name+" "+c.Version+" "+c.Category)
	}
	if want := []string{"OpenSSH 7.4 Remote Access", "Apache HTTP Server 2.4.57 Server", "nginx 1.18.0 Server", "jQuery 1.12.4 Framework", "Microsoft IIS 10.0 Server"}; !reflect.DeepEqual(names, want) {
		t.Errorf("contoso components %q", names)
	}
	w := contoso.Whois
	if w.ExpirationDateTime != "2027-01-15T05:00:00Z" || strings.Count(w.RawWhoisText, "\n") < 5 || len(w.Nameservers) != 2 || w.Nameservers[0].Host.ID != "ns1.contoso.com" {
		t.Errorf("contoso whois %+v", w)
	}
	for _, c := range []map[string]any{w.Abuse, w.Admin, w.Billing, w.Noc, w.Registrant, w.Registrar, w.Technical, w.Zone} {
		if len(c) != 6 {
			t.Errorf("contact %v lacks some of email, name, organization, telephone, fax, address", c)
		}
	}
	if w.Abuse["name"] != nil || w.Zone["email"] != nil {
		t.Errorf("contacts have no null fields")
	}
	if len(contoso.Subdomains) != 3 || len(contoso.PassiveDNS) != 3 || contoso.PassiveDNS[0].RecordType != "A" || contoso.PassiveDNS[1].RecordType != "AAAA" ||
		contoso.PassiveDNS[2].RecordType != "MX" || len(contoso.PassiveDNSReverse) != 1 {
		t.Errorf("contoso subdomains %v, passive DNS %v %v", contoso.Subdomains, contoso.PassiveDNS, contoso.PassiveDNSReverse)
	}

	// 8.8.8.8's certificate is its port's, and its components its port's services.
	var port struct {
		MostRecentSslCertificate json.RawMessage
		Services                 []struct{ Component struct{ ID string } }
	}
	raw, _ := d.HostPortJSON(d.PortIDs("8.8.8.8")[0])
	if err := json.Unmarshal(raw, &port); err != nil {
		t.Fatal(err)
	}
	var google struct{ SslCertificate json.RawMessage }
	_ = json.Unmarshal(fixtureItem(t, "8.8.8.8", "sslCertificates", 0), &google)
	if !bytes.Equal(google.SslCertificate, port.MostRecentSslCertificate) {
		t.Errorf("8.8.8.8's certificate differs from its port's")
	}
	if got := d.CollectionIDs("8.8.8.8", CollectionComponents); !reflect.DeepEqual(got, []string{port.Services[0].Component.ID, port.Services[1].Component.ID}) {
		t.Errorf("8.8.8.8 components %v", got)
	}
	if ids := d.CollectionIDs("8.8.8.8", CollectionSubdomains); ids == nil || len(ids) != 0 {
		t.Errorf("8.8.8.8 subdomains %v, want empty", ids)
	}
	if _, ok := d.CollectionJSON("8.8.8.8", CollectionWhois); ok {
		t.Error("8.8.8.8 has a whois record")
	}
	if got := d.CollectionIDs(SamplePagingHost, CollectionSubdomains); len(got) != 250 || got[0] != "s001.scan.example.net" {
		t.Errorf("paging host subdomains: %d", len(got))
	}
	if d.CollectionIDs("nope", CollectionPorts) != nil || d.CollectionIDs("contoso.com", CollectionWhois) != nil {
		t.Error("CollectionIDs of an unknown host or a single entity")
	}
}

func TestSelectOnEveryRoute(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	d := s.Data()
	keys := func(raw []byte) string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		var k []string
		for name := range m {
			k = append(k, name)
		}
		sort.Strings(k)
		return strings.Join(k, ",")
	}
	singles := map[string]string{
		ti + "/hosts/contoso.com?$select=registrar":                                                                            "@odata.context,@odata.type,id,registrar",
		ti + "/hosts/8.8.8.8?$select=netblock,autonomousSystem":                                                                "@odata.context,@odata.type,autonomousSystem,id,netblock",
		ti + "/hosts/contoso.com/reputation?$select=score":                                                                     "@odata.context,id,score",
		ti + "/hosts/contoso.com/whois?$select=expirationDateTime,nameservers":                                                 "@odata.context,expirationDateTime,id,nameservers",
		ti + "/hostSslCertificates/" + url.PathEscape(d.CollectionIDs("contoso.com", "sslCertificates")[0]) + "?$select=ports": "@odata.context,id,ports",
		ti + "/hostComponents/" + url.PathEscape(d.CollectionIDs("contoso.com", "components")[0]) + "?$select=VERSION":         "@odata.context,id,version",
		ti + "/sslCertificates/a1c3e5f7092b4d6f8a0c2e4f6a8b0d2f4a6c8e01?$select=expirationDateTime,subject":                    "@odata.context,expirationDateTime,id,subject",
	}
	for path, want := range singles {
		r := get(t, s, path, tok)
		if r.status != 200 || keys(r.body) != want {
			t.Errorf("%s: %d %s, want keys %s", path, r.status, r.body, want)
		}
	}
	lists := map[string]string{
		ti + "/hosts/contoso.com/sslCertificates?$select=sslCertificate,host": "host,id,sslCertificate",
		ti + "/hosts/contoso.com/components?$select=name,category":            "category,id,name",
	}
	for path, want := range lists {
		p := decodePage(t, get(t, s, path, tok))
		sel, _ := url.ParseQuery(strings.SplitN(path, "?", 2)[1])
		if !strings.HasSuffix(p.Context, "("+sel.Get("$select")+")") {
			t.Errorf("%s: context %q", path, p.Context)
		}
		for _, v := range p.Value {
			if keys(v) != want {
				t.Errorf("%s: %s, want keys %s", path, v, want)
			}
		}
	}
	for _, path := range []string{
		ti + "/hosts/contoso.com?$select=ports",
		ti + "/hosts/contoso.com/reputation?$select=rules/name",
		ti + "/hosts/contoso.com/components?$select=nope",
		ti + "/hosts/contoso.com/subdomains?$select=id",
		ti + "/hosts/contoso.com/passiveDns?$select=id",
		ti + "/sslCertificates/a1c3e5f7092b4d6f8a0c2e4f6a8b0d2f4a6c8e01?$select=ports",
	} {
		expectError(t, get(t, s, path, tok), 400, "BadRequest")
	}
}

func TestSelectablePropertiesFollowTheTable(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		CollectionPorts:             "id,port,protocol,status,firstSeenDateTime,lastSeenDateTime,lastScanDateTime,timesObserved,banners,services,host,mostRecentSslCertificate",
		CollectionHost:              "id,firstSeenDateTime,lastSeenDateTime,registrar,registrant,autonomousSystem,countryOrRegion,hostingProvider,netblock",
		CollectionReputation:        "id,classification,score,rules",
		CollectionSslCertificates:   "id,firstSeenDateTime,lastSeenDateTime,ports,sslCertificate,host",
		CollectionSslCertificate:    "id,sha1,fingerprint,serialNumber,issueDateTime,expirationDateTime,firstSeenDateTime,lastSeenDateTime,issuer,subject",
		CollectionComponents:        "id,name,version,category,firstSeenDateTime,lastSeenDateTime",
		CollectionWhois:             "id,domainStatus,rawWhoisText,whoisServer,expirationDateTime,registrationDateTime,lastUpdateDateTime,firstSeenDateTime,lastSeenDateTime,abuse,admin,billing,noc,registrant,registrar,technical,zone,nameservers",
		CollectionSubdomains:        "id,firstSeenDateTime",
		CollectionPassiveDNS:        "id,collectedDateTime,firstSeenDateTime,lastSeenDateTime,recordType,artifact,parentHost",
		CollectionPassiveDNSReverse: "id,collectedDateTime,firstSeenDateTime,lastSeenDateTime,recordType,artifact,parentHost",
	}
	for name, props := range want {
		if got := strings.Join(SelectableProperties(name), ","); got != props {
			t.Errorf("%s: %s", name, got)
		}
	}
	if len(want) != len(collections) || SelectableProperties("nope") != nil || SelectableProperties("Ports") != nil {
		t.Error("SelectableProperties knows other names")
	}
	SelectableProperties(CollectionPorts)[0] = "changed"
	if SelectableProperties(CollectionPorts)[0] != "id" {
		t.Error("SelectableProperties hands out the table itself")
	}
}

func TestPagingAndCountOnOtherLists(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	path := ti + "/hosts/" + SamplePagingHost + "/subdomains"
	link := s.URL() + path + "?$top=90"
	var ids []string
	var pages []page
	for link != "" {
		p := decodePage(t, getURL(t, s, link, tok))
		pages = append(pages, p)
		ids = append(ids, portIDs(t, p.Value)...)
		link = p.NextLink
	}
	if len(pages) != 3 || len(pages[0].Value) != 90 || len(pages[2].Value) != 70 {
		t.Fatalf("%d pages", len(pages))
	}
	if !reflect.DeepEqual(ids, s.Data().CollectionIDs(SamplePagingHost, CollectionSubdomains)) {
		t.Error("paged subdomains differ from the dataset's")
	}
	next, _ := url.Parse(pages[0].NextLink)
	if next.EscapedPath() != path || !strings.HasPrefix(next.RawQuery, "$top=90&$skiptoken=") {
		t.Errorf("nextLink %q", pages[0].NextLink)
	}

	s.SetPageSize(2)
	p := decodePage(t, get(t, s, ti+"/hosts/contoso.com/components?$count=true&$skip=1", tok))
	if p.Count == nil || *p.Count != 5 || len(p.Value) != 2 || p.NextLink == "" {
		t.Fatalf("components page: %+v", p)
	}
	p2 := decodePage(t, getURL(t, s, p.NextLink, tok))
	if p2.Count != nil || len(p2.Value) != 2 || p2.NextLink != "" {
		t.Errorf("second page: %+v", p2)
	}
	if got := append(portIDs(t, p.Value), portIDs(t, p2.Value)...); !reflect.DeepEqual(got, s.Data().CollectionIDs("contoso.com", CollectionComponents)[1:]) {
		t.Errorf("$skip=1 across pages: %v", got)
	}
	p = decodePage(t, get(t, s, ti+"/hosts/contoso.com/sslCertificates?$count=true", tok))
	if p.Count == nil || *p.Count != 2 {
		t.Errorf("sslCertificates count %v", p.Count)
	}
	// A known host without the key: an empty list, counted 0.
	p = decodePage(t, get(t, s, ti+"/hosts/empty.example.org/components?$count=true", tok))
	if len(p.Value) != 0 || p.Count == nil || *p.Count != 0 || p.NextLink != "" {
		t.Errorf("empty components %+v", p)
	}
	for _, key := range []string{"sslCertificates", "subdomains", "passiveDns", "passiveDnsReverse"} {
		if p = decodePage(t, get(t, s, ti+"/hosts/empty.example.org/"+key, tok)); len(p.Value) != 0 || p.NextLink != "" {
			t.Errorf("empty %s %+v", key, p)
		}
	}
	// $count is a route of ports only.
	expectError(t, get(t, s, ti+"/hosts/contoso.com/components/$count", tok), 400, "BadRequest")
}

func TestOrderByOnCertificates(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	ids := s.Data().CollectionIDs("contoso.com", CollectionSslCertificates) // fixture order: first seen ascending
	list := ti + "/hosts/contoso.com/sslCertificates"
	for q, want := range map[string][]string{
		"$orderby=firstSeenDateTime":                                   ids,
		"$orderby=firstSeenDateTime%20asc":                             ids,
		"$orderby=FirstSeenDateTime+DESC":                              {ids[1], ids[0]},
		"$orderby=lastSeenDateTime%20desc,firstSeenDateTime%20desc":    {ids[1], ids[0]}, // last seen ties
		"$orderby=lastSeenDateTime&$select=id,lastSeenDateTime":        ids,
		"$orderby=firstSeenDateTime%20desc&$expand=sslCertificate":     {ids[1], ids[0]},
		"$orderby=firstSeenDateTime%20desc&$top=1&$count=true&$skip=0": {ids[1]},
	} {
		p := decodePage(t, get(t, s, list+"?"+q, tok))
		if got := portIDs(t, p.Value); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	// The order holds across pages: the nextLink carries $orderby.
	s.SetPageSize(1)
	p := decodePage(t, get(t, s, list+"?$orderby=firstSeenDateTime%20desc", tok))
	p2 := decodePage(t, getURL(t, s, p.NextLink, tok))
	if got := append(portIDs(t, p.Value), portIDs(t, p2.Value)...); !reflect.DeepEqual(got, []string{ids[1], ids[0]}) || !strings.Contains(p.NextLink, "$orderby=firstSeenDateTime%20desc&") {
		t.Errorf("paged order %v, nextLink %q", got, p.NextLink)
	}
	for _, bad := range []string{
		list + "?$orderby=id", list + "?$orderby=expirationDateTime", list + "?$orderby=firstSeenDateTime%20sideways",
		list + "?$orderby=firstSeenDateTime%20asc%20now", list + "?$orderby=", list + "?$orderby=sslCertificate/expirationDateTime",
		ti + "/hosts/contoso.com/components?$orderby=firstSeenDateTime", portsOf8888 + "?$orderby=lastSeenDateTime",
		ti + "/hostSslCertificates/" + url.PathEscape(ids[0]) + "?$orderby=firstSeenDateTime",
	} {
		expectError(t, get(t, s, bad, tok), 400, "BadRequest")
	}
}

func TestExpandCertificateOfHostCertificates(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	list := ti + "/hosts/contoso.com/sslCertificates"
	type hostCert struct {
		ID             string
		SslCertificate map[string]json.RawMessage
		Host           map[string]string
	}
	decode := func(raw json.RawMessage) hostCert {
		var c hostCert
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Without $expand: stubs, the certificate's id and the host's.
	p := decodePage(t, get(t, s, list, tok))
	for _, v := range p.Value {
		c := decode(v)
		if len(c.SslCertificate) != 1 || len(c.SslCertificate["id"]) < 10 || !reflect.DeepEqual(c.Host, map[string]string{"id": "contoso.com"}) {
			t.Errorf("unexpanded: %s", v)
		}
	}
	// With it: the whole certificate; the host stays a stub.
	p = decodePage(t, get(t, s, list+"?$expand=SSLCertificate", tok))
	for _, v := range p.Value {
		if c := decode(v); c.SslCertificate["expirationDateTime"] == nil || c.SslCertificate["subject"] == nil || len(c.Host) != 1 {
			t.Errorf("expanded: %s", v)
		}
	}
	id := url.PathEscape(s.Data().CollectionIDs("contoso.com", CollectionSslCertificates)[0])
	_, one := withoutContext(t, get(t, s, ti+"/hostSslCertificates/"+id, tok))
	if c := decode(one); len(c.SslCertificate) != 1 {
		t.Errorf("single unexpanded: %s", one)
	}
	for _, bad := range []string{list + "?$expand=host", list + "?$expand=*", ti + "/hostComponents/x?$expand=host", ti + "/sslCertificates/x?$expand=issuer", ti + "/hosts/contoso.com?$expand=reputation"} {
		expectError(t, get(t, s, bad, tok), 400, "BadRequest")
	}

	// Refused on request: 400 on both hostSslCertificate routes, the rest served.
	s.SetRefuseSslCertificateExpand(true)
	expectError(t, get(t, s, list+"?$expand=sslCertificate", tok), 400, "BadRequest")
	expectError(t, get(t, s, ti+"/hostSslCertificates/"+id+"?$select=id&$expand=sslCertificate", tok), 400, "BadRequest")
	decodePage(t, get(t, s, list, tok))
	withoutContext(t, get(t, s, ti+"/hostSslCertificates/"+id, tok))
	withoutContext(t, get(t, s, ti+"/sslCertificates/a1c3e5f7092b4d6f8a0c2e4f6a8b0d2f4a6c8e01", tok))
	decodePage(t, get(t, s, portsOf8888+"?$expand=mostRecentSslCertificate", tok))
	s.SetRefuseSslCertificateExpand(false)
	decodePage(t, get(t, s, list+"?$expand=sslCertificate", tok))

	refusing := startServer(t, Config{RefuseSslCertificateExpand: true})
	expectError(t, get(t, refusing, list+"?$expand=sslCertificate", refusing.IssueToken(DefaultTenantID)), 400, "BadRequest")
}

func TestNotFoundOnNewRoutes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	// An unknown host: 404 on every host route.
	for _, tail := range []string{"", "/ports", "/ports/$count", "/reputation", "/sslCertificates", "/components", "/whois", "/subdomains", "/passiveDns", "/passiveDnsReverse"} {
		e := expectError(t, get(t, s, ti+"/hosts/unknown.example"+tail, tok), 404, "itemNotFound")
		if !strings.Contains(e.Error.Message, "unknown.example") {
			t.Errorf("%s: message %q", tail, e.Error.Message)
		}
	}
	// A known host without the entity.
	for _, path := range []string{"/hosts/empty.example.org/reputation", "/hosts/empty.example.org/whois", "/hosts/8.8.8.8/whois", "/hosts/198.51.100.10/whois", "/hosts/scan.example.net/reputation"} {
		expectError(t, get(t, s, ti+path, tok), 404, "itemNotFound")
	}
	// Unknown ids; a host id is no hostSslCertificate id.
	for _, path := range []string{"/hostSslCertificates/bm9wZQ%3D%3D", "/hostComponents/nginx-1.18.0x", "/sslCertificates/nope", "/hostComponents/" + url.PathEscape(strings.ToLower(s.Data().CollectionIDs("contoso.com", CollectionComponents)[0]))} {
		expectError(t, get(t, s, ti+path, tok), 404, "itemNotFound")
	}
	// Ids are case-insensitive for hosts and in segment names, not in keys.
	withoutContext(t, get(t, s, ti+"/HOSTS/Contoso.COM/Reputation", tok))
	decodePage(t, get(t, s, "/beta/security/threatIntelligence/hosts/contoso.com/PassiveDNS", tok))
}

func TestUnknownOptionsOnNewRoutes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	comp := url.PathEscape(s.Data().CollectionIDs("contoso.com", CollectionComponents)[0])
	for _, path := range []string{
		"/hosts/contoso.com?$top=1", "/hosts/contoso.com?$count=true", "/hosts/contoso.com/reputation?$top=1",
		"/hosts/contoso.com/whois?$count=true", "/hosts/contoso.com/components?$expand=host",
		"/hosts/contoso.com/components?$filter=name%20eq%20'nginx'", "/hosts/contoso.com/subdomains?$count=true",
		"/hosts/contoso.com/passiveDns?$orderby=collectedDateTime", "/hosts/contoso.com/passiveDnsReverse?$search=x",
		"/hostComponents/" + comp + "?$top=1", "/sslCertificates/a1c3e5f7092b4d6f8a0c2e4f6a8b0d2f4a6c8e01?$count=true",
		"/hosts/contoso.com/sslCertificates?$top=-1", "/hosts/contoso.com/subdomains?$skiptoken=forged",
	} {
		expectError(t, get(t, s, ti+path, tok), 400, "BadRequest")
	}
	// Custom options are still ignored, option names case-insensitive.
	if p := decodePage(t, get(t, s, ti+"/hosts/contoso.com/subdomains?$TOP=1&trace=1", tok)); len(p.Value) != 1 {
		t.Errorf("$TOP=1: %d", len(p.Value))
	}
}

func TestListingWholeCollectionsIsRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	e := expectError(t, get(t, s, ti+"/hostPorts", tok), 400, "BadRequest")
	if e.Error.Message != "Listing every hostPort is not supported; list a host's ports with /security/threatIntelligence/hosts/{id}/ports." {
		t.Errorf("hostPorts message changed: %q", e.Error.Message)
	}
	for _, top := range []string{"hosts", "hostSslCertificates", "hostComponents", "sslCertificates", "subdomains", "passiveDnsRecords", "whoisRecords"} {
		e := expectError(t, get(t, s, ti+"/"+top, tok), 400, "BadRequest")
		if !strings.Contains(e.Error.Message, "not supported") {
			t.Errorf("%s: %q", top, e.Error.Message)
		}
	}
	for _, path := range []string{"/hosts/contoso.com/host", "/hosts/contoso.com/sslCertificate", "/subdomains/www.contoso.com", "/hosts/contoso.com/whois/history", "/hosts/contoso.com/reputation/$count"} {
		expectError(t, get(t, s, ti+path, tok), 400, "BadRequest")
	}
}

func TestFaultsOnNewRoutes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	status := func(path string) int { return get(t, s, ti+path, tok).status }

	// 403 on one host's reputation only.
	s.AddFault(Fault{Route: RouteGet, Collection: CollectionReputation, Host: "CONTOSO.com", Kind: KindGraphError, Status: 403, Code: "accessDenied", Times: -1})
	expectError(t, get(t, s, ti+"/hosts/contoso.com/reputation", tok), 403, "accessDenied")
	for _, path := range []string{"/hosts/8.8.8.8/reputation", "/hosts/contoso.com", "/hosts/contoso.com/whois", "/hosts/contoso.com/ports", "/hosts/contoso.com/components"} {
		if got := status(path); got != 200 {
			t.Errorf("%s: %d", path, got)
		}
	}
	s.ClearFaults()

	// Without a Collection, RouteList and RouteGet are ports' as they always were.
	s.AddFault(Fault{Route: RouteList, Kind: KindThrottle, Times: -1})
	s.AddFault(Fault{Route: RouteGet, Kind: KindThrottle, Times: -1})
	if status("/hosts/contoso.com/components") != 200 || status("/hosts/contoso.com") != 200 || status("/hostComponents/nginx-1.18.0") != 200 || status("/hosts/contoso.com/ports") != 429 {
		t.Error("ports faults reach other collections, or not ports")
	}
	s.ClearFaults()

	// RouteAny with a Collection: the list and the single-item route.
	s.AddFault(Fault{Collection: CollectionComponents, Kind: KindServiceUnavailable, Times: -1})
	if status("/hosts/8.8.8.8/components") != 503 || status("/hostComponents/nginx-1.18.0") != 503 || status("/hosts/8.8.8.8/ports") != 200 || status("/hosts/8.8.8.8/sslCertificates") != 200 {
		t.Error("RouteAny + components")
	}
	s.ClearFaults()

	// A single-item route by id matches the exact id; a list the host.
	certID := s.Data().CollectionIDs("contoso.com", CollectionSslCertificates)[1]
	s.AddFault(Fault{Route: RouteGet, Collection: CollectionSslCertificates, Host: certID, Kind: KindGraphError, Times: -1})
	s.AddFault(Fault{Route: RouteList, Collection: CollectionPassiveDNSReverse, Host: "8.8.8.8", Kind: KindTruncatedJSON})
	s.AddFault(Fault{Route: RouteList, Collection: CollectionSubdomains, Host: SamplePagingHost, Kind: KindForeignNextLink})
	if status("/hostSslCertificates/"+url.PathEscape(certID)) != 403 || status("/hostSslCertificates/"+url.PathEscape(strings.ToLower(certID))) != 404 ||
		status("/hostSslCertificates/"+url.PathEscape(s.Data().CollectionIDs("contoso.com", CollectionSslCertificates)[0])) != 200 {
		t.Error("RouteGet + sslCertificates by id")
	}
	if r := get(t, s, ti+"/hosts/contoso.com/passiveDnsReverse", tok); !json.Valid(r.body) {
		t.Error("the truncation hit another host")
	}
	if r := get(t, s, ti+"/hosts/8.8.8.8/passiveDnsReverse", tok); r.status != 200 || json.Valid(r.body) {
		t.Errorf("truncated: %d %s", r.status, r.body)
	}
	if p := decodePage(t, get(t, s, ti+"/hosts/"+SamplePagingHost+"/subdomains", tok)); !strings.HasPrefix(p.NextLink, s.ForeignURL()) {
		t.Errorf("nextLink fault on subdomains: %q", p.NextLink)
	}
	s.ClearFaults()

	// Throttling covers every route.
	s.ThrottleFor(time.Minute, "3")
	for _, path := range []string{"/hosts/contoso.com", "/hosts/contoso.com/whois", "/sslCertificates/nope", "/hosts/x/subdomains"} {
		if r := get(t, s, ti+path, tok); r.status != 429 || r.header.Get("Retry-After") != "3" {
			t.Errorf("%s: %d", path, r.status)
		}
	}

	// Faults that could never fire are a mistake of the test.
	for _, f := range []Fault{
		{Collection: "nope", Kind: KindThrottle},
		{Route: RouteCount, Collection: CollectionComponents, Kind: KindThrottle},
		{Route: RouteList, Collection: CollectionReputation, Kind: KindThrottle},
		{Route: RouteList, Collection: CollectionSslCertificate, Kind: KindThrottle},
		{Route: RouteGet, Collection: CollectionSubdomains, Kind: KindThrottle},
		{Route: RouteToken, Collection: CollectionPorts, Kind: KindThrottle},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddFault(%+v) did not panic", f)
				}
			}()
			s.AddFault(f)
		}()
	}
}

func TestRoundTripOfEveryCollection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	orig := SampleData()
	if err := orig.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range orig.Hosts() {
		for _, c := range collections {
			a, okA := orig.CollectionJSON(h, c.name)
			b, okB := loaded.CollectionJSON(h, c.name)
			if okA != okB || !bytes.Equal(a, b) {
				t.Errorf("%s %s: %v %s / %v %s", h, c.name, okA, a, okB, b)
			}
			for _, id := range orig.CollectionIDs(h, c.name) {
				if c.byID == "" {
					continue
				}
				a, _ := orig.EntityJSON(c.name, id)
				b, ok := loaded.EntityJSON(c.name, id)
				if !ok || !bytes.Equal(a, b) {
					t.Errorf("%s %s %s differs", h, c.name, id)
				}
			}
		}
	}
	if a, _ := orig.EntityJSON(CollectionSslCertificate, "a1c3e5f7092b4d6f8a0c2e4f6a8b0d2f4a6c8e01"); !bytes.Contains(a, []byte(`"expirationDateTime":"2026-12-20T23:59:59Z"`)) {
		t.Errorf("certificate by id: %s", a)
	}
	// The embedded files are in the format WriteDir writes: regenerate them
	// with `go run ./internal/fakegraph/cmd/fakegraph -write-data DIR`.
	written := readDir(t, dir)
	entries, _ := sampleFS.ReadDir("data")
	for _, e := range entries {
		b, _ := sampleFS.ReadFile("data/" + e.Name())
		if !bytes.Equal(b, written[e.Name()]) {
			t.Errorf("data/%s is not what WriteDir writes for it", e.Name())
		}
	}
	// The key order of a written file is the documented one.
	var order []string
	dec := json.NewDecoder(bytes.NewReader(written["contoso.com.json"]))
	_, _ = dec.Token()
	for dec.More() {
		tok, _ := dec.Token()
		key, ok := tok.(string)
		if !ok {
			t.Fatalf("a key of the written file is %v", tok)
		}
		order = append(order, key)
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	if got := strings.Join(order, ","); got != "hostId,host,ports,reputation,sslCertificates,components,whois,subdomains,passiveDns,passiveDnsReverse" {
		t.Errorf("key order %s", got)
	}
}

func TestFixtureErrors(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ content, mention string }{
		"old value key":          {`{"hostId":"a","value":[]}`, `"value"`},
		"unknown key":            {`{"hostId":"a","ports":[],"certificates":[]}`, `"certificates"`},
		"certificate key":        {`{"hostId":"a","sslCertificate":{"id":"x"}}`, `"sslCertificate"`},
		"repeated key":           {`{"hostId":"a","ports":[],"ports":[]}`, "repeated"},
		"host of another id":     {`{"hostId":"a","host":{"id":"b"}}`, `"b"`},
		"list not an array":      {`{"hostId":"a","components":{}}`, "components"},
		"component without id":   {`{"hostId":"a","components":[{"name":"x"}]}`, "id"},
		"reputation not object":  {`{"hostId":"a","reputation":[]}`, "reputation"},
		"certificate without id": {`{"hostId":"a","sslCertificates":[{"id":"c","sslCertificate":{"sha1":"x"}}]}`, "sslCertificate"},
		"host stub without id":   {`{"hostId":"a","sslCertificates":[{"id":"c","host":{}}]}`, "host"},
		"duplicate component":    {`{"hostId":"a","components":[{"id":"x"},{"id":"x"}]}`, `"x"`},
		"certificate conflict": {`{"hostId":"a","sslCertificates":[{"id":"c1","sslCertificate":{"id":"s","sha1":"1"}},{"id":"c2","sslCertificate":{"id":"s","sha1":"2"}}]}`,
			`"s"`},
		"trailing data": {`{"hostId":"a"} {}`, "after"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadDir(dir)
			if err == nil || !strings.Contains(err.Error(), c.mention) {
				t.Errorf("error %v, want one naming %s", err, c.mention)
			}
		})
	}

	// Ids that are routes are unique across hosts; a certificate may repeat
	// when written the same way.
	d := NewDataset()
	cert := `{"id":"s","sha1":"1"}`
	if err := d.AddHostJSON([]byte(`{"hostId":"a","sslCertificates":[{"id":"c1","sslCertificate":` + cert + `}],"components":[{"id":"k"}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := d.AddHostJSON([]byte(`{"hostId":"b","sslCertificates":[{"id":"c2","sslCertificate":` + cert + `}]}`)); err != nil {
		t.Errorf("the same certificate on a second host: %v", err)
	}
	for _, file := range []string{
		`{"hostId":"c","components":[{"id":"k"}]}`,
		`{"hostId":"c","sslCertificates":[{"id":"c1"}]}`,
		`{"hostId":"c","sslCertificates":[{"id":"c3","sslCertificate":{"id":"s","sha1":"2"}}]}`,
		`{"hostId":"A"}`,
	} {
		if err := d.AddHostJSON([]byte(file)); err == nil {
			t.Errorf("accepted %s", file)
		}
	}
	if got := d.Hosts(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("a refused host was added in part: %v", got)
	}
}

func TestAddHostCollectionsDefaults(t *testing.T) {
	t.Parallel()
	d := NewDataset()
	err := d.AddHostCollections("192.0.2.7", map[string]json.RawMessage{
		CollectionHost:            json.RawMessage(`{"netblock":"192.0.2.0/24"}`),
		CollectionSslCertificates: json.RawMessage(`[{"id":"hc","ports":[]}]`),
		CollectionReputation:      json.RawMessage(`{"id":"r","score":1}`),
		CollectionSubdomains:      json.RawMessage(`null`),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		CollectionHost:            `{"@odata.type":"#microsoft.graph.security.ipAddress","id":"192.0.2.7","netblock":"192.0.2.0/24"}`,
		CollectionSslCertificates: `[{"id":"hc","ports":[],"sslCertificate":null,"host":{"id":"192.0.2.7"}}]`,
		CollectionReputation:      `{"id":"r","score":1}`,
		CollectionSubdomains:      `[]`,
		CollectionPorts:           `[]`,
	}
	for key, w := range want {
		if got, ok := d.CollectionJSON("192.0.2.7", key); !ok || string(got) != w {
			t.Errorf("%s: %s, want %s", key, got, w)
		}
	}
	if _, ok := d.CollectionJSON("192.0.2.7", CollectionWhois); ok {
		t.Error("whois present")
	}
	if err := d.AddHost("host.example", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.CollectionJSON("host.example", CollectionHost); string(got) != `{"@odata.type":"#microsoft.graph.security.hostname","id":"host.example"}` {
		t.Errorf("generated host entity %s", got)
	}
	if err := d.AddHostCollections("x", map[string]json.RawMessage{"value": json.RawMessage(`[]`)}); err == nil || !strings.Contains(err.Error(), `"value"`) {
		t.Errorf("unknown collection: %v", err)
	}
}

func TestGenerateHosts(t *testing.T) {
	t.Parallel()
	opts := GenerateOptions{Hosts: 4, PortsPerHost: 5, Seed: 3, SslCertificatesPerHost: 2, ComponentsPerHost: 3}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for dir, o := range map[string]GenerateOptions{a: opts, b: opts, c: {Hosts: 4, PortsPerHost: 5, Seed: 4, SslCertificatesPerHost: 2, ComponentsPerHost: 3}} {
		if err := GenerateHosts(o).WriteDir(dir); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(readDir(t, a), readDir(t, b)) || reflect.DeepEqual(readDir(t, a), readDir(t, c)) {
		t.Error("GenerateHosts is not determined by its seed")
	}
	d, ports := GenerateHosts(opts), Generate(4, 5, 3)
	if !reflect.DeepEqual(d.Hosts(), ports.Hosts()) {
		t.Fatalf("hosts %v vs %v", d.Hosts(), ports.Hosts())
	}
	for _, h := range d.Hosts() {
		for _, id := range ports.PortIDs(h) {
			x, _ := d.HostPortJSON(id)
			y, _ := ports.HostPortJSON(id)
			if !bytes.Equal(x, y) {
				t.Fatalf("%s: port %s differs from Generate's", h, id)
			}
		}
		var host struct {
			ODataType        string `json:"@odata.type"`
			Registrar        string
			AutonomousSystem *struct{ Number int }
		}
		raw, _ := d.CollectionJSON(h, CollectionHost)
		_ = json.Unmarshal(raw, &host)
		_, hasWhois := d.CollectionJSON(h, CollectionWhois)
		_, hasReputation := d.CollectionJSON(h, CollectionReputation)
		isIP := strings.HasPrefix(h, "198.51.100.")
		if isIP != (host.ODataType == "#microsoft.graph.security.ipAddress") || isIP == (host.Registrar != "") || isIP != (host.AutonomousSystem != nil) || isIP == hasWhois || !hasReputation {
			t.Errorf("%s: host %s, whois %v", h, raw, hasWhois)
		}
		if len(d.CollectionIDs(h, CollectionSslCertificates)) != 2 || len(d.CollectionIDs(h, CollectionComponents)) != 3 {
			t.Errorf("%s: certificates %v components %v", h, d.CollectionIDs(h, CollectionSslCertificates), d.CollectionIDs(h, CollectionComponents))
		}
	}
	// Served like the sample: a generated certificate by id, expanded.
	s := startServer(t, Config{Data: d})
	tok := s.IssueToken(DefaultTenantID)
	id := d.CollectionIDs(d.Hosts()[0], CollectionSslCertificates)[0]
	_, body := withoutContext(t, get(t, s, ti+"/hostSslCertificates/"+url.PathEscape(id)+"?$expand=sslCertificate", tok))
	if want, _ := d.EntityJSON(CollectionSslCertificates, id); !bytes.Equal(body, want) {
		t.Errorf("served %s\nstored %s", body, want)
	}
	if none := GenerateHosts(GenerateOptions{Hosts: 1, Seed: 1}); none.CollectionIDs(none.Hosts()[0], CollectionComponents) == nil {
		t.Error("no components must be an empty list")
	}
}

func TestCertificateExpandStatus(t *testing.T) {
	t.Parallel()
	// Graph's 400 for a refused expansion is a BadRequest a client can tell
	// from a 404 or a 403: the fallback reads the certificate by id.
	s := startServer(t, Config{RefuseSslCertificateExpand: true})
	r := get(t, s, ti+"/hosts/8.8.8.8/sslCertificates?$expand=sslCertificate", s.IssueToken(DefaultTenantID))
	if r.status != http.StatusBadRequest || !strings.Contains(decodeError(t, r).Error.Message, "sslCertificate") {
		t.Errorf("%d %s", r.status, r.body)
	}
}
