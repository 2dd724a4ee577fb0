package graph

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// Timestamp is a Graph DateTimeOffset. Graph sends a varying number of
// fractional digits, and published samples hold impossible dates (month 17),
// so text that does not parse is kept in Raw instead of failing the whole
// response: the caller still sees exactly what Graph said.
type Timestamp struct {
	Time time.Time
	Raw  string
}

// Valid reports whether the text parsed as a timestamp. Empty text is kept
// as empty Raw text with a zero Time, and is not valid.
func (t Timestamp) Valid() bool { return t.Raw == "" && !t.Time.IsZero() }

// String renders the timestamp as RFC 3339 in UTC, or the raw text when it did
// not parse.
func (t Timestamp) String() string {
	if !t.Valid() {
		return t.Raw
	}
	return t.Time.UTC().Format(time.RFC3339Nano)
}

// UnmarshalJSON accepts a JSON string; null leaves the value untouched so a
// *Timestamp field stays nil.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		// Timestamps never need unescaping; skip a second pass of the decoder.
		s = string(b[1 : len(b)-1])
	} else if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if parsed, ok := ParseTimestamp(s); ok {
		*t = Timestamp{Time: parsed}
	} else {
		*t = Timestamp{Raw: s}
	}
	return nil
}

// ParseTimestamp parses RFC 3339 with any number of fractional digits. Text
// without a zone (as in Graph's error envelope) is taken as UTC.
func ParseTimestamp(s string) (time.Time, bool) {
	if parsed, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return parsed.UTC(), true
	}
	normalized := trimFraction(s)
	if !hasZone(normalized) {
		normalized += "Z"
	}
	parsed, err := time.Parse(time.RFC3339Nano, normalized)
	if err != nil {
		return time.Time{}, false
	}
	return parsed.UTC(), true
}

// trimFraction cuts fractional seconds to the nine digits time.Parse accepts;
// .NET writes seven and nothing forbids more.
func trimFraction(s string) string {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s
	}
	end := dot + 1
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end-dot-1 <= 9 {
		return s
	}
	return s[:dot+10] + s[end:]
}

func hasZone(s string) bool {
	t := strings.IndexByte(s, 'T')
	if t < 0 {
		return false
	}
	clock := s[t:]
	return strings.HasSuffix(clock, "Z") || strings.HasSuffix(clock, "z") || strings.ContainsAny(clock, "+-")
}
