package graph

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// idleConnsPerHost keeps enough warm connections for Terraform's default
// parallelism of 10 (and more) when HTTP/2 is not negotiated; net/http's
// default of 2 would open and close connections on every burst of reads.
const idleConnsPerHost = 64

// NewTransport returns the HTTP transport the client uses by default:
// proxies from HTTPS_PROXY/NO_PROXY, HTTP/2 when the server offers it, TLS 1.2
// or later, and roots from rootCAs (the system's when nil). Share it with the
// credential so Entra and Graph calls use one connection pool.
//
// The proxy settings are read when the transport is made. net/http's own
// ProxyFromEnvironment reads them once per process, which would pin every
// later provider configuration to whatever the first one saw.
func NewTransport(rootCAs *x509.CertPool) *http.Transport {
	transport := &http.Transport{}
	if base, ok := http.DefaultTransport.(*http.Transport); ok {
		transport = base.Clone()
	}
	proxyFor := httpproxy.FromEnvironment().ProxyFunc()
	transport.Proxy = func(req *http.Request) (*url.URL, error) { return proxyFor(req.URL) }
	transport.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: rootCAs}
	transport.ForceAttemptHTTP2 = true
	transport.MaxIdleConnsPerHost = idleConnsPerHost
	return transport
}

// ExplainNetworkErrors wraps base so that a request that fails before any
// HTTP answer fails with a *NetworkError in one sentence (the host, the
// issuer of an untrusted certificate, the address that refused), and so
// that failures no retry can mend (certificate errors, a host name DNS does
// not know) stop azcore's retry policy at once. Give the same wrapped
// transport to the credential and to the client: both then explain their
// failures alike, from one connection pool.
func ExplainNetworkErrors(base http.RoundTripper) http.RoundTripper {
	return &explainingTransport{base: base}
}

type explainingTransport struct{ base http.RoundTripper }

func (t *explainingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		err = explainNetworkError(req, err)
		recordNetworkError(req.Context(), err)
	}
	return resp, err
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// pool underneath.
func (t *explainingTransport) CloseIdleConnections() {
	if closer, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		closer.CloseIdleConnections()
	}
}

// sameOriginRedirects refuses any redirect that leaves the origin of the
// request: Go drops the Authorization header on such hops, but the client
// should not talk to a host it was never configured for at all.
func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return &redirectError{msg: fmt.Sprintf("stopped after %d redirects", len(via))}
	}
	if !sameOrigin(req.URL, via[0].URL) {
		return &redirectError{msg: fmt.Sprintf("refused a redirect from %s://%s to %s://%s: the client only talks to the configured Graph endpoint",
			via[0].URL.Scheme, via[0].URL.Host, req.URL.Scheme, req.URL.Host)}
	}
	return nil
}

// redirectError is not retriable: the same request would be redirected again.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// NonRetriable tells azcore's retry policy not to try again.
func (e *redirectError) NonRetriable() {}
