package graph

// A host's current WHOIS record: GET /security/threatIntelligence/hosts/{hostId}/whois.

// WhoisRecordProperties are the names $select accepts for a whoisRecord.
var WhoisRecordProperties = []string{
	"id", "domainStatus", "rawWhoisText", "whoisServer",
	"expirationDateTime", "registrationDateTime", "lastUpdateDateTime", "firstSeenDateTime", "lastSeenDateTime",
	"abuse", "admin", "billing", "noc", "registrant", "registrar", "technical", "zone", "nameservers",
}

// WhoisOf reads a host's current WHOIS record.
var WhoisOf = HostEntity[WhoisRecord]{
	Segment: "whois",
	entity:  entityType{name: "whoisRecord", properties: WhoisRecordProperties},
}

// WhoisRecord mirrors microsoft.graph.security.whoisRecord.
type WhoisRecord struct {
	ID                   string            `json:"id"`
	Abuse                *WhoisContact     `json:"abuse"`
	Admin                *WhoisContact     `json:"admin"`
	Billing              *WhoisContact     `json:"billing"`
	DomainStatus         *string           `json:"domainStatus"`
	ExpirationDateTime   *Timestamp        `json:"expirationDateTime"`
	FirstSeenDateTime    *Timestamp        `json:"firstSeenDateTime"`
	LastSeenDateTime     *Timestamp        `json:"lastSeenDateTime"`
	LastUpdateDateTime   *Timestamp        `json:"lastUpdateDateTime"`
	Nameservers          []WhoisNameserver `json:"nameservers"`
	Noc                  *WhoisContact     `json:"noc"`
	RawWhoisText         *string           `json:"rawWhoisText"`
	Registrant           *WhoisContact     `json:"registrant"`
	Registrar            *WhoisContact     `json:"registrar"`
	RegistrationDateTime *Timestamp        `json:"registrationDateTime"`
	Technical            *WhoisContact     `json:"technical"`
	WhoisServer          *string           `json:"whoisServer"`
	Zone                 *WhoisContact     `json:"zone"`
}

// WhoisContact mirrors microsoft.graph.security.whoisContact.
type WhoisContact struct {
	Address      *PhysicalAddress `json:"address"`
	Email        *string          `json:"email"`
	Fax          *string          `json:"fax"`
	Name         *string          `json:"name"`
	Organization *string          `json:"organization"`
	Telephone    *string          `json:"telephone"`
}

// WhoisNameserver mirrors microsoft.graph.security.whoisNameserver.
type WhoisNameserver struct {
	FirstSeenDateTime *Timestamp     `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp     `json:"lastSeenDateTime"`
	Host              *HostReference `json:"host"`
}
