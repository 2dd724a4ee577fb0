package fakegraph

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// startServer starts an emulator that is closed when the test ends.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// get sends GET URL()+path with the token (if any) and reads the whole body.
func get(t *testing.T, s *Server, path, token string) reply {
	t.Helper()
	return getURL(t, s, s.URL()+path, token)
}

func getURL(t *testing.T, s *Server, u, token string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", u, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// graphError is Graph's error envelope.
type graphError struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
			Date            string `json:"date"`
		} `json:"innerError"`
	} `json:"error"`
}

func decodeError(t *testing.T, r reply) graphError {
	t.Helper()
	var e graphError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", r.body, err)
	}
	return e
}

// expectError asserts a Graph error status and code.
func expectError(t *testing.T, r reply, status int, code string) graphError {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	e := decodeError(t, r)
	if e.Error.Code != code {
		t.Fatalf("error.code %q, want %q; body %s", e.Error.Code, code, r.body)
	}
	return e
}

// page is a decoded list response; ports stay raw for field checks.
type page struct {
	Context  string            `json:"@odata.context"`
	Count    *int              `json:"@odata.count"`
	NextLink string            `json:"@odata.nextLink"`
	Value    []json.RawMessage `json:"value"`
}

func decodePage(t *testing.T, r reply) page {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d; body %s", r.status, r.body)
	}
	var p page
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("page is not JSON: %v", err)
	}
	return p
}
