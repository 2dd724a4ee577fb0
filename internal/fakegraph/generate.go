package fakegraph

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"sort"
	"strings"
	"time"
)

// Generate builds a deterministic synthetic dataset: the same arguments give
// byte-identical JSON, so benchmarks and golden tests are reproducible.
// Host ids alternate between names under example.com and TEST-NET addresses
// (198.51.100.x, then 203.0.113.x, then names under example.org once those
// run out). Banners are deliberately large (1-9 KB) so a 5,000-port host is
// tens of megabytes of JSON, the size at which a client's memory use and
// paging start to matter.
func Generate(hosts, portsPerHost int, seed int64) *Dataset {
	d := NewDataset()
	for i := 1; i <= hosts; i++ {
		id := generatedHostID(i)
		if err := d.addHost(hostInput{id: id, ports: generatePorts(id, portsPerHost, seed+int64(i))}); err != nil {
			panic("fakegraph: generator produced an invalid host: " + err.Error())
		}
	}
	return d
}

func generatedHostID(i int) string {
	if i%2 == 1 {
		return fmt.Sprintf("h%04d.example.com", i)
	}
	j := i / 2
	switch {
	case j <= 254:
		return fmt.Sprintf("198.51.100.%d", j)
	case j <= 508:
		return fmt.Sprintf("203.0.113.%d", j-254)
	default:
		return fmt.Sprintf("h%04d.example.org", i)
	}
}

// The generator's JSON shapes. They exist only to marshal; the server never
// decodes them, so a mistake here shows up as a client-visible fixture.
type (
	genBanner struct {
		Banner        string `json:"banner"`
		FirstSeen     string `json:"firstSeenDateTime"`
		LastSeen      string `json:"lastSeenDateTime"`
		ScanProtocol  string `json:"scanProtocol"`
		TimesObserved int    `json:"timesObserved"`
	}
	genComponent struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Version   string `json:"version"`
		Category  string `json:"category"`
		FirstSeen string `json:"firstSeenDateTime,omitempty"`
		LastSeen  string `json:"lastSeenDateTime,omitempty"`
	}
	genService struct {
		FirstSeen string       `json:"firstSeenDateTime"`
		LastSeen  string       `json:"lastSeenDateTime"`
		IsRecent  bool         `json:"isRecent"`
		Component genComponent `json:"component"`
	}
	genAddress struct {
		Street          string `json:"street"`
		City            string `json:"city"`
		State           string `json:"state"`
		PostalCode      string `json:"postalCode"`
		CountryOrRegion string `json:"countryOrRegion"`
	}
	genEntity struct {
		CommonName           string     `json:"commonName"`
		AlternateNames       []string   `json:"alternateNames"`
		Email                string     `json:"email"`
		GivenName            string     `json:"givenName"`
		Surname              string     `json:"surname"`
		OrganizationName     string     `json:"organizationName"`
		OrganizationUnitName string     `json:"organizationUnitName"`
		SerialNumber         string     `json:"serialNumber"`
		Address              genAddress `json:"address"`
	}
	genCertificate struct {
		ID                 string    `json:"id"`
		Sha1               string    `json:"sha1"`
		Fingerprint        string    `json:"fingerprint"`
		SerialNumber       string    `json:"serialNumber"`
		IssueDateTime      string    `json:"issueDateTime"`
		ExpirationDateTime string    `json:"expirationDateTime"`
		FirstSeen          string    `json:"firstSeenDateTime"`
		LastSeen           string    `json:"lastSeenDateTime"`
		Issuer             genEntity `json:"issuer"`
		Subject            genEntity `json:"subject"`
	}
)

var (
	wellKnownPorts = []int{80, 443, 22, 21, 25, 53, 3389, 8080, 8443, 110, 143, 993, 995, 3306, 5432, 1433, 6379, 27017, 23, 161}
	genComponents  = []genComponent{
		{Name: "nginx", Version: "1.18.0", Category: "Server"},
		{Name: "nginx", Version: "1.25.3", Category: "Server"},
		{Name: "Apache HTTP Server", Version: "2.4.57", Category: "Server"},
		{Name: "Microsoft IIS", Version: "10.0", Category: "Server"},
		{Name: "OpenSSH", Version: "8.9p1", Category: "Remote Access"},
		{Name: "Remote Desktop Protocol", Version: "", Category: "Remote Access"},
		{Name: "Ubuntu", Version: "22.04", Category: "Operating System"},
		{Name: "Windows Server", Version: "2019", Category: "Operating System"},
		{Name: "PHP", Version: "8.1.2", Category: "Framework"},
		{Name: "jQuery", Version: "3.6.0", Category: "Framework"},
		{Name: "scaffolding on HTTPServer2", Version: "", Category: "Server"},
	}
	scanProtocols = []string{"http_raw", "http_raw", "telnet", "ssh", "ftp", "smtp"}
	words         = strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua contoso fabrikam northwind tailspin woodgrove litware proseware adventure works")
	cities        = []genAddress{
		{Street: "1 Microsoft Way", City: "Redmond", State: "WA", PostalCode: "98052", CountryOrRegion: "US"},
		{Street: "10 Downing Street", City: "London", State: "", PostalCode: "SW1A 2AA", CountryOrRegion: "GB"},
		{Street: "Unter den Linden 1", City: "Berlin", State: "Berlin", PostalCode: "10117", CountryOrRegion: "DE"},
		{Street: "", City: "Sydney", State: "NSW", PostalCode: "2000", CountryOrRegion: "AU"},
	}
	// Graph's timestamps vary in fractional digits; clients must accept all.
	timeLayouts = []string{"2006-01-02T15:04:05Z", "2006-01-02T15:04:05.00Z", "2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05.0000000Z"}
	genEpoch    = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
)

// fillerText is banner padding: 16 KB of words in an order fixed at start-up.
var fillerText = func() string {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < 16<<10 {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.String()
}()

type generator struct {
	r      *rand.Rand
	hostID string
}

func (g *generator) pick(n int) int { return g.r.IntN(n) }

func (g *generator) stamp(t time.Time) string {
	return t.UTC().Format(timeLayouts[g.pick(len(timeLayouts))])
}

// span returns an ordered (first, last) pair inside 2016..2023.
func (g *generator) span() (time.Time, time.Time) {
	first := genEpoch.Add(time.Duration(g.r.Int64N(int64(6 * 365 * 24 * time.Hour)))).Add(time.Duration(g.pick(1000)) * time.Millisecond)
	last := first.Add(time.Duration(g.r.Int64N(int64(2 * 365 * 24 * time.Hour)))).Add(time.Duration(g.pick(1000)) * time.Millisecond)
	return first, last
}

func generatePorts(hostID string, n int, seed int64) []*entity {
	g := &generator{r: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)), hostID: hostID}
	numbers := g.portNumbers(n)
	out := make([]*entity, n)
	for i, num := range numbers {
		out[i] = g.port(num)
	}
	return out
}

// portNumbers picks n distinct ports, well-known ones first, in ascending
// order (what a scan report looks like).
func (g *generator) portNumbers(n int) []int {
	seen := make(map[int]bool, n)
	var nums []int
	for _, p := range wellKnownPorts {
		if len(nums) == n {
			break
		}
		if g.pick(3) > 0 {
			seen[p] = true
			nums = append(nums, p)
		}
	}
	for len(nums) < n && len(nums) < 65535 {
		p := 1 + g.pick(65535)
		if !seen[p] {
			seen[p] = true
			nums = append(nums, p)
		}
	}
	sort.Ints(nums)
	return nums
}

func (g *generator) port(num int) *entity {
	protocol := "tcp"
	if g.pick(5) == 0 {
		protocol = "udp"
	}
	status := "open"
	switch r := g.pick(20); {
	case r < 3:
		status = "filtered"
	case r == 3:
		status = "closed"
	}
	first, last := g.span()
	scan := last.Add(time.Duration(g.pick(3600)) * time.Second)
	id := base64.StdEncoding.EncodeToString([]byte(g.hostID + "$$" + fmt.Sprint(num)))
	p := &entity{id: id}
	add := func(name string, v any) { p.props = append(p.props, newProperty(name, mustJSON(v))) }
	add(propID, id)
	add("port", num)
	add("protocol", protocol)
	add("status", status)
	add("firstSeenDateTime", g.stamp(first))
	add("lastSeenDateTime", g.stamp(last))
	add("lastScanDateTime", g.stamp(scan))
	add("timesObserved", 1+g.pick(20000))
	banners := make([]genBanner, g.pick(4))
	for i := range banners {
		banners[i] = g.banner(num)
	}
	add("banners", banners)
	services := make([]genService, g.pick(4))
	for i := range services {
		services[i] = g.service()
	}
	add("services", services)
	add(propHost, map[string]string{"id": g.hostID})
	if g.pick(2) == 0 {
		cert := g.certificate()
		add(propCertificate, cert)
		p.props[len(p.props)-1].stub = stubOf(cert.ID)
	} else {
		add(propCertificate, nil)
	}
	return p
}

func (g *generator) banner(port int) genBanner {
	first, last := g.span()
	proto := scanProtocols[g.pick(len(scanProtocols))]
	var b strings.Builder
	switch proto {
	case "http_raw":
		fmt.Fprintf(&b, "HTTP/1.1 %s\r\nServer: nginx\r\nDate: %s\r\nContent-Type: text/html; charset=utf-8\r\nConnection: keep-alive\r\nX-Port: %d\r\n\r\n<html><body><p>",
			[]string{"200 OK", "302 Found", "403 Forbidden", "404 Not Found"}[g.pick(4)], last.Format(time.RFC1123), port)
	case "telnet":
		// Telnet banners carry control bytes; JSON must escape them.
		b.WriteString("\xff\xfb\x01\x1b[0mlogin banner \u00e9t\u00e9\r\n")
	case "ssh":
		b.WriteString("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n")
	default:
		fmt.Fprintf(&b, "220 %s ready\r\n", g.hostID)
	}
	// One window of a fixed text instead of word-by-word choices: generating
	// tens of megabytes stays fast, and the output is still seed-determined.
	if fill := 1000 + g.pick(8000) - b.Len(); fill > 0 {
		off := g.pick(len(fillerText) - fill)
		b.WriteString(fillerText[off : off+fill])
	}
	return genBanner{Banner: strings.ToValidUTF8(b.String(), "\ufffd"), FirstSeen: g.stamp(first), LastSeen: g.stamp(last), ScanProtocol: proto, TimesObserved: 1 + g.pick(5000)}
}

func (g *generator) service() genService {
	c := genComponents[g.pick(len(genComponents))]
	c.ID = fmt.Sprintf("%s-%d", strings.ReplaceAll(strings.ToLower(c.Name), " ", "-"), g.pick(1_000_000))
	first, last := g.span()
	if g.pick(2) == 0 {
		c.FirstSeen, c.LastSeen = g.stamp(first), g.stamp(last)
	}
	return genService{FirstSeen: g.stamp(first), LastSeen: g.stamp(last), IsRecent: g.pick(2) == 0, Component: c}
}

func (g *generator) certificate() genCertificate {
	seed := fmt.Sprint(g.hostID, g.r.Uint64())
	s1 := sha1.Sum([]byte(seed))
	s256 := sha256.Sum256([]byte(seed))
	issued, seen := g.span()
	serial := fmt.Sprintf("%X", g.r.Uint64())
	entity := func(cn string) genEntity {
		return genEntity{
			CommonName:           cn,
			AlternateNames:       []string{cn, "www." + cn},
			Email:                "hostmaster@" + cn,
			GivenName:            "Avery",
			Surname:              "Example",
			OrganizationName:     "Example Org " + fmt.Sprint(g.pick(100)),
			OrganizationUnitName: "IT",
			SerialNumber:         fmt.Sprint(g.pick(1_000_000)),
			Address:              cities[g.pick(len(cities))],
		}
	}
	return genCertificate{
		ID:                 hex.EncodeToString(s1[:]),
		Sha1:               hex.EncodeToString(s1[:]),
		Fingerprint:        hex.EncodeToString(s256[:]),
		SerialNumber:       serial,
		IssueDateTime:      g.stamp(issued),
		ExpirationDateTime: g.stamp(issued.AddDate(1, 0, 0)),
		FirstSeen:          g.stamp(issued.Add(time.Hour)),
		LastSeen:           g.stamp(seen),
		Issuer:             entity("ca.example.net"),
		Subject:            entity(strings.Trim(g.hostID, ".")),
	}
}

// GenerateOptions says what GenerateHosts builds.
type GenerateOptions struct {
	Hosts        int   // how many hosts, named as Generate names them
	PortsPerHost int   // ports per host, exactly as Generate builds them
	Seed         int64 // the same options give byte-identical data
	// SslCertificatesPerHost and ComponentsPerHost are the length of each
	// host's sslCertificates and components lists; 0 leaves the key out
	// (an empty list).
	SslCertificatesPerHost int
	ComponentsPerHost      int
}

// GenerateHosts is Generate with the rest of a host: for every host its
// entity (a hostname or an ipAddress with the subtype's properties), a
// reputation, certificates (each with its sslCertificate expanded and the
// ports it was seen on), components, and for hostnames a WHOIS record, all
// deterministic from the seed. The ports are Generate's, byte for byte:
// the other collections draw from a random stream of their own. Ids that
// are routes (hostSslCertificate, hostComponent) carry the host id, so they
// are unique across the dataset.
func GenerateHosts(o GenerateOptions) *Dataset {
	d := NewDataset()
	for i := 1; i <= o.Hosts; i++ {
		id := generatedHostID(i)
		in := hostInput{id: id, ports: generatePorts(id, o.PortsPerHost, o.Seed+int64(i))}
		g := &generator{r: rand.New(rand.NewPCG(uint64(o.Seed+int64(i)), 0x6a09e667f3bcc909)), hostID: id}
		in.hostEntity = g.entity(hostCollection, g.hostEntity())
		in.builtSingle = map[string]*entity{CollectionReputation: g.entity(collectionNamed(CollectionReputation), g.reputation())}
		if net.ParseIP(id) == nil {
			in.builtSingle[CollectionWhois] = g.entity(collectionNamed(CollectionWhois), g.whois())
		}
		in.built = map[string][]*entity{}
		if o.SslCertificatesPerHost > 0 {
			for range o.SslCertificatesPerHost {
				in.built[CollectionSslCertificates] = append(in.built[CollectionSslCertificates], g.entity(hostCertsCollection, g.hostCertificate()))
			}
		}
		if o.ComponentsPerHost > 0 {
			for n := range o.ComponentsPerHost {
				in.built[CollectionComponents] = append(in.built[CollectionComponents], g.entity(collectionNamed(CollectionComponents), g.hostComponent(n)))
			}
		}
		if err := d.addHost(in); err != nil {
			panic("fakegraph: generator produced an invalid host: " + err.Error())
		}
	}
	return d
}

// entity stores a generated value the way a fixture's is stored.
func (g *generator) entity(c *collection, v any) *entity {
	e, err := parseEntity(c, g.hostID, mustJSON(v))
	if err != nil {
		panic("fakegraph: generator produced an invalid " + c.entityType + ": " + err.Error())
	}
	return e
}

// The JSON shapes of the other collections, in Graph's property order.
type (
	genHostname struct {
		ODataType  string `json:"@odata.type"`
		ID         string `json:"id"`
		FirstSeen  string `json:"firstSeenDateTime"`
		LastSeen   string `json:"lastSeenDateTime"`
		Registrar  string `json:"registrar"`
		Registrant string `json:"registrant"`
	}
	genAutonomousSystem struct {
		Name         string `json:"name"`
		Number       int    `json:"number"`
		Organization string `json:"organization"`
		Value        string `json:"value"`
	}
	genIPAddress struct {
		ODataType        string              `json:"@odata.type"`
		ID               string              `json:"id"`
		FirstSeen        string              `json:"firstSeenDateTime"`
		LastSeen         string              `json:"lastSeenDateTime"`
		AutonomousSystem genAutonomousSystem `json:"autonomousSystem"`
		CountryOrRegion  string              `json:"countryOrRegion"`
		HostingProvider  string              `json:"hostingProvider"`
		Netblock         string              `json:"netblock"`
	}
	genRule struct {
		Name              string `json:"name"`
		Description       string `json:"description"`
		Severity          string `json:"severity"`
		RelatedDetailsURL string `json:"relatedDetailsUrl"`
	}
	genReputation struct {
		ID             string    `json:"id"`
		Classification string    `json:"classification"`
		Score          int       `json:"score"`
		Rules          []genRule `json:"rules"`
	}
	genCertPort struct {
		Port      int    `json:"port"`
		FirstSeen string `json:"firstSeenDateTime"`
		LastSeen  string `json:"lastSeenDateTime"`
	}
	genHostCertificate struct {
		ID             string            `json:"id"`
		FirstSeen      string            `json:"firstSeenDateTime"`
		LastSeen       string            `json:"lastSeenDateTime"`
		Ports          []genCertPort     `json:"ports"`
		SslCertificate genCertificate    `json:"sslCertificate"`
		Host           map[string]string `json:"host"`
	}
	genHostComponent struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Version   string `json:"version"`
		Category  string `json:"category"`
		FirstSeen string `json:"firstSeenDateTime"`
		LastSeen  string `json:"lastSeenDateTime"`
	}
	genContact struct {
		Email        string      `json:"email"`
		Name         string      `json:"name"`
		Organization string      `json:"organization"`
		Telephone    string      `json:"telephone"`
		Fax          *string     `json:"fax"`
		Address      *genAddress `json:"address"`
	}
	genNameserver struct {
		FirstSeen string            `json:"firstSeenDateTime"`
		LastSeen  string            `json:"lastSeenDateTime"`
		Host      map[string]string `json:"host"`
	}
	genWhois struct {
		ID           string          `json:"id"`
		DomainStatus string          `json:"domainStatus"`
		RawWhoisText string          `json:"rawWhoisText"`
		WhoisServer  string          `json:"whoisServer"`
		Expiration   string          `json:"expirationDateTime"`
		Registration string          `json:"registrationDateTime"`
		LastUpdate   string          `json:"lastUpdateDateTime"`
		FirstSeen    string          `json:"firstSeenDateTime"`
		LastSeen     string          `json:"lastSeenDateTime"`
		Abuse        genContact      `json:"abuse"`
		Admin        genContact      `json:"admin"`
		Billing      genContact      `json:"billing"`
		Noc          genContact      `json:"noc"`
		Registrant   genContact      `json:"registrant"`
		Registrar    genContact      `json:"registrar"`
		Technical    genContact      `json:"technical"`
		Zone         genContact      `json:"zone"`
		Nameservers  []genNameserver `json:"nameservers"`
	}
	genSubdomain struct {
		ID        string `json:"id"`
		FirstSeen string `json:"firstSeenDateTime"`
	}
)

var (
	registrars      = []string{"MarkMonitor Inc.", "CSC Corporate Domains, Inc.", "GoDaddy.com, LLC", "Namecheap, Inc."}
	classifications = []string{"unknown", "neutral", "suspicious", "malicious"}
	severities      = []string{"low", "medium", "high"}
	ruleNames       = []string{"Recently registered domain", "Known phishing infrastructure", "Open proxy", "Malware download observed", "Suspicious certificate reuse", "Command and control"}
	countries       = []string{"US", "GB", "DE", "AU", "NL", "JP"}
)

func (g *generator) hostEntity() any {
	first, last := g.span()
	if ip := net.ParseIP(g.hostID).To4(); ip != nil {
		asn := 64496 + g.pick(16) // the ASNs reserved for documentation
		return genIPAddress{
			ODataType: "#microsoft.graph.security.ipAddress", ID: g.hostID,
			FirstSeen: g.stamp(first), LastSeen: g.stamp(last),
			AutonomousSystem: genAutonomousSystem{Name: fmt.Sprintf("EXAMPLE-AS-%d", asn), Number: asn, Organization: fmt.Sprintf("Example Network %d", asn), Value: fmt.Sprintf("AS%d", asn)},
			CountryOrRegion:  countries[g.pick(len(countries))],
			HostingProvider:  fmt.Sprintf("Example Hosting %d", g.pick(10)),
			Netblock:         fmt.Sprintf("%d.%d.%d.0/24", ip[0], ip[1], ip[2]),
		}
	}
	return genHostname{
		ODataType: "#microsoft.graph.security.hostname", ID: g.hostID,
		FirstSeen: g.stamp(first), LastSeen: g.stamp(last),
		Registrar: registrars[g.pick(len(registrars))], Registrant: fmt.Sprintf("Example Org %d", g.pick(100)),
	}
}

func (g *generator) reputation() genReputation {
	r := genReputation{ID: g.hostID, Classification: classifications[g.pick(len(classifications))], Rules: []genRule{}}
	switch r.Classification {
	case "neutral":
		r.Score = g.pick(20)
	case "suspicious":
		r.Score = 40 + g.pick(40)
	case "malicious":
		r.Score = 80 + g.pick(21)
	}
	if r.Classification == "suspicious" || r.Classification == "malicious" {
		for range 1 + g.pick(3) {
			name := ruleNames[g.pick(len(ruleNames))]
			r.Rules = append(r.Rules, genRule{
				Name: name, Description: name + " for " + g.hostID + ".",
				Severity:          severities[g.pick(len(severities))],
				RelatedDetailsURL: "https://ti.example.net/articles/" + strings.ReplaceAll(strings.ToLower(name), " ", "-"),
			})
		}
	}
	return r
}

func (g *generator) hostCertificate() genHostCertificate {
	cert := g.certificate()
	first, last := g.span()
	c := genHostCertificate{
		ID:        base64.StdEncoding.EncodeToString([]byte(g.hostID + "$$" + cert.ID)),
		FirstSeen: g.stamp(first), LastSeen: g.stamp(last),
		SslCertificate: cert,
		Host:           map[string]string{"id": g.hostID},
	}
	for _, port := range []int{443, 8443, 993, 636}[:1+g.pick(2)] {
		f, l := g.span()
		c.Ports = append(c.Ports, genCertPort{Port: port, FirstSeen: g.stamp(f), LastSeen: g.stamp(l)})
	}
	return c
}

func (g *generator) hostComponent(n int) genHostComponent {
	c := genComponents[g.pick(len(genComponents))]
	first, last := g.span()
	return genHostComponent{
		ID:   base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s$$%s$$%s$$%d", g.hostID, c.Name, c.Version, n))),
		Name: c.Name, Version: c.Version, Category: c.Category,
		FirstSeen: g.stamp(first), LastSeen: g.stamp(last),
	}
}

func (g *generator) whois() genWhois {
	first, last := g.span()
	registered := first.AddDate(-g.pick(10), 0, 0)
	expires := last.AddDate(1+g.pick(3), 0, 0)
	registrar := registrars[g.pick(len(registrars))]
	org := fmt.Sprintf("Example Org %d", g.pick(100))
	addr := cities[g.pick(len(cities))]
	contact := func(role string) genContact {
		return genContact{Email: role + "@" + g.hostID, Name: strings.ToUpper(role[:1]) + role[1:] + " Contact", Organization: org, Telephone: "+1.4255550100", Address: &addr}
	}
	w := genWhois{
		ID:           base64.StdEncoding.EncodeToString([]byte("whois$$" + g.hostID)),
		DomainStatus: "clientTransferProhibited",
		WhoisServer:  "whois.example.net",
		Expiration:   g.stamp(expires), Registration: g.stamp(registered), LastUpdate: g.stamp(last),
		FirstSeen: g.stamp(first), LastSeen: g.stamp(last),
		Abuse: genContact{Email: "abuse@registrar.example", Organization: registrar, Telephone: "+1.4255550199"},
		Admin: contact("admin"), Billing: contact("billing"), Noc: contact("noc"),
		Registrant: contact("registrant"),
		Registrar:  genContact{Name: registrar, Organization: registrar, Email: "registrar@registrar.example", Telephone: "+1.4255550199"},
		Technical:  contact("technical"), Zone: contact("zone"),
	}
	w.RawWhoisText = fmt.Sprintf("Domain Name: %s\nRegistrar: %s\nCreation Date: %s\nRegistry Expiry Date: %s\nRegistrant Organization: %s\n",
		strings.ToUpper(g.hostID), registrar, w.Registration, w.Expiration, org)
	for n := 1; n <= 2; n++ {
		w.Nameservers = append(w.Nameservers, genNameserver{FirstSeen: w.FirstSeen, LastSeen: w.LastSeen, Host: map[string]string{"id": fmt.Sprintf("ns%d.%s", n, g.hostID)}})
	}
	return w
}

// generateSubdomains lists n subdomains of hostID, one a day from 2020 on:
// the sample paging host's second paged list.
func generateSubdomains(hostID string, n int) []*entity {
	g := &generator{hostID: hostID}
	out := make([]*entity, n)
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = g.entity(collectionNamed(CollectionSubdomains), genSubdomain{
			ID:        fmt.Sprintf("s%03d.%s", i+1, hostID),
			FirstSeen: day.AddDate(0, 0, i).Format(time.RFC3339),
		})
	}
	return out
}
