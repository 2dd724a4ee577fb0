package fakegraph

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Dataset is the emulator's world: hosts, each with its entity and one
// entry per collection of the route table (ports, reputation, certificates,
// components, WHOIS, subdomains, passive DNS), kept in Graph's JSON shape
// with navigations expanded. Entities are stored as pre-compacted JSON per
// property so that serving a page is concatenation, which keeps
// multi-megabyte benchmark pages cheap, and so that whatever a fixture file
// holds (odd banners, unknown enum members, extra fields) reaches the client
// byte for byte, in the fixture's property order.
//
// A Dataset must not be modified once a Server uses it.
type Dataset struct {
	hosts map[string]*datasetHost // keyed by lower-cased host id
	ports map[string]*entity      // keyed by hostPort id, case-sensitive (ids are base64)
	// byID holds the entities served by id other than hostPorts, by
	// collection name (sslCertificates, components, sslCertificate), then
	// by id, case-sensitive.
	byID map[string]map[string]*entity
	// portCerts are the certificates hostPorts hold, by id, served by
	// /sslCertificates/{id} when no hostSslCertificate holds them. The first
	// port to hold an id wins.
	portCerts map[string]json.RawMessage
}

type datasetHost struct {
	id     string
	entity *entity   // the host itself
	ports  []*entity // always present: a host lists its ports, maybe none
	// lists are the other list collections, singles the entities a host has
	// at most one of (reputation, whois). A key is present when the
	// fixture had it, so a file written back has the keys it was read with.
	lists   map[string][]*entity
	singles map[string]*entity
}

// entity is one stored object. props keeps the fixture's property order.
type entity struct {
	id    string
	props []property
}

type property struct {
	name string
	key  []byte          // `"name":`, precomputed because pages are rendered often
	raw  json.RawMessage // compact JSON
	// stub is what an expandable navigation holding an object is written
	// as when not expanded: {"id":...}. nil for every other property.
	stub []byte
}

func newProperty(name string, raw json.RawMessage) property {
	return property{name: name, key: append(mustJSON(name), ':'), raw: raw}
}

func stubOf(id string) []byte {
	return append(append([]byte(`{"id":`), mustJSON(id)...), '}')
}

//go:embed data/*.json
var sampleFS embed.FS

// NewDataset returns an empty dataset for tests that build their own hosts
// with AddHost, AddHostJSON or AddHostCollections.
func NewDataset() *Dataset {
	return &Dataset{
		hosts:     map[string]*datasetHost{},
		ports:     map[string]*entity{},
		byID:      map[string]map[string]*entity{},
		portCerts: map[string]json.RawMessage{},
	}
}

// SampleData returns the embedded sample hosts documented in the package
// comment, plus the generated paging host. Each call returns a Dataset of
// its own; the parsed entities are shared between them because nothing ever
// modifies a stored entity.
func SampleData() *Dataset {
	sampleOnce.Do(func() { sample = loadSample() })
	d := NewDataset()
	for k, h := range sample.hosts {
		d.hosts[k] = h
	}
	for k, p := range sample.ports {
		d.ports[k] = p
	}
	for name, m := range sample.byID {
		c := make(map[string]*entity, len(m))
		for k, e := range m {
			c[k] = e
		}
		d.byID[name] = c
	}
	for k, raw := range sample.portCerts {
		d.portCerts[k] = raw
	}
	return d
}

var (
	sampleOnce sync.Once
	sample     *Dataset
)

func loadSample() *Dataset {
	d := NewDataset()
	entries, err := fs.ReadDir(sampleFS, "data")
	if err != nil {
		panic("fakegraph: embedded sample data: " + err.Error())
	}
	for _, e := range entries {
		b, err := fs.ReadFile(sampleFS, "data/"+e.Name())
		if err == nil {
			err = d.AddHostJSON(b)
		}
		if err != nil {
			// The embedded files are part of the build; a broken one is a bug
			// that every test would hit, so fail loudly.
			panic(fmt.Sprintf("fakegraph: embedded sample data %s: %v", e.Name(), err))
		}
	}
	in := hostInput{id: SamplePagingHost, ports: generatePorts(SamplePagingHost, 250, 7)}
	in.built = map[string][]*entity{CollectionSubdomains: generateSubdomains(SamplePagingHost, 250)}
	if err := d.addHost(in); err != nil {
		panic("fakegraph: generated sample host: " + err.Error())
	}
	return d
}

// SamplePagingHost is the sample host with 250 ports and 250 subdomains:
// three pages each at the default page size of 100.
const SamplePagingHost = "scan.example.net"

// LoadDir reads every *.json file of dir (not recursively). Each file holds
// one host in the format AddHostJSON reads.
func LoadDir(dir string) (*Dataset, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("fakegraph: no *.json files in %s", dir)
	}
	sort.Strings(names)
	d := NewDataset()
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := d.AddHostJSON(b); err != nil {
			return nil, fmt.Errorf("fakegraph: %s: %w", name, err)
		}
	}
	return d, nil
}

// AddHostJSON adds one host from a fixture file's content: a JSON object
// with "hostId" and one key per collection, named as Graph names the
// host's navigation:
//
//	{"hostId": "contoso.com",
//	 "host": {...}, "ports": [...], "reputation": {...}, "sslCertificates": [...],
//	 "components": [...], "whois": {...}, "subdomains": [...],
//	 "passiveDns": [...], "passiveDnsReverse": [...]}
//
// See AddHostCollections for what each key may hold. Any other key is an
// error naming it.
func (d *Dataset) AddHostJSON(file []byte) error {
	dec := json.NewDecoder(bytes.NewReader(file))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("a host file must be a JSON object")
	}
	var hostID string
	keys := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, dup := keys[name]; dup || name == "hostId" && hostID != "" {
			return fmt.Errorf("key %q repeated", name)
		}
		if name == "hostId" {
			if err := json.Unmarshal(val, &hostID); err != nil || hostID == "" {
				return errors.New(`"hostId" must be a non-empty string`)
			}
			continue
		}
		if c := collectionsByName[name]; c == nil || !c.underHost {
			return fmt.Errorf("unknown key %q: a host file holds \"hostId\" and the collections %s", name, strings.Join(fixtureKeys(), ", "))
		}
		keys[name] = val
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the host object")
	}
	if hostID == "" {
		return errors.New(`missing "hostId"`)
	}
	return d.AddHostCollections(hostID, keys)
}

func fixtureKeys() []string {
	var out []string
	for _, c := range collections {
		if c.underHost {
			out = append(out, strconv.Quote(c.name))
		}
	}
	return out
}

// AddHostCollections adds a host with its collections, keyed by the
// Collection constants (the keys of a fixture file): "host" the host entity,
// "reputation" and "whois" one entity each, the other keys a JSON array of
// entities, all in Graph's JSON shape with navigations expanded (a port's
// mostRecentSslCertificate, a hostSslCertificate's sslCertificate). Every
// key is optional:
//
//   - no "host": the host entity is {"@odata.type", "id"}, an ipAddress when
//     hostID parses as an IP address, a hostname otherwise; a host entity
//     without @odata.type or id gets them the same way, and its id must be
//     hostID.
//   - no list key: the list is empty; no "reputation" or "whois": those
//     routes answer 404 for this host.
//
// A port without "id" gets the base64 of "{hostId}$${port}", the shape
// Graph's own ids have; a port without "host" gets a stub naming hostID. A
// hostSslCertificate without "host" gets that stub too, and without
// "sslCertificate" a null. Every other entity needs a non-empty string id.
// The ids of hostPorts, hostSslCertificates and hostComponents must be
// unique across the dataset, as each is a route; a certificate (the
// sslCertificate of a hostSslCertificate) may appear on several hosts when
// written identically each time.
func (d *Dataset) AddHostCollections(hostID string, collections map[string]json.RawMessage) error {
	in := hostInput{id: hostID, singles: map[string]json.RawMessage{}, lists: map[string][]json.RawMessage{}}
	for name, raw := range collections {
		c := collectionsByName[name]
		if c == nil || !c.underHost {
			return fmt.Errorf("host %q: unknown collection %q", hostID, name)
		}
		switch {
		case c == portsCollection:
			if err := json.Unmarshal(raw, &in.rawPorts); err != nil {
				return fmt.Errorf("host %q: %q must be an array of objects", hostID, name)
			}
		case c.list:
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return fmt.Errorf("host %q: %q must be an array of objects", hostID, name)
			}
			if items == nil {
				items = []json.RawMessage{} // null is an empty list, still present
			}
			in.lists[name] = items
		default:
			in.singles[name] = raw
		}
	}
	return d.parseAndAdd(in)
}

// AddHost adds a host with its ports only, in Graph's JSON shape
// (certificate expanded), as AddHostCollections does with just "ports".
func (d *Dataset) AddHost(hostID string, ports []json.RawMessage) error {
	return d.parseAndAdd(hostInput{id: hostID, rawPorts: ports})
}

// hostInput is a host on its way in: raw JSON from a file or a caller, or
// entities a generator built.
type hostInput struct {
	id       string
	rawPorts []json.RawMessage
	singles  map[string]json.RawMessage
	lists    map[string][]json.RawMessage
	// Built by a generator: used as they are.
	ports       []*entity
	hostEntity  *entity
	builtSingle map[string]*entity
	built       map[string][]*entity
}

func (d *Dataset) parseAndAdd(in hostInput) error {
	if in.id == "" {
		return errors.New("empty hostId")
	}
	for i, raw := range in.rawPorts {
		p, err := parseEntity(portsCollection, in.id, raw)
		if err != nil {
			return fmt.Errorf("host %q port #%d: %w", in.id, i, err)
		}
		in.ports = append(in.ports, p)
	}
	if raw, ok := in.singles[CollectionHost]; ok {
		e, err := parseEntity(hostCollection, in.id, raw)
		if err != nil {
			return fmt.Errorf("host %q: host: %w", in.id, err)
		}
		in.hostEntity = e
	}
	for name, raw := range in.singles {
		if name == CollectionHost {
			continue
		}
		e, err := parseEntity(collectionsByName[name], in.id, raw)
		if err != nil {
			return fmt.Errorf("host %q: %s: %w", in.id, name, err)
		}
		if in.builtSingle == nil {
			in.builtSingle = map[string]*entity{}
		}
		in.builtSingle[name] = e
	}
	for name, items := range in.lists {
		c := collectionsByName[name]
		parsed := make([]*entity, len(items))
		for i, raw := range items {
			e, err := parseEntity(c, in.id, raw)
			if err != nil {
				return fmt.Errorf("host %q: %s #%d: %w", in.id, name, i, err)
			}
			parsed[i] = e
		}
		if in.built == nil {
			in.built = map[string][]*entity{}
		}
		in.built[name] = parsed
	}
	return d.addHost(in)
}

// addHost checks a host against the dataset and adds it whole or not at all.
func (d *Dataset) addHost(in hostInput) error {
	if in.id == "" {
		return errors.New("empty hostId")
	}
	key := strings.ToLower(in.id)
	if _, dup := d.hosts[key]; dup {
		return fmt.Errorf("host %q defined twice", in.id)
	}
	h := &datasetHost{id: in.id, entity: in.hostEntity, ports: in.ports, lists: in.built, singles: in.builtSingle}
	if h.entity == nil {
		h.entity = defaultHostEntity(in.id)
	}
	if h.ports == nil {
		h.ports = []*entity{}
	}

	// Ids that are routes must be unique across the dataset.
	local := make(map[string]bool, len(h.ports))
	for _, p := range h.ports {
		if _, dup := d.ports[p.id]; dup || local[p.id] {
			return fmt.Errorf("host %q: hostPort id %q used twice", in.id, p.id)
		}
		local[p.id] = true
	}
	certs := map[string]*entity{}
	for _, c := range collections {
		if c.byID == "" || c == portsCollection {
			continue
		}
		seen := map[string]bool{}
		for _, e := range h.lists[c.name] {
			if _, dup := d.byID[c.name][e.id]; dup || seen[e.id] {
				return fmt.Errorf("host %q: %s id %q used twice", in.id, c.entityType, e.id)
			}
			seen[e.id] = true
		}
	}
	for _, hc := range h.lists[CollectionSslCertificates] {
		cert, err := hc.certificate()
		if err != nil {
			return fmt.Errorf("host %q: hostSslCertificate %q: %w", in.id, hc.id, err)
		}
		if cert == nil {
			continue
		}
		for _, other := range []*entity{certs[cert.id], d.byID[CollectionSslCertificate][cert.id]} {
			if other != nil && !bytes.Equal(other.json(), cert.json()) {
				return fmt.Errorf("host %q: sslCertificate %q appears twice with different content", in.id, cert.id)
			}
		}
		certs[cert.id] = cert
	}

	for _, p := range h.ports {
		d.ports[p.id] = p
		for _, pr := range p.props {
			if pr.name == propCertificate && pr.stub != nil {
				var stub struct{ ID string }
				_ = json.Unmarshal(pr.raw, &stub)
				if _, known := d.portCerts[stub.ID]; !known {
					d.portCerts[stub.ID] = pr.raw
				}
			}
		}
	}
	for _, c := range collections {
		if c.byID == "" || c == portsCollection {
			continue
		}
		for _, e := range h.lists[c.name] {
			d.index(c.name, e)
		}
	}
	for _, cert := range certs {
		d.index(CollectionSslCertificate, cert)
	}
	d.hosts[key] = h
	return nil
}

func (d *Dataset) index(name string, e *entity) {
	m := d.byID[name]
	if m == nil {
		m = map[string]*entity{}
		d.byID[name] = m
	}
	m[e.id] = e
}

// certificate returns a hostSslCertificate's certificate as an entity of
// its own, nil when the navigation is null.
func (e *entity) certificate() (*entity, error) {
	for _, pr := range e.props {
		if pr.name == propSslCertificate && pr.stub != nil {
			return parseEntity(certificateCollection, "", pr.raw)
		}
	}
	return nil, nil
}

// defaultHostEntity is the host entity of a host given without one.
func defaultHostEntity(hostID string) *entity {
	return &entity{id: hostID, props: []property{
		newProperty("@odata.type", mustJSON(hostODataType(hostID))),
		newProperty(propID, mustJSON(hostID)),
	}}
}

// hostODataType tells the host's subtype by the shape of its id.
func hostODataType(hostID string) string {
	if net.ParseIP(hostID) != nil {
		return "#microsoft.graph.security.ipAddress"
	}
	return "#microsoft.graph.security.hostname"
}

// parseObject walks an object's keys in order so the stored entity keeps
// the fixture's layout. Values are compacted; a repeated name is an error.
func parseObject(raw json.RawMessage) ([]property, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("not a JSON object")
	}
	var props []property
	seen := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		name, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("expected a property name, found %v", tok)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if _, dup := seen[name]; dup {
			return nil, nil, fmt.Errorf("property %q repeated", name)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, val); err != nil {
			return nil, nil, err
		}
		val = buf.Bytes()
		seen[name] = val
		props = append(props, newProperty(name, val))
	}
	return props, seen, nil
}

// parseEntity reads one entity of collection c belonging to hostID,
// checking what the routes rely on and adding what the fixture may leave
// out (see AddHostCollections).
func parseEntity(c *collection, hostID string, raw json.RawMessage) (*entity, error) {
	props, seen, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	e := &entity{props: props}
	if v, ok := seen[propID]; ok {
		if err := json.Unmarshal(v, &e.id); err != nil || e.id == "" {
			return nil, errors.New("id must be a non-empty string")
		}
	}
	// Navigations a client may expand become stubs unless expanded.
	for i, pr := range e.props {
		if !containsName(c.expandable, pr.name) || string(pr.raw) == "null" {
			continue
		}
		var stub struct{ ID string }
		if err := json.Unmarshal(pr.raw, &stub); err != nil || stub.ID == "" {
			return nil, fmt.Errorf(`%s must be null or an object with an "id"`, pr.name)
		}
		e.props[i].stub = stubOf(stub.ID)
	}
	checkHostStub := func() error {
		if v, ok := seen[propHost]; ok {
			var stub struct{ ID string }
			if err := json.Unmarshal(v, &stub); err != nil || stub.ID == "" {
				return errors.New(`host must be an object with an "id"`)
			}
		}
		return nil
	}

	switch c {
	case portsCollection:
		var portNum json.Number
		if v, ok := seen["port"]; ok {
			var n int32
			if err := json.Unmarshal(v, &n); err != nil {
				return nil, errors.New("port must be an int32 number")
			}
			portNum = json.Number(strconv.Itoa(int(n)))
		}
		if err := checkHostStub(); err != nil {
			return nil, err
		}
		if portNum == "" {
			return nil, errors.New(`missing "port"`)
		}
		if e.id == "" {
			e.id = base64.StdEncoding.EncodeToString([]byte(hostID + "$$" + portNum.String()))
			e.props = append([]property{newProperty(propID, mustJSON(e.id))}, e.props...)
		}
		if _, ok := seen[propHost]; !ok {
			e.props = append(e.props, newProperty(propHost, stubOf(hostID)))
		}
		if _, ok := seen[propCertificate]; !ok {
			e.props = append(e.props, newProperty(propCertificate, json.RawMessage("null")))
		}
	case hostCollection:
		if e.id == "" {
			e.id = hostID
			at := 0
			for at < len(e.props) && strings.HasPrefix(e.props[at].name, "@") {
				at++
			}
			e.props = append(e.props[:at], append([]property{newProperty(propID, mustJSON(hostID))}, e.props[at:]...)...)
		} else if !strings.EqualFold(e.id, hostID) {
			return nil, fmt.Errorf("id %q is not the hostId %q", e.id, hostID)
		}
		if v, ok := seen["@odata.type"]; ok {
			var t string
			if err := json.Unmarshal(v, &t); err != nil || t == "" {
				return nil, errors.New("@odata.type must be a non-empty string")
			}
		} else {
			e.props = append([]property{newProperty("@odata.type", mustJSON(hostODataType(hostID)))}, e.props...)
		}
	default:
		if e.id == "" {
			return nil, errors.New(`missing "id": a non-empty string`)
		}
		if c == hostCertsCollection {
			if err := checkHostStub(); err != nil {
				return nil, err
			}
			if _, ok := seen[propSslCertificate]; !ok {
				e.props = append(e.props, newProperty(propSslCertificate, json.RawMessage("null")))
			}
			if _, ok := seen[propHost]; !ok {
				e.props = append(e.props, newProperty(propHost, stubOf(hostID)))
			}
		}
	}
	return e, nil
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// allExpanded expands every navigation: how fixtures hold entities.
var allExpanded = map[string]bool{propCertificate: true, propSslCertificate: true}

// render writes the entity. selected == nil means every property; the id is
// always written because Graph always returns the key. Navigations not in
// expand become stubs.
func (e *entity) render(buf *bytes.Buffer, selected, expand map[string]bool) {
	buf.WriteByte('{')
	first := true
	for _, pr := range e.props {
		// Annotations such as @odata.type are not properties: $select never removes them.
		if selected != nil && pr.name != propID && !selected[pr.name] && !strings.HasPrefix(pr.name, "@") {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(pr.key)
		if pr.stub != nil && !expand[pr.name] {
			buf.Write(pr.stub)
		} else {
			buf.Write(pr.raw)
		}
	}
	buf.WriteByte('}')
}

// json is the entity as stored: every property, navigations expanded.
func (e *entity) json() []byte {
	var buf bytes.Buffer
	e.render(&buf, nil, allExpanded)
	return buf.Bytes()
}

// WriteDir writes one file per host in the format LoadDir reads: "hostId",
// "host", "ports", then each other collection the host has, in the order
// of the package comment. File names are the host id with every character
// outside [A-Za-z0-9.-] percent-escaped.
func (d *Dataset) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, id := range d.Hosts() {
		h := d.hosts[strings.ToLower(id)]
		var body bytes.Buffer
		body.WriteString(`{"hostId":`)
		body.Write(mustJSON(h.id))
		for _, c := range collections {
			if raw, ok := h.collectionJSON(c); ok {
				body.WriteByte(',')
				body.Write(mustJSON(c.name))
				body.WriteByte(':')
				body.Write(raw)
			}
		}
		body.WriteString("}")
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, body.Bytes(), "", "  "); err != nil {
			return err
		}
		pretty.WriteByte('\n')
		if err := os.WriteFile(filepath.Join(dir, fileNameFor(h.id)+".json"), pretty.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// collectionJSON is what a fixture file holds under c's key, compact, and
// whether the host has that key at all.
func (h *datasetHost) collectionJSON(c *collection) (json.RawMessage, bool) {
	var buf bytes.Buffer
	switch {
	case c == hostCollection:
		h.entity.render(&buf, nil, allExpanded)
	case c == portsCollection:
		writeArray(&buf, h.ports)
	case !c.underHost:
		return nil, false
	case c.list:
		items, ok := h.lists[c.name]
		if !ok {
			return nil, false
		}
		writeArray(&buf, items)
	default:
		e, ok := h.singles[c.name]
		if !ok {
			return nil, false
		}
		e.render(&buf, nil, allExpanded)
	}
	return buf.Bytes(), true
}

func writeArray(buf *bytes.Buffer, items []*entity) {
	buf.WriteByte('[')
	for i, e := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		e.render(buf, nil, allExpanded)
	}
	buf.WriteByte(']')
}

func fileNameFor(hostID string) string {
	var b strings.Builder
	for i := 0; i < len(hostID); i++ {
		c := hostID[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Hosts returns the host ids, sorted.
func (d *Dataset) Hosts() []string {
	out := make([]string, 0, len(d.hosts))
	for _, h := range d.hosts {
		out = append(out, h.id)
	}
	sort.Strings(out)
	return out
}

// PortCount returns the number of ports of a host (0 for an unknown host).
func (d *Dataset) PortCount(hostID string) int {
	if h := d.host(hostID); h != nil {
		return len(h.ports)
	}
	return 0
}

// PortIDs returns a host's hostPort ids in listing order, so tests can call
// the single-port route without decoding a list first.
func (d *Dataset) PortIDs(hostID string) []string {
	return d.CollectionIDs(hostID, CollectionPorts)
}

// CollectionIDs returns the ids of a host's list collection (ports,
// sslCertificates, components, subdomains, passiveDns, passiveDnsReverse)
// in listing order: empty for a host without that key, nil for an unknown
// host or a collection that is not a list.
func (d *Dataset) CollectionIDs(hostID, collection string) []string {
	h := d.host(hostID)
	c := collectionsByName[collection]
	if h == nil || c == nil || !c.list {
		return nil
	}
	items := h.lists[c.name]
	if c == portsCollection {
		items = h.ports
	}
	out := make([]string, len(items))
	for i, e := range items {
		out[i] = e.id
	}
	return out
}

// HostPortJSON returns one stored port as Graph would serve it with
// $expand=mostRecentSslCertificate, for tests that compare field by field.
func (d *Dataset) HostPortJSON(hostPortID string) (json.RawMessage, bool) {
	return d.EntityJSON(CollectionPorts, hostPortID)
}

// EntityJSON returns an entity served by id as Graph would serve it with
// every navigation expanded: collection is CollectionPorts (a hostPort),
// CollectionSslCertificates (a hostSslCertificate), CollectionComponents
// (a hostComponent) or CollectionSslCertificate (a certificate).
func (d *Dataset) EntityJSON(collection, id string) (json.RawMessage, bool) {
	c := collectionsByName[collection]
	if c == nil || c.byID == "" {
		return nil, false
	}
	e := d.entityByID(c, id)
	if e == nil {
		return nil, false
	}
	return e.json(), true
}

// CollectionJSON returns what a host's fixture file holds under a
// collection's key (compact JSON: an array for a list, an object for
// "host", "reputation" and "whois"), and false for an unknown host or a key
// the host does not have.
func (d *Dataset) CollectionJSON(hostID, collection string) (json.RawMessage, bool) {
	h := d.host(hostID)
	c := collectionsByName[collection]
	if h == nil || c == nil {
		return nil, false
	}
	return h.collectionJSON(c)
}

// entityByID looks an entity up on c's single-item route.
func (d *Dataset) entityByID(c *collection, id string) *entity {
	if c == portsCollection {
		return d.ports[id]
	}
	if e := d.byID[c.name][id]; e != nil {
		return e
	}
	if c == certificateCollection {
		if raw, ok := d.portCerts[id]; ok {
			if e, err := parseEntity(c, "", raw); err == nil {
				return e
			}
		}
	}
	return nil
}

// host looks a host up case-insensitively: domain names are, and Graph
// treats the artifact as a name rather than an opaque key.
func (d *Dataset) host(hostID string) *datasetHost {
	return d.hosts[strings.ToLower(hostID)]
}

// mustJSON marshals without HTML escaping: Graph writes "&" in a nextLink
// as "&", not "\u0026", and fixtures should reach clients unaltered.
func mustJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
