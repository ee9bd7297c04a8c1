package generate

import "testing"

// A generation queued before the payload became an object still gets its title.
func TestDecodeGeneratePayloadReadsBothForms(t *testing.T) {
	for raw, want := range map[string]string{
		`{"title":"Storm light"}`: "Storm light",
		`"U3Rvcm0gbGlnaHQ="`:      "Storm light", // json.Marshal([]byte("Storm light"))
		`{}`:                      "",
	} {
		p, err := decodeGeneratePayload(raw)
		if err != nil || p.Title != want {
			t.Errorf("%s: %q, %v; want %q", raw, p.Title, err, want)
		}
	}
	if _, err := decodeGeneratePayload(`not json`); err == nil {
		t.Error("a broken payload decoded")
	}
}
