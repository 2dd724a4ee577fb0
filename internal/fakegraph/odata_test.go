package fakegraph

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

const pagingPath = "/v1.0/security/threatIntelligence/hosts/" + SamplePagingHost + "/ports"

func portIDs(t *testing.T, values []json.RawMessage) []string {
	t.Helper()
	ids := make([]string, len(values))
	for i, v := range values {
		var p struct{ ID string }
		if err := json.Unmarshal(v, &p); err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	return ids
}

func TestPagingFollowsNextLinks(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	var ids []string
	link := s.URL() + pagingPath + "?$count=true&$select=id,port"
	var pages []page
	for link != "" {
		p := decodePage(t, getURL(t, s, link, tok))
		pages = append(pages, p)
		ids = append(ids, portIDs(t, p.Value)...)
		link = p.NextLink
	}
	if len(pages) != 3 || len(pages[0].Value) != 100 || len(pages[1].Value) != 100 || len(pages[2].Value) != 50 {
		t.Fatalf("pages: %d", len(pages))
	}
	if pages[0].Count == nil || *pages[0].Count != 250 || pages[1].Count != nil {
		t.Errorf("@odata.count must be on the first page only")
	}
	if got, want := ids, s.Data().PortIDs(SamplePagingHost); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged ids differ from the dataset order")
	}
	// nextLink keeps every original option verbatim and adds $skiptoken.
	next, err := url.Parse(pages[0].NextLink)
	if err != nil || next.Scheme+"://"+next.Host != s.URL() || next.EscapedPath() != pagingPath {
		t.Fatalf("nextLink %q", pages[0].NextLink)
	}
	if !strings.HasPrefix(next.RawQuery, "$count=true&$select=id,port&$skiptoken=") {
		t.Errorf("nextLink query %q", next.RawQuery)
	}
	// Each page is one request, fetched once.
	graphReqs := 0
	for _, r := range s.Requests() {
		if r.Origin == OriginGraph {
			graphReqs++
		}
	}
	if graphReqs != 3 || s.Stats().PagesServed != 3 {
		t.Errorf("requests %d, pages served %d; want 3 each", graphReqs, s.Stats().PagesServed)
	}
}

func TestTopSkipAndPageSize(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{PageSize: 4})
	tok := s.IssueToken(DefaultTenantID)
	all := s.Data().PortIDs("contoso.com")
	list := "/v1.0/security/threatIntelligence/hosts/contoso.com/ports"

	p := decodePage(t, get(t, s, list, tok))
	if got := portIDs(t, p.Value); strings.Join(got, ",") != strings.Join(all[:4], ",") || p.NextLink == "" {
		t.Fatalf("page size 4: %v next %q", got, p.NextLink)
	}
	p2 := decodePage(t, getURL(t, s, p.NextLink, tok))
	if got := portIDs(t, p2.Value); strings.Join(got, ",") != strings.Join(all[4:], ",") || p2.NextLink != "" {
		t.Fatalf("second page: %v next %q", got, p2.NextLink)
	}

	// $top below the page size sets the page size; paging continues.
	p = decodePage(t, get(t, s, list+"?$top=2", tok))
	if len(p.Value) != 2 || !strings.Contains(p.NextLink, "$top=2") {
		t.Fatalf("$top=2: %d items, next %q", len(p.Value), p.NextLink)
	}
	// $top above the page size is clamped to it.
	if p = decodePage(t, get(t, s, list+"?$top=999", tok)); len(p.Value) != 4 {
		t.Errorf("$top=999: %d items", len(p.Value))
	}
	// $skip offsets the first page.
	p = decodePage(t, get(t, s, list+"?$skip=5", tok))
	if got := portIDs(t, p.Value); strings.Join(got, ",") != strings.Join(all[5:], ",") || p.NextLink != "" {
		t.Errorf("$skip=5: %v", got)
	}
	// With $skip, following nextLink continues after the skipped items.
	p = decodePage(t, get(t, s, list+"?$skip=1", tok))
	p2 = decodePage(t, getURL(t, s, p.NextLink, tok))
	if got := append(portIDs(t, p.Value), portIDs(t, p2.Value)...); strings.Join(got, ",") != strings.Join(all[1:], ",") || p2.NextLink != "" {
		t.Errorf("$skip=1 across pages: %v", got)
	}
	if p = decodePage(t, get(t, s, list+"?$skip=50", tok)); len(p.Value) != 0 || p.NextLink != "" {
		t.Errorf("$skip beyond the end: %+v", p)
	}
	if p = decodePage(t, get(t, s, list+"?$top=0", tok)); len(p.Value) != 0 || p.NextLink != "" {
		t.Errorf("$top=0 must be an empty last page: %+v", p)
	}

	s.SetPageSize(100)
	if p = decodePage(t, get(t, s, list, tok)); len(p.Value) != 7 || p.NextLink != "" {
		t.Errorf("after SetPageSize(100): %d items", len(p.Value))
	}
}

func TestEmptyHostIsAnEmptyList(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	p := decodePage(t, get(t, s, "/v1.0/security/threatIntelligence/hosts/empty.example.org/ports?$count=true", s.IssueToken(DefaultTenantID)))
	if len(p.Value) != 0 || p.Count == nil || *p.Count != 0 || p.NextLink != "" {
		t.Errorf("%+v", p)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	p := decodePage(t, get(t, s, portsOf8888+"?$select=port,status,banners", tok))
	var m map[string]any
	if err := json.Unmarshal(p.Value[0], &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "banners,id,port,status" {
		t.Errorf("$select returned %v (id is always returned)", keys)
	}
	if !strings.HasSuffix(p.Context, "/ports(port,status,banners)") {
		t.Errorf("context %q", p.Context)
	}
	for _, bad := range []string{"host/id", "nope", "port,", "Port,host/id"} {
		expectError(t, get(t, s, portsOf8888+"?$select="+url.QueryEscape(bad), tok), 400, "BadRequest")
	}
}

func TestExpandCertificate(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	type cert struct {
		ID, Sha1, Fingerprint, SerialNumber string
		IssueDateTime, ExpirationDateTime   string
		FirstSeenDateTime, LastSeenDateTime string
		Issuer, Subject                     struct {
			CommonName, Email, GivenName, Surname                string
			OrganizationName, OrganizationUnitName, SerialNumber string
			AlternateNames                                       []string
			Address                                              struct{ Street, City, State, PostalCode, CountryOrRegion string }
		}
	}
	p := decodePage(t, get(t, s, portsOf8888+"?$expand=mostRecentSslCertificate", tok))
	var hp struct {
		MostRecentSslCertificate cert
		Host                     map[string]any
	}
	if err := json.Unmarshal(p.Value[0], &hp); err != nil {
		t.Fatal(err)
	}
	c := hp.MostRecentSslCertificate
	if c.ID == "" || c.Sha1 == "" || c.Fingerprint == "" || c.SerialNumber == "" || c.IssueDateTime == "" || c.ExpirationDateTime == "" ||
		c.FirstSeenDateTime == "" || c.LastSeenDateTime == "" || c.Issuer.CommonName == "" || c.Subject.CommonName != "dns.google" ||
		len(c.Subject.AlternateNames) == 0 || c.Subject.Email == "" || c.Subject.GivenName == "" || c.Subject.Surname == "" ||
		c.Subject.OrganizationName == "" || c.Subject.OrganizationUnitName == "" || c.Subject.SerialNumber == "" || c.Subject.Address.City != "Mountain View" ||
		c.Subject.Address.Street == "" || c.Subject.Address.State == "" || c.Subject.Address.PostalCode == "" || c.Subject.Address.CountryOrRegion != "US" {
		t.Errorf("expanded certificate incomplete: %+v", c)
	}
	if len(hp.Host) != 1 {
		t.Errorf("host stays a stub: %v", hp.Host)
	}
	// $expand also works on the single-port route, with $select.
	id := s.Data().PortIDs("8.8.8.8")[0]
	r := get(t, s, "/v1.0/security/threatIntelligence/hostPorts/"+url.PathEscape(id)+"?$select=mostRecentSslCertificate&$expand=mostRecentSslCertificate", tok)
	var one map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &one); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if len(one) != 3 || !strings.Contains(string(one["mostRecentSslCertificate"]), `"subject"`) {
		t.Errorf("single port with select+expand: %s", r.body)
	}
	for _, bad := range []string{"host", "*", "mostRecentSslCertificate($select=id)"} {
		expectError(t, get(t, s, portsOf8888+"?$expand="+url.QueryEscape(bad), tok), 400, "BadRequest")
	}
}

func TestUnsupportedOptionsAreRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	for _, q := range []string{
		"$filter=port%20eq%20443", "$orderby=port", "$search=%22nginx%22", "$format=json", "$TOP=-1",
		"$top=-1", "$top=abc", "$skip=-3", "$skip=1.5", "$count=yes", "$top=1&$top=2", "$skiptoken=forged",
	} {
		expectError(t, get(t, s, portsOf8888+"?"+q, tok), http.StatusBadRequest, "BadRequest")
	}
	id := url.PathEscape(s.Data().PortIDs("8.8.8.8")[0])
	for _, q := range []string{"$top=1", "$count=true", "$skip=1"} {
		expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hostPorts/"+id+"?"+q, tok), http.StatusBadRequest, "BadRequest")
	}
	// Option names are case-insensitive and custom (non-$) parameters are ignored.
	if p := decodePage(t, get(t, s, pagingPath+"?$TOP=3&trace=1", tok)); len(p.Value) != 3 {
		t.Errorf("$TOP=3: %d", len(p.Value))
	}
}
