package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrResponseTooLarge is returned when a response body exceeds the client's
// MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body exceeds the configured size limit")

// limitedBody fails with ErrResponseTooLarge once more than limit bytes have
// been read, so an endless or hostile body cannot exhaust memory.
type limitedBody struct {
	r         io.Reader
	remaining int64
	limit     int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.remaining <= 0 {
		// Probe for one more byte: a body of exactly limit bytes is fine.
		var probe [1]byte
		if n, _ := l.r.Read(probe[:]); n > 0 {
			return 0, fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, l.limit)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.remaining {
		p = p[:l.remaining]
	}
	n, err := l.r.Read(p)
	l.remaining -= int64(n)
	return n, err
}

// listPage is one page of a collection response, decoded as it streams in.
type listPage struct {
	NextLink string
	Count    *int64
}

// decodeListPage reads a collection envelope token by token and hands each
// element of "value" to each as soon as it is decoded, so a page is never
// held in memory as raw bytes. Unknown members are skipped; members may come
// in any order.
func decodeListPage(r io.Reader, each func(*HostPort) error) (listPage, error) {
	var page listPage
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return page, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return page, err
		}
		switch key {
		case "value":
			if err := decodeValueArray(dec, each); err != nil {
				return page, err
			}
		case "@odata.nextLink":
			var link *string
			if err := dec.Decode(&link); err != nil {
				return page, fmt.Errorf("@odata.nextLink: %w", err)
			}
			if link != nil {
				page.NextLink = *link
			}
		case "@odata.count":
			if err := dec.Decode(&page.Count); err != nil {
				return page, fmt.Errorf("@odata.count: %w", err)
			}
		default:
			if err := skipValue(dec); err != nil {
				return page, err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return page, err
	}
	return page, nil
}

func decodeValueArray(dec *json.Decoder, each func(*HostPort) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // "value": null reads as an empty page
	}
	if tok != json.Delim('[') {
		return fmt.Errorf(`"value" is %v, not an array`, tok)
	}
	for index := 0; dec.More(); index++ {
		var item HostPort
		if err := dec.Decode(&item); err != nil {
			return fmt.Errorf("value[%d]: %w", index, err)
		}
		if err := each(&item); err != nil {
			return err
		}
	}
	return expectDelim(dec, ']')
}

// skipValue consumes one JSON value of any shape without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if tok != want {
		return fmt.Errorf("expected %q in the response, found %v", want, tok)
	}
	return nil
}

// decodeSingle reads one hostPort. Graph answers with the entity itself, but
// a published sample wraps it in {"value": {...}}; both are accepted.
func decodeSingle(r io.Reader) (*HostPort, error) {
	var envelope struct {
		HostPort
		Value *HostPort `json:"value"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&envelope); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if envelope.Value != nil {
		return envelope.Value, nil
	}
	hostPort := envelope.HostPort
	return &hostPort, nil
}
