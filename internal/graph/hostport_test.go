package graph

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// A port seen more than 2^31 times: Graph documents timesObserved as Int32,
// real payloads run past it.
const busyPort = `{"id":"busy","port":443,"protocol":"tcp","status":"open","timesObserved":3000000000,` +
	`"banners":[{"banner":"HTTP/1.1 200 OK","scanProtocol":"http_raw","timesObserved":9007199254740993}]}`

func checkBusyPort(t *testing.T, hp *HostPort) {
	t.Helper()
	if hp.TimesObserved == nil || *hp.TimesObserved != 3000000000 {
		t.Errorf("timesObserved %v, want 3000000000", hp.TimesObserved)
	}
	// Beyond 2^53 too: the number is read as an integer, never through a float.
	if len(hp.Banners) != 1 || hp.Banners[0].TimesObserved == nil || *hp.Banners[0].TimesObserved != 9007199254740993 {
		t.Errorf("banners %+v, want one observed 9007199254740993 times", hp.Banners)
	}
}

func TestTimesObservedBeyondInt32Decodes(t *testing.T) {
	var ports []HostPort
	_, err := decodeListPage(strings.NewReader(`{"value":[`+busyPort+`]}`), func(hp *HostPort) error {
		ports = append(ports, *hp)
		return nil
	})
	if err != nil || len(ports) != 1 {
		t.Fatalf("%d ports, %v", len(ports), err)
	}
	checkBusyPort(t, &ports[0])

	single, err := decodeSingle[HostPort](strings.NewReader(busyPort))
	if err != nil {
		t.Fatal(err)
	}
	checkBusyPort(t, single)
}

// Port stays int32: a port number beyond it is a broken answer, and the
// error says which property broke.
func TestPortBeyondInt32IsAnError(t *testing.T) {
	_, err := decodeListPage(strings.NewReader(`{"value":[{"id":"x","port":3000000000}]}`), func(*HostPort) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "value[0]") || !strings.Contains(err.Error(), "port") {
		t.Fatalf("%v, want an error naming value[0] and port", err)
	}
}

func TestTimesObservedBeyondInt32ReadsBack(t *testing.T) {
	data := fakegraph.NewDataset()
	if err := data.AddHost("busy.example", []json.RawMessage{json.RawMessage(busyPort)}); err != nil {
		t.Fatal(err)
	}
	s := fakegraphtest.Start(t, fakegraph.Config{Data: data})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), "busy.example", QueryOptions{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("%v, %v", list, err)
	}
	checkBusyPort(t, &list.Items[0])
	one, err := c.GetHostPort(context.Background(), "busy", QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkBusyPort(t, one)
}
