package exposure

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Finding is one thing a host exposes that the policy does not allow.
type Finding struct {
	HostID  string
	Kind    string // port, certificate, domain, reputation or component
	Message string // one line, starting with the host
}

// The kinds of finding.
const (
	KindPort        = "port"
	KindCertificate = "certificate"
	KindDomain      = "domain"
	KindReputation  = "reputation"
	KindComponent   = "component"
)

// Evaluate applies p to hosts, the `hosts` attribute of a fleet data source
// decoded to Go values: host id to an object holding any of ports,
// ssl_certificates, reputation, whois and components. What a host's object
// lacks, or holds as null, is not checked. Findings are sorted by host,
// kind and message, each said once.
func Evaluate(hosts map[string]any, p *Policy) ([]Finding, error) {
	var findings []Finding
	for hostID, raw := range hosts {
		host, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("hosts[%q] is %s; want a host's object, as the hosts attribute of defender_ti_hosts or defender_ti_hosts_ports holds it", hostID, describe(raw))
		}
		e := evaluation{hostID: hostID, policy: p}
		e.ports(list(host["ports"]), list(host["open_ports"]))
		e.certificates(list(host["ssl_certificates"]), list(host["ports"]))
		e.domain(object(host["whois"]))
		e.reputation(object(host["reputation"]))
		e.components(list(host["components"]), list(host["ports"]))
		findings = append(findings, e.findings...)
	}
	slices.SortFunc(findings, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.HostID, b.HostID), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Message, b.Message))
	})
	return slices.Compact(findings), nil
}

type evaluation struct {
	hostID   string
	policy   *Policy
	findings []Finding
}

func (e *evaluation) add(kind, format string, args ...any) {
	e.findings = append(e.findings, Finding{HostID: e.hostID, Kind: kind, Message: e.hostID + ": " + fmt.Sprintf(format, args...)})
}

// ports checks the open ports. A `select` may leave a port's status or
// protocol null: a port without a status is open when open_ports, which is
// read whatever `select` says, lists it; one without a protocol matches
// only the rules that name none.
func (e *evaluation) ports(ports, openPorts []any) {
	for _, raw := range ports {
		port := object(raw)
		number, ok := port["port"].(float64)
		if !ok {
			continue
		}
		open := text(port["status"]) == "open"
		if port["status"] == nil {
			open = slices.Contains(openPorts, any(number))
		}
		if !open {
			continue
		}
		protocol := text(port["protocol"])
		for _, denied := range e.policy.DeniedPorts {
			if denied.Port == int64(number) && (denied.Protocol == "" || strings.EqualFold(denied.Protocol, protocol)) {
				name := strconv.FormatInt(int64(number), 10)
				if protocol != "" {
					name += "/" + protocol
				}
				e.add(KindPort, "port %s is open, which the policy denies", name)
				break
			}
		}
	}
}

// certificates checks each distinct certificate seen on the host: those
// listed with the host's certificates, and each port's most recent one.
func (e *evaluation) certificates(hostCertificates, ports []any) {
	if e.policy.MinCertificateDays == nil {
		return
	}
	type seen struct {
		certificate map[string]any
		ports       []int64
	}
	byKey := map[string]*seen{}
	var keys []string
	note := func(certificate map[string]any, port float64, hasPort bool) {
		if certificate == nil {
			return
		}
		key := text(certificate["id"]) + "\x00" + text(certificate["expiration_date_time"])
		s, ok := byKey[key]
		if !ok {
			s = &seen{certificate: certificate}
			byKey[key] = s
			keys = append(keys, key)
		}
		if hasPort && !slices.Contains(s.ports, int64(port)) {
			s.ports = append(s.ports, int64(port))
		}
	}
	for _, raw := range hostCertificates {
		entry := object(raw)
		certificate := object(entry["ssl_certificate"])
		note(certificate, 0, false)
		for _, p := range list(entry["ports"]) {
			if number, ok := object(p)["port"].(float64); ok {
				note(certificate, number, true)
			}
		}
	}
	for _, raw := range ports {
		port := object(raw)
		number, ok := port["port"].(float64)
		note(object(port["most_recent_ssl_certificate"]), number, ok)
	}
	deadline := e.policy.AsOf.Add(days(*e.policy.MinCertificateDays))
	for _, key := range keys {
		s := byKey[key]
		expires, ok := timestamp(s.certificate["expiration_date_time"])
		if !ok || !expires.Before(deadline) {
			continue
		}
		slices.Sort(s.ports)
		where := ""
		if len(s.ports) > 0 {
			numbers := make([]string, len(s.ports))
			for i, port := range s.ports {
				numbers[i] = strconv.FormatInt(port, 10)
			}
			where = " (seen on port " + strings.Join(numbers, ", ") + ")"
		}
		subject := text(object(s.certificate["subject"])["common_name"])
		if subject == "" {
			subject = text(s.certificate["id"])
		}
		e.add(KindCertificate, "the certificate for %s%s %s %s, %s", subject, where, expiresVerb(expires, e.policy.AsOf), text(s.certificate["expiration_date_time"]),
			window(*e.policy.MinCertificateDays, e.policy.AsOf))
	}
}

func (e *evaluation) domain(whois map[string]any) {
	if e.policy.MinDomainDays == nil || whois == nil {
		return
	}
	expires, ok := timestamp(whois["expiration_date_time"])
	if !ok || !expires.Before(e.policy.AsOf.Add(days(*e.policy.MinDomainDays))) {
		return
	}
	e.add(KindDomain, "the domain registration %s %s, %s", expiresVerb(expires, e.policy.AsOf), text(whois["expiration_date_time"]),
		window(*e.policy.MinDomainDays, e.policy.AsOf))
}

func (e *evaluation) reputation(reputation map[string]any) {
	if e.policy.MaxReputation == "" || reputation == nil {
		return
	}
	classification := text(reputation["classification"])
	if classification == "" {
		return
	}
	score := ""
	if n, ok := reputation["score"].(float64); ok {
		score = fmt.Sprintf(" (score %s)", strconv.FormatFloat(n, 'f', -1, 64))
	}
	rank := slices.Index(classifications, classification)
	switch {
	case rank < 0:
		// A classification newer than this provider cannot be ranked:
		// report it rather than let it pass unseen.
		e.add(KindReputation, "classified %s%s, which the policy cannot rank against %s", classification, score, e.policy.MaxReputation)
	case rank > slices.Index(classifications, e.policy.MaxReputation):
		e.add(KindReputation, "classified %s%s, worse than the %s the policy allows", classification, score, e.policy.MaxReputation)
	}
}

// components checks the host's components and the components behind each
// port's services.
func (e *evaluation) components(components, ports []any) {
	if len(e.policy.DeniedComponents) == 0 {
		return
	}
	check := func(component map[string]any) {
		name, version := text(component["name"]), text(component["version"])
		if name == "" {
			return
		}
		for _, denied := range e.policy.DeniedComponents {
			if !strings.EqualFold(denied.Name, name) {
				continue
			}
			switch {
			case denied.Versions.Empty():
				e.add(KindComponent, "%s is seen, which the policy denies", strings.TrimSpace(name+" "+version))
			case version != "" && denied.Versions.Contains(version):
				e.add(KindComponent, "%s %s is seen, which the policy denies (versions %s)", name, version, denied.Versions)
			}
		}
	}
	for _, raw := range components {
		check(object(raw))
	}
	for _, raw := range ports {
		for _, service := range list(object(raw)["services"]) {
			check(object(object(service)["component"]))
		}
	}
}

func days(n float64) time.Duration { return time.Duration(n * float64(24*time.Hour)) }

func expiresVerb(expires, asOf *time.Time) string {
	if expires.Before(*asOf) {
		return "expired"
	}
	return "expires"
}

func window(n float64, asOf *time.Time) string {
	return fmt.Sprintf("within %s days of %s", strconv.FormatFloat(n, 'f', -1, 64), asOf.UTC().Format(time.RFC3339))
}

func list(v any) []any {
	items, _ := v.([]any)
	return items
}

func object(v any) map[string]any {
	fields, _ := v.(map[string]any)
	return fields
}

func text(v any) string {
	s, _ := v.(string)
	return s
}

func timestamp(v any) (*time.Time, bool) {
	t, err := time.Parse(time.RFC3339, text(v))
	if err != nil {
		return nil, false
	}
	return &t, true
}
