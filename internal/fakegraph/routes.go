package fakegraph

import "slices"

// Collection names: Graph's navigation names of a host, which are also the
// keys of a fixture file, the values of Fault.Collection and the keys of
// SelectableProperties. CollectionHost is the host itself and
// CollectionSslCertificate the certificate a hostSslCertificate points to.
const (
	CollectionPorts             = "ports"
	CollectionHost              = "host"
	CollectionReputation        = "reputation"
	CollectionSslCertificates   = "sslCertificates"
	CollectionSslCertificate    = "sslCertificate"
	CollectionComponents        = "components"
	CollectionWhois             = "whois"
	CollectionSubdomains        = "subdomains"
	CollectionPassiveDNS        = "passiveDns"
	CollectionPassiveDNSReverse = "passiveDnsReverse"
)

// collection is one row of the route table: everything the emulator knows
// about one kind of entity a host has, from the routes serving it to the
// options they accept. Handlers, the option parser, the fixture reader and
// writer and the fault matcher all read this table; none of them names a
// collection except where a row says how its entities are checked.
type collection struct {
	// name is the Graph navigation name: the fixture key and the segment
	// under /hosts/{id} (the host itself has none).
	name string
	// entityType is the entity's type in microsoft.graph.security, for
	// messages.
	entityType string
	// list: /hosts/{id}/{name} is a paged list; otherwise the host holds at
	// most one such entity.
	list bool
	// underHost: served under /hosts/{id}; false for an entity only reached
	// by id (the certificate).
	underHost bool
	// options are the OData options of the route under the host.
	options map[string]bool
	// byID is the top-level segment of the single-item route
	// (/{byID}/{id}), "" when there is none; byIDOptions its options.
	byID        string
	byIDOptions map[string]bool
	// topLevel is the top-level collection whose listing Graph documents as
	// not supported, when it is not byID (listing that is refused too).
	topLevel string
	// selectable are the property names $select accepts, in Graph's
	// metadata order.
	selectable []string
	// expandable are the navigations $expand accepts; unexpanded, they are
	// written as stubs {"id": ...}.
	expandable []string
	// orderable are the properties $orderby accepts.
	orderable []string
	// count: /hosts/{id}/{name}/$count is served.
	count bool
}

func options(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Property names the emulator treats specially.
const (
	propID             = "id"
	propHost           = "host"
	propCertificate    = "mostRecentSslCertificate"
	propSslCertificate = "sslCertificate"
)

// Every list route takes $skiptoken: it is how its nextLinks continue.
var collections = []*collection{
	{
		name: CollectionHost, entityType: "host", underHost: true,
		options:  options("$select"),
		topLevel: "hosts",
		selectable: []string{
			"id", "firstSeenDateTime", "lastSeenDateTime",
			"registrar", "registrant",
			"autonomousSystem", "countryOrRegion", "hostingProvider", "netblock",
		},
	},
	{
		name: CollectionPorts, entityType: "hostPort", list: true, underHost: true, count: true,
		options:     options("$top", "$skip", "$select", "$expand", "$count", "$skiptoken"),
		byID:        "hostPorts",
		byIDOptions: options("$select", "$expand"),
		selectable: []string{
			"id", "port", "protocol", "status", "firstSeenDateTime", "lastSeenDateTime", "lastScanDateTime",
			"timesObserved", "banners", "services", propHost, propCertificate,
		},
		expandable: []string{propCertificate},
	},
	{
		name: CollectionReputation, entityType: "hostReputation", underHost: true,
		options:    options("$select"),
		selectable: []string{"id", "classification", "score", "rules"},
	},
	{
		name: CollectionSslCertificates, entityType: "hostSslCertificate", list: true, underHost: true,
		options:     options("$top", "$skip", "$select", "$expand", "$count", "$orderby", "$skiptoken"),
		byID:        "hostSslCertificates",
		byIDOptions: options("$select", "$expand"),
		selectable:  []string{"id", "firstSeenDateTime", "lastSeenDateTime", "ports", propSslCertificate, propHost},
		expandable:  []string{propSslCertificate},
		orderable:   []string{"firstSeenDateTime", "lastSeenDateTime"},
	},
	{
		name: CollectionSslCertificate, entityType: "sslCertificate",
		byID:        "sslCertificates",
		byIDOptions: options("$select"),
		selectable: []string{
			"id", "sha1", "fingerprint", "serialNumber", "issueDateTime", "expirationDateTime",
			"firstSeenDateTime", "lastSeenDateTime", "issuer", "subject",
		},
	},
	{
		name: CollectionComponents, entityType: "hostComponent", list: true, underHost: true,
		options:     options("$top", "$skip", "$select", "$count", "$skiptoken"),
		byID:        "hostComponents",
		byIDOptions: options("$select"),
		selectable:  []string{"id", "name", "version", "category", "firstSeenDateTime", "lastSeenDateTime"},
	},
	{
		name: CollectionWhois, entityType: "whoisRecord", underHost: true,
		options:  options("$select"),
		topLevel: "whoisRecords",
		selectable: []string{
			"id", "domainStatus", "rawWhoisText", "whoisServer",
			"expirationDateTime", "registrationDateTime", "lastUpdateDateTime", "firstSeenDateTime", "lastSeenDateTime",
			"abuse", "admin", "billing", "noc", "registrant", "registrar", "technical", "zone", "nameservers",
		},
	},
	{
		name: CollectionSubdomains, entityType: "subdomain", list: true, underHost: true,
		options:    options("$top", "$skip", "$skiptoken"),
		topLevel:   "subdomains",
		selectable: []string{"id", "firstSeenDateTime"},
	},
	{
		name: CollectionPassiveDNS, entityType: "passiveDnsRecord", list: true, underHost: true,
		options:    options("$top", "$skip", "$skiptoken"),
		topLevel:   "passiveDnsRecords",
		selectable: passiveDNSProperties,
	},
	{
		name: CollectionPassiveDNSReverse, entityType: "passiveDnsRecord", list: true, underHost: true,
		options:    options("$top", "$skip", "$skiptoken"),
		selectable: passiveDNSProperties,
	},
}

var passiveDNSProperties = []string{"id", "collectedDateTime", "firstSeenDateTime", "lastSeenDateTime", "recordType", "artifact", "parentHost"}

// The rows the code refers to by name.
var (
	portsCollection       = collectionNamed(CollectionPorts)
	hostCollection        = collectionNamed(CollectionHost)
	hostCertsCollection   = collectionNamed(CollectionSslCertificates)
	certificateCollection = collectionNamed(CollectionSslCertificate)
	countOptions          = options()
	collectionsByName     = func() map[string]*collection {
		m := map[string]*collection{}
		for _, c := range collections {
			m[c.name] = c
		}
		return m
	}()
)

func collectionNamed(name string) *collection {
	for _, c := range collections {
		if c.name == name {
			return c
		}
	}
	panic("fakegraph: no collection " + name)
}

// SelectableProperties returns the property names a collection's entities
// have, in Graph's metadata order: the names $select accepts on the routes
// that take $select (subdomains and passive DNS records take none, and
// their list is what the emulator serves). collection is one of the
// Collection constants (Graph's segment name; "host" for the host itself
// and "sslCertificate" for the certificate); any other name gives nil. The
// host's list holds both subtypes' properties: hostname's registrar and
// registrant, then ipAddress's.
func SelectableProperties(collection string) []string {
	if c, ok := collectionsByName[collection]; ok {
		return slices.Clone(c.selectable)
	}
	return nil
}

// routeCollectionValid reports whether a Fault's Route and Collection can
// ever match: a Collection names a row, and RouteList, RouteGet and
// RouteCount a route the row has.
func routeCollectionValid(route Route, name string) bool {
	switch route {
	case RouteAny:
		return name == "" || collectionsByName[name] != nil
	case RouteList, RouteGet, RouteCount:
	default:
		return name == ""
	}
	if name == "" {
		return true
	}
	c := collectionsByName[name]
	switch {
	case c == nil:
		return false
	case route == RouteList:
		return c.list
	case route == RouteCount:
		return c.count
	default:
		return !c.list || c.byID != ""
	}
}
