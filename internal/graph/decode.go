package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// listPage is one page of a collection response, decoded as it streams in.
type listPage struct {
	NextLink string
	Count    *int64
}

// decodeListPage reads a collection envelope token by token and hands each
// element of "value" to each as soon as it is decoded, so a page is never
// held in memory as raw bytes. Unknown members are skipped; members may come
// in any order. T is the entity type of the collection.
func decodeListPage[T any](r io.Reader, each func(*T) error) (listPage, error) {
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

func decodeValueArray[T any](dec *json.Decoder, each func(*T) error) error {
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
		var item T
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

// decodeSingle reads one entity. Graph answers with the entity itself, but a
// published sample wraps it in {"value": {...}}; both are accepted, so an
// entity type with a property named "value" cannot use this decoder.
//
// Go cannot embed a type parameter in the envelope, so the one object is
// kept as bytes and decoded twice; a single entity is small and bounded by
// the body limit, unlike a page.
func decodeSingle[T any](r io.Reader) (*T, error) {
	var raw json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	// Unmarshalling null into a struct succeeds and leaves it empty, which
	// would read as an entity with every property missing.
	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("expected a JSON object in the response, found %s", excerpt(trimmed))
	}
	var wrapped struct {
		Value *T `json:"value"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return nil, err
	}
	if wrapped.Value != nil {
		return wrapped.Value, nil
	}
	entity := new(T)
	if err := json.Unmarshal(raw, entity); err != nil {
		return nil, err
	}
	return entity, nil
}
