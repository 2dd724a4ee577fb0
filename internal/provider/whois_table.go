package provider

import "github.com/defender-ti/terraform-provider-defender/internal/graph"

var whoisTable = newTable("whoisRecord",
	textField("id", "The identifier Graph gives the record.", func(w *graph.WhoisRecord) string { return w.ID }),
	stringField("domainStatus", "The domain's status codes, as the registry writes them.", func(w *graph.WhoisRecord) *string { return w.DomainStatus }),
	stringField("rawWhoisText", "The record's text exactly as the WHOIS server answered; it holds line breaks.", func(w *graph.WhoisRecord) *string { return w.RawWhoisText }),
	stringField("whoisServer", "The WHOIS server that answered.", func(w *graph.WhoisRecord) *string { return w.WhoisServer }),
	timestampField("expirationDateTime", "When the domain's registration expires.", func(w *graph.WhoisRecord) *graph.Timestamp { return w.ExpirationDateTime }),
	timestampField("registrationDateTime", "When the domain was registered.", func(w *graph.WhoisRecord) *graph.Timestamp { return w.RegistrationDateTime }),
	timestampField("lastUpdateDateTime", "When the record was last updated.", func(w *graph.WhoisRecord) *graph.Timestamp { return w.LastUpdateDateTime }),
	timestampField("firstSeenDateTime", "When Defender TI first saw the record.", func(w *graph.WhoisRecord) *graph.Timestamp { return w.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the record.", func(w *graph.WhoisRecord) *graph.Timestamp { return w.LastSeenDateTime }),
	objectField("abuse", "The abuse contact.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Abuse }),
	objectField("admin", "The administrative contact.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Admin }),
	objectField("billing", "The billing contact.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Billing }),
	objectField("noc", "The network operations contact.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Noc }),
	objectField("registrant", "The registrant.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Registrant }),
	objectField("registrar", "The registrar.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Registrar }),
	objectField("technical", "The technical contact.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Technical }),
	objectField("zone", "The zone contact.", whoisContactTable, func(w *graph.WhoisRecord) *graph.WhoisContact { return w.Zone }),
	objectListField("nameservers", "The domain's name servers. Empty when Graph reports none.", whoisNameserverTable,
		func(w *graph.WhoisRecord) []graph.WhoisNameserver { return w.Nameservers }),
)

var whoisContactTable = newTable("whoisContact",
	objectField("address", "The contact's postal address.", addressTable, func(c *graph.WhoisContact) *graph.PhysicalAddress { return c.Address }),
	stringField("email", "The contact's email address.", func(c *graph.WhoisContact) *string { return c.Email }),
	stringField("fax", "The contact's fax number.", func(c *graph.WhoisContact) *string { return c.Fax }),
	stringField("name", "The contact's name.", func(c *graph.WhoisContact) *string { return c.Name }),
	stringField("organization", "The contact's organization.", func(c *graph.WhoisContact) *string { return c.Organization }),
	stringField("telephone", "The contact's telephone number.", func(c *graph.WhoisContact) *string { return c.Telephone }),
)

var whoisNameserverTable = newTable("whoisNameserver",
	timestampField("firstSeenDateTime", "When Defender TI first saw the name server in the record.",
		func(n *graph.WhoisNameserver) *graph.Timestamp { return n.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the name server in the record.",
		func(n *graph.WhoisNameserver) *graph.Timestamp { return n.LastSeenDateTime }),
	objectField("host", "The name server. Graph returns only its identifier here.", hostReferenceTable,
		func(n *graph.WhoisNameserver) *graph.HostReference { return n.Host }),
)
