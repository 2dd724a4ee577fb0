package fakegraph

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Property names of the hostPort entity, as Graph spells them. They are the
// only names $select accepts.
const (
	propID          = "id"
	propHost        = "host"
	propCertificate = "mostRecentSslCertificate"
)

var selectableProps = []string{
	"id", "port", "protocol", "status", "firstSeenDateTime", "lastSeenDateTime", "lastScanDateTime",
	"timesObserved", "banners", "services", propHost, propCertificate,
}

// Dataset is the emulator's world: hosts, each with an ordered list of
// hostPorts kept in Graph's JSON shape with the certificate expanded. Ports
// are stored as pre-compacted JSON per property so that serving a page is
// concatenation, which keeps multi-megabyte benchmark pages cheap, and so that
// whatever a fixture file holds (odd banners, unknown enum members, extra
// fields) reaches the client byte for byte.
//
// A Dataset must not be modified once a Server uses it.
type Dataset struct {
	hosts map[string]*datasetHost // keyed by lower-cased host id
	ports map[string]*hostPort    // keyed by hostPort id, case-sensitive (ids are base64)
}

type datasetHost struct {
	id    string
	ports []*hostPort
}

// hostPort is one stored entity. props keeps the fixture's property order.
type hostPort struct {
	id     string
	hostID string
	props  []property
	// certID is the id used for the unexpanded stub; "" when the port has no
	// certificate (the property is then null).
	certID string
}

type property struct {
	name string
	key  []byte          // `"name":`, precomputed because pages are rendered often
	raw  json.RawMessage // compact JSON
}

func newProperty(name string, raw json.RawMessage) property {
	return property{name: name, key: append(mustJSON(name), ':'), raw: raw}
}

// hostFile is the on-disk shape of one host, used by LoadDir and WriteDir.
type hostFile struct {
	HostID string            `json:"hostId"`
	Value  []json.RawMessage `json:"value"`
}

//go:embed data/*.json
var sampleFS embed.FS

// NewDataset returns an empty dataset for tests that build their own hosts
// with AddHost.
func NewDataset() *Dataset {
	return &Dataset{hosts: map[string]*datasetHost{}, ports: map[string]*hostPort{}}
}

// SampleData returns the embedded sample hosts documented in the package
// comment, plus the generated paging host. Each call returns a Dataset of
// its own; the parsed ports are shared between them because nothing ever
// modifies a stored port.
func SampleData() *Dataset {
	sampleOnce.Do(func() { sample = loadSample() })
	d := NewDataset()
	for k, h := range sample.hosts {
		d.hosts[k] = h
	}
	for k, p := range sample.ports {
		d.ports[k] = p
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
			err = d.addFile(b)
		}
		if err != nil {
			// The embedded files are part of the build; a broken one is a bug
			// that every test would hit, so fail loudly.
			panic(fmt.Sprintf("fakegraph: embedded sample data %s: %v", e.Name(), err))
		}
	}
	if err := d.addPorts(SamplePagingHost, generatePorts(SamplePagingHost, 250, 7)); err != nil {
		panic("fakegraph: generated sample host: " + err.Error())
	}
	return d
}

// SamplePagingHost is the sample host with 250 ports: three pages at the
// default page size of 100.
const SamplePagingHost = "scan.example.net"

// LoadDir reads every *.json file of dir (not recursively). Each file holds
// one host: {"hostId":"8.8.8.8","value":[hostPort, ...]} with certificates
// expanded.
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
		if err := d.addFile(b); err != nil {
			return nil, fmt.Errorf("fakegraph: %s: %w", name, err)
		}
	}
	return d, nil
}

func (d *Dataset) addFile(b []byte) error {
	var f hostFile
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	return d.AddHost(f.HostID, f.Value)
}

// AddHost adds a host with its ports in Graph's JSON shape (certificate
// expanded). A port without "id" gets the base64 of "{hostId}$${port}", the
// shape Graph's own ids have; a port without "host" gets a stub naming
// hostID.
func (d *Dataset) AddHost(hostID string, ports []json.RawMessage) error {
	parsed := make([]*hostPort, len(ports))
	for i, raw := range ports {
		p, err := parseHostPort(hostID, raw)
		if err != nil {
			return fmt.Errorf("host %q port #%d: %w", hostID, i, err)
		}
		parsed[i] = p
	}
	return d.addPorts(hostID, parsed)
}

func (d *Dataset) addPorts(hostID string, ports []*hostPort) error {
	if hostID == "" {
		return errors.New("empty hostId")
	}
	key := strings.ToLower(hostID)
	if _, dup := d.hosts[key]; dup {
		return fmt.Errorf("host %q defined twice", hostID)
	}
	local := make(map[string]bool, len(ports))
	for _, p := range ports {
		if _, dup := d.ports[p.id]; dup || local[p.id] {
			return fmt.Errorf("host %q: hostPort id %q used twice", hostID, p.id)
		}
		local[p.id] = true
	}
	for _, p := range ports {
		d.ports[p.id] = p
	}
	d.hosts[key] = &datasetHost{id: hostID, ports: ports}
	return nil
}

// parseHostPort walks the object's keys in order so the stored entity keeps
// the fixture's layout.
func parseHostPort(hostID string, raw json.RawMessage) (*hostPort, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	p := &hostPort{hostID: hostID}
	seen := map[string]bool{}
	var portNum json.Number
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("expected a property name, found %v", tok)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("property %q repeated", name)
		}
		seen[name] = true
		var buf bytes.Buffer
		if err := json.Compact(&buf, val); err != nil {
			return nil, err
		}
		val = buf.Bytes()
		switch name {
		case propID:
			if err := json.Unmarshal(val, &p.id); err != nil || p.id == "" {
				return nil, errors.New("id must be a non-empty string")
			}
		case "port":
			var n int32
			if err := json.Unmarshal(val, &n); err != nil {
				return nil, errors.New("port must be an int32 number")
			}
			portNum = json.Number(strconv.Itoa(int(n)))
		case propHost:
			var stub struct{ ID string }
			if err := json.Unmarshal(val, &stub); err != nil || stub.ID == "" {
				return nil, errors.New(`host must be an object with an "id"`)
			}
		case propCertificate:
			if string(val) != "null" {
				var stub struct{ ID string }
				if err := json.Unmarshal(val, &stub); err != nil || stub.ID == "" {
					return nil, errors.New(`mostRecentSslCertificate must be null or an object with an "id"`)
				}
				p.certID = stub.ID
			}
		}
		p.props = append(p.props, newProperty(name, val))
	}
	if portNum == "" {
		return nil, errors.New(`missing "port"`)
	}
	if p.id == "" {
		p.id = base64.StdEncoding.EncodeToString([]byte(hostID + "$$" + portNum.String()))
		p.props = append([]property{newProperty(propID, mustJSON(p.id))}, p.props...)
	}
	if !seen[propHost] {
		p.props = append(p.props, newProperty(propHost, mustJSON(map[string]string{"id": hostID})))
	}
	if !seen[propCertificate] {
		p.props = append(p.props, newProperty(propCertificate, json.RawMessage("null")))
	}
	return p, nil
}

// render writes the entity. selected == nil means every property; the id is
// always written because Graph always returns the key. Unexpanded
// navigation properties become stubs.
func (p *hostPort) render(buf *bytes.Buffer, selected map[string]bool, expand bool) {
	buf.WriteByte('{')
	first := true
	for _, pr := range p.props {
		// Annotations such as @odata.type are not properties: $select never removes them.
		if selected != nil && pr.name != propID && !selected[pr.name] && !strings.HasPrefix(pr.name, "@") {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(pr.key)
		if pr.name == propCertificate && !expand && p.certID != "" {
			buf.WriteString(`{"id":`)
			buf.Write(mustJSON(p.certID))
			buf.WriteByte('}')
		} else {
			buf.Write(pr.raw)
		}
	}
	buf.WriteByte('}')
}

// WriteDir writes one file per host in the format LoadDir reads. File names
// are the host id with every character outside [A-Za-z0-9.-] percent-escaped.
func (d *Dataset) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, id := range d.Hosts() {
		h := d.hosts[strings.ToLower(id)]
		var body bytes.Buffer
		body.WriteString(`{"hostId":`)
		body.Write(mustJSON(h.id))
		body.WriteString(`,"value":[`)
		for i, p := range h.ports {
			if i > 0 {
				body.WriteByte(',')
			}
			p.render(&body, nil, true)
		}
		body.WriteString("]}")
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
	h := d.host(hostID)
	if h == nil {
		return nil
	}
	out := make([]string, len(h.ports))
	for i, p := range h.ports {
		out[i] = p.id
	}
	return out
}

// HostPortJSON returns one stored port as Graph would serve it with
// $expand=mostRecentSslCertificate, for tests that compare field by field.
func (d *Dataset) HostPortJSON(hostPortID string) (json.RawMessage, bool) {
	p, ok := d.ports[hostPortID]
	if !ok {
		return nil, false
	}
	var buf bytes.Buffer
	p.render(&buf, nil, true)
	return buf.Bytes(), true
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
