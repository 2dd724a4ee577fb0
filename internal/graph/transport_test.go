package graph

import (
	"net/http"
	"testing"
)

// TestNewTransportReadsProxySettingsWhenMade proves HTTPS_PROXY and NO_PROXY
// are honoured, and read afresh by each transport.
func TestNewTransportReadsProxySettingsWhenMade(t *testing.T) {
	graphRequest, err := http.NewRequest(http.MethodGet, "https://graph.microsoft.com/v1.0/", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HTTPS_PROXY", "http://proxy.example:3128")
	t.Setenv("NO_PROXY", "")
	proxy, err := NewTransport(nil).Proxy(graphRequest)
	if err != nil || proxy == nil || proxy.Host != "proxy.example:3128" {
		t.Fatalf("with HTTPS_PROXY set, the proxy is %v (%v)", proxy, err)
	}

	t.Setenv("NO_PROXY", ".microsoft.com")
	proxy, err = NewTransport(nil).Proxy(graphRequest)
	if err != nil || proxy != nil {
		t.Fatalf("with NO_PROXY covering the host, the proxy is %v (%v)", proxy, err)
	}

	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("NO_PROXY", "")
	proxy, err = NewTransport(nil).Proxy(graphRequest)
	if err != nil || proxy != nil {
		t.Fatalf("with no proxy configured, the proxy is %v (%v)", proxy, err)
	}
}
