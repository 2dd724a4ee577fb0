package fakegraph

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSampleDataHosts(t *testing.T) {
	t.Parallel()
	d := SampleData()
	want := []string{"198.51.100.10", "8.8.8.8", "contoso.com", "empty.example.org", SamplePagingHost}
	if got := d.Hosts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Hosts() = %v, want %v", got, want)
	}
	for host, n := range map[string]int{"8.8.8.8": 1, "contoso.com": 7, "CONTOSO.COM": 7, SamplePagingHost: 250, "empty.example.org": 0, "nope": 0} {
		if got := d.PortCount(host); got != n {
			t.Errorf("PortCount(%q) = %d, want %d", host, got, n)
		}
	}
	// contoso.com has the ports the demo talks about.
	var statuses []string
	for _, id := range d.PortIDs("contoso.com") {
		raw, _ := d.HostPortJSON(id)
		var p struct {
			Port   int
			Status string
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, p.Status)
		if p.Port == 3389 && p.Status != "open" {
			t.Errorf("3389 is %s", p.Status)
		}
	}
	if !strings.Contains(strings.Join(statuses, ","), "filtered") || !strings.Contains(strings.Join(statuses, ","), "closed") {
		t.Errorf("contoso.com statuses %v", statuses)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	if err := Generate(3, 40, 1).WriteDir(a); err != nil {
		t.Fatal(err)
	}
	if err := Generate(3, 40, 1).WriteDir(b); err != nil {
		t.Fatal(err)
	}
	if err := Generate(3, 40, 2).WriteDir(c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(readDir(t, a), readDir(t, b)) {
		t.Error("same seed, different output")
	}
	if reflect.DeepEqual(readDir(t, a), readDir(t, c)) {
		t.Error("different seeds, same output")
	}
}

func TestGenerateShape(t *testing.T) {
	t.Parallel()
	d := Generate(4, 150, 9)
	hosts := d.Hosts()
	if len(hosts) != 4 || !reflect.DeepEqual(hosts, []string{"198.51.100.1", "198.51.100.2", "h0001.example.com", "h0003.example.com"}) {
		t.Fatalf("hosts %v", hosts)
	}
	counts := map[string]int{}
	size := 0
	for _, h := range hosts {
		if d.PortCount(h) != 150 {
			t.Fatalf("%s has %d ports", h, d.PortCount(h))
		}
		seenPorts := map[int]bool{}
		for _, id := range d.PortIDs(h) {
			raw, _ := d.HostPortJSON(id)
			size += len(raw)
			var p struct {
				Port                     int
				Protocol, Status         string
				Banners, Services        []json.RawMessage
				MostRecentSslCertificate *struct {
					ID              string
					Issuer, Subject struct{ Address struct{ City string } }
				}
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			if seenPorts[p.Port] {
				t.Fatalf("%s: port %d twice", h, p.Port)
			}
			seenPorts[p.Port] = true
			counts[p.Protocol]++
			counts[p.Status]++
			if len(p.Banners) > 3 || len(p.Services) > 3 {
				t.Errorf("too many banners/services")
			}
			if c := p.MostRecentSslCertificate; c != nil {
				counts["cert"]++
				if c.ID == "" || c.Subject.Address.City == "" || c.Issuer.Address.City == "" {
					t.Errorf("certificate not expanded: %s", raw)
				}
			}
		}
	}
	total := 4 * 150
	if counts["tcp"] == 0 || counts["udp"] == 0 || counts["open"] == 0 || counts["filtered"] == 0 || counts["closed"] == 0 {
		t.Errorf("missing variety: %v", counts)
	}
	if counts["cert"] < total/3 || counts["cert"] > 2*total/3 {
		t.Errorf("%d of %d ports have a certificate, want about half", counts["cert"], total)
	}
	// Tens of MB for 5,000 ports means several KB per port.
	if perPort := size / total; perPort < 3000 {
		t.Errorf("%d bytes per port; a 5,000-port host would be only %d MB", perPort, perPort*5000>>20)
	}
}

func TestLoadDirWriteDirRoundTrip(t *testing.T) {
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
	if !reflect.DeepEqual(orig.Hosts(), loaded.Hosts()) {
		t.Fatalf("hosts %v vs %v", orig.Hosts(), loaded.Hosts())
	}
	for _, h := range orig.Hosts() {
		if !reflect.DeepEqual(orig.PortIDs(h), loaded.PortIDs(h)) {
			t.Fatalf("%s: ids differ", h)
		}
		for _, id := range orig.PortIDs(h) {
			a, _ := orig.HostPortJSON(id)
			b, _ := loaded.HostPortJSON(id)
			if !bytes.Equal(a, b) {
				t.Fatalf("%s: port %s differs:\n%s\n%s", h, id, a, b)
			}
		}
	}
	// The files are what LoadDir documents: one host each.
	var f struct {
		HostID string            `json:"hostId"`
		Ports  []json.RawMessage `json:"ports"`
	}
	if err := json.Unmarshal(readDir(t, dir)["8.8.8.8.json"], &f); err != nil || f.HostID != "8.8.8.8" || len(f.Ports) != 1 {
		t.Errorf("8.8.8.8.json: %v %+v", err, f)
	}
	// A second write is byte-identical.
	dir2 := t.TempDir()
	if err := loaded.WriteDir(dir2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(readDir(t, dir), readDir(t, dir2)) {
		t.Error("write, load, write is not stable")
	}
}

func TestLoadDirRejectsBadData(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"no port":         `{"hostId":"a","ports":[{"id":"x"}]}`,
		"port not int":    `{"hostId":"a","ports":[{"port":"443"}]}`,
		"no host id":      `{"ports":[]}`,
		"duplicate ids":   `{"hostId":"a","ports":[{"id":"x","port":1},{"id":"x","port":2}]}`,
		"cert without id": `{"hostId":"a","ports":[{"port":1,"mostRecentSslCertificate":{"sha1":"ab"}}]}`,
		"not json":        `{`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadDir(dir); err == nil {
				t.Error("accepted")
			}
		})
	}
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Error("empty directory accepted")
	}
}

func TestFileNamesAreEscaped(t *testing.T) {
	t.Parallel()
	d := NewDataset()
	if err := d.AddHost("a/b c", []json.RawMessage{json.RawMessage(`{"port":1}`)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := d.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := readDir(t, dir)["a%2Fb%20c.json"]; !ok {
		t.Errorf("files: %v", readDir(t, dir))
	}
	loaded, err := LoadDir(dir)
	if err != nil || loaded.PortCount("a/b c") != 1 {
		t.Errorf("%v %v", err, loaded.Hosts())
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}
