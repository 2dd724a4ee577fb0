package graph

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimestampParsesAnyFraction(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2016-12-06T20:23:38Z":              time.Date(2016, 12, 6, 20, 23, 38, 0, time.UTC),
		"2016-12-06T20:23:38.00Z":           time.Date(2016, 12, 6, 20, 23, 38, 0, time.UTC),
		"2016-12-06T20:23:38.735Z":          time.Date(2016, 12, 6, 20, 23, 38, 735000000, time.UTC),
		"2016-12-06T20:23:38.1234567Z":      time.Date(2016, 12, 6, 20, 23, 38, 123456700, time.UTC),
		"2016-12-06T20:23:38.123456789123Z": time.Date(2016, 12, 6, 20, 23, 38, 123456789, time.UTC),
		"2016-12-06T22:23:38+02:00":         time.Date(2016, 12, 6, 20, 23, 38, 0, time.UTC),
		"2023-04-10T18:05:00":               time.Date(2023, 4, 10, 18, 5, 0, 0, time.UTC),
	} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(`"`+in+`"`), &ts); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if !ts.Valid() || !ts.Time.Equal(want) {
			t.Errorf("%s parsed to %v (raw %q), want %v", in, ts.Time, ts.Raw, want)
		}
	}
}

func TestTimestampKeepsUnparseableText(t *testing.T) {
	var holder struct {
		At   *Timestamp `json:"at"`
		Null *Timestamp `json:"null"`
	}
	if err := json.Unmarshal([]byte(`{"at":"2023-17-18T23:24:01Z","null":null}`), &holder); err != nil {
		t.Fatal(err)
	}
	if holder.At == nil || holder.At.Valid() || holder.At.String() != "2023-17-18T23:24:01Z" {
		t.Errorf("month 17 should be kept verbatim, got %+v", holder.At)
	}
	if err := json.Unmarshal([]byte(`{"at":""}`), &holder); err != nil {
		t.Fatal(err)
	}
	if holder.At.Valid() || holder.At.String() != "" {
		t.Errorf("empty text should stay empty and invalid, got %+v (%q)", holder.At, holder.At.String())
	}
	if holder.Null != nil {
		t.Errorf("null should leave the pointer nil, got %+v", holder.Null)
	}
	if err := json.Unmarshal([]byte(`{"at":17}`), &holder); err == nil {
		t.Error("a number where a timestamp belongs should be an error")
	}
}

func TestTimestampStringIsRFC3339UTC(t *testing.T) {
	ts := Timestamp{Time: time.Date(2023, 7, 18, 23, 24, 1, 500000000, time.FixedZone("x", 3600))}
	if got, want := ts.String(), "2023-07-18T22:24:01.5Z"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
