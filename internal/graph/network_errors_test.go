package graph

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// get sends one GET through the explaining transport over roots and
// returns the *NetworkError it failed with, failing the test when the
// request succeeded or the error was not explained.
func get(t *testing.T, roots *x509.CertPool, rawURL string) *NetworkError {
	t.Helper()
	transport := NewTransport(roots)
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: ExplainNetworkErrors(transport)}
	resp, err := client.Get(rawURL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s succeeded", rawURL)
	}
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("GET %s failed with %T %q, not a *NetworkError", rawURL, err, err)
	}
	t.Logf("GET %s: %s", rawURL, err)
	return ne
}

// quietLog drops the handshake failures the servers here exist to cause.
var quietLog = log.New(io.Discard, "", 0)

func isNonRetriable(err error) bool {
	var nre interface{ NonRetriable() }
	return errors.As(err, &nre)
}

func requireText(t *testing.T, err error, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not mention %q", err, want)
		}
	}
}

func TestNetworkErrorUntrustedCertificateNamesHostIssuerAndFix(t *testing.T) {
	emulator := fakegraphtest.Start(t, fakegraph.Config{})
	// An empty pool trusts nothing, as a machine without the emulator's CA.
	ne := get(t, x509.NewCertPool(), emulator.URL()+"/")
	if ne.Kind != UntrustedCertificate || !ne.Permanent || ne.Host != "127.0.0.1" {
		t.Errorf("got kind %q, permanent %v, host %q; want an untrusted, permanent certificate of 127.0.0.1", ne.Kind, ne.Permanent, ne.Host)
	}
	if !strings.Contains(ne.Issuer, "CN=fakegraph emulator CA") {
		t.Errorf("the issuer is %q, want the emulator's CA", ne.Issuer)
	}
	requireText(t, ne, "127.0.0.1", "CN=fakegraph emulator CA", "SSL_CERT_FILE", "proxy", "certificate store")
	if strings.HasSuffix(ne.Error(), ".") || strings.ToLower(ne.Error()[:1]) != ne.Error()[:1] {
		t.Errorf("%q should start in lower case and end without a period, to read well after a prefix", ne)
	}
}

// TestNetworkErrorCertificateErrorsAreNotRetried runs azcore's retry policy,
// the one both the credential and the client use, over the transport: an
// untrusted certificate must reach the server once, where without the
// explaining layer the policy dials again on every retry.
func TestNetworkErrorCertificateErrorsAreNotRetried(t *testing.T) {
	for _, c := range []struct {
		name      string
		explained bool
		wantDials int
	}{
		{"explained", true, 1},
		{"raw transport, for contrast", false, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			emulator := fakegraphtest.Start(t, fakegraph.Config{})
			base := NewTransport(x509.NewCertPool())
			t.Cleanup(base.CloseIdleConnections)
			var transport http.RoundTripper = base
			if c.explained {
				transport = ExplainNetworkErrors(base)
			}
			pipeline := runtime.NewPipeline("test", "", runtime.PipelineOptions{}, &policy.ClientOptions{
				Transport: &http.Client{Transport: transport},
				Retry:     policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond},
			})
			req, err := runtime.NewRequest(context.Background(), http.MethodGet, emulator.URL()+"/")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pipeline.Do(req); err == nil {
				t.Fatal("the request succeeded without trusting the CA")
			}
			if got := emulator.Connections(); got != c.wantDials {
				t.Errorf("the server saw %d connections, want %d", got, c.wantDials)
			}
		})
	}
}

func TestNetworkErrorCertificateForAnotherName(t *testing.T) {
	// httptest's certificate is for example.com and the loopback addresses,
	// not for the name localhost.
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = quietLog
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	ne := get(t, roots, "https://localhost:"+port+"/")
	if ne.Kind != CertificateNameWrong || !ne.Permanent {
		t.Errorf("got kind %q, permanent %v", ne.Kind, ne.Permanent)
	}
	requireText(t, ne, `not for "localhost"`, "example.com", "localhost:"+port)
}

func TestNetworkErrorExpiredCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	expiredAt := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "expired test CA"},
		NotBefore:    expiredAt.Add(-24 * time.Hour),
		NotAfter:     expiredAt,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = quietLog
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	ne := get(t, roots, srv.URL+"/")
	if ne.Kind != CertificateInvalid || !ne.Permanent {
		t.Errorf("got kind %q, permanent %v", ne.Kind, ne.Permanent)
	}
	requireText(t, ne, "127.0.0.1", "CN=expired test CA", "expired at "+expiredAt.UTC().Format(time.RFC3339), "clock")
}

func TestNetworkErrorPlainHTTPOnAnHTTPSURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	address := strings.TrimPrefix(srv.URL, "http://")
	ne := get(t, nil, "https://"+address+"/")
	if ne.Kind != NotTLS || !ne.Permanent {
		t.Errorf("got kind %q, permanent %v", ne.Kind, ne.Permanent)
	}
	requireText(t, ne, address, "plain HTTP")
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := ln.Addr().String()
	ln.Close()
	return address
}

func TestNetworkErrorConnectionRefusedNamesTheAddress(t *testing.T) {
	address := closedPort(t)
	ne := get(t, nil, "https://"+address+"/")
	if ne.Kind != ConnectionRefused || ne.Address != address {
		t.Errorf("got kind %q at %q, want refused at %s", ne.Kind, ne.Address, address)
	}
	// A service restarting refuses for a moment: this one stays retriable.
	if ne.Permanent || isNonRetriable(explainNetworkError(&http.Request{URL: mustParse(t, "https://"+address)}, ne)) {
		t.Error("a refused connection must stay retriable")
	}
	requireText(t, ne, address, "connection refused")
}

func TestNetworkErrorUnknownHostNamesTheHost(t *testing.T) {
	const host = "login.nowhere.invalid"
	ne := get(t, nil, "https://"+host+"/")
	if ne.Host != host || (ne.Kind != HostNotFound && ne.Kind != LookupFailed) {
		t.Errorf("got kind %q for host %q, want a failed lookup of %s", ne.Kind, ne.Host, host)
	}
	if ne.Kind == HostNotFound && !ne.Permanent {
		t.Error("a name DNS does not know must not be retried")
	}
	requireText(t, ne, `"`+host+`"`)
}

func TestNetworkErrorProxyRefusedNamesTheProxy(t *testing.T) {
	proxy := closedPort(t)
	t.Setenv("HTTPS_PROXY", "http://"+proxy)
	t.Setenv("NO_PROXY", "")
	ne := get(t, nil, "https://graph.example.com/")
	if ne.Kind != ConnectionRefused || !ne.ViaProxy || ne.Address != proxy {
		t.Errorf("got kind %q, via proxy %v, address %q; want the proxy %s refusing", ne.Kind, ne.ViaProxy, ne.Address, proxy)
	}
	requireText(t, ne, "proxy at "+proxy, "HTTPS_PROXY")
}

func TestNetworkErrorRecorderKeepsTheFailureOfItsOwnContext(t *testing.T) {
	address := closedPort(t)
	transport := ExplainNetworkErrors(NewTransport(nil))
	client := &http.Client{Transport: transport}
	send := func(ctx context.Context) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+address+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			t.Fatal("the request succeeded")
		}
	}
	outer, parent := RecordNetworkErrors(context.Background())
	recorded, recorder := RecordNetworkErrors(outer)
	_, bystander := RecordNetworkErrors(context.Background())
	send(recorded)
	if last := recorder.Last(); last == nil || last.Address != address {
		t.Errorf("the recorder holds %v, want the refusal at %s", last, address)
	}
	if last := parent.Last(); last != recorder.Last() {
		t.Errorf("the enclosing recorder holds %v, want what the nested one recorded", last)
	}
	if last := bystander.Last(); last != nil {
		t.Errorf("a recorder of another context holds %v", last)
	}
}

func TestNetworkErrorLeavesCancellationAlone(t *testing.T) {
	// A server that accepts and never answers, so the request is in flight
	// when it is cancelled.
	accepted := make(chan struct{}, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case accepted <- struct{}{}:
			default:
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ln.Addr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := (&http.Client{Transport: ExplainNetworkErrors(NewTransport(nil))}).Do(req)
		done <- err
	}()
	<-accepted
	cancel()
	err = <-done
	var ne *NetworkError
	if errors.As(err, &ne) || !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled request failed with %v; want the cancellation itself", err)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
